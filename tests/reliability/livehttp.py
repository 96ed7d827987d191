"""Real HTTP against a served app on a loopback port: a threaded server and a small cookie-keeping client.

The reliability tests send truly concurrent requests, so they go over sockets rather than
through Flask's test client (which runs one request at a time in the calling thread).
Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

LOOPBACK = "127.0.0.1"
_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` with one thread per request on a free loopback port; yields the base URL."""
    server = make_server(LOOPBACK, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(eq=False)
class Client:
    """One user agent: its own connection and cookies (so two clients are two browsers)."""

    base: str
    timeout: float = 60.0
    cookies: dict[str, str] = field(default_factory=dict)
    _conn: http.client.HTTPConnection | None = None

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.base)
        assert parts.hostname == LOOPBACK, "live tests only ever talk to the loopback address"
        self._host, self._port = parts.hostname, parts.port or 80

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(
        self,
        method: str,
        path: str,
        *,
        form: Mapping[str, str | list[str]] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        body: bytes | None = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
            try:
                self._conn.request(method, path, body=body, headers=sent)
                response = self._conn.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                # The server closed a kept-alive connection between requests: reconnect once.
                self.close()
                if attempt:
                    raise
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        for raw in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(raw)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Reply(response.status, dict(response.getheaders()), data)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def csrf_token(self, path: str, status: int = 200) -> str:
        """The CSRF token of the form on ``path`` (bound to this client's session)."""
        page = self.get(path)
        assert page.status == status, (path, page.status)
        found = _CSRF_RE.search(page.text)
        assert found is not None, f"no CSRF token on {path}"
        return found.group(1) or found.group(2)

    def login(self, username: str, password: str) -> None:
        token = self.csrf_token("/login")
        reply = self.request(
            "POST", "/login", form={"username": username, "password": password, "csrf_token": token}
        )
        assert reply.status == 303, (reply.status, reply.text[:500])
