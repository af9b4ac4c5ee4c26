"""Test rigs: one per driver, each a real store the suite starts itself.

A rig couples a configured driver with what the conformance suite needs to know about its
service (capability flags). Adding a driver means adding one starter here and one entry to
``STARTERS``; every conformance test then runs against it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from cloudstorage import Driver
from tests.rigs.azure import start_azure
from tests.rigs.gcs import start_gcs
from tests.rigs.local import start_local, start_local_served
from tests.rigs.pool import RigPool, ServerPool, start_rig
from tests.rigs.s3 import start_backblaze, start_digitalocean, start_minio, start_s3
from tests.rigs.swift import start_cloudfiles, start_swift_rig


@dataclass(frozen=True)
class Rig:
    """A driver on a running store, and what its service can do."""

    name: str
    driver: Driver
    http_download_urls: bool
    """Download URLs are real HTTP URLs (False: the local store's bare signatures)."""
    form_post: bool = True
    """Upload URLs are HTML form POSTs with fields (False: a signed PUT URL and its headers)."""
    server_checks: bool = True
    """The server enforces what a signature grants: expiry, a form's ``${filename}`` key and
    response overrides (False: moto and fake-gcs-server skip some; tests check what was signed)."""
    known_gaps: Mapping[str, str] = field(default_factory=dict)
    """Conformance test name -> why this rig's server fails it (run as a strict xfail)."""


Starter = Callable[[Path, "ServerPool"], AbstractContextManager[Rig]]
"""Builds a rig in a work folder on the session's servers (`tests.rigs.pool.ServerPool`)."""

STARTERS: dict[str, Starter] = {
    "local": start_local,
    "local-served": start_local_served,
    "azure": start_azure,
    "s3": start_s3,
    "minio": start_minio,
    "digitalocean": start_digitalocean,
    "backblaze": start_backblaze,
    "gcs": start_gcs,
    "swift": start_swift_rig,
    "cloudfiles": start_cloudfiles,
}


def selected(names: str | None) -> list[str]:
    """The rigs to run: all, or those named in a comma list (``CLOUDSTORAGE_TEST_DRIVERS``)."""
    if not names:
        return list(STARTERS)
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    unknown = set(chosen) - set(STARTERS)
    if unknown:
        raise ValueError(f"unknown test driver(s) {sorted(unknown)}; known: {sorted(STARTERS)}")
    return chosen


__all__ = ["STARTERS", "Rig", "RigPool", "ServerPool", "Starter", "selected", "start_rig"]
