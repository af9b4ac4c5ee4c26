"""Driver options as typed data, and the one check that refuses an option a driver lacks.

A driver takes its options as ``**kwargs: Unpack[XOptions]``, a `TypedDict` that extends
`DriverOptions` (what every driver takes) and names the class in its ``options_type``: editors
complete the names, mypy checks them, and `check_options` refuses a misspelt or unknown one at
construction, before any request (cloudstorage 0.10 ignored most, so a typo went unnoticed).
Each key's docstring says what it does and ``Annotated[type, Default(...)]`` its default, so
the documentation's options table (`describe_options`) is generated from the same classes.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, get_type_hints

from typing_extensions import TypedDict

from cloudstorage.base.retry import RETRIES, RETRY_BACKOFF, TIMEOUT
from cloudstorage.exceptions import CloudStorageError

__all__ = [
    "Default",
    "DriverOptions",
    "OptionDoc",
    "check_options",
    "describe_options",
    "option_names",
]


@dataclass(frozen=True)
class Default:
    """An option's default: ``value``, or ``note`` where words say it better."""

    value: object = None
    note: str = ""

    def __str__(self) -> str:
        return self.note or f"`{self.value!r}`"


class DriverOptions(TypedDict, total=False):
    """The options every driver takes: its retry budget (`cloudstorage.base.retry`).

    Each driver gives them to the one layer that retries for it (botocore, our loop around
    gcsfs, azure-core, the Swift filesystem), and to ``storage_options``.
    """

    retries: Annotated[int, Default(RETRIES)]
    """Tries after the first of a failed, throttled or timed-out request: a request that keeps
    failing costs ``retries + 1`` attempts."""
    retry_backoff: Annotated[float, Default(RETRY_BACKOFF)]
    """Seconds before the first retry; each later wait doubles, jittered, at most 30 s (or
    what a ``Retry-After`` asks)."""
    timeout: Annotated[float, Default(TIMEOUT)]
    """Seconds to connect, and seconds between bytes of an answer."""


def option_names(options_type: Any) -> frozenset[str]:
    """The keys of an options `TypedDict`, its bases' included."""
    return frozenset(options_type.__required_keys__ | options_type.__optional_keys__)


def check_options(driver: type, options: Mapping[str, Any]) -> None:
    """Refuse a keyword argument that is neither a parameter nor an option of ``driver``.

    Args:
        driver: a driver class; its ``options_type`` and ``__init__`` say what it takes.
        options: the keyword arguments it was called with.

    Raises:
        CloudStorageError: an unknown name, with the closest known one (difflib's) and the
            options the driver takes.
    """
    parameters = _parameters(driver)
    known = option_names(getattr(driver, "options_type", DriverOptions))
    unknown = sorted(name for name in options if name not in known and name not in parameters)
    if not unknown:
        return
    name = unknown[0]
    import difflib  # noqa: PLC0415  # only a refused option needs it: import stays fast

    close = difflib.get_close_matches(name, sorted(known | parameters), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    raise CloudStorageError(
        f"{driver.__name__} got an unknown option {name!r}{hint} "
        f"Options: {', '.join(sorted(known))}"
    )


@cache
def _parameters(driver: type) -> frozenset[str]:
    """The named parameters of ``driver.__init__`` (``key``, ``secret``, ...)."""
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    signature = inspect.signature(driver.__init__)  # type: ignore[misc]  # a class's own init
    return frozenset(p.name for p in signature.parameters.values() if p.kind in named) - {"self"}


# -- the documentation's table -----------------------------------------------------------------


@dataclass(frozen=True)
class OptionDoc:
    """One row of the options table: an option's name, type, default and meaning."""

    name: str
    type: str
    """The annotation as written (``Annotated``'s metadata left out)."""
    default: str
    """Its `Default`, or ``""`` where it has none."""
    doc: str
    """The key's docstring, on one line."""


def describe_options(options_type: Any, exclude: Any = None) -> list[OptionDoc]:
    """The keys of an options `TypedDict`, in the order written (bases first).

    Args:
        options_type: the `TypedDict`.
        exclude: a base whose keys to leave out (`DriverOptions`, shown once for all).

    Returns:
        One `OptionDoc` per key.
    """
    hints = get_type_hints(options_type, include_extras=True)
    skip = option_names(exclude) if exclude is not None else frozenset()
    rows = []
    for name, annotation, doc in _written_keys(options_type):
        if name in skip:
            continue
        metadata = getattr(hints[name], "__metadata__", ())
        default = next((str(m) for m in metadata if isinstance(m, Default)), "")
        rows.append(OptionDoc(name, annotation, default, " ".join(doc.split())))
    return rows


def _written_keys(options_type: Any) -> Iterator[tuple[str, str, str]]:
    """``(key, annotation source, docstring)`` of a `TypedDict` and its bases, bases first."""
    seen: set[str] = set()
    for cls in _lineage(options_type):
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
        for statement, following in zip(body, [*body[1:], None], strict=True):
            if not isinstance(statement, ast.AnnAssign) or not isinstance(
                statement.target, ast.Name
            ):
                continue
            name = statement.target.id
            if name in seen:
                continue
            seen.add(name)
            annotation = statement.annotation
            if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value) in (
                "Annotated",
                "typing.Annotated",
            ):
                elements = annotation.slice
                annotation = elements.elts[0] if isinstance(elements, ast.Tuple) else elements
            doc = ""
            if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
                doc = str(following.value.value)
            yield name, ast.unparse(annotation), doc


def _lineage(options_type: Any) -> list[Any]:
    """The `TypedDict` and its `TypedDict` bases, the farthest base first."""
    order: list[Any] = []
    for base in getattr(options_type, "__orig_bases__", ()):
        if hasattr(base, "__optional_keys__"):
            order += [cls for cls in _lineage(base) if cls not in order]
    return [*order, options_type]
