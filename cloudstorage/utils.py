"""Small general-purpose utilities kept from cloudstorage 0.10."""

from __future__ import annotations

import functools
from typing import Any

_MISSING = object()


def rgetattr(obj: Any, attr: str, default: Any = _MISSING) -> Any:
    """``getattr`` along a dotted path: ``rgetattr(blob, "container.driver.name")``."""
    try:
        return functools.reduce(getattr, attr.split("."), obj)
    except AttributeError:
        if default is _MISSING:
            raise
        return default


def rsetattr(obj: Any, attr: str, val: Any) -> None:
    """``setattr`` along a dotted path: ``rsetattr(blob, "container.name", "x")``."""
    parent, _, last = attr.rpartition(".")
    setattr(rgetattr(obj, parent) if parent else obj, last, val)
