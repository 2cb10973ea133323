"""EmbeddedAws: the moto server, extended, running on a background thread."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from . import caller, vended_credentials
from .calllog import CallLog
from .extensions import install_all
from .extensions.eventbridge_schedules import Scheduler
from .extensions.http_keep_alive import KeepAliveMixin, close_connections
from .faults import FaultInjector
from .limits import Violation, ViolationLog
from .middleware import EmulatorMiddleware


class _QuietRequestHandler(MotoRequestHandler):  # type: ignore[misc]
    """moto's request handler without werkzeug's one-line-per-request log."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class _KeepAliveRequestHandler(KeepAliveMixin, _QuietRequestHandler):
    """The same, keeping connections open between requests (extensions/http_keep_alive.py)."""


class EmbeddedAws:
    """An in-process AWS emulator listening on ``endpoint_url``.

    moto keeps its state per process, so every EmbeddedAws in one process shares
    the same AWS accounts; ``reset`` clears them all.
    """

    def __init__(
        self,
        server: BaseWSGIServer,
        faults: FaultInjector,
        violations: ViolationLog,
        calls: CallLog,
        latency: Mapping[str, int] | None = None,
    ):
        self._server = server
        self._violations = violations
        self._latency = dict(latency or {})
        self.faults = faults
        self.calls = calls
        self.schedules = Scheduler()
        self._thread = threading.Thread(
            target=server.serve_forever, name="meshcore-emulator", daemon=True
        )

    @classmethod
    def start(
        cls,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: bool = True,
        latency: Mapping[str, int] | None = None,
    ) -> EmbeddedAws:
        """Install the extensions and serve on ``host:port`` (0 = any free port).

        ``speed=False`` leaves out the extensions that only make moto faster (for the
        benchmark's before/after; it has no effect once they are installed in the process).
        ``latency`` delays every call by a fixed time, per service (``{"*": 30}``: 30 ms on
        every call; ``{"glue": 30}``: on Glue's); it is kept across resets.
        """
        install_all(speed=speed)
        faults = FaultInjector()
        violations = ViolationLog()
        calls = CallLog()
        # The middleware needs reset before the instance exists; bind it late.
        holder: list[EmbeddedAws] = []
        app = EmulatorMiddleware(
            DomainDispatcherApplication(create_backend_app),
            faults,
            violations,
            reset=lambda: holder[0].reset(),
            calls=calls,
        )
        handler = _KeepAliveRequestHandler if speed else _QuietRequestHandler
        server = make_server(host, port, app, threaded=True, request_handler=handler)
        aws = cls(server, faults, violations, calls, latency)
        aws._add_latency()
        holder.append(aws)
        aws._thread.start()
        aws.schedules.run_in_background()
        return aws

    @property
    def endpoint_url(self) -> str:
        host = f"[{self._server.host}]" if ":" in self._server.host else self._server.host
        return f"http://{host}:{self._server.port}"

    @property
    def violations(self) -> list[Violation]:
        """Limit violations seen since start or the last reset."""
        return self._violations.snapshot()

    def reset(self) -> None:
        """Reset every moto backend, fault rule and recorded violation (the latency given at
        start stays)."""
        moto_api_backend.reset()
        caller.forget()
        vended_credentials.forget()
        self.faults.clear()
        self._add_latency()
        self._violations.clear()
        self.calls.clear()
        self.schedules.forget()

    def _add_latency(self) -> None:
        for service, ms in self._latency.items():
            if ms:
                self.faults.add(service=service, kind="latency", latency_ms=ms)

    def stop(self) -> None:
        self.schedules.stop()
        self._server.shutdown()
        self._server.server_close()
        close_connections(self._server)
        self._thread.join(timeout=10)

    def __enter__(self) -> EmbeddedAws:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
