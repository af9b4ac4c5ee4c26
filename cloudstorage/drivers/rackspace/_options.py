"""`SwiftOptions`: the keyword options of `SwiftDriver` and `CloudFilesDriver`.

`SwiftFilesystemOptions` are the ones the ``swift://`` filesystem takes as they are, so the
driver's ``storage_options`` pass exactly those on.
"""

from __future__ import annotations

from typing import Annotated, Literal

from cloudstorage.base.options import Default, DriverOptions

__all__ = ["CloudFilesOptions", "SwiftFilesystemOptions", "SwiftOptions"]


class SwiftFilesystemOptions(DriverOptions, total=False):
    """The options the ``swift://`` filesystem (`fs_bridge.swift`) takes as they are."""

    project_name: Annotated[str | None, Default(None)]
    """Keystone v3: the project to scope the token to."""
    user_domain_name: Annotated[str, Default("Default")]
    """Keystone v3: the user's domain."""
    project_domain_name: Annotated[str, Default("Default")]
    """Keystone v3: the project's domain."""
    interface: Annotated[str, Default("public")]
    """The service catalog's endpoint interface (``public``, ``internal``, ``admin``)."""
    token: Annotated[str | None, Default(None)]
    """Skip the login: an existing token (with ``storage_url``)."""
    storage_url: Annotated[str | None, Default(None)]
    """Skip the login: the account's URL (``.../v1/AUTH_account``)."""
    segment_size: Annotated[int, Default(note="1 GiB")]
    """Uploads from a path or seekable stream up to this size are one streamed PUT, larger
    ones static-large-object segments of it; other streams go in segments of at most 32 MiB."""
    block_size: Annotated[int, Default(note="8 MiB")]
    """Bytes per ranged read of a file opened for reading."""
    listing_page_size: Annotated[int, Default(10_000)]
    """Names per listing request."""


class SwiftOptions(SwiftFilesystemOptions, total=False):
    """`SwiftDriver`'s and `CloudFilesDriver`'s options (the user is ``key``, its password or
    API key ``secret``)."""

    auth_url: Annotated[
        str | None, Default(note="Swift: none, required; Cloud Files: Rackspace identity")
    ]
    """TempAuth's ``.../auth/v1.0``, or Keystone's ``.../v3``."""
    auth_version: Annotated[str, Default(note='Swift: `"1"`; Cloud Files: `"rax"`')]
    """``"1"`` TempAuth, ``"3"`` Keystone v3 password, ``"rax"`` Rackspace API key."""
    temp_url_key: Annotated[str | None, Default(note="the account's, else one set at random")]
    """The key TempURLs and FormPosts are signed with; else the account's first Temp-URL key,
    else a random key the driver sets on the account."""
    digest: Annotated[Literal["sha1", "sha256", "sha512"], Default("sha256")]
    """The HMAC of TempURL and FormPost signatures."""


CloudFilesOptions = SwiftOptions
"""`CloudFilesDriver` takes `SwiftDriver`'s options (with Rackspace's login as default)."""
