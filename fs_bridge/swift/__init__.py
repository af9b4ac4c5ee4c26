"""``swift://`` and ``cloudfiles://``: an fsspec filesystem for OpenStack Swift over openstacksdk.

Containers are the top-level folders; a ``/`` in an object name is a sub-folder. Every request
goes through one openstacksdk ``Connection`` (one keystoneauth session and connection pool):
openstacksdk's typed calls where they fit, and its object-store adapter for what they lack
(delimiter listings, ranged reads, large-object manifests).

    >>> fs = fsspec.filesystem("swift", auth_url="http://swift:8080/auth/v1.0",
    ...                        user="test:tester", key="testing")
    >>> fs.pipe("photos/cat.txt", b"meow")
    >>> fs.open("photos/cat.txt", "wb", content_type="text/plain", metadata={"owner-id": "1"})

Logins (``auth_version``): ``"1"`` TempAuth (``auth_url`` ends in ``/auth/v1.0``), ``"3"``
Keystone v3 password (``project_name``, ``user_domain_name``, ``project_domain_name``),
``"rax"`` Rackspace identity with an API key (the default of ``cloudfiles://``), or a ``token``
with a ``storage_url``. ``region`` picks the catalog's object store.

Faults: every request and login is retried ``retries`` times (4) when its connection fails,
times out (``timeout``: 60 s to connect or between bytes) or is cut mid-answer, and on HTTP 408,
429, 498 (Swift's rate limiting), 500, 502, 503 and 504, ``retry_backoff`` seconds (0.5) after
the first failure, doubling, jittered (`RetryPolicy`). A 401 (an expired token) logs in again
once and repeats the request, its whole body included. Every Swift request is idempotent (an
object PUT carries the whole object, a POST all its metadata), so every method is retried.
Bytes sent in one PUT carry their MD5 as ``ETag``: Swift refuses them (HTTP 422) if corrupted
on the way.
A retry after a lost answer may find the work done: a DELETE answered 404, or a create
(``If-None-Match: *``) answered 412 over an object with the ETag it sent, then succeeds.

Costs: a listing is one GET per 10,000 entries (``listing_page_size``); ``info`` one HEAD.
Reads: random reads are ranged GETs of ``block_size`` bytes (8 MiB); reads that go on where
the last one ended, and files opened with ``stream=True``, read one streamed GET (see
`SwiftFile`). Writes: ``put_file`` / `SwiftFileSystem.put_stream` (a seekable source) send up
to ``segment_size`` (1 GiB) in one PUT streamed from the source, the MD5 computed in a first
pass over it; ``open(..., "wb")`` holds at most 32 MiB and sends one PUT up to that. Larger
objects go up as segments in the container ``<container>_segments`` tied by a static large
object manifest (segments are deleted if the upload fails, and with the manifest). When a
write replaces a static large object, its segments are deleted once the new object is in
place; the write then costs a GET of the old manifest (only in containers with a
``_segments`` container: one HEAD a minute says which). Dynamic large objects' segments (a
prefix that may hold other objects; we never write DLOs) are left alone. ``rm`` of many
objects is one ``POST ?bulk-delete`` per 10,000 where the cluster has the ``bulk`` middleware.
"""

from fs_bridge.swift._file import SwiftFile
from fs_bridge.swift._filesystem import CloudFilesFileSystem, SwiftFileSystem

__all__ = ["CloudFilesFileSystem", "SwiftFile", "SwiftFileSystem"]
