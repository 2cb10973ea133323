"""WSGI middleware in front of the moto server application.

For each signed AWS request it applies fault rules, then documented limits, and
only then lets moto answer. Requests under ``/_emulator/`` go to the control
surface instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from io import BytesIO
from typing import Any

from . import limits, vended_credentials
from .caller import answering
from .calllog import CallLog
from .calls import identify
from .control import PREFIX, ControlSurface, StartResponse
from .errors import AwsError, internal_failure, render, throttling
from .extensions.sns_http_subscriptions import serve_link
from .faults import FaultInjector
from .limits import ViolationLog

WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class EmulatorMiddleware:
    def __init__(
        self,
        app: WsgiApp,
        faults: FaultInjector,
        violations: ViolationLog,
        reset: Callable[[], None],
        calls: CallLog,
        cadence: Callable[..., dict[str, float]] | None = None,
    ) -> None:
        self._app = app
        self._faults = faults
        self._violations = violations
        self._calls = calls
        self._control = ControlSurface(faults, violations, reset, calls, cadence)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = _buffer_body(environ)
        if environ.get("PATH_INFO", "").startswith(PREFIX):
            return self._control(environ, body, start_response)

        call = identify(environ, body)
        if call is None:
            # An SNS SubscribeURL or UnsubscribeURL, visited without a signature as in AWS.
            link = serve_link(environ, start_response)
            if link is not None:
                return link
            return self._app(environ, start_response)
        self._calls.record(call)

        decision = self._faults.decide(call)
        if decision.delay_ms:
            # In this request's thread and outside every lock: concurrent calls wait together.
            time.sleep(decision.delay_ms / 1000)
        error: AwsError | None = None
        if decision.error_kind == "throttle":
            error = throttling(call)
        elif decision.error_kind == "server_error":
            error = internal_failure(call)
        elif broken := limits.check(call):
            violation, error = broken
            self._violations.record(violation)
        else:
            error = vended_credentials.check(call, environ)

        if error is None:
            with answering(call):
                # moto answers within this call (the body is built before it returns).
                return list(self._app(environ, start_response))
        status, headers, data = render(call, error)
        headers.append(("Content-Length", str(len(data))))
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [data]


def _buffer_body(environ: dict[str, Any]) -> bytes:
    """Read the request body once and put it back for the wrapped app."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return b""
    body: bytes = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = BytesIO(body)
    return body
