"""Containers of data used across the API."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, TypeVar

V = TypeVar("V")


class CaseInsensitiveDict(MutableMapping[str, V]):  # noqa: PLW1641  # mutable: unhashable
    """A dict whose keys compare without regard to case, keeping the case last set.

    Blob metadata is one: services lower-case header names (S3, GCS) or compare them
    case-insensitively (Azure), so ``meta_data["Owner-Id"]`` and ``["owner-id"]`` are one key.
    """

    def __init__(self, data: Mapping[str, V] | Iterable[tuple[str, V]] | None = None) -> None:
        self._store: dict[str, tuple[str, V]] = {}
        self.update({} if data is None else data)

    def __setitem__(self, key: str, value: V) -> None:
        self._store[key.lower()] = (key, value)

    def __getitem__(self, key: str) -> V:
        return self._store[key.lower()][1]

    def __delitem__(self, key: str) -> None:
        del self._store[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return (cased for cased, _ in self._store.values())

    def __len__(self) -> int:
        return len(self._store)

    def lower_items(self) -> Iterator[tuple[str, V]]:
        """Items with lower-cased keys."""
        return ((lower, pair[1]) for lower, pair in self._store.items())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return dict(self.lower_items()) == dict(CaseInsensitiveDict(other).lower_items())

    def copy(self) -> CaseInsensitiveDict[V]:
        return CaseInsensitiveDict(self._store.values())

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (CaseInsensitiveDict, (dict(self.items()),))
