"""`EnvironmentOnceSession`: requests' proxy rules, per host, resolved once per value."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fs_bridge.http_session import EnvironmentOnceSession
from tests.servers.fault_proxy import FaultProxy


class _Origin(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # http.server's name
        self.send_response(200)
        self.send_header("Content-Length", "6")
        self.end_headers()
        self.wfile.write(b"origin")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def origin() -> Iterator[int]:
    """An HTTP server on 127.0.0.1 answering ``origin``; its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(origin: int, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultProxy]:
    """A forward proxy to the origin, named by ``http_proxy``; ``localhost`` in ``no_proxy``."""
    for variable in ("HTTP_PROXY", "ALL_PROXY", "all_proxy", "NO_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    forward = FaultProxy(f"http://127.0.0.1:{origin}")
    monkeypatch.setenv("http_proxy", forward.url)
    monkeypatch.setenv("no_proxy", "localhost")
    yield forward
    forward.close()


def test_each_host_meets_its_own_proxy_rule_in_one_session(origin, proxy):
    with EnvironmentOnceSession() as session:
        for _ in range(2):  # the second round from the cache
            assert session.get(f"http://127.0.0.1:{origin}/via").content == b"origin"
            assert session.get(f"http://localhost:{origin}/direct").content == b"origin"
    assert [seen.path for seen in proxy.take()] == ["/via", "/via"]


def test_a_variable_changed_applies_from_the_next_request(origin, proxy, monkeypatch):
    with EnvironmentOnceSession() as session:
        assert session.get(f"http://127.0.0.1:{origin}/via").content == b"origin"
        monkeypatch.setenv("no_proxy", "localhost,127.0.0.1")
        assert session.get(f"http://127.0.0.1:{origin}/direct").content == b"origin"
        monkeypatch.delenv("no_proxy")
        assert session.get(f"http://localhost:{origin}/via-too").content == b"origin"
    assert [seen.path for seen in proxy.take()] == ["/via", "/via-too"]


def test_a_session_that_trusts_no_environment_uses_no_proxy(origin, proxy):
    with EnvironmentOnceSession() as session:
        session.trust_env = False
        assert session.get(f"http://127.0.0.1:{origin}/direct").content == b"origin"
    assert proxy.take() == []
