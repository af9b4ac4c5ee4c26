"""The account's connection: the login, one request (retried, HTTP errors raised) and paths.

`SwiftConnection` is the base of `SwiftFileSystem`: every request goes through its one
openstacksdk ``Connection`` (one keystoneauth session and connection pool).
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any
from urllib.parse import quote

from fsspec.spec import AbstractFileSystem

from fs_bridge.file_range import FileRange
from fs_bridge.swift._auth import SwiftAuth
from fs_bridge.swift._errors import http_error
from fs_bridge.swift._retry import RetryPolicy

__all__ = ["SwiftConnection"]

logger = logging.getLogger("fs_bridge.swift")


class SwiftConnection(AbstractFileSystem):  # type: ignore[misc]  # fsspec is untyped
    """The login options, the connection they make, and one request through it."""

    default_auth_version = "1"
    default_auth_url: str | None = None

    auth_url: str | None
    user: str | None
    key: str | None
    auth_version: str
    region: str | None
    token: str | None
    storage_url: str | None
    interface: str
    project_name: str | None
    user_domain_name: str
    project_domain_name: str
    retry: RetryPolicy
    timeout: float | None

    @cached_property
    def conn(self) -> Any:
        """The openstacksdk ``Connection`` (one keystoneauth session) every request goes through."""
        import openstack  # noqa: PLC0415  # heavy: imported on first request, not with fsspec
        from keystoneauth1 import session as ks_session  # noqa: PLC0415  # as above

        from fs_bridge.http_session import EnvironmentOnceSession  # noqa: PLC0415  # requests

        options: dict[str, Any] = {}
        if self.auth_version == "3":
            from keystoneauth1.identity import v3  # noqa: PLC0415  # as above

            if not (self.auth_url and self.user and self.key):
                raise ValueError("Keystone v3 needs auth_url, user and key (the password)")
            auth: Any = v3.Password(
                auth_url=self.auth_url,
                username=self.user,
                password=self.key,
                project_name=self.project_name,
                user_domain_name=self.user_domain_name,
                project_domain_name=self.project_domain_name,
            )
            if self.storage_url:
                options["object_store_endpoint_override"] = self.storage_url
        else:
            auth = SwiftAuth(
                auth_url=self.auth_url,
                user=self.user,
                key=self.key,
                version="1" if self.token and self.storage_url else self.auth_version,
                region=self.region,
                token=self.token,
                storage_url=self.storage_url,
                interface=self.interface,
                retry=self.retry,
            )
        # requests would read the proxy variables of the environment on every request
        session = ks_session.Session(
            auth=auth, timeout=self.timeout, session=EnvironmentOnceSession()
        )
        return openstack.connection.Connection(
            session=session, region_name=self.region, interface=self.interface, **options
        )

    @property
    def store(self) -> Any:
        """openstacksdk's object-store proxy: a keystoneauth adapter on the storage URL."""
        return self.conn.object_store

    def service_url(self, service_type: str) -> str | None:
        """The catalog's URL of another service (say ``rax:object-cdn``), or None.

        Args:
            service_type: the catalog's service type.

        Returns:
            The endpoint URL, or None where the catalog has no such service.

        Raises:
            keystoneauth1.exceptions.ClientException: the login failed.
        """
        from keystoneauth1 import exceptions  # noqa: PLC0415  # imported with the connection

        try:
            url: str | None = self.conn.session.get_endpoint(
                service_type=service_type, interface=self.interface, region_name=self.region
            )
        except exceptions.EndpointNotFound:
            return None
        return url

    def _request(
        self,
        method: str,
        container: str = "",
        key: str = "",
        *,
        path: str = "",
        ok: tuple[int, ...] = (),
        **kwargs: Any,
    ) -> Any:
        """One request on the account, a container or an object; HTTP errors become OSErrors.

        Retried on connection faults and busy answers: see `RetryPolicy`. When a try lost its
        answer, the next one may find the work done: a DELETE then answered 404, or a PUT
        with ``If-None-Match: *`` answered 412 over an object with the ETag it sent, succeeds.
        """
        url = "/" + quote(container, safe="") if container else ""
        if key:
            url += "/" + quote(key, safe="/")

        def send() -> Any:
            body = kwargs.get("data")
            if isinstance(body, FileRange):
                body.seek(0)  # every try sends the whole span
            # keystoneauth's own repeat after a 401 would send a body already read: ours below
            return self.store.request(url, method, allow_reauth=False, **kwargs)

        response = self.retry.send(send, f"{method} {url}")
        if response.status_code == 401 and self.conn.session.invalidate():
            # the token expired (or was revoked): log in once more, then repeat the request
            logger.debug("%s %s: HTTP 401, logging in again", method, url)
            response.close()
            response = self.retry.send(send, f"{method} {url}")
        if response.status_code < 300 or response.status_code in ok:
            return response
        if response.lost_answer and self._done_before(method, response, container, key):
            return response
        raise http_error(response, path or f"{container}/{key}".rstrip("/"))

    def _done_before(self, method: str, response: Any, container: str, key: str) -> bool:
        """Whether an earlier try (whose answer was lost) did what this failed one asked."""
        if method == "DELETE" and response.status_code == 404:
            return True  # gone: most likely by the first try, and the goal holds anyway
        sent = response.request.headers if response.request is not None else {}
        if method == "PUT" and key and response.status_code == 412 and "ETag" in sent:
            found = self._request("HEAD", container, key, ok=(404,))
            return bool(found.headers.get("Etag", "").strip('"') == sent["ETag"])
        return False

    # -- paths ---------------------------------------------------------------------------------

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        path = str(path)
        for protocol in ("swift", "cloudfiles"):
            if path.startswith(protocol + "://"):
                path = path[len(protocol) + 3 :]
        return path.strip("/")

    def split_path(self, path: str) -> tuple[str, str]:
        """``(container, object name)``; the name is ``""`` for a container or the root."""
        path = self._strip_protocol(path)
        container, _, key = path.partition("/")
        return container, key

    def _by_container(self, paths: list[str]) -> dict[str, list[str]]:
        """Object names grouped by container, in the order given."""
        by_container: dict[str, list[str]] = {}
        for path in paths:
            container, key = self.split_path(path)
            by_container.setdefault(container, []).append(key)
        return by_container
