"""Create-only uploads (``overwrite=False``): decided by the service, on every driver."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from cloudstorage import Container
from cloudstorage.exceptions import AlreadyExistsError, CloudStorageError
from tests.rigs import Rig
from tests.streams import OneWayStream

RACERS = 6
UNENFORCED_RACES = dict.fromkeys(
    ("s3", "minio", "digitalocean", "backblaze"),
    "moto 5.2.5 checks If-None-Match, then stores, holding no lock across both (its "
    "server's lock covers the backend lookup only): one winner is not guaranteed there, "
    "as it is on S3; the refusal itself is tested",
)
UNENFORCED_RACES.update(
    dict.fromkeys(
        ("swift", "cloudfiles"),
        "Swift checks If-None-Match: * on each object server before writing: concurrent "
        "create-only PUTs all pass the check and the newest wins (on real clusters too); "
        "the refusal of an existing object is tested",
    )
)
"""Rigs whose server refuses an existing blob, but not atomically against a racing write."""


def _read(container: Container, name: str) -> bytes:
    out = io.BytesIO()
    container.get_blob(name).download(out)
    return out.getvalue()


def test_create_only_upload_creates_a_new_blob(container: Container):
    blob = container.upload_blob(io.BytesIO(b"first"), blob_name="new.txt", overwrite=False)
    assert blob.size == 5
    assert _read(container, "new.txt") == b"first"


def test_create_only_upload_refuses_an_existing_blob(container: Container):
    container.upload_blob(io.BytesIO(b"kept"), blob_name="doc.txt", meta_data={"v": "1"})
    with pytest.raises(AlreadyExistsError) as raised:
        container.upload_blob(
            io.BytesIO(b"other"), blob_name="doc.txt", meta_data={"v": "2"}, overwrite=False
        )
    assert isinstance(raised.value, CloudStorageError)
    assert isinstance(raised.value, FileExistsError)
    assert _read(container, "doc.txt") == b"kept"
    assert dict(container.get_blob("doc.txt").meta_data) == {"v": "1"}


def test_create_only_large_upload_refuses_an_existing_blob(container: Container):
    """Past one request (multipart, blocks, segments): the commit carries the condition."""
    container.upload_blob(io.BytesIO(b"kept"), blob_name="big.bin")
    data = bytes(range(256)) * 40_000  # 10 MB from a stream that cannot seek
    with pytest.raises(AlreadyExistsError):
        container.upload_blob(OneWayStream(data), blob_name="big.bin", overwrite=False)
    assert _read(container, "big.bin") == b"kept"
    assert [blob.name for blob in container] == ["big.bin"]


def test_racing_create_only_uploads_have_one_winner(rig: Rig, container: Container):
    if rig.name in UNENFORCED_RACES:
        pytest.skip(UNENFORCED_RACES[rig.name])
    start = threading.Barrier(RACERS)

    def race(number: int) -> bytes | None:
        data = f"writer {number} ".encode() * 1000
        start.wait()
        try:
            container.upload_blob(io.BytesIO(data), blob_name="race.txt", overwrite=False)
        except AlreadyExistsError:
            return None
        return data

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = list(pool.map(race, range(RACERS)))
    winners = [data for data in outcomes if data is not None]
    assert len(winners) == 1
    assert _read(container, "race.txt") == winners[0]
