"""A ``requests`` session that resolves the environment's proxy settings once per value.

``requests`` looks up the proxy variables (``HTTPS_PROXY``, ``NO_PROXY``, ...) and the CA
bundle (``REQUESTS_CA_BUNDLE``) in the environment on every request: it walks the whole of
``os.environ`` twice, 0.17 to 0.25 ms of CPU a request with 35 variables, more than our own
layers spend on a small download. Swift (through keystoneauth) and the Azure SDK send through
``requests``. `EnvironmentOnceSession` reads only the variables that can apply to an HTTP(S)
URL (11 lookups) and resolves them as requests does, once per URL scheme, host and value of
those variables: a variable set or changed later applies from the next request, as with
requests.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies

__all__ = ["EnvironmentOnceSession"]

_VARIABLES = (
    *("http_proxy", "https_proxy", "all_proxy", "no_proxy"),
    *("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"),
    "REQUEST_METHOD",  # urllib ignores HTTP_PROXY under CGI
    *("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"),
)
"""The environment variables requests' settings for an ``http``/``https`` URL depend on."""

_RESOLUTIONS_KEPT = 64
"""Resolutions cached per session (a driver talks to one or two hosts)."""


class EnvironmentOnceSession(requests.Session):
    """``requests.Session`` that resolves the environment's settings for a host once."""

    def __init__(self) -> None:
        super().__init__()
        self._resolved: dict[tuple[Any, ...], dict[str, str]] = {}
        self._resolved_lock = threading.Lock()

    def merge_environment_settings(
        self, url: str, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        """requests' own merge (``Session.merge_environment_settings``), resolved once."""
        if not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        environment = tuple(map(os.environ.get, _VARIABLES))
        proxies = dict(proxies or {})
        found = self._environment_proxies(url, proxies.get("no_proxy"), environment)
        for scheme, proxy in found.items():
            proxies.setdefault(scheme, proxy)
        if verify is True or verify is None:
            verify = environment[-2] or environment[-1] or verify  # requests' order
        return {
            "proxies": merge_setting(proxies, self.proxies),
            "stream": merge_setting(stream, self.stream),
            "verify": merge_setting(verify, self.verify),
            "cert": merge_setting(cert, self.cert),
        }

    def _environment_proxies(
        self, url: str, no_proxy: Any, environment: tuple[str | None, ...]
    ) -> dict[str, str]:
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, no_proxy, environment)
        found = self._resolved.get(key)
        if found is None:
            found = get_environ_proxies(url, no_proxy=no_proxy)
            with self._resolved_lock:
                if len(self._resolved) >= _RESOLUTIONS_KEPT:
                    self._resolved.clear()
                self._resolved[key] = found
        return found
