"""The xlocal filesystem's own guarantees: nothing outside root, stale temporaries swept.

Every symlink test runs three ways: with the kernel's ``openat2(RESOLVE_BENEATH)``, with the
``/proc/self/fd`` check that replaces it on older kernels, and with ``realpath`` alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from fs_bridge import _xattrs
from fs_bridge._beneath import openat2_supported
from fs_bridge.atomic import STALE_TEMP_AGE, is_stale_temp, temp_name
from fs_bridge.local import TEMP_PREFIX, InvalidNameError, XattrLocalFileSystem
from tests.processes import kill_hard, python_child, wait_until_under_way

MODES = ["openat2", "proc-fd", "realpath"]


@pytest.fixture(params=MODES)
def fs(request: pytest.FixtureRequest, tmp_path: Path) -> XattrLocalFileSystem:
    root = tmp_path / "root"
    (root / "box").mkdir(parents=True)
    store = XattrLocalFileSystem(root=str(root), skip_instance_cache=True)
    if request.param == "openat2" and not openat2_supported():
        pytest.skip("this kernel (or its seccomp filter) has no openat2")
    if request.param != "openat2":
        store._beneath = False
    if request.param == "realpath":
        store._proc_fds = False
    return store


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the root, holding one secret file; tests check it stays as it is."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_bytes(b"secret")
    os.setxattr(folder / "secret.txt", "user.content-type", b"text/secret")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_symlinked_folder_out_of_root_is_refused_for_every_verb(fs, outside):
    root = Path(fs.root)
    os.symlink(outside, root / "box" / "link")
    before = snapshot(outside)
    for verb in (
        lambda: fs.cat_file("box/link/secret.txt"),
        lambda: fs.info("box/link/secret.txt"),
        # a caller's name check skipped ("named"): containment holds without it
        lambda: fs.lookup("box/link/secret.txt", 1 << 16, named=True),
        lambda: fs.lookup("box/../../outside/secret.txt", 1 << 16, named=True),
        lambda: fs.md5("box/link/secret.txt"),
        lambda: fs.open("box/link/secret.txt", "rb"),
        lambda: fs.open_local_file("box/link/secret.txt"),
        lambda: fs.pipe_file("box/link/secret.txt", b"overwritten"),
        lambda: fs.pipe_file("box/link/new.txt", b"planted"),
        lambda: fs.pipe_file("box/link/sub/new.txt", b"planted"),
        lambda: fs.set_attributes("box/link/secret.txt", content_type="x/y"),
        lambda: fs.rm_file("box/link/secret.txt"),
        lambda: fs.rm(["box/link/secret.txt"]),
        lambda: fs.ls("box/link"),
        lambda: fs.find("box/link"),
        lambda: fs.rmdir("box/link"),
        lambda: fs.rm("box/link/secret.txt", recursive=True),
    ):
        with pytest.raises(InvalidNameError, match="outside the store root"):
            verb()
    assert snapshot(outside) == before
    assert os.getxattr(outside / "secret.txt", "user.content-type") == b"text/secret"
    assert sorted(os.listdir(outside)) == ["secret.txt"]
    # The container's listing neither descends into the link nor fails because of it.
    fs.pipe_file("box/kept.txt", b"k")
    assert fs.find("box") == ["box/kept.txt"]


def test_a_fifo_out_of_root_never_blocks_a_refusal(fs, outside):
    os.mkfifo(outside / "fifo")  # opening it for reading would wait for a writer
    os.symlink(outside, Path(fs.root) / "box" / "link")
    os.symlink(outside / "fifo", Path(fs.root) / "box" / "fifo-alias")
    for path in ("box/link/fifo", "box/fifo-alias"):
        with pytest.raises(InvalidNameError, match="outside the store root"):
            fs.cat_file(path)
        with pytest.raises(InvalidNameError, match="outside the store root"):
            fs.info(path)


def test_symlinked_blob_out_of_root_is_never_read_and_deletes_as_a_link(fs, outside):
    root = Path(fs.root)
    os.symlink(outside / "secret.txt", root / "box" / "alias.txt")
    with pytest.raises(InvalidNameError, match="outside the store root"):
        fs.cat_file("box/alias.txt")
    with pytest.raises(InvalidNameError):
        fs.info("box/alias.txt")
    assert fs.find("box") == []  # not listed: it leads outside
    fs.pipe_file("box/alias.txt", b"replaced")  # the link is replaced, not written through
    assert (outside / "secret.txt").read_bytes() == b"secret"
    assert not (root / "box" / "alias.txt").is_symlink()
    os.remove(root / "box" / "alias.txt")
    os.symlink(outside / "secret.txt", root / "box" / "alias.txt")
    fs.rm_file("box/alias.txt")  # removes the link itself
    assert (outside / "secret.txt").read_bytes() == b"secret"


def test_symlinked_container_out_of_root_is_refused(fs, outside):
    os.symlink(outside, Path(fs.root) / "evil")
    before = snapshot(outside)
    with pytest.raises(InvalidNameError):
        fs.find("evil")
    with pytest.raises(InvalidNameError):
        fs.pipe_file("evil/new.txt", b"planted")
    with pytest.raises(InvalidNameError):
        fs.cat_file("evil/secret.txt")
    assert snapshot(outside) == before


def test_symlinks_that_stay_inside_root_still_work(fs):
    root = Path(fs.root)
    fs.pipe_file("box/real/file.txt", b"inside")
    os.symlink("real", root / "box" / "relative")
    os.symlink(root / "box" / "real" / "file.txt", root / "box" / "absolute.txt")
    assert fs.cat_file("box/relative/file.txt") == b"inside"
    assert fs.cat_file("box/absolute.txt") == b"inside"
    assert "box/absolute.txt" in fs.find("box")


def test_stale_temporaries_are_swept_by_a_listing(fs):
    folder = Path(fs.root) / "box" / "sub"
    fs.pipe_file("box/sub/blob.txt", b"x")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    ours = temp_name()
    dead_writer = ours.replace(f"-{os.getpid()}-", f"-{int(dead.stdout)}-")
    foreign_old = f"{TEMP_PREFIX}0000abcd-1-0123456789ab"
    foreign_new = f"{TEMP_PREFIX}0000abcd-1-ba9876543210"
    legacy_old = f"{TEMP_PREFIX}deadbeefdeadbeef"
    for name in (ours, dead_writer, foreign_old, foreign_new, legacy_old):
        (folder / name).write_bytes(b"half")
    long_ago = time.time() - STALE_TEMP_AGE - 60
    for name in (foreign_old, legacy_old):
        os.utime(folder / name, (long_ago, long_ago))
    assert fs.find("box") == ["box/sub/blob.txt"]
    # A live writer's file stays, whoever it is; a dead or long-silent writer's goes.
    assert sorted(os.listdir(folder)) == sorted(["blob.txt", ours, foreign_new])
    assert fs.ls("box/sub", detail=False) == ["box/sub/blob.txt"]


def test_is_stale_temp():
    now = time.time()
    mine = temp_name()
    assert not is_stale_temp(mine, now)
    assert is_stale_temp(mine, now - STALE_TEMP_AGE - 1)
    assert not is_stale_temp("blob.txt", 0)  # never a blob
    assert not is_stale_temp(f"{TEMP_PREFIX}ffffffff-{os.getpid()}-00", now)


CHILD = textwrap.dedent(
    """
    import sys, time
    from fs_bridge.local import XattrLocalFileSystem
    fs = XattrLocalFileSystem(root=sys.argv[1])
    writer = fs.open("box/deep/big.bin", "wb", content_type="application/octet-stream")
    writer.write(b"x" * (4 * 2**20))
    writer.flush()
    print("UNDER WAY", flush=True)
    time.sleep(120)
    """
)


@pytest.mark.slow
def test_temporary_file_of_a_killed_writer_is_swept(tmp_path):
    root = tmp_path / "root"
    (root / "box").mkdir(parents=True)
    fs = XattrLocalFileSystem(root=str(root), skip_instance_cache=True)
    fs.pipe_file("box/deep/other.txt", b"kept")
    with python_child(CHILD, str(root)) as child:
        wait_until_under_way(child)
        temps = [n for n in os.listdir(root / "box" / "deep") if n.startswith(TEMP_PREFIX)]
        assert len(temps) == 1
        assert fs.find("box") == ["box/deep/other.txt"]
        assert temps[0] in os.listdir(root / "box" / "deep")  # alive: kept
        kill_hard(child)
    assert fs.find("box") == ["box/deep/other.txt"]
    assert os.listdir(root / "box" / "deep") == ["other.txt"]  # swept
    fs.rm_file("box/deep/other.txt")
    fs.rmdir("box")  # and the container is empty
    assert os.listdir(root) == []


def test_bulk_delete_prunes_folders_once_and_reports_missing(fs):
    for name in ("a/1", "a/2", "b/c/3"):
        fs.pipe_file(f"box/{name}", b"x")
    with pytest.raises(FileNotFoundError, match="box/missing"):
        fs.rm(["box/a/1", "box/missing", "box/a/2", "box/b/c/3"])
    assert os.listdir(Path(fs.root) / "box") == []


def test_writes_never_publish_a_partial_file(fs):
    fs.pipe_file("box/f.txt", b"old")

    def interrupted_write() -> None:
        with fs.open("box/f.txt", "wb") as writer:
            writer.write(b"new, half")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted_write()
    assert fs.cat_file("box/f.txt") == b"old"
    assert os.listdir(Path(fs.root) / "box") == ["f.txt"]


def test_a_root_removed_and_made_again_is_followed(fs):
    root = Path(fs.root)
    fs.pipe_file("box/old.txt", b"old")
    shutil.rmtree(root)
    (root / "box").mkdir(parents=True)
    with pytest.raises(FileNotFoundError):
        fs.cat_file("box/old.txt")
    fs.pipe_file("box/new.txt", b"new")
    assert (root / "box" / "new.txt").read_bytes() == b"new"
    assert fs.find("box") == ["box/new.txt"]


def test_stores_opened_at_once_in_many_threads_all_pass_the_xattr_probe(tmp_path):
    """Each probe uses its own attribute: one store's probe cannot remove another's."""
    failures: list[BaseException] = []

    def open_stores() -> None:
        try:
            for _ in range(200):
                _xattrs.probe(str(tmp_path))
        except OSError as exc:
            failures.append(exc)

    threads = [threading.Thread(target=open_stores) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [name for name in os.listxattr(tmp_path) if "probe" in name] == []
