"""Small listing pages for any driver, set with monkeypatch on the driver's own constant."""

from __future__ import annotations

import sys

import pytest

from cloudstorage import Driver


def small_listing_pages(driver: Driver, monkeypatch: pytest.MonkeyPatch, size: int) -> bool:
    """Make ``driver``'s listings ask for pages of ``size`` entries; False if it does not page.

    A driver module that pages holds ``LIST_PAGE_SIZE`` (S3 family, GCS, Azure); the Swift
    filesystem holds ``listing_page_size``; the local store reads one folder at a time.
    """
    module = sys.modules[type(driver)._list_infos.__module__]
    if hasattr(module, "LIST_PAGE_SIZE"):
        monkeypatch.setattr(module, "LIST_PAGE_SIZE", size)
        return True
    if hasattr(driver.fs, "listing_page_size"):
        monkeypatch.setattr(driver.fs, "listing_page_size", size)
        return True
    return False
