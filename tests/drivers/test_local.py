"""What only the local store does: xattrs, the root boundary, itsdangerous signatures."""

from __future__ import annotations

import errno
import io
import os
import threading
import time

import pytest

from cloudstorage.drivers import local as local_driver
from cloudstorage.drivers.local import LocalDriver
from cloudstorage.exceptions import (
    CloudStorageError,
    CredentialsError,
    NotFoundError,
)
from fs_bridge.local import TEMP_PREFIX


@pytest.fixture
def root(tmp_path):
    return tmp_path / "storage"


@pytest.fixture
def storage(root):
    return LocalDriver(key=str(root), secret="secret", salt="salt")


@pytest.fixture
def box(storage):
    return storage.create_container("box")


def outside_snapshot(tmp_path, root):
    """Every path under tmp_path that is not inside the store root."""
    return sorted(
        str(path) for path in tmp_path.rglob("*") if root not in path.parents and path != root
    )


def test_metadata_is_stored_in_the_documented_xattrs(box, root):
    box.upload_blob(
        io.BytesIO(b"x"),
        blob_name="a.png",
        content_type="image/png",
        meta_data={"owner-id": "1"},
        content_disposition="inline",
        cache_control="no-cache",
    )
    path = str(root / "box" / "a.png")
    assert os.getxattr(path, "user.content-type") == b"image/png"
    assert os.getxattr(path, "user.metadata.owner-id") == b"1"
    assert os.getxattr(path, "user.content-disposition") == b"inline"
    assert os.getxattr(path, "user.cache-control") == b"no-cache"


def test_nested_names_are_sub_folders(box, root):
    box.upload_blob(io.BytesIO(b"x"), blob_name="a/b/c.txt")
    assert (root / "box" / "a" / "b" / "c.txt").read_bytes() == b"x"
    box.get_blob("a/b/c.txt").delete()
    assert list((root / "box").iterdir()) == []  # emptied folders go with their last blob


@pytest.mark.parametrize(
    "name",
    [
        "../escape.txt",
        "a/../../escape.txt",
        "/etc/passwd",
        ".",
        "a/./b",
        "a//b",
        "a\\b",
        "a\x00b",
        "dir/",
        f"{TEMP_PREFIX}x",
    ],
)
def test_unsafe_blob_names_are_refused_before_any_io(box, tmp_path, root, name):
    before = outside_snapshot(tmp_path, root)
    with pytest.raises(CloudStorageError):
        box.upload_blob(io.BytesIO(b"evil"), blob_name=name)
    with pytest.raises(CloudStorageError):
        box.get_blob(name)
    assert outside_snapshot(tmp_path, root) == before
    assert list(box) == []


@pytest.mark.parametrize("name", ["..", ".", "a/b", "/abs", ".hidden", "a\\b", "x\x00"])
def test_unsafe_container_names_are_refused(storage, tmp_path, root, name):
    before = outside_snapshot(tmp_path, root)
    with pytest.raises(CloudStorageError):
        storage.create_container(name)
    assert outside_snapshot(tmp_path, root) == before


def test_symlink_out_of_the_root_is_not_followed(box, tmp_path, root):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / "box" / "link")
    with pytest.raises(CloudStorageError, match="outside the store root"):
        box.upload_blob(io.BytesIO(b"evil"), blob_name="link/planted.txt")
    assert list(outside.iterdir()) == []


def test_temporary_files_of_unfinished_uploads_never_list(box, root):
    (root / "box" / f"{TEMP_PREFIX}deadbeef").write_bytes(b"half an upload")
    assert list(box) == []
    box.delete()  # a container holding only leftovers counts as empty
    assert "box" not in box.driver


def test_key_that_is_a_file_raises_not_a_directory(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(NotADirectoryError):
        LocalDriver(key=str(path))


def test_missing_key_directory_is_created(tmp_path):
    LocalDriver(key=str(tmp_path / "new" / "store"))
    assert (tmp_path / "new" / "store").is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes any directory")
def test_unwritable_key_raises_credentials_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(CredentialsError):
        LocalDriver(key=str(locked))


def test_validate_credentials_checks_access(storage, root):
    storage.validate_credentials()
    os.chmod(root, 0o000)
    try:
        if os.geteuid() != 0:
            with pytest.raises(CredentialsError):
                storage.validate_credentials()
    finally:
        os.chmod(root, 0o755)


def test_download_signature_round_trips(box, storage):
    blob = box.upload_blob(io.BytesIO(b"x"), blob_name="pic.png")
    signature = blob.generate_download_url(
        expires=60, content_disposition="attachment", extra={"content_type": "image/png"}
    )
    payload = storage.validate_signature(signature)
    assert payload["container"] == "box"
    assert payload["blob_name"] == "pic.png"
    assert payload["content_disposition"] == "attachment"
    assert payload["content_type"] == "image/png"
    assert payload["expires"] > time.time()


def test_upload_form_carries_the_seed_fields_and_settings(box, storage):
    form = box.generate_upload_url(
        "avatar.png",
        expires=120,
        meta_data={"owner-id": "1"},
        content_disposition="inline",
        content_length=(1, 1024),
        content_type="image/png",
    )
    assert set(form["fields"]) == {"blob_name", "container", "expires", "signature"}
    payload = storage.validate_signature(form["fields"]["signature"])
    assert payload["meta_data"] == {"owner-id": "1"}
    assert payload["content_length"] == [1, 1024] or payload["content_length"] == (1, 1024)
    assert payload["max_age"] == 120
    assert payload["blob_name"] == "avatar.png"


def test_signature_from_another_secret_is_invalid(box, root):
    signature = box.upload_blob(io.BytesIO(b"x"), blob_name="t.png").generate_download_url()
    other = LocalDriver(key=str(root), secret="another secret", salt="salt")
    with pytest.raises(CloudStorageError, match="invalid signature"):
        other.validate_signature(signature)


def test_signing_without_a_secret_is_a_clear_error(root):
    unsigned = LocalDriver(key=str(root))
    box = unsigned.create_container("box")
    blob = box.upload_blob(io.BytesIO(b"x"), blob_name="x.txt")
    with pytest.raises(CloudStorageError, match="secret"):
        blob.generate_download_url()


def test_cdn_is_unsupported(box):
    assert box.enable_cdn() is False
    assert box.disable_cdn() is False


def test_checksum_is_cached_per_version(box, root):
    box.upload_blob(io.BytesIO(b"one"), blob_name="c.txt")
    first = box.get_blob("c.txt").checksum
    assert os.getxattr(str(root / "box" / "c.txt"), "user.md5").decode().endswith(first)
    box.upload_blob(io.BytesIO(b"two"), blob_name="c.txt")
    assert box.get_blob("c.txt").checksum != first


def test_blob_colliding_with_a_folder_is_a_clear_error(box):
    box.upload_blob(io.BytesIO(b"x"), blob_name="a/b.txt")
    with pytest.raises(CloudStorageError, match="folder"):
        box.upload_blob(io.BytesIO(b"x"), blob_name="a")
    with pytest.raises(NotFoundError):
        box.get_blob("a")


def test_download_to_a_path_is_a_complete_kernel_copy(box, tmp_path):
    data = os.urandom(3 * 2**20 + 17)
    box.upload_blob(io.BytesIO(data), blob_name="big.bin")
    target = tmp_path / "down" / "big.bin"
    target.parent.mkdir()
    box.get_blob("big.bin").download(str(target))
    assert target.read_bytes() == data
    assert os.listdir(target.parent) == ["big.bin"]


@pytest.mark.parametrize("errno_code", [errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP])
def test_download_to_a_path_without_kernel_copy_falls_back(box, tmp_path, monkeypatch, errno_code):
    data = os.urandom(2**20)
    box.upload_blob(io.BytesIO(data), blob_name="b.bin")

    def unsupported(*args, **kwargs):
        raise OSError(errno_code, os.strerror(errno_code))

    monkeypatch.setattr(local_driver.os, "copy_file_range", unsupported)
    box.get_blob("b.bin").download(str(tmp_path / "b.bin"))
    assert (tmp_path / "b.bin").read_bytes() == data


def test_failed_download_keeps_the_existing_file_and_leaves_no_temporary(
    box, tmp_path, monkeypatch
):
    box.upload_blob(io.BytesIO(os.urandom(2**20)), blob_name="b.bin")
    target = tmp_path / "kept.bin"
    target.write_bytes(b"previous")
    real_copy = os.copy_file_range

    def failing(src, dst, count, *args):
        real_copy(src, dst, 1000)  # half-written, then the disk fails
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(local_driver.os, "copy_file_range", failing)
    with pytest.raises(OSError, match="I/O error"):
        box.get_blob("b.bin").download(str(target))
    assert target.read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["kept.bin", "storage"]


def test_download_of_a_vanished_blob_creates_nothing(box, tmp_path):
    blob = box.upload_blob(io.BytesIO(b"x"), blob_name="gone.bin")
    blob.delete()
    target = tmp_path / "kept.bin"
    target.write_bytes(b"previous")
    with pytest.raises(NotFoundError):
        blob.download(str(target))
    with pytest.raises(NotFoundError):
        blob.download(io.BytesIO())
    assert target.read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["kept.bin", "storage"]


@pytest.mark.parametrize("size", [0, 4096, 8 * 2**20 + 5])
def test_download_to_a_stream(box, size):
    data = os.urandom(size)
    box.upload_blob(io.BytesIO(data), blob_name="s.bin")
    sink = io.BytesIO()
    next(iter(box)).download(sink)
    assert sink.getvalue() == data


def test_symlinked_folder_out_of_the_root_is_refused_by_the_object_api(box, tmp_path, root):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    os.symlink(outside, root / "box" / "link")
    box.upload_blob(io.BytesIO(b"k"), blob_name="kept.txt")
    assert [blob.name for blob in box] == ["kept.txt"]
    for verb in (
        lambda: box.get_blob("link/secret.txt"),
        lambda: box.upload_blob(io.BytesIO(b"evil"), blob_name="link/secret.txt"),
        lambda: box.delete_blobs(["link/secret.txt"]),
    ):
        with pytest.raises(CloudStorageError, match="outside the store root"):
            verb()
    target = tmp_path / "stolen.txt"
    blob = next(iter(box))
    blob.name = "link/secret.txt"  # a Blob forged to point through the link
    with pytest.raises(CloudStorageError, match="outside the store root"):
        blob.download(str(target))
    with pytest.raises(CloudStorageError, match="outside the store root"):
        blob.download(io.BytesIO())
    assert not target.exists()
    assert sorted(os.listdir(outside)) == ["secret.txt"]
    assert (outside / "secret.txt").read_bytes() == b"secret"


def test_container_left_with_a_killed_uploads_temporary_file_lists_empty_and_deletes(box, root):
    (root / "box" / "sub").mkdir()
    stale = root / "box" / "sub" / f"{TEMP_PREFIX}0000abcd-1-0123456789ab"
    stale.write_bytes(b"half an upload")
    os.utime(stale, (0, 0))  # long silent: stale whoever wrote it
    assert list(box) == []
    assert not stale.exists()  # swept by the listing
    box.delete()
    assert "box" not in box.driver


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_upload_from_a_path_is_a_complete_copy(box, tmp_path, monkeypatch, kernel_copy):
    data = os.urandom(2**20 + 3)  # longer than what sniffing reads ahead
    source = tmp_path / "source"  # no extension: sniffed, then copied from the start
    source.write_bytes(data)
    if not kernel_copy:

        def unsupported(*args, **kwargs):
            raise OSError(errno.EXDEV, "cross-device")

        monkeypatch.setattr(local_driver.os, "copy_file_range", unsupported)
    blob = box.upload_blob(str(source), blob_name="up.bin", meta_data={"k": "v"})
    assert blob.size == len(data)
    assert box.get_blob("up.bin").meta_data == {"k": "v"}
    sink = io.BytesIO()
    blob.download(sink)
    assert sink.getvalue() == data


def test_failed_upload_from_a_path_keeps_the_previous_blob(box, tmp_path, monkeypatch, root):
    box.upload_blob(io.BytesIO(b"previous"), blob_name="up.bin")
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(2**20))
    real_copy = os.copy_file_range

    def failing(src, dst, count, *args):
        real_copy(src, dst, 1000, *args)
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(local_driver.os, "copy_file_range", failing)
    with pytest.raises(OSError, match="I/O error"):
        box.upload_blob(str(source), blob_name="up.bin")
    sink = io.BytesIO()
    box.get_blob("up.bin").download(sink)
    assert sink.getvalue() == b"previous"
    assert os.listdir(root / "box") == ["up.bin"]


def test_upload_from_a_named_pipe_streams(box, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    data = os.urandom(3 * 2**16)

    def feed() -> None:
        with open(fifo, "wb") as writer:
            writer.write(data)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        box.upload_blob(str(fifo), blob_name="piped.bin")
    finally:
        feeder.join(timeout=30)
    sink = io.BytesIO()
    box.get_blob("piped.bin").download(sink)
    assert sink.getvalue() == data


class _ThreadNotingStream(io.BytesIO):
    """Notes, on each read, which thread reads it and for which blob."""

    def __init__(self, name: str, reads: list[tuple[str, int]]) -> None:
        super().__init__(name.encode())
        self.blob_name, self.reads = name, reads

    def read(self, size: int | None = -1) -> bytes:
        self.reads.append((self.blob_name, threading.get_ident()))
        return super().read(size)


def _upload_noting_threads(box, **options) -> tuple[list[str], set[int]]:
    reads: list[tuple[str, int]] = []
    names = [f"bulk/{index}.txt" for index in range(6)]
    box.upload_blobs([(_ThreadNotingStream(name, reads), name) for name in names], **options)
    assert [blob.name for blob in box.list_blobs(prefix="bulk/")] == names
    order = list(dict.fromkeys(name for name, _ in reads))
    return order, {thread for _, thread in reads}


def test_bulk_calls_on_a_local_disk_run_one_at_a_time_in_the_callers_thread(storage, box):
    # Threads only take turns at the GIL here: one worker, without a pool, is the fastest.
    assert storage.bulk_workers == 1
    order, threads = _upload_noting_threads(box)
    assert threads == {threading.get_ident()}
    assert order == [f"bulk/{index}.txt" for index in range(6)]


def test_bulk_calls_take_threads_when_told(box):
    _, threads = _upload_noting_threads(box, max_workers=3)
    assert threading.get_ident() not in threads


def test_a_store_on_a_network_mount_runs_bulk_calls_in_threads(tmp_path, root, monkeypatch):
    # each call there waits on the network: as many in flight as on a cloud store
    table = tmp_path / "mountinfo"
    table.write_text(
        "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
        f"40 27 0:50 / {tmp_path} rw,relatime - nfs4 server:/export rw\n"
    )
    monkeypatch.setattr("fs_bridge.local._mounts.MOUNTINFO", str(table))
    storage = LocalDriver(key=str(root), secret="secret")
    assert storage.bulk_workers == 8
    _, threads = _upload_noting_threads(storage.create_container("box"))
    assert threading.get_ident() not in threads
