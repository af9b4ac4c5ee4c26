"""Azure uploads (each request with its Content-MD5) and copies on a synchronous ``BlobClient``.

`upload` sends a blob up to `CHUNK_SIZE` in one Put Blob, a local file up to
`_ONE_BLOCK_FILE` as one block sent from disk, anything else as blocks staged concurrently,
then committed. Nothing is visible until the last request: staged blocks of a failed upload
are never committed (Azure drops them), and a blob being replaced keeps its contents.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from typing import IO, Any, cast

from azure.core import MatchConditions
from azure.storage.blob import BlobBlock, BlobClient

from cloudstorage.base.transfer import CHUNK_SIZE, Source
from cloudstorage.exceptions import CloudStorageError
from fs_bridge.file_range import FileRange

__all__ = ["COPY_POLL", "IF_MISSING", "copy", "upload"]

IF_MISSING: dict[str, Any] = {"match_condition": MatchConditions.IfMissing}
"""SDK keywords of ``If-None-Match: *``: the write happens only where no blob exists."""
COPY_POLL = 0.5
"""Seconds between looks at a pending copy's status."""
_ONE_BLOCK_FILE = 64 * 1024 * 1024
"""A local file up to this size is hashed, then sent from disk as one block (the SDK's own
single-request limit): two requests and no copy in memory, where 8 MiB blocks cost nine."""
_HASH_BUFFER = 1024 * 1024
"""Bytes per read of a local file, to hash it and to send it."""
_BLOCKS_IN_FLIGHT = 3
"""Blocks staged at once. With the block being read and what malloc keeps of freed ones, an
upload's peak RSS grows by 56 MiB (4 at once: 64 MiB, and no faster on two cores)."""


def upload(client: BlobClient, source: Source, options: dict[str, Any], overwrite: bool) -> int:
    """Upload ``source`` with ``options`` (the driver's ``_write_options``); create-only
    (``If-None-Match: *``) unless ``overwrite``. Returns the byte count."""
    left = source.remaining() if source.fileno() is not None else None  # a local file
    if left is not None and CHUNK_SIZE < left <= _ONE_BLOCK_FILE:
        return _upload_file(
            client, source.stream, options if overwrite else {**options, **IF_MISSING}
        )
    # A file object's read(8 MiB) allocates 8 MiB even for a 4 KiB file: ask for what is
    # there (and one byte more, to see that the file ended).
    wanted = CHUNK_SIZE if left is None else min(left + 1, CHUNK_SIZE)
    first = source.read_exactly(wanted)
    short = len(first) < wanted  # the stream ended
    second = b"" if short else source.read_exactly(CHUNK_SIZE)
    if not second:
        # Put Blob takes a create-only condition as overwrite=False (If-None-Match: *)
        client.upload_blob(first, overwrite=overwrite, validate_content=True, **options)
        return len(first)
    return _upload_blocks(
        client, source, (first, second), options if overwrite else {**options, **IF_MISSING}
    )


def _block_id() -> str:
    return base64.b64encode(uuid.uuid4().bytes).decode()


def _upload_file(client: BlobClient, stream: IO[bytes], options: dict[str, Any]) -> int:
    """Hash the rest of a local file, then stream it from disk as one block and commit it.

    The block carries the file's MD5 as its transactional Content-MD5, and the commit the same
    MD5 as the blob's: one pass of hashing, and memory stays flat whatever the size. A file
    that changes between the two passes fails the service's check.
    """
    start = stream.tell()
    length = max(os.fstat(stream.fileno()).st_size - start, 0)
    body = FileRange(stream, start, length, _HASH_BUFFER)
    content_md5 = bytearray(body.md5())
    block_id = _block_id()
    # The SDK sends a stream body as it reads it (and seeks it back to retry); keyword
    # arguments reach the Put Block operation, which sends this as the Content-MD5 header.
    client.stage_block(
        block_id,
        cast(IO[bytes], body),  # read, tell and seek are what it uses
        length=len(body),
        transactional_content_md5=content_md5,
    )
    options["content_settings"].content_md5 = content_md5
    client.commit_block_list([BlobBlock(block_id)], **options)
    return len(body)


def _upload_blocks(
    client: BlobClient, source: Source, first: tuple[bytes, bytes], options: dict[str, Any]
) -> int:
    """Stage ``first`` and the rest of ``source`` as blocks, up to `_BLOCKS_IN_FLIGHT` at once.

    The first block goes alone: a refused upload (no container, a wrong key, bytes corrupted in
    transit) costs one request, not several. The blob's MD5 is computed here, in order, while the
    workers hash their own blocks for the transactional Content-MD5 (``validate_content``).
    """

    def stage(block_id: str, data: bytes) -> None:
        client.stage_block(block_id, data, length=len(data), validate_content=True)

    digest = hashlib.md5(usedforsecurity=False)
    blocks: list[BlobBlock] = []
    size = 0
    queued = list(first)
    with ThreadPoolExecutor(_BLOCKS_IN_FLIGHT, thread_name_prefix="azure-block") as pool:
        in_flight: set[Future[None]] = set()
        try:
            while data := queued.pop(0) if queued else source.read_exactly(CHUNK_SIZE):
                room = 1 if len(blocks) == 1 else _BLOCKS_IN_FLIGHT  # the first block alone
                while len(in_flight) >= room:
                    done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        future.result()
                block_id = _block_id()
                in_flight.add(pool.submit(stage, block_id, data))
                digest.update(data)
                blocks.append(BlobBlock(block_id))
                size += len(data)
                del data  # the worker holds it until its block is staged
            for future in as_completed(in_flight):
                future.result()
        except BaseException:
            for future in in_flight:
                future.cancel()
            raise
    options["content_settings"].content_md5 = bytearray(digest.digest())
    client.commit_block_list(blocks, **options)
    return size


def copy(client: BlobClient, source_url: str, condition: dict[str, Any], what: str) -> None:
    """Copy Blob from ``source_url`` onto ``client``'s blob, polling while Azure says "pending".

    ``condition``: `IF_MISSING` for a create-only copy, else empty; ``what`` names the copy
    in the `CloudStorageError` of one that did not succeed.
    """
    answer = client.start_copy_from_url(source_url, **condition)
    status = answer.get("copy_status")
    while status == "pending":
        time.sleep(COPY_POLL)
        status = client.get_blob_properties().copy.status
    if status != "success":
        raise CloudStorageError(f"{what} ended {status!r}")
