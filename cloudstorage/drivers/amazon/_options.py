"""`S3Options`: the keyword options of `S3Driver` and its regional presets."""

from __future__ import annotations

from typing import Annotated

from cloudstorage.base.options import Default, DriverOptions

__all__ = ["S3Options"]


class S3Options(DriverOptions, total=False):
    """`S3Driver`'s options (`DigitalOceanSpacesDriver`'s and `BackblazeB2Driver`'s too)."""

    endpoint_url: Annotated[str | None, Default(note="AWS's, for `region` (presets: theirs)")]
    """An S3-compatible server (``http://127.0.0.1:9000``) instead of AWS; boto3's CRC
    checksums are then sent only where required, since many such servers reject them."""
