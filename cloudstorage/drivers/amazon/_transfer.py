"""Concurrent, checked S3 transfers on s3fs's own client and event loop.

Uploads read parts in the caller's thread, hash them, and send them ``concurrency`` at a time
on s3fs's loop. Every PutObject and UploadPart carries Content-MD5, which S3, MinIO, B2 and
Spaces verify on receipt (a mismatch is refused with ``BadDigest``); the ETag each answer
carries is also compared with the MD5 sent, which catches a server that stores whatever
arrived without checking (moto does: it reads no Content-MD5 and no x-amz-checksum-*).

Downloads send ranged GETs ``concurrency`` ahead and write the answers in order, so a path
and a stream get the same bytes in the same order; the caller hashes them as they are
written. The MD5 the service claims (a single-part ETag of an object without SSE-KMS/SSE-C,
as every GET answer shows) is returned for that check.

Memory: about ``(concurrency + 1) x part_size`` for either direction.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import io
import logging
import math
import os
import re
from collections import deque
from collections.abc import Callable, Coroutine, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import IO, Any, TypeVar

from s3fs.core import S3_RETRYABLE_ERRORS  # a cut body (private, as is fs._call_s3)
from s3fs.utils import ParamKwargsHelper

from cloudstorage.base.retry import RetryOptions
from cloudstorage.base.transfer import Source
from cloudstorage.exceptions import CloudStorageError

__all__ = ["download", "lookup", "upload"]

logger = logging.getLogger("cloudstorage")

_T = TypeVar("_T")
_PLAIN_MD5 = re.compile(r"[0-9a-f]{32}")


def claimed_md5(answer: Mapping[str, Any]) -> str | None:
    """The MD5 an S3 answer vouches for: a single-part ETag, unless SSE-KMS/SSE-C hides it.

    A multipart ETag (``"<md5 of part md5s>-<parts>"``) is no checksum of the bytes.
    """
    etag = str(answer.get("ETag") or "").strip('"').lower()
    if answer.get("ServerSideEncryption") == "aws:kms" or answer.get("SSECustomerAlgorithm"):
        return None
    return etag if _PLAIN_MD5.fullmatch(etag) else None


def _describe(bucket: str, key: str) -> str:
    return f"blob {key!r} in container {bucket!r}"


def _submit(fs: Any, coro: Coroutine[Any, Any, _T]) -> Future[_T]:
    """Run ``coro`` on s3fs's event loop thread; a future to wait on from this thread."""
    return asyncio.run_coroutine_threadsafe(coro, fs.loop)


def _cancel(pending: Any) -> None:
    """Cancel unfinished requests: the loop handles that before any call submitted later."""
    for future in pending:
        future.cancel()


# -- uploads ------------------------------------------------------------------------------------


async def _send(fs: Any, method: str, md5: bytes, **params: Any) -> dict[str, Any]:
    """PutObject or UploadPart with Content-MD5; raise if the answer's ETag is another MD5."""
    params["ContentMD5"] = base64.b64encode(md5).decode()
    answer: dict[str, Any] = await fs._call_s3(method, **params)
    return _checked(answer, md5, params)


def _checked(answer: dict[str, Any], md5: bytes, params: Mapping[str, Any]) -> dict[str, Any]:
    """``answer`` unless its ETag is an MD5 other than ``md5`` (bytes corrupted in transit)."""
    stored = claimed_md5(answer)
    if stored is not None and stored != md5.hex():
        where = f", part {params['PartNumber']}" if "PartNumber" in params else ""
        raise CloudStorageError(
            f"{_describe(params['Bucket'], params['Key'])}: the service stored MD5 {stored}"
            f"{where}, the bytes sent have MD5 {md5.hex()} (corrupted in transit)"
        )
    return answer


def upload(
    fs: Any,
    bucket: str,
    key: str,
    source: Source,
    params: Mapping[str, Any],
    part_size: int,
    concurrency: int,
    client: Any = None,
) -> int:
    """Upload ``source`` to ``bucket/key``: one PUT if it fits a part, else a multipart upload.

    On any failure the multipart upload is aborted; a single PUT whose answer shows corrupt
    bytes is deleted. Returns the byte count. ``client``, a synchronous botocore client on
    the same endpoint and settings (or a function making it, called only for a single PUT),
    sends a single PUT from this thread (see `_put_single`).
    """
    # every call gets every parameter: s3fs keeps those each operation takes (SSE-C's key
    # goes to each part, Metadata only to the create)
    target = {**params, "Bucket": bucket, "Key": key}
    data = _first_part(source, part_size)
    if len(data) < part_size:
        return _put_single(fs, data, target, client)
    upload_id = fs.call_s3("create_multipart_upload", **target)["UploadId"]
    target["UploadId"] = upload_id
    pending: set[Future[dict[str, Any]]] = set()
    parts: list[dict[str, Any]] = []
    size, number = 0, 0
    try:
        while data:
            number += 1
            size += len(data)
            md5 = hashlib.md5(data, usedforsecurity=False).digest()
            part = {**target, "PartNumber": number}
            pending.add(_submit(fs, _upload_part(fs, md5, _body(data), part)))
            del data  # only the request's body holds the bytes until it is answered
            if len(pending) >= concurrency:  # the next read waits for a free slot
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                parts.extend(future.result() for future in done)
            data = source.read_exactly(part_size)
        done, pending = wait(pending)
        parts.extend(future.result() for future in done)
        parts.sort(key=lambda entry: int(entry["PartNumber"]))
        fs.call_s3("complete_multipart_upload", **target, MultipartUpload={"Parts": parts})
    except BaseException:
        _cancel(pending)
        try:
            fs.call_s3("abort_multipart_upload", **target)
        except Exception:  # the original error matters more; S3 expires it by lifecycle rule
            logger.warning("could not abort the multipart upload of %s", _describe(bucket, key))
        raise
    return size


def _first_part(source: Source, part_size: int) -> bytes:
    """The first part, read at the source's own size when it is known to be smaller.

    ``read(part_size)`` on a buffered file allocates the whole part before it shrinks to
    what the file holds: 8 MiB for each 4 KiB blob, which 16 bulk uploads at once hold at
    the same time. One byte more than the size is asked for, so a file that grew since it
    was measured is still read whole.
    """
    left = source.remaining()
    if left is None or left >= part_size:
        return source.read_exactly(part_size)
    data = source.read_exactly(left + 1)
    if len(data) <= left:
        return data
    return data + source.read_exactly(part_size - len(data))


def _body(data: bytes) -> io.BytesIO:
    """The request body botocore would make of ``data``, made here so that it alone holds it.

    botocore turns a bytes body into a BytesIO and aiohttp copies that BytesIO's buffer when
    it sends it: with the bytes object held nowhere else, the part is in memory once.
    """
    return io.BytesIO(data)


async def _upload_part(
    fs: Any, md5: bytes, body: IO[bytes], part: dict[str, Any]
) -> dict[str, Any]:
    answer = await _send(fs, "upload_part", md5, Body=body, **part)
    entry = {"PartNumber": part["PartNumber"], "ETag": answer["ETag"]}
    if "ChecksumAlgorithm" in part:  # asked for (``extra``): the completion must list them
        name = f"Checksum{str(part['ChecksumAlgorithm']).upper()}"
        if name in answer:
            entry[name] = answer[name]
    return entry


def _put_single(fs: Any, data: bytes, target: dict[str, Any], client: Any = None) -> int:
    """One PutObject. With ``client`` (synchronous botocore) it is sent from this thread:
    handing a 4 KiB PUT to s3fs's loop thread and waking this one again costs more than the
    request on a loopback server (1.33x boto3's ``put_object``). The parameters are the ones
    s3fs would send (its defaults, filtered to those PutObject takes); botocore's standard
    retries are the retry layer either way, and its errors translate alike."""
    md5 = hashlib.md5(data, usedforsecurity=False).digest()
    size = len(data)
    if callable(client):
        client = client()
    try:
        if client is None:
            put = _send(fs, "put_object", md5, Body=_body(data), **target)
            del data
            _submit(fs, put).result()
        else:
            params = _params(fs, client, "put_object", **target)
            params["ContentMD5"] = base64.b64encode(md5).decode()
            _checked(client.put_object(Body=data, **params), md5, params)
    except CloudStorageError:
        # the server kept bytes it did not check (moto): take them away again
        with contextlib.suppress(Exception):  # the error below is the one to report
            fs.call_s3("delete_object", **target)
        raise
    return size


# -- downloads ----------------------------------------------------------------------------------


async def _get(
    fs: Any, bucket: str, key: str, first: int, last: int | None, retry: RetryOptions
) -> tuple[Any, bytes | bytearray]:
    """One GET (of bytes ``first..last``, or of the whole object).

    botocore retries the request (error answers, failed connections); an answer whose body is
    cut short is asked again here, up to ``retry.retries`` times.
    """
    extra = {} if last is None else {"Range": f"bytes={first}-{last}"}
    for attempt in range(retry.retries + 1):
        answer = await fs._call_s3("get_object", Bucket=bucket, Key=key, **extra)
        body = answer.pop("Body")
        try:
            return answer, await _read_body(body, answer.get("ContentLength"))
        except S3_RETRYABLE_ERRORS as exc:
            if attempt == retry.retries:
                raise
            logger.debug("%s: the answer was cut (%r); asking again", _describe(bucket, key), exc)
        finally:
            body.close()
        await asyncio.sleep(retry.delay(attempt))
    raise AssertionError("unreachable: the last attempt returns or raises")


async def _read_body(body: Any, length: int | None) -> bytes | bytearray:
    """The whole body, read into one buffer (``read()`` would join its pieces: twice the size)."""
    if not length:
        data: bytes = await body.read()
        return data
    buffer = bytearray(length)
    view, got = memoryview(buffer), 0
    while got < length:
        count = await body.readinto(view[got:])  # a short or cut body raises here
        if not count:
            break
        got += count
    return buffer


def lookup(
    fs: Any, bucket: str, key: str, length: int, client: Any = None
) -> tuple[dict[str, Any], bytes | bytearray | None]:
    """One ranged GET of the first ``length`` bytes: the answer (every attribute a HEAD shows,
    ``ContentLength`` the whole object's) and the bytes (None if the server ignored the range
    and sent more: those are not read).

    An empty object has no byte 0: S3 answers 416, raised as ``OSError`` (EINVAL) by s3fs,
    as botocore's ``ClientError`` (InvalidRange) by ``client``: a synchronous botocore
    client sends the GET from this thread, sparing the hop to s3fs's loop (as `_put_single`).
    """
    if client is not None:
        answer = client.get_object(
            **_params(
                fs, client, "get_object", Bucket=bucket, Key=key, Range=f"bytes=0-{length - 1}"
            )
        )
        body = answer.pop("Body")
        try:
            data = None if (answer.get("ContentLength") or 0) > length else body.read()
        finally:
            body.close()
        return _whole_length(answer), data

    async def call() -> tuple[dict[str, Any], bytes | bytearray | None]:
        answer = await fs._call_s3(
            "get_object", Bucket=bucket, Key=key, Range=f"bytes=0-{length - 1}"
        )
        body = answer.pop("Body")
        try:
            if (answer.get("ContentLength") or 0) > length:
                return answer, None
            return answer, await _read_body(body, answer.get("ContentLength"))
        finally:
            body.close()

    answer, data = _submit(fs, call()).result()  # botocore retries the request
    return _whole_length(answer), data


def _whole_length(answer: dict[str, Any]) -> dict[str, Any]:
    """A ranged GET's answer with ``ContentLength`` the whole object's (from ContentRange)."""
    total = str(answer.get("ContentRange") or "").rpartition("/")[2]
    if total.isdigit():  # absent if the server ignored the range and sent everything
        answer["ContentLength"] = int(total)
    return answer


def _params(fs: Any, client: Any, method: str, **params: Any) -> dict[str, Any]:
    """The parameters s3fs's ``_call_s3`` would send: its defaults, filtered to the method's
    (by ``client``'s model: s3fs's own filter exists only once its client is made, and a
    fresh driver, e.g. on a dask worker, may send a small PUT first)."""
    merged = {**fs.s3_additional_kwargs, **fs.req_kw, **params}
    if "RequestPayer" in merged and merged["RequestPayer"] is None:
        merged.pop("RequestPayer")
    filtered: dict[str, Any] = ParamKwargsHelper(client).filter_dict(method, merged)
    return filtered


def download(
    fs: Any,
    bucket: str,
    key: str,
    size: int,
    write: Callable[[Any], object],
    part_size: int,
    concurrency: int,
    retry: RetryOptions | None = None,
) -> str | None:
    """Write ``bucket/key`` (``size`` bytes) to ``write`` in order; the MD5 the service claims.

    ``write`` gets bytes-like chunks (a bytearray per range, which needs no joining copy).

    Raises `CloudStorageError` if the object changes between ranges (another ETag).
    """
    if size <= part_size:
        ranges: list[tuple[int, int | None]] = [(0, None)]
    else:
        ranges = [(start, min(start + part_size, size) - 1) for start in range(0, size, part_size)]
    pending: deque[Future[tuple[Any, bytes | bytearray]]] = deque()
    seen: list[Any] = []  # the first answer's ETag: every range must come from that object

    def take() -> None:
        answer, data = pending[0].result()  # still pending if interrupted: then cancelled
        pending.popleft()
        if not seen:
            seen.extend((answer.get("ETag"), claimed_md5(answer)))
        elif answer.get("ETag") != seen[0]:
            raise CloudStorageError(
                f"{_describe(bucket, key)} changed during the download (ETag {seen[0]} "
                f"became {answer.get('ETag')}): download it again"
            )
        write(data)

    try:
        for first, last in ranges:
            pending.append(_submit(fs, _get(fs, bucket, key, first, last, retry or RetryOptions())))
            if len(pending) >= concurrency:
                take()
        while pending:
            take()
    except BaseException:
        _cancel(pending)
        raise
    claimed: str | None = seen[1]
    return claimed


def list_infos(
    call: Callable[..., Any], container: str, prefix: str, page_size: int
) -> Iterator[Mapping[str, Any]]:
    """fsspec-style entries of ``container``'s keys under ``prefix``, one page in memory.

    ListObjectsV2 page by page through ``call`` (s3fs's find takes every page first); S3
    filters by any prefix itself and lists keys in UTF-8 byte order.
    """
    params: dict[str, Any] = {"Bucket": container, "Prefix": prefix}
    while True:
        page = call("list_objects_v2", MaxKeys=page_size, **params)
        for item in page.get("Contents", ()):
            folder = item["Key"].endswith("/")  # a folder marker, as s3fs's mkdir makes
            yield {
                **item,
                "name": f"{container}/{item['Key']}",
                "type": "directory" if folder else "file",
                "size": item["Size"],
            }
        if not page.get("IsTruncated"):
            return
        params["ContinuationToken"] = page["NextContinuationToken"]


def part_plan(
    path: str | None, block_size: int, concurrency: int, max_parts: int
) -> tuple[int, int]:
    """Part size and parts in flight for an upload (from ``path``: a file of known size)."""
    part_size = block_size
    if path:  # parts must be big enough for the file to fit in 10,000 of them
        needed = math.ceil(os.path.getsize(path) / (max_parts - 1))
        part_size = max(block_size, math.ceil(needed / 2**20) * 2**20)
    # fewer parts in flight when they are larger: the memory stays the same
    return part_size, max(1, min(concurrency, concurrency * block_size // part_size))
