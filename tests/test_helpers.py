"""helpers, utils and the case-insensitive dict kept from cloudstorage 0.10."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from types import SimpleNamespace

import pytest

from cloudstorage.helpers import (
    file_checksum,
    file_content_type,
    parse_content_disposition,
    read_in_chunks,
    validate_file_or_path,
)
from cloudstorage.structures import CaseInsensitiveDict
from cloudstorage.utils import rgetattr, rsetattr

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def test_file_checksum_of_path_and_stream(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc" * 5000)
    expected = hashlib.md5(b"abc" * 5000).hexdigest()
    assert file_checksum(str(path)).hexdigest() == expected
    stream = io.BytesIO(b"abc" * 5000)
    assert file_checksum(stream, hash_type="md5", block_size=7).hexdigest() == expected
    assert stream.tell() == 0  # left where it was, ready to upload
    assert (
        file_checksum(str(path), "sha256").hexdigest() == hashlib.sha256(b"abc" * 5000).hexdigest()
    )


def test_file_content_type_by_bytes_then_by_name(tmp_path):
    png = tmp_path / "no-extension"
    png.write_bytes(PNG)
    assert file_content_type(str(png)) == "image/png"
    css = tmp_path / "site.css"
    css.write_text("body { color: red }")
    assert file_content_type(str(css)) == "text/css"  # magic says text/plain; the name says more
    assert file_content_type(io.BytesIO(PNG)) == "image/png"
    assert file_content_type(str(tmp_path / "missing.json")) == "application/json"
    assert file_content_type(str(tmp_path / "missing")) is None


def test_parse_content_disposition():
    assert parse_content_disposition('attachment; filename="a b.png"') == (
        "attachment", {"filename": "a b.png"},
    )  # fmt: skip
    assert parse_content_disposition("inline") == ("inline", {})


def test_read_in_chunks():
    assert list(read_in_chunks(io.BytesIO(b"abcdefg"), block_size=3)) == [b"abc", b"def", b"g"]


def test_validate_file_or_path(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("x")
    assert validate_file_or_path(str(path)) == "x.txt"
    with path.open("rb") as file:
        assert validate_file_or_path(file) == "x.txt"
    assert validate_file_or_path(io.BytesIO(b"x")) is None
    with pytest.raises(FileNotFoundError):
        validate_file_or_path(str(tmp_path / "missing.txt"))


def test_rgetattr_and_rsetattr():
    obj = SimpleNamespace(a=SimpleNamespace(b=SimpleNamespace(c=1)))
    assert rgetattr(obj, "a.b.c") == 1
    assert rgetattr(obj, "a.x.c", "default") == "default"
    with pytest.raises(AttributeError):
        rgetattr(obj, "a.x")
    rsetattr(obj, "a.b.c", 2)
    assert obj.a.b.c == 2


def test_case_insensitive_dict():
    meta = CaseInsensitiveDict({"Owner-Id": "1"})
    assert meta["owner-id"] == "1"
    assert "OWNER-ID" in meta
    assert list(meta) == ["Owner-Id"]
    meta["owner-id"] = "2"
    assert list(meta) == ["owner-id"]
    assert meta == {"OWNER-ID": "2"}
    assert pickle.loads(pickle.dumps(meta)) == meta
    del meta["OWNER-id"]
    assert len(meta) == 0


def test_a_specific_type_by_name_skips_sniffing(monkeypatch):
    from cloudstorage import helpers  # noqa: PLC0415

    sniffed = []
    monkeypatch.setattr(helpers, "_sniff", lambda head: sniffed.append(head) or "image/png")
    assert helpers.guess_content_type("photo.jpg", PNG) == "image/jpeg"
    assert sniffed == []  # the name settled it
    # .bin names application/octet-stream (as 0.10's stream uploads and web servers have it)
    assert helpers.guess_content_type("blob.bin", PNG) == "application/octet-stream"
    assert helpers.guess_content_type("notes.txt", PNG) == "text/plain"  # .txt names it
    assert sniffed == []
    assert helpers.guess_content_type("no-extension", PNG) == "image/png"
    assert helpers.guess_content_type("data.unknown-extension", PNG) == "image/png"
    assert helpers.guess_content_type(None, PNG) == "image/png"
    assert len(sniffed) == 3


def test_sniffing_from_many_threads_keeps_one_libmagic_handle_per_core():
    # each handle holds ~6 MiB of libmagic's database: a bulk upload's memory must not grow
    # with its threads
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    from cloudstorage import helpers  # noqa: PLC0415

    pytest.importorskip("magic")
    with ThreadPoolExecutor(4 * (os.cpu_count() or 1)) as pool:
        guessed = set(pool.map(lambda _: helpers.guess_content_type("x", PNG), range(400)))
    assert guessed == {"image/png"}
    assert 1 <= len(helpers._idle_checkers) <= (os.cpu_count() or 1)


# -- cloudstorage 0.10's own cases ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", (None, {})),
        ("inline", ("inline", {})),
        ('"inline"', ("inline", {})),
        ('inline; filename="foo.html"', ("inline", {"filename": "foo.html"})),
        ("attachment", ("attachment", {})),
        ('"attachment"', ("attachment", {})),
        ('attachment; filename="foo.html"', ("attachment", {"filename": "foo.html"})),
        (
            "attachment; filename=\"a.png\"; filename*=UTF-8''a.png",
            ("attachment", {"filename": "a.png", "filename*": "UTF-8''a.png"}),
        ),
        ('attachment; filename="a;b.png"', ("attachment", {"filename": "a;b.png"})),
    ],
)
def test_parse_content_disposition_as_010(value, expected):
    assert parse_content_disposition(data=value) == expected


def test_rsetattr_takes_010_keyword_names():
    obj = SimpleNamespace(b=SimpleNamespace(c=True))
    rsetattr(obj=obj, attr="b.c", val=False)
    assert obj.b.c is False


def test_file_checksum_unknown_hash_is_runtime_and_value_error(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("x")
    with pytest.raises(RuntimeError, match="no-such-hash"):  # 0.10's exception
        file_checksum(str(path), hash_type="no-such-hash")
    with pytest.raises(ValueError, match="no-such-hash"):  # hashlib's
        file_checksum(io.BytesIO(b"x"), hash_type="no-such-hash")
