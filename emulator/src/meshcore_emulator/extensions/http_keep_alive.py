"""The embedded server keeps HTTP/1.1 connections open between requests.

werkzeug's development server answers every request with ``Connection: close``, so each AWS
call cost a TCP connection, a new thread and a socket drain that waits up to 10 ms for stray
body bytes: about a third of the emulator's CPU per call. werkzeug closes because http.server
cannot tell where an unread request body ends. The emulator's middleware reads every request
body to its Content-Length before anything else runs, so after a request with a valid (or no)
Content-Length and no Transfer-Encoding the stream stands exactly at the next request: such a
connection stays open unless the client asked to close it, and werkzeug's drain is skipped for
it. Any other request closes its connection as before. What is answered does not change.

Specific to how the emulator reads bodies; werkzeug's server stays close-per-request upstream.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from typing import Any

import werkzeug.serving

_state = threading.local()  # whether the request this thread is answering keeps its connection


class _NoDrain:
    """werkzeug's drain selector, for a connection whose request body was read to its end."""

    def register(self, *args: Any) -> None:
        pass

    def select(self, timeout: float | None = None) -> list[Any]:
        return []

    def close(self) -> None:
        pass


class _Selectors:
    """Stands in for the selectors module inside werkzeug.serving (used only for the drain)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(selectors, name)

    def DefaultSelector(self) -> Any:  # the name werkzeug calls
        return _NoDrain() if getattr(_state, "keep_alive", False) else selectors.DefaultSelector()


class KeepAliveMixin:
    """For a werkzeug request handler; tracks open connections so that stop can close them."""

    request_version: str
    close_connection: bool
    connection: socket.socket
    server: Any

    def setup(self) -> None:
        super().setup()  # type: ignore[misc]
        # Headers and body go out in separate writes: without this, Nagle's algorithm holds the
        # body until the client's delayed ACK (40 ms) once the connection is not closed after it.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.__dict__.setdefault("meshcore_connections", set()).add(self.connection)

    def finish(self) -> None:
        self.server.__dict__.get("meshcore_connections", set()).discard(self.connection)
        super().finish()  # type: ignore[misc]

    def make_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().make_environ()  # type: ignore[misc]
        length = environ.get("CONTENT_LENGTH") or "0"
        _state.keep_alive = (
            self.request_version == "HTTP/1.1"
            and not self.close_connection
            and "HTTP_TRANSFER_ENCODING" not in environ
            and length.isdigit()
        )
        return environ

    def send_header(self, keyword: str, value: str) -> None:
        closing = keyword.lower() == "connection" and value.lower() == "close"
        if closing and getattr(_state, "keep_alive", False):
            return
        super().send_header(keyword, value)  # type: ignore[misc]


def close_connections(server: Any) -> None:
    """Close every connection still open (kept alive) once the server stopped accepting."""
    for connection in list(server.__dict__.get("meshcore_connections", ())):
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)


def install() -> None:
    if not isinstance(vars(werkzeug.serving)["selectors"], _Selectors):
        setattr(werkzeug.serving, "selectors", _Selectors())  # noqa: B010 - not exported
