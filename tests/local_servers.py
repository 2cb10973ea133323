"""What the tests' local servers share: a stdlib HTTP server on a free port of 127.0.0.1 served
from its own thread, closed at the end of a `with` block, and bodies held to a JSON Schema."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from jsonschema import Draft202012Validator


class Closing:
    """`with server:` closes it at the end."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output clean and reads the whole body."""

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LocalHttpServer(Closing):
    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def violations(check: Draft202012Validator, body: Any) -> list[str]:
    """Where `body` breaks the schema, each as `path: message`."""
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or 'body'}: {e.message}"
        for e in check.iter_errors(body)
    ]
