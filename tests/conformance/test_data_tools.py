"""pandas and dask by URL on every driver: the data door reaches the same store.

dask runs on a LocalCluster of two worker processes, so each driver's filesystem must pickle
and reach the same server from another process.
"""

from __future__ import annotations

import io
import os

import dask.dataframe as dd
import pandas as pd

from cloudstorage import Container, Driver


def test_pandas_parquet_round_trip_by_uri(driver: Driver, container: Container):
    frame = pd.DataFrame({"id": [1, 2, 3], "name": ["a", "b", "c"]})
    uri = f"{container.uri}/data/frame.parquet"
    frame.to_parquet(uri, storage_options=driver.storage_options, index=False)
    assert container.get_blob("data/frame.parquet").size > 0
    read = pd.read_parquet(uri, storage_options=driver.storage_options)
    pd.testing.assert_frame_equal(read, frame)


def test_dask_reads_a_glob_on_worker_processes(driver: Driver, container: Container, dask_client):
    for part in range(3):
        frame = pd.DataFrame({"part": [part] * 4, "value": range(4)})
        frame.to_csv(f"{container.uri}/parts/p{part}.csv", index=False,
                     storage_options=driver.storage_options)  # fmt: skip
    container.upload_blob(io.BytesIO(b"not a csv"), blob_name="parts.txt")  # outside the glob
    frame = dd.read_csv(f"{container.uri}/parts/*.csv", storage_options=driver.storage_options)
    assert frame.npartitions == 3
    computed = frame.compute()  # on the two worker processes
    assert sorted(computed["part"].unique().tolist()) == [0, 1, 2]
    assert int(computed["value"].sum()) == 3 * 6
    workers = dask_client.run(os.getpid)
    assert len(set(workers.values())) == 2
