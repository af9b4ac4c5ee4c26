"""`Container.sync_to` on every driver: copy what differs, then nothing; delete; dry run; prefix."""

from __future__ import annotations

import io

import pytest

from cloudstorage import Container
from cloudstorage.base.sync import sync
from cloudstorage.drivers.local import LocalDriver
from cloudstorage.exceptions import CloudStorageError

FILES = {"a.txt": b"alpha", "dir/b.txt": b"bravo!", "dir/sub/c.bin": b"\x00" * 300, "z": b""}


def _fill(container: Container, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        container.upload_blob(
            io.BytesIO(data), blob_name=name, content_type="text/x-sync",
            meta_data={"owner-id": "7"}, cache_control="max-age=60",
        )  # fmt: skip


def _contents(container: Container) -> dict[str, bytes]:
    found = {}
    for blob in container:
        out = io.BytesIO()
        blob.download(out)
        found[blob.name] = out.getvalue()
    return found


def test_sync_copies_everything_then_nothing(container: Container, target: Container):
    _fill(container, FILES)
    report = container.sync_to(target)
    assert sorted(report.copied) == sorted(FILES)
    assert report.bytes_moved == sum(len(data) for data in FILES.values())
    assert report.ok
    assert report.deleted == report.skipped == []
    assert _contents(target) == FILES
    copied = target.get_blob("dir/b.txt")
    assert copied.content_type == "text/x-sync"
    assert copied.meta_data["owner-id"] == "7"
    assert copied.cache_control == "max-age=60"
    again = container.sync_to(target)
    assert again.copied == []
    assert again.bytes_moved == 0
    assert sorted(again.skipped) == sorted(FILES)


def test_sync_finds_a_change_that_keeps_the_size(container: Container, target: Container):
    _fill(container, FILES)
    container.sync_to(target)
    container.upload_blob(io.BytesIO(b"ALPHA"), blob_name="a.txt")
    report = container.sync_to(target)
    assert report.copied == ["a.txt"]
    assert _contents(target)["a.txt"] == b"ALPHA"


def test_sync_deletes_only_when_asked(container: Container, target: Container):
    _fill(container, FILES)
    _fill(target, {"extra.txt": b"x", "dir/extra": b"y"})
    kept = container.sync_to(target)
    assert kept.deleted == []
    assert {"extra.txt", "dir/extra"} <= set(_contents(target))
    report = container.sync_to(target, delete=True)
    assert sorted(report.deleted) == ["dir/extra", "extra.txt"]
    assert report.copied == []
    assert _contents(target) == FILES


def test_dry_run_reports_the_same_and_changes_nothing(container: Container, target: Container):
    _fill(container, FILES)
    _fill(target, {"a.txt": b"old", "extra.txt": b"x"})
    planned = container.sync_to(target, delete=True, dry_run=True)
    assert sorted(planned.copied) == sorted(FILES)
    assert planned.deleted == ["extra.txt"]
    assert _contents(target) == {"a.txt": b"old", "extra.txt": b"x"}
    done = container.sync_to(target, delete=True)
    assert (sorted(done.copied), done.deleted) == (sorted(planned.copied), planned.deleted)
    assert done.bytes_moved == planned.bytes_moved


def test_sync_with_a_prefix_touches_nothing_outside_it(container: Container, target: Container):
    _fill(container, FILES)
    _fill(target, {"a.txt": b"keep me", "dir/old.txt": b"gone", "dirt": b"keep"})
    report = container.sync_to(target, prefix="dir/", delete=True)
    assert sorted(report.copied) == ["dir/b.txt", "dir/sub/c.bin"]
    assert report.deleted == ["dir/old.txt"]
    assert _contents(target) == {
        "a.txt": b"keep me", "dir/b.txt": b"bravo!", "dir/sub/c.bin": b"\x00" * 300,
        "dirt": b"keep",
    }  # fmt: skip


def test_sync_onto_itself_or_an_overlapping_prefix_is_refused(container: Container):
    _fill(container, FILES)
    for source_prefix, target_prefix in [(None, None), ("dir/", "dir/"), ("", "dir/"),
                                         ("dir/", "dir/sub/")]:  # fmt: skip
        with pytest.raises(CloudStorageError, match="overlap"):
            sync(container, container, source_prefix, target_prefix, delete=True)
    with pytest.raises(CloudStorageError, match="overlap"):
        container.sync_to(Container(container.name, container.driver), "dir/")
    assert _contents(container) == FILES
    report = sync(container, container, "dir/sub/", "copy/")  # apart: allowed
    assert report.copied == ["copy/c.bin"]


def test_sync_from_the_local_store_copies_then_nothing(container: Container, tmp_path):
    source = LocalDriver(key=str(tmp_path / "store"), secret="s").create_container("src")
    _fill(source, FILES)
    assert sorted(source.sync_to(container).copied) == sorted(FILES)
    assert _contents(container) == FILES
    again = source.sync_to(container)
    assert again.copied == []
    assert sorted(again.skipped) == sorted(FILES)
