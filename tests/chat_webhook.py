"""A Slack- or Teams-compatible incoming webhook on a local port: a stdlib HTTP server on a
thread that holds every POSTed body to the JSON description of what that service accepts
(tests/webhook_schemas/), answers 400 with the first violation as a real service refuses a
malformed body, and keeps the bodies it accepted."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator

from . import local_servers
from .local_servers import LocalHttpServer, QuietHandler

SCHEMAS = Path(__file__).parent / "webhook_schemas"
Kind = Literal["slack", "teams"]


@cache
def validator(kind: Kind) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def violations(kind: Kind, body: Any) -> list[str]:
    return local_servers.violations(validator(kind), body)


class ChatWebhook(LocalHttpServer):
    def __init__(self, kind: Kind, status: int = 200) -> None:
        self.kind = kind
        self.status = status
        self.accepted: list[dict[str, Any]] = []
        self.refused: list[list[str]] = []
        hook = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                raw = self.body()
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

        self.serve(Handler)

    @property
    def url(self) -> str:
        return f"{self.origin}/hook"
