"""GCS naming rules, checked before any request (cloud.google.com/storage/docs/buckets#naming)."""

from __future__ import annotations

import ipaddress
import re

__all__ = ["blob_name_problem", "bucket_name_problem"]

_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*[a-z0-9]$")
_GOOGLE_LOOKALIKE = re.compile(r"g[o0]{2}g[l1]e")


def bucket_name_problem(name: str) -> str | None:
    """Why GCS would refuse ``name`` as a bucket name, or None."""
    if not 3 <= len(name) <= (222 if "." in name else 63):
        return "it must be 3-63 characters (222 with dots)"
    if not _BUCKET_NAME.match(name):
        return "use lower-case letters, digits, '-', '_' and '.', starting and ending alphanumeric"
    if any(len(part) > 63 or not part for part in name.split(".")):
        return "each dot-separated part must be 1-63 characters"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        pass
    else:
        return "it must not look like an IP address"
    if name.startswith("goog") or _GOOGLE_LOOKALIKE.search(name):
        return "it must not start with 'goog' or contain 'google' or a look-alike"
    return None


def blob_name_problem(name: str) -> str | None:
    """Why GCS would refuse ``name`` as an object name, or None."""
    if len(name.encode("utf-8")) > 1024:
        return "it is longer than 1024 UTF-8 bytes"
    if "\r" in name or "\n" in name:
        return "it contains CR or LF"
    if name in (".", ".."):
        return "'.' and '..' are not object names"
    if name.startswith(".well-known/acme-challenge/"):
        return "GCS reserves the prefix '.well-known/acme-challenge/'"
    return None
