"""Azure's List Blobs answer as the driver reads it, where Azurite cannot produce it."""

from __future__ import annotations

import pytest

from cloudstorage.drivers.microsoft._listing import _read_page


def test_listed_names_azure_percent_encodes_are_decoded():
    # Azure percent-encodes a name holding characters XML 1.0 cannot carry (Azurite answers
    # such a listing with a 500), so the documented answer is read here.
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="c">'
        b'<Blobs><Blob><Name Encoded="true">a%01b</Name><Properties>'
        b"<Content-Length>3</Content-Length></Properties></Blob></Blobs>"
        b"<NextMarker>2!next</NextMarker></EnumerationResults>"
    )
    page = _read_page("c", body)
    assert next(page)["name"] == "c/a\x01b"
    with pytest.raises(StopIteration) as finished:
        next(page)
    assert finished.value.value == "2!next"  # the marker of the next page
