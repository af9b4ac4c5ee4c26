"""The fsspec side of cloudstorage: filesystems the fsspec family lacks, usable on their own.

Nothing here imports `cloudstorage`. Protocols are registered through the ``fsspec.specs``
entry point, so ``fsspec.open("xlocal://container/blob", root=...)`` needs no import.
"""

from fs_bridge._names import InvalidNameError

__all__ = ["InvalidNameError"]
