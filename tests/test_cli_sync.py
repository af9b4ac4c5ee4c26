"""``cloudstorage sync``, run as a user would: in a subprocess, on the default local store."""

from __future__ import annotations

import pytest

from tests.test_cli import env, run  # noqa: F401  # the CLI tests' environment and runner


@pytest.fixture
def stores(tmp_path, env):  # noqa: F811  # the imported fixture
    for container in ("src", "dst"):
        run(tmp_path, env, "mb", f"local://{container}")
    for name, text in {"a.txt": "alpha", "dir/b.txt": "bravo"}.items():
        path = tmp_path / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        run(tmp_path, env, "cp", str(path), f"local://src/{name}")
    return env


def test_sync_copies_then_nothing_with_a_one_line_summary(tmp_path, stores):
    first = run(tmp_path, stores, "sync", "local://src", "local://dst")
    assert first.stdout.splitlines() == ["copied 2 (10 bytes), deleted 0, skipped 0, failed 0"]
    assert (tmp_path / "storage" / "dst" / "dir" / "b.txt").read_text() == "bravo"
    second = run(tmp_path, stores, "sync", "local://src", "local://dst", "--workers", "2")
    assert second.stdout.splitlines() == ["copied 0 (0 bytes), deleted 0, skipped 2, failed 0"]


def test_dry_run_prints_each_planned_copy_and_delete(tmp_path, stores):
    (tmp_path / "old.txt").write_text("old")
    run(tmp_path, stores, "cp", str(tmp_path / "old.txt"), "local://dst/dir/old.txt")
    result = run(tmp_path, stores, "sync", "local://src/dir", "local://dst/dir", "--delete",
                 "--dry-run")  # fmt: skip
    assert result.stdout.splitlines() == [
        "copy local://dst/dir/b.txt",
        "delete local://dst/dir/old.txt",
        "would copy 1 (5 bytes), would delete 1, skipped 0, failed 0",
    ]
    assert (tmp_path / "storage" / "dst" / "dir" / "old.txt").exists()
    assert not (tmp_path / "storage" / "dst" / "dir" / "b.txt").exists()


def test_failures_are_listed_and_exit_with_status_1(tmp_path, stores):
    (tmp_path / "file").write_text("a file where the source has a folder")
    run(tmp_path, stores, "cp", str(tmp_path / "file"), "local://dst/dir")
    result = run(tmp_path, stores, "sync", "local://src", "local://dst", ok=False)
    assert result.returncode == 1
    assert "copied 1 (5 bytes), deleted 0, skipped 0, failed 1" in result.stdout
    assert "failed local://dst/dir/b.txt:" in result.stderr
    assert "1 blob(s) failed to sync" in result.stderr


def test_sync_onto_itself_is_refused(tmp_path, stores):
    result = run(tmp_path, stores, "sync", "local://src", "local://src/dir", ok=False)
    assert result.returncode == 1
    assert "overlap" in result.stderr


def test_sync_has_help(tmp_path, env):  # noqa: F811  # the imported fixture
    result = run(tmp_path, env, "sync", "--help")
    assert result.stdout.startswith("usage: cloudstorage sync")
    assert "--dry-run" in result.stdout
    assert "--dask ADDRESS" in result.stdout


def test_sync_runs_on_a_dask_cluster(tmp_path, stores):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
        host="127.0.0.1", silence_logs=50,
    ) as cluster:  # fmt: skip
        # the workers run in another directory: the relative ./storage travels as a full path
        result = run(tmp_path, stores, "sync", "local://src", "local://dst", "--dask",
                     cluster.scheduler_address)  # fmt: skip
    assert result.stdout.splitlines() == ["copied 2 (10 bytes), deleted 0, skipped 0, failed 0"]
    assert (tmp_path / "storage" / "dst" / "a.txt").read_text() == "alpha"
