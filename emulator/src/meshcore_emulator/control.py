"""HTTP control surface under ``/_emulator/`` so other processes can drive the emulator.

Endpoints::

    GET    /_emulator/health      -> {"status": "ok"}
    GET    /_emulator/faults      -> {"faults": [...]}
    POST   /_emulator/faults      body: the keyword arguments of FaultInjector.add, e.g. a fixed
                                  latency: {"kind": "latency", "latency_ms": 30, "service": "glue"}
    DELETE /_emulator/faults      removes every fault rule (?kind=latency: only those of a kind)
    GET    /_emulator/violations  -> {"violations": [...]}
    DELETE /_emulator/violations  forgets recorded limit violations
    GET    /_emulator/calls       -> {"calls": {"glue:GetTable": 12, ...},
                                      "principals": [{"principal": {"access_key_id", "account",
                                      "role_arn", "role_name", "session_name"}, "calls": {...},
                                      "actions": ["glue:GetTable", ...]}, ...]}
    DELETE /_emulator/calls       forgets the calls
    POST   /_emulator/reset       resets every AWS backend, faults and violations
    POST   /_emulator/cloudwatch  body: {"sqs_metrics_seconds": 1, "alarm_seconds": 1}: how often
                                  SQS publishes its metrics and CloudWatch evaluates alarms
                                  (default 60, as AWS; a reset restores the start's)
    POST   /_emulator/ram         body: {"advance_seconds": s, "invitation_expiry_seconds": s}
                                  (either or both): makes time pass for RAM's invitations, and
                                  sets how long one stays pending before it expires (default
                                  seven days, as AWS; a reset restores both)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from .calllog import CallLog
from .extensions import ram_invitations
from .faults import FaultInjector
from .limits import ViolationLog

PREFIX = "/_emulator/"

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class ControlSurface:
    faults: FaultInjector
    violations: ViolationLog
    reset: Callable[[], None]
    calls: CallLog
    cadence: Callable[..., dict[str, float]] | None = None

    def __call__(
        self, environ: dict[str, Any], body: bytes, start_response: StartResponse
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        route = environ.get("PATH_INFO", "")[len(PREFIX) :].strip("/")
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        status, payload = self._dispatch(method, route, body, query)
        data = json.dumps(payload).encode()
        start_response(
            f"{status.value} {status.phrase}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def _dispatch(
        self, method: str, route: str, body: bytes, query: dict[str, str]
    ) -> tuple[HTTPStatus, Any]:
        ok = {"status": "ok"}
        match method, route:
            case "GET", "health":
                return HTTPStatus.OK, ok
            case "GET", "faults":
                return HTTPStatus.OK, {"faults": [f.to_dict() for f in self.faults.list()]}
            case "POST", "faults":
                return self._add_fault(body)
            case "DELETE", "faults":
                try:
                    self.faults.clear(query.get("kind"))
                except ValueError as error:
                    return HTTPStatus.BAD_REQUEST, {"error": str(error)}
                return HTTPStatus.OK, ok
            case "GET", "violations":
                violations = [v.to_dict() for v in self.violations.snapshot()]
                return HTTPStatus.OK, {"violations": violations}
            case "DELETE", "violations":
                self.violations.clear()
                return HTTPStatus.OK, ok
            case "GET", "calls":
                principals = [p.to_dict() for p in self.calls.by_principal()]
                return HTTPStatus.OK, {"calls": self.calls.snapshot(), "principals": principals}
            case "DELETE", "calls":
                self.calls.clear()
                return HTTPStatus.OK, ok
            case "POST", "cloudwatch" if self.cadence is not None:
                return self._set_cadence(body)
            case "POST", "ram":
                return self._ram_clock(body)
            case "POST", "reset":
                self.reset()
                return HTTPStatus.OK, ok
        return HTTPStatus.NOT_FOUND, {"error": f"no control endpoint {method} {PREFIX}{route}"}

    def _set_cadence(self, body: bytes) -> tuple[HTTPStatus, Any]:
        assert self.cadence is not None
        try:
            spec = json.loads(body or b"{}")
            if not isinstance(spec, dict) or set(spec) - {"sqs_metrics_seconds", "alarm_seconds"}:
                raise TypeError('the body must be {"sqs_metrics_seconds": s, "alarm_seconds": s}')
            cadence = self.cadence(**spec)
        except (ValueError, TypeError) as error:
            return HTTPStatus.BAD_REQUEST, {"error": str(error)}
        return HTTPStatus.OK, {"cadence": cadence}

    def _ram_clock(self, body: bytes) -> tuple[HTTPStatus, Any]:
        try:
            spec = json.loads(body or b"{}")
            if not isinstance(spec, dict) or set(spec) - {
                "advance_seconds",
                "invitation_expiry_seconds",
            }:
                raise TypeError(
                    'the body must be {"advance_seconds": s, "invitation_expiry_seconds": s}'
                )
            if "invitation_expiry_seconds" in spec:
                ram_invitations.set_expiry(float(spec["invitation_expiry_seconds"]))
            if "advance_seconds" in spec:
                ram_invitations.advance(float(spec["advance_seconds"]))
        except (ValueError, TypeError) as error:
            return HTTPStatus.BAD_REQUEST, {"error": str(error)}
        return HTTPStatus.OK, {"ram": ram_invitations.clock()}

    def _add_fault(self, body: bytes) -> tuple[HTTPStatus, Any]:
        try:
            spec = json.loads(body or b"{}")
            if not isinstance(spec, dict):
                raise TypeError("the body must be a JSON object")
            fault = self.faults.add(**spec)
        except (ValueError, TypeError) as error:
            return HTTPStatus.BAD_REQUEST, {"error": str(error)}
        return HTTPStatus.CREATED, {"fault": fault.to_dict()}
