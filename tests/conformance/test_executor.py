"""Bulk calls and sync on any `concurrent.futures.Executor`: a dask cluster's, on every driver.

The LocalCluster's workers are other processes: each rebuilds the driver from its pickled
constructor arguments, and reaches the same store.
"""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import distributed

from cloudstorage import Container, Driver
from cloudstorage.base.blob import UNSET


def test_drivers_containers_and_listed_blobs_pickle(driver: Driver, container: Container):
    container.upload_blob(io.BytesIO(b"x"), blob_name="p.txt", content_type="text/x-p")
    listing = iter(container)
    (listed,) = list(listing)
    copy = pickle.loads(pickle.dumps(listed))
    assert copy == listed
    assert copy.driver.identity == driver.identity
    assert type(copy.driver) is type(driver)
    assert all(
        (value is UNSET) == (listed.__dict__[key] is UNSET)
        for key, value in copy.__dict__.items()
        if key.startswith("_")
    )  # attributes the listing lacked still load on first read
    assert copy.content_type == "text/x-p"
    assert pickle.loads(pickle.dumps(container)) == container


def test_bulk_calls_and_sync_run_on_dask_workers(
    container: Container, target: Container, dask_client: distributed.Client, tmp_path
):
    names = [f"d/{index}.txt" for index in range(6)]
    for name in names:
        path = tmp_path / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode())
    executor = dask_client.get_executor()
    with distributed.get_task_stream(dask_client) as tasks:
        blobs = container.upload_blobs(
            [(str(tmp_path / "in" / name), name) for name in names], executor=executor
        )
        paths = container.download_blobs(names, tmp_path / "out", executor=executor)
        report = container.sync_to(target, executor=executor)
        target.delete_blobs(names[:3], executor=executor)
    assert [blob.name for blob in blobs] == names
    assert [Path(path).read_bytes() for path in paths] == [name.encode() for name in names]
    assert report.copied == names
    assert sorted(blob.name for blob in target) == names[3:]
    ran_on = {task["worker"] for task in tasks.data}
    assert len(tasks.data) >= 3 * len(names)  # uploads, downloads and copies, at the least
    # the workers as they answer now (scheduler_info() can be a stale copy on a busy machine)
    worker_pids = dask_client.run(os.getpid)
    assert ran_on <= set(worker_pids)
    assert os.getpid() not in worker_pids.values()
