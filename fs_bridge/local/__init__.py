"""``xlocal://``: an fsspec filesystem for a directory of containers whose blobs keep metadata.

The layout is ``root/<container>/<blob name>``; a ``/`` in a blob name is a sub-folder. Blob
attributes (content type, disposition, cache control, user metadata) live in extended attributes
(see `fs_bridge._xattrs`). Writes are atomic. Every path is checked against the name rules of
`fs_bridge._names` before any I/O, and every file or folder the store opens is checked to lie
inside ``root`` (symlinks planted in the store lead nowhere else) before it is read or written.

    >>> fs = fsspec.filesystem("xlocal", root="/srv/storage")
    >>> fs.pipe("photos/cat.txt", b"meow")
    >>> fs.open("photos/cat.txt", "wb", content_type="text/plain", metadata={"owner": "1"})
"""

from fs_bridge._names import TEMP_PREFIX, InvalidNameError, check_blob_name, check_container_name
from fs_bridge.local._filesystem import XattrLocalFileSystem
from fs_bridge.local._store import PROTOCOL

__all__ = [
    "PROTOCOL",
    "TEMP_PREFIX",
    "InvalidNameError",
    "XattrLocalFileSystem",
    "check_blob_name",
    "check_container_name",
]
