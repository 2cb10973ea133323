"""EmbeddedAws: the moto server, extended, running on a background thread."""

from __future__ import annotations

import os
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
from .extensions import install_all, ram_invitations, sns_http_subscriptions
from .extensions.cloudwatch_alarms import AlarmEvaluator
from .extensions.eventbridge_schedules import Scheduler
from .extensions.http_keep_alive import KeepAliveMixin, close_connections
from .extensions.sqs_cloudwatch_metrics import SqsMetricsPublisher
from .faults import FaultInjector
from .limits import Violation, ViolationLog
from .middleware import EmulatorMiddleware

SQS_METRICS_VARIABLE = "MESHCORE_EMULATOR_SQS_METRICS_SECONDS"
ALARM_VARIABLE = "MESHCORE_EMULATOR_ALARM_SECONDS"
DEFAULT_CADENCE_SECONDS = 60.0


def cadence_from_environment(variable: str) -> float:
    """A cadence in seconds from `variable`, else 60 (AWS's one minute)."""
    value = os.environ.get(variable, "").strip()
    if not value:
        return DEFAULT_CADENCE_SECONDS
    seconds = float(value)
    if seconds <= 0:
        raise ValueError(f"{variable} must be a positive number of seconds, not {value!r}")
    return seconds


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
        sqs_metrics_interval: float | None = None,
        alarm_interval: float | None = None,
    ):
        self._server = server
        self._violations = violations
        self._latency = dict(latency or {})
        self.faults = faults
        self.calls = calls
        self.schedules = Scheduler()
        self._cadence = {
            "sqs_metrics_seconds": cadence_from_environment(SQS_METRICS_VARIABLE)
            if sqs_metrics_interval is None
            else sqs_metrics_interval,
            "alarm_seconds": cadence_from_environment(ALARM_VARIABLE)
            if alarm_interval is None
            else alarm_interval,
        }
        self.sqs_metrics = SqsMetricsPublisher()
        self.alarms = AlarmEvaluator()
        self.set_cadence(**self._cadence)  # refuses a cadence that is not positive
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
        sqs_metrics_interval: float | None = None,
        alarm_interval: float | None = None,
    ) -> EmbeddedAws:
        """Install the extensions and serve on ``host:port`` (0 = any free port).

        ``speed=False`` leaves out the extensions that only make moto faster (for the
        benchmark's before/after; it has no effect once they are installed in the process).
        ``latency`` delays every call by a fixed time, per service (``{"*": 30}``: 30 ms on
        every call; ``{"glue": 30}``: on Glue's); it is kept across resets.
        ``sqs_metrics_interval`` and ``alarm_interval`` are how often (seconds) SQS publishes
        its CloudWatch metrics and CloudWatch evaluates alarms (default: 60, as AWS, or
        MESHCORE_EMULATOR_SQS_METRICS_SECONDS / MESHCORE_EMULATOR_ALARM_SECONDS); a reset
        restores them.
        """
        for seconds in (sqs_metrics_interval, alarm_interval):
            if seconds is not None and seconds <= 0:
                raise ValueError(f"a cadence must be a positive number of seconds, not {seconds}")
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
            cadence=lambda **seconds: holder[0].set_cadence(**seconds),
        )
        handler = _KeepAliveRequestHandler if speed else _QuietRequestHandler
        server = make_server(host, port, app, threaded=True, request_handler=handler)
        aws = cls(server, faults, violations, calls, latency, sqs_metrics_interval, alarm_interval)
        aws._add_latency()
        holder.append(aws)
        aws._thread.start()
        aws.schedules.run_in_background()
        sns_http_subscriptions.set_endpoint(aws.endpoint_url)
        aws.sqs_metrics.run_in_background()
        aws.alarms.run_in_background()
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
        sns_http_subscriptions.forget()
        ram_invitations.forget()
        # moto's state is the process's: links in SNS messages point at the instance reset last.
        sns_http_subscriptions.set_endpoint(self.endpoint_url)
        self.set_cadence(**self._cadence)

    def set_cadence(
        self, sqs_metrics_seconds: float | None = None, alarm_seconds: float | None = None
    ) -> dict[str, float]:
        """How often SQS publishes its CloudWatch metrics and CloudWatch evaluates alarms
        (seconds; None keeps one); returns both."""
        if sqs_metrics_seconds is not None:
            self.sqs_metrics.set_interval(float(sqs_metrics_seconds))
        if alarm_seconds is not None:
            self.alarms.set_interval(float(alarm_seconds))
        return {
            "sqs_metrics_seconds": self.sqs_metrics.interval,
            "alarm_seconds": self.alarms.interval,
        }

    def _add_latency(self) -> None:
        for service, ms in self._latency.items():
            if ms:
                self.faults.add(service=service, kind="latency", latency_ms=ms)

    def stop(self) -> None:
        self.schedules.stop()
        self.sqs_metrics.stop()
        self.alarms.stop()
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
