"""meshctl status and dlq: the operator's view of the running mesh."""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from meshcore.actions.context import central
from meshcore.actions.operations import dead_letters, find_dead_letter, redrive, status
from meshcore.cli.common import AddCommand
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
    async def go() -> dict[str, Any]:
        async with central(settings) as c:
            return await status(c)

    facts = asyncio.run(go())
    if args.json:
        emit_json(facts)
        return 0
    print(f"health: {facts['health']}" + "".join(f"\n  {p}" for p in facts["problems"]) + "\n")
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
    async def go() -> Any:
        async with central(settings) as c:
            if args.action == "list":
                return await dead_letters(c, args.target)
            if args.action == "show":
                return await find_dead_letter(c, args.target)
            return await redrive(c, args.target, args.limit)

    result = asyncio.run(go())
    if args.action == "redrive":
        if args.json:
            emit_json({"queue": args.target, "moved": result})
        else:
            print(f"moved {result} messages from {args.target}-dlq back to {args.target}")
        return 0
    if args.action == "show":
        if args.json:
            emit_json(asdict(result))
        else:
            print(
                f"message {result.message_id} in {result.queue}-dlq, received {result.receive_count} times"
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
        print(f"{args.target}-dlq is empty")
        return 0
    now = time.time()
    print(
        table(
            ["MESSAGE ID", "AGE", "RECEIVES", "REASON", "BODY"],
            [
                [
                    d.message_id,
                    _age(now - d.sent_at),
                    d.receive_count,
                    (d.reason or "-")[:60],
                    d.body[:40].replace("\n", " "),
                ]
                for d in result
            ],
        )
    )
    return 0


def register(add: AddCommand) -> None:
    add("status", cmd_status, "queues, dead letters, last repair, pending work and alarms")
    p = add("dlq", cmd_dlq, "inspect dead-lettered messages and move them back")
    p.add_argument("action", choices=["list", "show", "redrive"])
    p.add_argument(
        "target", metavar="QUEUE|MESSAGE_ID", help="a queue (list, redrive) or a message id (show)"
    )
    p.add_argument("--limit", type=int, help="redrive at most this many messages")
