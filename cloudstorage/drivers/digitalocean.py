"""`DigitalOceanSpacesDriver` where cloudstorage 0.10 had it; the class lives in `amazon`."""

from __future__ import annotations

from cloudstorage.drivers.amazon import DigitalOceanSpacesDriver

__all__ = ["DigitalOceanSpacesDriver"]
