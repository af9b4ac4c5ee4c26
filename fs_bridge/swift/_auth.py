"""keystoneauth plugins for the Swift logins keystoneauth lacks: TempAuth v1 and Rackspace.

Both log in through the keystoneauth session that then carries every request (one connection
pool), remember the token and the object-store URL, and log in again when keystoneauth sees a
401 (``invalidate``). A login is retried as requests are (`RetryPolicy`). Keystone v3 needs
no plugin of ours: keystoneauth's ``v3.Password`` does it.

- ``"1"``: TempAuth / swauth, ``GET auth_url`` with ``X-Auth-User`` / ``X-Auth-Key``; the answer
  carries ``X-Auth-Token`` and ``X-Storage-Url``.
- ``"rax"``: Rackspace identity, ``POST auth_url/tokens`` with ``RAX-KSKEY:apiKeyCredentials``
  (user name and API key); the service catalog's ``object-store`` endpoint of the region is the
  storage URL, and its ``rax:object-cdn`` endpoint (if any) the CDN management URL.
- a ``token`` with a ``storage_url``: both given, no login.
"""

from __future__ import annotations

import errno
import threading
from typing import Any

from keystoneauth1 import plugin

from fs_bridge.swift._retry import RetryPolicy

__all__ = ["RACKSPACE_AUTH_URL", "SwiftAuth"]

RACKSPACE_AUTH_URL = "https://identity.api.rackspacecloud.com/v2.0/"
OBJECT_STORE = "object-store"
RACKSPACE_CDN = "rax:object-cdn"


class SwiftAuth(plugin.BaseAuthPlugin):
    """A token and the object-store URL, from TempAuth v1, Rackspace identity or given."""

    def __init__(
        self,
        auth_url: str | None = None,
        user: str | None = None,
        key: str | None = None,
        version: str = "1",
        region: str | None = None,
        token: str | None = None,
        storage_url: str | None = None,
        interface: str = "public",
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__()
        if version not in ("1", "rax"):
            raise ValueError(f"SwiftAuth logs in with version '1' or 'rax', not {version!r}")
        if not (token and storage_url) and not (auth_url and user and key):
            raise ValueError("Swift needs auth_url, user and key (or a token and a storage_url)")
        self.auth_url = auth_url
        self.user = user
        self.key = key
        self.version = version
        self.region = region
        self.interface = interface
        self.retry = retry or RetryPolicy()
        self._fixed = bool(token and storage_url)
        self._token = token
        self.endpoints: dict[str, str] = {OBJECT_STORE: storage_url} if storage_url else {}
        self._lock = threading.Lock()

    # -- keystoneauth's plugin interface -------------------------------------------------------

    def get_token(self, session: Any, **kwargs: Any) -> str:
        return self._login(session)[0]

    def get_endpoint(
        self, session: Any, service_type: str | None = None, **kwargs: Any
    ) -> str | None:
        self._login(session)
        return self.endpoints.get(service_type or OBJECT_STORE)

    def invalidate(self) -> bool:
        if self._fixed:
            return False  # nothing to log in with
        self._token = None
        return True

    # -- logins ----------------------------------------------------------------------------------

    def _login(self, session: Any) -> tuple[str, str]:
        with self._lock:
            if self._token is None:
                if self.version == "1":
                    self._login_v1(session)
                else:
                    self._login_rackspace(session)
            assert self._token is not None  # set by either login
            return self._token, self.endpoints[OBJECT_STORE]

    def _login_v1(self, session: Any) -> None:
        response = self.retry.send(
            lambda: session.request(
                self.auth_url,
                "GET",
                headers={"X-Auth-User": self.user, "X-Auth-Key": self.key},
                authenticated=False,
                raise_exc=False,
                log=False,  # keystoneauth's DEBUG log would show the key and the token
            ),
            "login",
        )
        _check_login(response, self.auth_url)
        self._token = response.headers["X-Auth-Token"]
        self.endpoints[OBJECT_STORE] = response.headers["X-Storage-Url"]

    def _login_rackspace(self, session: Any) -> None:
        url = f"{str(self.auth_url).rstrip('/')}/tokens"
        body = {
            "auth": {"RAX-KSKEY:apiKeyCredentials": {"username": self.user, "apiKey": self.key}}
        }
        response = self.retry.send(
            # unlogged: keystoneauth's DEBUG log shows JSON bodies (the API key, the token)
            lambda: session.request(
                url, "POST", json=body, authenticated=False, raise_exc=False, log=False
            ),
            "login",
        )
        _check_login(response, url)
        access = response.json()["access"]
        token = access["token"]
        region = (self.region or token.get("RAX-AUTH:defaultRegion") or "").upper()
        endpoints: dict[str, str] = {}
        for service in access.get("serviceCatalog", []):
            for endpoint in service.get("endpoints", []):
                if not region or str(endpoint.get("region", "")).upper() == region:
                    url_key = "internalURL" if self.interface == "internal" else "publicURL"
                    endpoints.setdefault(service["type"], endpoint.get(url_key) or "")
        if not endpoints.get(OBJECT_STORE):
            raise FileNotFoundError(
                errno.ENOENT, f"the service catalog has no object store in region {region!r}", url
            )
        self.endpoints = endpoints
        self._token = token["id"]


def _check_login(response: Any, url: str | None) -> None:
    if response.status_code in (401, 403):
        raise PermissionError(errno.EACCES, "the identity service refused the credentials", url)
    if response.status_code >= 300:
        raise OSError(errno.EIO, f"login failed with HTTP {response.status_code}", url)
