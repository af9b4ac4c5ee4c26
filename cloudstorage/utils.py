"""Small general-purpose utilities kept from cloudstorage 0.10."""

from __future__ import annotations

import functools
from typing import Any

_MISSING = object()


def rgetattr(obj: Any, attr: str, default: Any = _MISSING) -> Any:
    """``getattr`` along a dotted path: ``rgetattr(blob, "container.driver.name")``.

    Args:
        obj: where the path starts.
        attr: attribute names separated by dots.
        default: returned when an attribute is missing (otherwise the error is raised).

    Returns:
        The last attribute's value.

    Raises:
        AttributeError: an attribute is missing and no ``default`` was given.
    """
    try:
        return functools.reduce(getattr, attr.split("."), obj)
    except AttributeError:
        if default is _MISSING:
            raise
        return default


def rsetattr(obj: Any, attr: str, val: Any) -> None:
    """``setattr`` along a dotted path: ``rsetattr(blob, "container.name", "x")``.

    Args:
        obj: where the path starts.
        attr: attribute names separated by dots; the last one is set.
        val: the value to set.

    Raises:
        AttributeError: an attribute on the way is missing.
    """
    parent, _, last = attr.rpartition(".")
    setattr(rgetattr(obj, parent) if parent else obj, last, val)
