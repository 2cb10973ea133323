"""Run the emulator in the foreground: ``python -m meshcore_emulator --port 4566``.

Prints one JSON line with the endpoint once it accepts requests, and stops
cleanly on SIGINT or SIGTERM. ``--latency-ms 30`` (or MESHCORE_EMULATOR_LATENCY_MS) delays
every AWS call by 30 ms, as a realistic AWS round trip; ``--latency-ms glue=30,sqs=10`` per
service. At run time: ``POST /_emulator/faults {"kind": "latency", "latency_ms": 30}``.
``--sqs-metrics-seconds 1 --alarm-seconds 1`` (or MESHCORE_EMULATOR_SQS_METRICS_SECONDS,
MESHCORE_EMULATOR_ALARM_SECONDS) publish SQS's CloudWatch metrics and evaluate alarms every
second instead of every minute; at run time: ``POST /_emulator/cloudwatch``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import sys
import threading
from types import FrameType

from .embedded import EmbeddedAws
from .faults import parse_latency

LATENCY_VARIABLE = "MESHCORE_EMULATOR_LATENCY_MS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="meshcore-emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=4566, help="port to bind, 0 = any free port")
    parser.add_argument(
        "--without-speed-extensions",
        action="store_true",
        help="leave out the extensions that only make moto faster (benchmark baseline)",
    )
    parser.add_argument(
        "--latency-ms",
        type=_latency,
        default=os.environ.get(LATENCY_VARIABLE, ""),  # a string default goes through `type`
        metavar="MS|SERVICE=MS,...",
        help=f"a fixed delay on every AWS call, or per service (default: ${LATENCY_VARIABLE}, "
        "else none)",
    )
    parser.add_argument(
        "--sqs-metrics-seconds",
        type=float,
        default=None,
        help="how often SQS publishes its CloudWatch metrics (default: "
        "$MESHCORE_EMULATOR_SQS_METRICS_SECONDS, else 60, as AWS)",
    )
    parser.add_argument(
        "--alarm-seconds",
        type=float,
        default=None,
        help="how often CloudWatch evaluates alarms (default: $MESHCORE_EMULATOR_ALARM_SECONDS, "
        "else 60, as AWS)",
    )
    args = parser.parse_args(argv)

    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    aws = EmbeddedAws.start(
        host=args.host,
        port=args.port,
        speed=not args.without_speed_extensions,
        latency=args.latency_ms,
        sqs_metrics_interval=args.sqs_metrics_seconds,
        alarm_interval=args.alarm_seconds,
    )
    if not args.without_speed_extensions:
        # What is loaded by now lives as long as the process: keep it out of every full garbage
        # collection, whose pauses otherwise grow with it (a speed measure, like the extensions).
        gc.freeze()
    _log({"event": "ready", "endpoint_url": aws.endpoint_url})
    try:
        stopping.wait()
    finally:
        aws.stop()
        _log({"event": "stopped", "endpoint_url": aws.endpoint_url})
    return 0


def _latency(spec: str) -> dict[str, int]:
    try:
        return parse_latency(spec)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _log(record: dict[str, str]) -> None:
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    sys.exit(main())
