"""The S3 family's one retry layer: the driver's waits, ``Retry-After``, no blind repeats.

botocore decides what is retryable; the driver's handler (`cloudstorage.drivers.amazon._retry`)
decides how often (``retries + 1`` attempts, see ``test_retry_budget``) and how long to wait:
a ``Retry-After`` answer is obeyed (botocore ignores it), which the proxy's timestamps show. A
request that must not run twice is repeated after an error answer, never after a lost one.
"""

from __future__ import annotations

import asyncio
import io
import os

import pytest

from cloudstorage import Container
from cloudstorage.exceptions import CloudStorageError
from tests.faults.conftest import CLOUD_RIGS, S3_FAMILY, Cloud, blob_path
from tests.servers.fault_proxy import S3_SLOW_DOWN

pytestmark = pytest.mark.filterwarnings(
    "ignore:unclosed <socket:ResourceWarning",
    "ignore::pytest.PytestUnraisableExceptionWarning",
)

S3_RIGS = [name for name in S3_FAMILY if name in CLOUD_RIGS]
LARGE = 9 * 2**20
"""Over one part (8 MiB): a multipart upload of two parts."""


def _complete_path(bucket: str, blob: str) -> str:
    """CompleteMultipartUpload (``POST /bucket/key?uploadId=...``)."""
    return rf"/{bucket}/{blob}\?uploadId="


@pytest.mark.parametrize("cloud_session", S3_RIGS, indirect=True, scope="session")
def test_retry_after_is_waited_for(
    cloud: Cloud, bucket: Container, monkeypatch: pytest.MonkeyPatch
):
    import aiobotocore.endpoint  # noqa: PLC0415  # optional extra

    monkeypatch.setattr(aiobotocore.endpoint, "asyncio", asyncio)  # real sleeps, this once
    bucket.upload_blob(io.BytesIO(b"later"), blob_name="later.bin")
    cloud.proxy.clear()
    status, headers, body = S3_SLOW_DOWN
    path = blob_path(bucket.name, "later.bin")
    cloud.proxy.fail("*", path, 1, status, {**headers, "Retry-After": "2"}, body)
    assert bucket.get_blob("later.bin").size == 5
    tries = [seen for seen in cloud.proxy.requests if seen.path.startswith(f"/{bucket.name}/")]
    assert [seen.fault for seen in tries] == ["fail", None]
    assert tries[1].at - tries[0].at >= 2.0


@pytest.mark.parametrize("cloud_session", S3_RIGS, indirect=True, scope="session")
def test_throttled_completion_is_retried(cloud: Cloud, bucket: Container):
    data = os.urandom(LARGE)
    cloud.proxy.throttle("POST", _complete_path(bucket.name, "big.bin"), S3_SLOW_DOWN)
    bucket.upload_blob(io.BytesIO(data), blob_name="big.bin")
    completions = [s for s in cloud.proxy.requests if "?uploadId=" in s.path and s.method == "POST"]
    assert [seen.fault for seen in completions] == ["fail", None]  # refused, so sent again
    out = io.BytesIO()
    bucket.get_blob("big.bin").download(out)
    assert out.getvalue() == data


@pytest.mark.parametrize("cloud_session", S3_RIGS, indirect=True, scope="session")
def test_completion_whose_answer_is_lost_is_not_repeated(cloud: Cloud, bucket: Container):
    cloud.proxy.drop_response("POST", _complete_path(bucket.name, "big.bin"))
    with pytest.raises(CloudStorageError):
        bucket.upload_blob(io.BytesIO(os.urandom(LARGE)), blob_name="big.bin")
    completions = [s for s in cloud.proxy.requests if "?uploadId=" in s.path and s.method == "POST"]
    assert [seen.fault for seen in completions] == ["drop_response"]  # not sent blindly again
