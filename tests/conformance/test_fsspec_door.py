"""The fsspec door: what the object API writes, fsspec, pandas and a new process read."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys

import fsspec
import pandas as pd

from cloudstorage import Container, Driver


def test_blob_uri_opens_with_storage_options(driver: Driver, container: Container):
    blob = container.upload_blob(io.BytesIO(b"through fsspec"), blob_name="f/door.txt")
    assert blob.uri == f"{driver.protocol}://{container.name}/f/door.txt"
    with fsspec.open(blob.uri, "rb", **driver.storage_options) as file:
        assert file.read() == b"through fsspec"


def test_fsspec_write_is_seen_by_the_object_api(driver: Driver, container: Container):
    fs = fsspec.filesystem(driver.protocol, **driver.storage_options)
    fs.pipe(f"{container.name}/piped.bin", b"piped")
    assert container.get_blob("piped.bin").size == 5
    assert [blob.name for blob in container] == ["piped.bin"]


def test_pandas_round_trips_csv_by_uri(driver: Driver, container: Container):
    frame = pd.DataFrame({"city": ["Oslo", "Lima"], "pop": [709_000, 10_000_000]})
    uri = f"{container.uri}/cities.csv"
    frame.to_csv(uri, index=False, storage_options=driver.storage_options)
    assert "cities.csv" in container
    read = pd.read_csv(uri, storage_options=driver.storage_options)
    pd.testing.assert_frame_equal(read, frame)


def test_pandas_reads_an_uploaded_blob(driver: Driver, container: Container):
    blob = container.upload_blob(io.BytesIO(b"a,b\n1,2\n3,4\n"), blob_name="t.csv")
    frame = pd.read_csv(blob.uri, storage_options=driver.storage_options)
    assert frame["b"].tolist() == [2, 4]


def test_filesystem_pickles_and_reaches_the_same_store(driver: Driver, container: Container):
    container.upload_blob(io.BytesIO(b"pickled"), blob_name="p.txt")
    clone = pickle.loads(pickle.dumps(driver.fs))
    assert clone.cat_file(f"{container.name}/p.txt") == b"pickled"


def test_fresh_interpreter_reads_by_uri_without_importing_cloudstorage(
    driver: Driver, container: Container
):
    blob = container.upload_blob(io.BytesIO(b"no import needed"), blob_name="fresh.txt")
    script = (
        "import json, sys, fsspec\n"
        "uri, options = sys.argv[1], json.loads(sys.argv[2])\n"
        "with fsspec.open(uri, 'rb', **options) as f: data = f.read()\n"
        "assert 'cloudstorage' not in sys.modules\n"
        "sys.stdout.write(data.decode())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, blob.uri, json.dumps(driver.storage_options)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout == "no import needed"
