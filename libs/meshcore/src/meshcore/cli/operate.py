"""meshctl status and dlq: the operator's view of the running mesh."""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from meshcore.actions.context import Central
from meshcore.actions.operations import (
    LOOKING_COSTS,
    dead_letters,
    find_dead_letter,
    redrive,
    status,
)
from meshcore.cli.common import AddCommand, on_central, positive
from meshcore.cli.output import emit_json, table
from meshcore.settings import MeshSettings


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def cmd_status(args: argparse.Namespace, settings: MeshSettings) -> int:
    facts = on_central(settings, status)
    if args.json:
        emit_json(facts)
        return 0
    verdict = facts["health"]
    print(
        "health: ok"
        if verdict["status"] == "ok"
        else f"health: DEGRADED: {'; '.join(verdict['problems'])}"
    )
    print(
        table(
            ["QUEUE", "DEPTH", "IN FLIGHT", "DEAD LETTERS", "OLDEST DEAD"],
            [
                [
                    q["queue"],
                    q["depth"],
                    q["in_flight"],
                    q["dead_letters"] or "-",
                    _age(q["oldest_dead_letter_age_s"]),
                ]
                for q in facts["queues"]
            ],
        )
    )
    repair = facts["last_repair"]
    if repair is None:
        print("\nlast repair: none yet (`meshctl repair --wait`)")
    else:
        finished = repair["finished_at"]
        ago = (
            _age((datetime.now(UTC) - datetime.fromisoformat(finished)).total_seconds()) + " ago"
            if finished
            else "running"
        )
        print(
            f"\nlast repair: {repair['repair_id']} {repair['status']} {ago}, "
            f"drift {repair['drift_total']}, errors {repair['errors']}"
        )
    print(
        f"requests: {facts['pending_requests']} pending, {facts['granted_requests']} granted; "
        f"recommendations: {facts['pending_recommendations']} pending review"
    )
    firing = [a["name"] for a in facts["alarms"] if a["state"] == "ALARM"]
    print(
        f"alarms: {len(facts['alarms'])} defined, "
        + (f"IN ALARM: {', '.join(firing)}" if firing else "none in alarm")
    )
    return 0


def cmd_dlq(args: argparse.Namespace, settings: MeshSettings) -> int:
    async def go(c: Central) -> Any:
        if args.action == "list":
            return await dead_letters(c, args.target)
        if args.action == "show":
            return await find_dead_letter(c, args.target)
        return await redrive(c, args.target, args.limit)

    result = on_central(settings, go)
    if args.action == "redrive":
        if args.json:
            emit_json({"queue": args.target, "moved": result})
        else:
            queue = args.target.removesuffix("-dlq")
            print(f"moved {result} messages from {queue}-dlq back to {queue}")
        return 0
    if args.action == "show":
        if args.json:
            emit_json(asdict(result))
        else:
            attempts = result.attempts if result.attempts is not None else "not recorded"
            print(
                f"message {result.message_id} in {result.queue}-dlq: worker attempts {attempts}, "
                f"received {result.receive_count} times in all ({LOOKING_COSTS})"
            )
            print(
                f"reason: {result.reason or 'not recorded (see the worker log for this message id)'}"
            )
            print(f"body:\n{result.body}")
        return 0
    if args.json:
        emit_json([asdict(d) for d in result])
        return 0
    if not result:
        print(f"{args.target.removesuffix('-dlq')}-dlq is empty")
        return 0
    now = time.time()
    print(
        table(
            ["MESSAGE ID", "AGE", "ATTEMPTS", "RECEIVES", "BODY", "REASON"],
            [
                [
                    d.message_id,
                    _age(now - d.sent_at),
                    d.attempts if d.attempts is not None else "-",
                    d.receive_count,
                    d.body[:40].replace("\n", " "),
                    d.reason or "not recorded (see the worker log for this message id)",
                ]
                for d in result
            ],
        )
    )
    print(f"\n{LOOKING_COSTS}.")
    return 0


def register(add: AddCommand) -> None:
    add("status", cmd_status, "queues, dead letters, last repair, pending work and alarms")
    p = add("dlq", cmd_dlq, "inspect dead-lettered messages and move them back")
    p.add_argument("action", choices=["list", "show", "redrive"])
    p.add_argument(
        "target", metavar="QUEUE|MESSAGE_ID", help="a queue (list, redrive) or a message id (show)"
    )
    p.add_argument("--limit", type=positive, help="redrive at most this many messages")
