"""The S3 driver's timestamp parser (`_timestamps`): botocore's values, on its own clients only.

The parser must give what botocore's ``parse_timestamp`` gives (the same instant, tzinfo type,
offset and fold) in any local zone, since botocore's answer depends on it (``tzlocal()`` where
the zone is named UTC); it must be installed on the driver's clients, boto3's and s3fs's, and on
no other client in the process.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.parsers
import pytest
import s3fs
from botocore.utils import parse_timestamp

from cloudstorage import Container
from cloudstorage.drivers.amazon import S3Driver
from cloudstorage.drivers.amazon import _timestamps as s3_timestamps
from tests.conftest import RIG_NAMES, unique_name
from tests.rigs.s3 import s3_driver

pytestmark = pytest.mark.skipif(
    not {"s3", "minio", "digitalocean", "backblaze"} & set(RIG_NAMES),
    reason="CLOUDSTORAGE_TEST_DRIVERS leaves out the S3 family",
)

S3_FORMS = [
    "2026-12-05T14:11:02.000Z",  # ListObjectsV2's LastModified
    "2026-12-05T14:11:02Z",
    "2026-12-05T14:11:02.5Z",
    "2026-12-05T14:11:02.123456Z",
    "2026-12-05T14:11:02.1234567Z",  # cut to microseconds, as dateutil does
    "2026-12-05T14:11:02+00:00",
    "2026-12-05T14:11:02.250+00:00",
    "2026-03-29T01:30:00.000Z",  # in the hour clocks skip in Europe
    "2026-11-01T01:30:00.000Z",  # in the hour clocks repeat in America
    "1969-12-31T23:59:59.999Z",
    "1000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "Sat, 05 Dec 2026 14:11:02 GMT",  # HEAD's and GET's Last-Modified
    "Fri, 05 Dec 2026 14:11:02 GMT",  # a wrong weekday: dateutil ignores it
    "Sun, 01 Nov 2026 01:30:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
]
"""The forms S3 sends, which `parse` reads itself."""
OTHER_FORMS = [
    "2026-12-05T14:11:02",  # no zone: botocore answers a naive datetime
    "2026-12-05T14:11:02 UTC",
    "2026-12-05 14:11:02Z",
    "2026-12-05T14:11:02.000z",
    "2026-12-05T14:11:02+05:30",
    "2026-12-05T14:11:02.1234567891Z",
    "0050-01-01T00:00:00Z",
    "Thu, 01 Jan 0050 00:00:00 GMT",  # dateutil reads the year 2050
    "Sat, 5 Dec 2026 14:11:02 GMT",
    "Sat, 05 Dec 2026 14:11:02 UTC",
    "Sat, 05 Dec 2026 14:11:02 +0000",
    "1700000000",
    "1700000000.25",
    1700000000,
    1700000000.5,
    "2026-02-30T14:11:02Z",  # errors: botocore's own
    "2026-12-05T24:00:00Z",
    "2026-12-05T14:11:60Z",
    "Sat, 31 Feb 2026 10:00:00 GMT",
    "Sat, 05 Dec 2026 24:00:00 GMT",
    "yesterday",
]
"""Anything else, which goes to botocore's parser."""
ZONES = ["UTC", "", "America/New_York", "Asia/Kolkata", "Europe/London", "UTC+5"]
"""Local zones: "" and UTC name the zone UTC (botocore answers tzlocal()); "UTC+5" too, five
hours behind it (botocore's answer is then not even the same instant, and neither is ours)."""


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The process's local zone set to the parameter (``TZ`` and ``time.tzset``), then
    restored."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def _outcome(parser: Any, value: Any) -> tuple[Any, ...]:
    """What ``parser`` makes of ``value``: the datetime and every part of its zone, or the
    error."""
    try:
        parsed = parser(value)
    except Exception as error:  # the error is the outcome compared
        return (type(error), str(error))
    zone = parsed.tzinfo
    if zone is None:
        return (parsed, None)
    return (parsed, type(zone), zone, parsed.fold, parsed.utcoffset(), parsed.tzname())


@pytest.mark.usefixtures("zone")
@pytest.mark.parametrize("value", S3_FORMS + OTHER_FORMS)
def test_parse_agrees_with_botocore(value: Any):
    assert _outcome(s3_timestamps.parse, value) == _outcome(parse_timestamp, value)


@pytest.mark.usefixtures("zone")
def test_s3_forms_do_not_reach_botocore(monkeypatch: pytest.MonkeyPatch):
    def refuse(value: Any) -> datetime:
        raise AssertionError(f"{value!r} reached botocore's parser")

    monkeypatch.setattr(s3_timestamps, "parse_timestamp", refuse)
    for value in S3_FORMS:
        assert isinstance(s3_timestamps.parse(value), datetime)


def test_a_zone_named_utc_half_the_year_goes_to_botocore(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(time, "tzname", ("UTC", "XYZ"))
    monkeypatch.setattr(s3_timestamps, "parse_timestamp", lambda value: "botocore's")
    assert s3_timestamps.parse("2026-12-05T14:11:02.000Z") == "botocore's"


# -- on moto --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3(moto_server) -> S3Driver:
    return s3_driver(moto_server)


@pytest.fixture(scope="module")
def plain(moto_server) -> Any:
    """A boto3 client of its own on the same moto, set up by nobody but boto3."""
    return boto3.client(
        "s3",
        endpoint_url=moto_server.endpoint_url,
        aws_access_key_id=moto_server.access_key,
        aws_secret_access_key=moto_server.secret_key,
        region_name=moto_server.region,
    )


@pytest.fixture
def bucket(s3: S3Driver) -> Iterator[Container]:
    created = s3.create_container(unique_name())
    yield created
    s3.fs.rm(created.name, recursive=True)


def _timestamp_parser(client: Any) -> Any:
    """The timestamp parser ``client``'s answers are parsed with."""
    factory = client._endpoint._response_parser_factory
    return factory.create_parser("rest-xml")._timestamp_parser


def _same(ours: Any, theirs: Any) -> None:
    assert ours == theirs
    assert type(ours.tzinfo) is type(theirs.tzinfo)
    assert ours.utcoffset() == theirs.utcoffset()


@pytest.mark.usefixtures("zone")
def test_listed_and_looked_up_blobs_carry_botocore_values(
    bucket: Container, plain: Any, tmp_path: Path
):
    bucket.upload_blob(io.BytesIO(b"one"), blob_name="a/one.txt")
    bucket.upload_blob(io.BytesIO(b"two"), blob_name="b.txt")
    listed = {blob.name: blob for blob in bucket}
    answer = plain.list_objects_v2(Bucket=bucket.name)
    assert len(listed) == len(answer["Contents"]) == 2
    for entry in answer["Contents"]:
        blob = listed[entry["Key"]]
        _same(blob.modified_at, entry["LastModified"])
        assert blob.created_at is None  # S3 keeps none
        head = plain.head_object(Bucket=bucket.name, Key=entry["Key"])
        _same(bucket.get_blob(entry["Key"]).modified_at, head["LastModified"])
    bucket.get_blob("b.txt").download(tmp_path / "b.txt")
    assert (tmp_path / "b.txt").read_bytes() == b"two"


def test_installed_on_the_driver_clients_only(s3: S3Driver, plain: Any, moto_server):
    s3.fs.connect()
    assert _timestamp_parser(s3._sync_client()) is s3_timestamps.parse
    assert _timestamp_parser(s3.fs.s3) is s3_timestamps.parse
    # the driver's boto3 session, and its parser factory, made this client as well
    same_session = s3.session.client("s3", endpoint_url=moto_server.endpoint_url)
    fresh_fs = s3fs.S3FileSystem(skip_instance_cache=True, **s3.storage_options)
    fresh_fs.connect()
    for client in (plain, same_session, fresh_fs.s3, boto3.client("s3", region_name="us-east-1")):
        assert _timestamp_parser(client) is parse_timestamp
    assert botocore.parsers.DEFAULT_TIMESTAMP_PARSER is parse_timestamp


def test_install_is_idempotent(s3: S3Driver):
    client = s3._sync_client()
    factory = client._endpoint._response_parser_factory
    assert s3_timestamps.install(client) is client
    assert client._endpoint._response_parser_factory is factory


def test_install_replaces_another_timestamp_parser(moto_server):
    client = boto3.client("s3", endpoint_url=moto_server.endpoint_url, region_name="us-east-1")
    own = botocore.parsers.ResponseParserFactory()  # not the session's, shared
    own.set_parser_defaults(timestamp_parser=str)
    client._endpoint._response_parser_factory = own
    s3_timestamps.install(client)
    assert _timestamp_parser(client) is s3_timestamps.parse
