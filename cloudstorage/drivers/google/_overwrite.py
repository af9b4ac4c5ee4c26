"""GCS uploads whose new bytes become the blob only once their MD5 is checked.

Google's endpoint checks an upload request that supplies the object's MD5 or CRC32C (the
``md5Hash`` of the object resource a JSON API upload sends) against the bytes it received, and
rejects a mismatch with a 400, storing nothing (Google's "Data validation and change detection
with checksums", section "Server-side validation for data writes":
https://cloud.google.com/storage/docs/data-validation). A one-request upload carries its
``md5Hash`` (`_transfer`), so where the server checks (``server_checks_md5``, from
`GoogleOptions.server_checks_md5`: on for Google's endpoint) a small seekable overwrite goes
straight to its name, in one request.

GCS-compatible servers (fake-gcs-server, emulators: a custom ``endpoint_url``) check no hash,
and a resumable upload's MD5 is known only once its bytes are sent (the streamed upload from a
file sends none; the documentation we found does not say that GCS checks an ``X-Goog-Hash`` on
a resumable upload's last chunk), so an overwrite checked after the fact would already have
replaced the old generation. So where the server is not known to check, and for any upload
that is not one request, `upload` writes where nothing can be lost:

- a create-only upload (``ifGenerationMatch=0``) goes straight to its name: if its bytes
  prove corrupt, the driver deletes that generation, and nothing older existed;
- a small seekable source (one request) is first sent create-only; only if the blob exists
  (412) is it sent again, staged as below. A new blob costs one request, an overwrite four;
- anything else is uploaded under a staging name beside it (`STAGING_SUFFIX`), its
  MD5 checked against the bytes sent, then rewritten server-side onto the real name (one
  request: GCS copies no bytes within a bucket) and the staging object deleted: two
  requests more than a direct upload. On a mismatch the staging object is deleted and
  `CloudStorageError` raised; the old blob is untouched.

Why a small overwrite on a custom endpoint is four requests, checked against fake-gcs-server
v1.54.0 (the server the tests start; `test_gcs_overwrite` pins the four): the create-only
upload, answered 412; the staged upload, whose response carries the stored ``md5Hash``, so the
check costs no request; the rewrite; the stage's delete. Staging cannot be skipped there: that
server stores a multipart upload whose ``md5Hash``, ``crc32c`` and ``X-Goog-Hash`` all
disagree with its bytes (and a resumable last chunk with a wrong ``X-Goog-Hash``), answering
with the hashes of what it got. The rewrite and the delete cannot be one request there either:
it ignores compose's ``deleteSourceObjects`` (the source stays) and has no ``moveTo`` route
(``objects.move`` answers 400 and moves nothing).

The driver still compares the stored MD5 with the bytes sent after a direct upload (a second
line of defence: on a server that does not check after all, that generation is deleted).
The rewrite carries no ``ifGenerationMatch``: an overwrite stays unconditional (the last
writer wins, as before), and pinning the generation it replaces would cost a lookup first.
The returned object resource is the blob's own (after the rewrite), as `_transfer.upload`'s.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from cloudstorage.base.transfer import Source
from cloudstorage.drivers.google import _transfer
from cloudstorage.exceptions import CloudStorageError

__all__ = ["STAGING_PREFIX", "STAGING_SUFFIX", "upload"]

logger = logging.getLogger("cloudstorage")

STAGING_SUFFIX = ".cloudstorage-upload-"
"""An overwrite's bytes wait for their check beside the blob, as ``<name><suffix><random>``
(one object per upload, deleted after); under `STAGING_PREFIX` if that name is too long."""
STAGING_PREFIX = ".cloudstorage-upload/"
_MAX_NAME_BYTES = 1024


def upload(
    fs: Any,
    bucket: str,
    resource: dict[str, Any],
    params: dict[str, Any],
    source: Source,
    server_checks_md5: bool = False,
) -> tuple[dict[str, Any], str, int]:
    """`_transfer.upload`, with the blob replaced only by bytes whose MD5 was checked.

    ``server_checks_md5``: the server refuses a one-request upload whose bytes do not match
    its ``md5Hash`` (Google's endpoint), so a small seekable overwrite needs no staging.
    Returns the stored object resource, the MD5 (hex) of the bytes sent and their count.
    """
    if params.get("ifGenerationMatch") is not None:  # create-only: nothing old to lose
        return _transfer.upload(fs, bucket, resource, params, source)
    left = source.remaining()
    if left is not None and left <= _transfer.ONE_REQUEST_MAX:
        if server_checks_md5:  # one request with its md5Hash: corrupt bytes are refused
            return _transfer.upload(fs, bucket, resource, params, source)
        start = source.stream.tell()
        try:
            create_only = {**params, "ifGenerationMatch": 0}
            return _transfer.upload(fs, bucket, resource, create_only, source)
        except FileExistsError:  # gcsfs's name for 412: the blob exists, so stage
            source.stream.seek(start)
    return _staged(fs, bucket, resource, params, source)


def _staged(
    fs: Any, bucket: str, resource: dict[str, Any], params: dict[str, Any], source: Source
) -> tuple[dict[str, Any], str, int]:
    """Upload under a staging name, check the MD5, rewrite onto the name, delete the stage."""
    key = resource["name"]
    stage = f"{key}{STAGING_SUFFIX}{uuid.uuid4().hex[:16]}"
    if len(stage.encode()) > _MAX_NAME_BYTES:
        stage = f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    staged, sent_md5, size = _transfer.upload(
        fs, bucket, {**resource, "name": stage}, {**params, "name": stage, "predefinedAcl": None},
        source,
    )  # fmt: skip
    try:
        _check(staged, sent_md5, bucket, key)
        stored = _rewrite(fs, bucket, stage, key, resource, params.get("predefinedAcl"))
        _check(stored, sent_md5, bucket, key)  # the copy is the bytes checked, or it is refused
    finally:
        try:
            fs.call("DELETE", "b/{}/o/{}", bucket, stage)
        except Exception:  # the upload's outcome matters more; a lifecycle rule can sweep it
            logger.warning("could not delete the staging object gs://%s/%s", bucket, stage)
    return stored, sent_md5, size


def _check(stored: dict[str, Any], sent_md5: str, bucket: str, key: str) -> None:
    got = _transfer.md5_hex(stored.get("md5Hash"))
    if got and got != sent_md5:
        raise CloudStorageError(
            f"gs://{bucket}/{key}: the service stored MD5 {got} for bytes with MD5 {sent_md5} "
            "(corrupted in transit): the upload was discarded, the blob is unchanged"
        )


def _rewrite(
    fs: Any, bucket: str, stage: str, key: str, resource: dict[str, Any], acl: str | None
) -> dict[str, Any]:
    """Rewrite ``stage`` onto ``key`` with the upload's own settings (repeated with its token
    until done: one request within a bucket). Returns the new object resource."""
    body = {name: value for name, value in resource.items() if name != "name"}
    params: dict[str, Any] = {"destinationPredefinedAcl": acl}
    while True:
        answer = fs.call(
            "POST", "b/{}/o/{}/rewriteTo/b/{}/o/{}", bucket, stage, bucket, key,
            json=body, json_out=True, **params,
        )  # fmt: skip
        if answer.get("done", True):
            stored: dict[str, Any] = answer["resource"]
            return stored
        params["rewriteToken"] = answer["rewriteToken"]
