"""A fault-injecting HTTP proxy on 127.0.0.1, in front of one real server.

A driver built on the proxy's URL (instead of the server's) reaches the real server through it;
each test scripts what goes wrong, e.g. ``proxy.fail("GET", r"/bucket/key", times=2,
status=503)``: the next two matching requests are answered 503 without reaching the server.
Every request is recorded (`FaultProxy.requests`, `FaultProxy.take`): this is the suite's one
request counter, whatever the client's transport (botocore, aiohttp under s3fs/gcsfs/adlfs,
azure-core, requests/keystoneauth), so a test can assert what an operation cost, or that *no*
request was sent. Bodies are buffered whole: this is for test-sized blobs.

Faults (first matching rule with uses left wins; ``skip`` lets that many matches through first):

- ``fail``: answer a status and body (S3's 503 SlowDown, Azure's 503 ServerBusy, GCS's 429,
  Swift's 498).
- ``drop_request``: read part of the request body, then close the connection (no answer).
- ``drop_response``: forward, then send the headers and half the body and close.
- ``corrupt``: forward, then flip bytes of the response body (headers and hashes unchanged).
- ``corrupt_request``: flip bytes of the request body (the first 64, or with ``middle=True``
  the middle one of bodies of 1 KiB or more: the media, not a JSON part), then forward it.
- ``delay``: wait before forwarding.

It also serves as a forward proxy (``http_proxy``) to its one upstream server.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from ._process import LOCALHOST

__all__ = [
    "AZURE_SERVER_BUSY",
    "GCS_TOO_MANY_REQUESTS",
    "S3_SLOW_DOWN",
    "SWIFT_RATE_LIMITED",
    "SWIFT_TOO_MANY_REQUESTS",
    "Fault",
    "FaultProxy",
    "Seen",
    "start_fault_proxy",
]

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer"}
    | {"upgrade"}
)
_ANY = re.compile("")
_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS")

S3_SLOW_DOWN = (
    503,
    {"Content-Type": "application/xml"},
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>",
)
AZURE_SERVER_BUSY = (
    503,
    {"Content-Type": "application/xml", "x-ms-error-code": "ServerBusy"},
    b'<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code>'
    b"<Message>The server is busy.</Message></Error>",
)
GCS_TOO_MANY_REQUESTS = (
    429,
    {"Content-Type": "application/json"},
    b'{"error": {"code": 429, "message": "The rate of change requests is too high.",'
    b' "errors": [{"reason": "rateLimitExceeded"}]}}',
)

SWIFT_RATE_LIMITED = (498, {"Content-Type": "text/html; charset=UTF-8"}, b"Slow down")
"""Swift's ratelimit middleware (``498 Rate Limited``)."""
SWIFT_TOO_MANY_REQUESTS = (429, {"Content-Type": "text/html; charset=UTF-8"}, b"Slow down")
"""Rackspace Cloud Files' (and a Swift configured so) throttling answer."""


@dataclass
class Fault:
    """One scripted fault: what to do to the next ``times`` requests matching it."""

    action: str
    method: str
    path: re.Pattern[str]
    times: int
    skip: int = 0
    middle: bool = False
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and self.method in ("*", method) and bool(self.path.search(path))


@dataclass(frozen=True)
class Seen:
    """A request that reached the proxy, and the fault it met (None: forwarded untouched)."""

    method: str
    path: str
    """The request target: the path and its query, as sent (quoted)."""
    fault: str | None
    at: float = field(default_factory=time.monotonic)
    """When the request arrived (``time.monotonic``)."""

    @property
    def route(self) -> str:
        """The path alone, unquoted (``/storage/v1/b/c/o/d/1.txt``)."""
        return unquote(urlsplit(self.path).path)

    @property
    def params(self) -> dict[str, list[str]]:
        """The query's parameters (``{"uploadType": ["multipart"]}``)."""
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)


class FaultProxy:
    """Forwards to ``upstream`` (``http://host:port``) except where a fault is scripted."""

    def __init__(self, upstream: str, upstream_host: bool = False) -> None:
        """``upstream_host``: send the server its own ``Host`` (fake-gcs-server routes signed
        URLs by it), not the proxy's (Swift's TempAuth builds storage URLs from it)."""
        parts = urlsplit(upstream)
        self.rewrite_host = upstream_host
        self.upstream_host = parts.hostname or LOCALHOST
        self.upstream_port = parts.port or 80
        self._faults: list[Fault] = []
        self._seen: list[Seen] = []
        self.authorize: Callable[[str | None], bool] | None = None
        """If set: a request whose ``Authorization`` header it refuses is answered 401."""
        self._lock = threading.Lock()
        self.body_bytes = [0, 0]
        """Body bytes relayed since `clear`: [of requests (uploaded), of answers (downloaded)]."""
        self.keep_bodies = False
        """If set: `bodies` keeps each request's body as received (before any fault)."""
        self.bodies: list[tuple[str, str, bytes]] = []
        """``(method, path, body)`` of the requests since `clear`, while `keep_bodies` is set."""
        self._server = _QuietServer((LOCALHOST, 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: put it where the server's URL went."""
        return f"http://{LOCALHOST}:{self.port}"

    @property
    def upstream_netloc(self) -> str:
        return f"{self.upstream_host}:{self.upstream_port}"

    # -- scripting ------------------------------------------------------------------------

    def _add(self, action: str, method: str, path: str, times: int, **kwargs: object) -> Fault:
        fault = Fault(action, method.upper(), re.compile(path), times, **kwargs)  # type: ignore[arg-type]
        with self._lock:
            self._faults.append(fault)
        return fault

    def fail(
        self,
        method: str,
        path: str,
        times: int = 1,
        status: int = 500,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        skip: int = 0,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status`` (nothing forwarded)."""
        return self._add(
            "fail", method, path, times, status=status, headers=headers or {}, body=body, skip=skip
        )

    def throttle(
        self, method: str, path: str, answer: tuple[int, dict[str, str], bytes], times: int = 1
    ) -> Fault:
        """`fail` with a service's throttling answer (`S3_SLOW_DOWN`, ...)."""
        status, headers, body = answer
        return self.fail(method, path, times, status=status, headers=headers, body=body)

    def drop_request(self, method: str, path: str, times: int = 1, skip: int = 0) -> Fault:
        """Read half the request body, then hang up without answering (nothing forwarded)."""
        return self._add("drop_request", method, path, times, skip=skip)

    def drop_response(self, method: str, path: str, times: int = 1, skip: int = 0) -> Fault:
        """Forward, then send the headers and half the body, and hang up."""
        return self._add("drop_response", method, path, times, skip=skip)

    def corrupt(self, method: str, path: str, times: int = 1, skip: int = 0) -> Fault:
        """Forward, then flip bytes of the response body; headers (and hashes) unchanged."""
        return self._add("corrupt", method, path, times, skip=skip)

    def corrupt_request(
        self, method: str, path: str, times: int = 1, skip: int = 0, middle: bool = False
    ) -> Fault:
        """Flip bytes of the request body (headers and hashes unchanged), then forward it:
        the first 64, or (``middle``) the middle byte of a body of 1 KiB or more."""
        return self._add("corrupt_request", method, path, times, skip=skip, middle=middle)

    def delay(self, method: str, path: str, seconds: float, times: int = 1) -> Fault:
        """Wait ``seconds`` before forwarding."""
        return self._add("delay", method, path, times, seconds=seconds)

    def clear(self) -> None:
        """Forget the scripted faults and the recorded requests."""
        with self._lock:
            self._faults.clear()
            self._seen.clear()
            self.body_bytes = [0, 0]
            self.bodies.clear()

    @property
    def requests(self) -> list[Seen]:
        """The requests seen since `clear` (or `take`), in order."""
        with self._lock:
            return list(self._seen)

    def take(self) -> list[Seen]:
        """The requests seen since `clear` (or the last `take`), and forget them."""
        with self._lock:
            taken = list(self._seen)
            self._seen.clear()
        return taken

    def count(self, fault: str | None = "any") -> int:
        """Requests seen: all (``"any"``), untouched ones (None), or those met by one fault."""
        seen = self.requests
        return len(seen) if fault == "any" else sum(1 for s in seen if s.fault == fault)

    def _take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.skip > 0:
                        fault.skip -= 1
                        return None
                    fault.times -= 1
                    return fault
            return None

    def _record(self, method: str, path: str, fault: Fault | None) -> None:
        with self._lock:
            self._seen.append(Seen(method, path, fault.action if fault else None))

    def _add_bytes(self, direction: int, count: int) -> None:
        with self._lock:
            self.body_bytes[direction] += count

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _QuietServer(ThreadingHTTPServer):
    """Drops the traceback of a client that hung up first (gcsfs cancels a parallel probe)."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def _handler_for(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(_ProxyHandler):
        pass

    Handler.proxy = proxy
    for method in _METHODS:
        setattr(Handler, f"do_{method}", _ProxyHandler.relay)
    return Handler


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as clients' connection pools expect
    proxy: FaultProxy

    def log_message(self, format: str, *args: object) -> None:
        pass

    def relay(self) -> None:
        if self.path.startswith("http://"):  # sent to a forward proxy (``http_proxy``)
            target = urlsplit(self.path)
            self.path = target.path + (f"?{target.query}" if target.query else "")
        check = self.proxy.authorize
        if check is not None and not check(self.headers.get("Authorization")):
            self.proxy._record(self.command, self.path, Fault("unauthorized", "*", _ANY, 0))
            self._read_body()
            self._answer(401, [("Content-Type", "application/json")], b'{"error": {"code": 401}}')
            return
        fault = self.proxy._take(self.command, self.path)
        self.proxy._record(self.command, self.path, fault)
        action = fault.action if fault else None
        if action == "drop_request":
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length // 2)
            self._hang_up()
            return
        body = self._read_body()
        self.proxy._add_bytes(0, len(body))
        if self.proxy.keep_bodies:
            with self.proxy._lock:
                self.proxy.bodies.append((self.command, self.path, body))
        if fault is not None and action == "fail":
            self._answer(fault.status, list(fault.headers.items()), fault.body)
            return
        if fault is not None and action == "corrupt_request" and body:
            body = _flip_middle(body) if fault.middle else _flip(body)
        if fault is not None and action == "delay":
            time.sleep(fault.seconds)
        try:
            status, headers, payload = self._forward(body)
        except OSError:
            self._hang_up()
            return
        self.proxy._add_bytes(1, len(payload))
        if action == "corrupt" and payload:
            payload = _flip(payload)
        if action == "drop_response":
            self._answer(status, headers, payload, cut=True)
            return
        self._answer(status, headers, payload)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        proxy = self.proxy
        connection = http.client.HTTPConnection(
            proxy.upstream_host, proxy.upstream_port, timeout=60
        )
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            if proxy.rewrite_host:
                headers = {k: v for k, v in headers.items() if k.lower() != "host"}
            if body or self.command in ("PUT", "POST", "PATCH"):
                headers["Content-Length"] = str(len(body))
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            return response.status, response.getheaders(), payload
        finally:
            connection.close()

    def _answer(
        self, status: int, headers: list[tuple[str, str]], payload: bytes, cut: bool = False
    ) -> None:
        self.send_response_only(status)
        has_length = False
        for name, original in headers:
            lower, value = name.lower(), original
            if lower in _HOP_BY_HOP:
                continue
            if lower == "location":  # resumable uploads continue at the proxy, not around it
                value = value.replace(self.proxy.upstream_netloc, f"{LOCALHOST}:{self.proxy.port}")
            if lower == "content-length":
                has_length = True
                if self.command != "HEAD":
                    value = str(len(payload))
            self.send_header(name, value)
        if not has_length and status not in (204, 304) and self.command != "HEAD":
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command == "HEAD" or status in (204, 304):
            return
        if cut:
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self._hang_up()
            return
        self.wfile.write(payload)

    def _hang_up(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _flip(data: bytes) -> bytes:
    """The same length, with the first bytes inverted."""
    return bytes(b ^ 0xFF for b in data[:64]) + data[64:]


def _flip_middle(data: bytes) -> bytes:
    """The same length, its middle byte inverted if it is 1 KiB or more (else unchanged)."""
    if len(data) < 1024:
        return data
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


@contextmanager
def start_fault_proxy(upstream: str) -> Iterator[FaultProxy]:
    """A `FaultProxy` in front of ``upstream`` for the duration of a ``with``."""
    proxy = FaultProxy(upstream)
    try:
        yield proxy
    finally:
        proxy.close()
