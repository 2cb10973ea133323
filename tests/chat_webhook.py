"""A Slack- or Teams-compatible incoming webhook on a local port: a stdlib HTTP server on a
thread that holds every POSTed body to the JSON description of what that service accepts
(tests/webhook_schemas/), answers 400 with the first violation as a real service refuses a
malformed body, and keeps the bodies it accepted."""

from __future__ import annotations

import json
import threading
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from jsonschema import Draft202012Validator

SCHEMAS = Path(__file__).parent / "webhook_schemas"
Kind = Literal["slack", "teams"]


@cache
def validator(kind: Kind) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def violations(kind: Kind, body: Any) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or 'body'}: {e.message}"
        for e in validator(kind).iter_errors(body)
    ]


class ChatWebhook:
    def __init__(self, kind: Kind, status: int = 200) -> None:
        self.kind = kind
        self.status = status
        self.accepted: list[dict[str, Any]] = []
        self.refused: list[list[str]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                    problems = violations(hook.kind, body)
                except ValueError as exc:
                    body, problems = None, [f"not JSON: {exc}"]
                if "application/json" not in (self.headers.get("Content-Type") or ""):
                    problems.append("Content-Type is not application/json")
                if problems:
                    hook.refused.append(problems)
                    answer, status = problems[0].encode(), 400
                else:
                    hook.accepted.append(body)
                    answer, status = b"ok", hook.status
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ChatWebhook:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
