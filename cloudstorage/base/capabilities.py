"""What each driver can do, read from the driver classes themselves: the docs' feature matrix.

Every cell comes from a class attribute or method of the driver (``blob_acls``,
``max_url_lifetime``, ``batched_deletes``, an overridden ``enable_container_cdn``, ...), never
from a hand-kept table, so the matrix cannot drift from the code. A capability is one `Row`
in `ROWS`: adding one is adding a line. A cell that is only partly true carries a footnote.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from cloudstorage.base.driver import Driver
from cloudstorage.registry import DriverName, get_driver

__all__ = ["ROWS", "Cell", "Row", "drivers", "matrix"]

YES, NO = "✓", "✗"


@dataclass(frozen=True)
class Cell:
    """One driver's answer for one capability; ``note`` explains a partial answer."""

    text: str
    """What the table shows."""
    note: str | None = None
    """A footnote: why the answer is partial, or what a count counts."""


@dataclass(frozen=True)
class Row:
    """A capability: its label and how a driver class answers it."""

    label: str
    """The capability, as the table names it."""
    cell: Callable[[type[Driver]], Cell]
    """How a driver class answers, read from its attributes."""


def _acls(attribute: str) -> Callable[[type[Driver]], Cell]:
    def cell(driver: type[Driver]) -> Cell:
        allowed: frozenset[str] | None = getattr(driver, attribute)
        if allowed is None:
            return Cell("any", "any name is accepted and none is checked: the store keeps no ACLs")
        if not allowed:
            return Cell(NO)
        return Cell(f"{YES} {len(allowed)}", ", ".join(f"`{acl}`" for acl in sorted(allowed)))

    return cell


def _download_urls(driver: type[Driver]) -> Cell:
    if hasattr(driver, "validate_signature"):
        return Cell(
            "signature",
            "a signed token your app checks with `validate_signature`; a real URL answered by "
            "`cloudstorage serve` when the driver has a `base_url`",
        )
    return Cell(YES)


def _upload_form(driver: type[Driver]) -> Cell:
    if hasattr(driver, "validate_signature"):
        return Cell("signature", "form fields your app (or `cloudstorage serve`) checks")
    if driver.upload_form == "put":
        return Cell("PUT", "no form POST on this service: a signed URL for one PUT and its headers")
    return Cell("form POST")


def _lifetime(driver: type[Driver]) -> Cell:
    seconds = driver.max_url_lifetime
    if seconds is None:
        return Cell("no limit")
    days, rest = divmod(seconds, 86400)
    return Cell(f"{days} days" if not rest else f"{seconds} s")


def _overrides(method: str) -> Callable[[type[Driver]], Cell]:
    """``✓`` where the driver implements ``method`` itself; its docstring is the footnote."""

    def cell(driver: type[Driver]) -> Cell:
        implemented = getattr(driver, method)
        if implemented is getattr(Driver, method):
            return Cell(NO)
        summary = (inspect.getdoc(implemented) or "").split("\n", 1)[0] or None
        return Cell(YES, summary)

    return cell


def _bulk_delete(driver: type[Driver]) -> Cell:
    return Cell("batched" if driver.batched_deletes else "one request per blob")


def _server_side_copy(driver: type[Driver]) -> Cell:
    if not driver.server_side_create_only:
        return Cell(YES, "a create-only copy (`overwrite=False`) streams through the client")
    return Cell(YES)


def _create_only(driver: type[Driver]) -> Cell:
    if not driver.server_side_create_only:
        return Cell(
            YES, "the service checks `If-None-Match` before it stores: racing uploads may both win"
        )
    return Cell(YES if driver.create_only_uploads else NO)


ROWS: tuple[Row, ...] = (
    Row("fsspec protocol", lambda driver: Cell(f"`{driver.protocol}`")),
    Row("`blob.checksum`", lambda driver: Cell(driver.hash_type)),
    Row("container ACLs", _acls("container_acls")),
    Row("blob ACLs", _acls("blob_acls")),
    Row("signed download URLs", _download_urls),
    Row("upload forms", _upload_form),
    Row("longest URL lifetime", _lifetime),
    Row("CDN (`enable_cdn`)", _overrides("enable_container_cdn")),
    Row("bulk delete", _bulk_delete),
    Row("server-side copy and move", _server_side_copy),
    Row("create-only uploads", _create_only),
    Row("presigned PUT", _overrides("_put_url")),
)


FIRST = ("LOCAL", "S3", "MINIO", "DIGITALOCEANSPACES", "BACKBLAZEB2", "GOOGLESTORAGE", "AZURE")
"""Column order: the local store, the S3 family, then the others (new drivers go last)."""


def drivers() -> list[type[Driver]]:
    """Every driver class of `DriverName` (imports each driver's SDK), in column order.

    Returns:
        The driver classes.

    Raises:
        CloudStorageError: a driver's extra is not installed.
    """
    names = sorted(DriverName, key=lambda n: FIRST.index(n.value) if n.value in FIRST else 99)
    return [get_driver(name) for name in names]


def matrix(rows: tuple[Row, ...] = ROWS) -> list[tuple[str, list[Cell]]]:
    """Each row's label and its cells, one per driver of `drivers`.

    Args:
        rows: the capabilities to answer.

    Returns:
        ``(label, cells)`` for each row, cells in `drivers` order.

    Raises:
        CloudStorageError: a driver's extra is not installed.
    """
    classes = drivers()
    return [(row.label, [row.cell(driver) for driver in classes]) for row in rows]
