"""Small S3 puts and ``get_blob(name).download`` op by op: ours, ours through s3fs's loop, boto3.

    python benchmarks/s3_small_ab.py [N]        # N ops of each (default 300), one moto

The three alternate op by op in one process, so a noisy neighbour slows them alike; medians
per op and their ratio to boto3 are printed. "ours (s3fs loop)" is the path small PUTs and
lookups took before they used the driver's synchronous botocore client.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from botocore.config import Config

from cloudstorage.drivers.amazon import S3Driver
from tests.servers import start_moto


def main(count: int) -> None:
    data = os.urandom(4096)
    with tempfile.TemporaryDirectory() as tmp, start_moto(Path(tmp)) as moto:
        new = S3Driver(moto.access_key, moto.secret_key, endpoint_url=moto.endpoint_url)
        old = S3Driver(moto.access_key, moto.secret_key, endpoint_url=moto.endpoint_url)
        old._sync_client = lambda: None  # type: ignore[method-assign]  # s3fs's loop, as before
        raw = boto3.client(
            "s3", endpoint_url=moto.endpoint_url, aws_access_key_id=moto.access_key,
            aws_secret_access_key=moto.secret_key, region_name="us-east-1",
            config=Config(request_checksum_calculation="when_required",
                          response_checksum_validation="when_required"),
        )  # fmt: skip
        box_new, box_old = new.create_container("ab-bench"), old.get_container("ab-bench")
        ops = {
            "put ours": lambda i: box_new.upload_blob(io.BytesIO(data), blob_name=f"p/{i}.bin"),
            "put ours (s3fs loop)": lambda i: box_old.upload_blob(
                io.BytesIO(data), blob_name=f"p/{i}.bin"
            ),
            "put boto3": lambda i: raw.put_object(Bucket="ab-bench", Key=f"p/{i}.bin", Body=data),
            "get ours": lambda i: box_new.get_blob(f"p/{i}.bin").download(io.BytesIO()),
            "get ours (s3fs loop)": lambda i: box_old.get_blob(f"p/{i}.bin").download(io.BytesIO()),
            "get boto3": lambda i: raw.get_object(Bucket="ab-bench", Key=f"p/{i}.bin")[
                "Body"
            ].read(),
        }
        for op in ops.values():  # warm-up: connections, models, libmagic
            for i in range(20):
                op(i)
        times: dict[str, list[float]] = {name: [] for name in ops}
        for i in range(count):
            for name, op in ops.items():
                start = time.perf_counter()
                op(i)
                times[name].append(time.perf_counter() - start)
        print("load", " ".join(Path("/proc/loadavg").read_text().split()[:3]), "ops", count)
        for kind in ("put", "get"):
            base = statistics.median(times[f"{kind} boto3"])
            for name, values in times.items():
                if name.startswith(kind):
                    median = statistics.median(values)
                    print(f"{name:22} {median * 1e3:8.3f} ms/op  ratio {median / base:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
