"""meshctl classification review and catalog repair: arguments in, the action's answer out."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, TextIO

from meshcore.actions.context import Central
from meshcore.actions.operations import queue_repair, wait_for_repair
from meshcore.actions.review import (
    change_auto_accept,
    decide_recommendation,
    queue_scan,
    recommendations,
)
from meshcore.cli.common import (
    AddCommand,
    UsageError,
    add_actor_option,
    on_central,
)
from meshcore.cli.output import emit_json, table
from meshcore.domain.access import TableName
from meshcore.domain.classification import parse_sensitivity_class
from meshcore.domain.recommendations import RecommendationState
from meshcore.domain.repair import RepairReport, RepairStatus
from meshcore.messages.commands import RepairCommand
from meshcore.settings import MeshSettings


def cmd_review(args: argparse.Namespace, settings: MeshSettings) -> int:
    if args.action != "list" and not args.ids:
        raise UsageError(f"review {args.action} needs at least one recommendation ID")
    to = RecommendationState.ACCEPTED if args.action == "accept" else RecommendationState.REJECTED

    async def go(c: Central) -> list[Any]:
        if args.action == "list":
            return await recommendations(c, args.producer, args.state)
        return [await decide_recommendation(c, rec_id, to, args.by) for rec_id in args.ids]

    recs = on_central(settings, go)
    if args.json:
        emit_json([{"id": r.recommendation_id, **r.model_dump(mode="json")} for r in recs])
        return 0
    print(
        table(
            ["ID", "STATE", "COLUMN", "CLASS", "CONF", "EXPLANATION"],
            [
                [
                    r.recommendation_id,
                    r.state.value,
                    f"{r.database}.{r.table}.{r.column}",
                    r.sensitivity_class,
                    f"{r.confidence:.2f}",
                    r.explanation,
                ]
                for r in recs
            ],
        )
    )
    return 0


def _policy_changes(args: argparse.Namespace) -> dict[str, float | None]:
    """CLASS=THRESHOLD settings and removals from the command line (None removes)."""
    changes: dict[str, float | None] = {}
    for item in args.auto_accept or []:
        name, sep, threshold = item.partition("=")
        cls = parse_sensitivity_class(name).value
        try:
            value = float(threshold) if sep else -1.0
        except ValueError:
            value = -1.0
        if not 0.0 <= value <= 1.0:
            raise UsageError(f"--auto-accept {item!r}: give CLASS=THRESHOLD, 0 <= THRESHOLD <= 1")
        changes[cls] = value
    for name in args.remove or []:
        changes[parse_sensitivity_class(name).value] = None
    return changes


def cmd_policy(args: argparse.Namespace, settings: MeshSettings) -> int:
    changes = _policy_changes(args)

    policy, changed = on_central(
        settings, lambda c: change_auto_accept(c, args.account, changes, args.by, args.clear)
    )
    if args.json:
        emit_json({"account": args.account, "auto_accept": policy, "changed": changed})
        return 0
    if not policy:
        print(f"producer {args.account}: every recommendation is reviewed (no auto-accept)")
    else:
        print(f"producer {args.account} auto-accepts:")
        print(
            table(
                ["CLASS", "MIN CONFIDENCE"],
                [[cls, f"{threshold:.2f}"] for cls, threshold in sorted(policy.items())],
            )
        )
    return 0


def cmd_classify(args: argparse.Namespace, settings: MeshSettings) -> int:
    name = TableName.parse(args.table)

    message_id = on_central(settings, lambda c: queue_scan(c, name, "meshctl classify"))
    print(f"scan of {name} queued ({message_id})")
    return 0


def cmd_repair(args: argparse.Namespace, settings: MeshSettings) -> int:
    async def go(c: Central) -> tuple[RepairCommand, RepairReport | None]:
        command = await queue_repair(c, args.producer)
        if not args.wait:
            return command, None
        progress = (lambda _report: None) if args.json else RepairProgress()
        report = await wait_for_repair(c, command.repair_id, args.timeout, progress)
        if not args.json and sys.stderr.isatty():
            sys.stderr.write("\n")
        return command, report

    command, report = on_central(settings, go)
    if report is None:
        if args.json:
            emit_json({"repair_id": command.repair_id, "queued": True})
        else:
            print(f"{command.repair_id} queued on {settings.queues.catalog_changes}")
        return 0
    if args.json:
        emit_json(report.model_dump(mode="json") | {"drift_total": report.drift_total})
    else:
        print(render_repair(report))
    return 0 if report.status is RepairStatus.SUCCEEDED else 1


# Off a terminal (a log, CI), a progress line this often rather than a redrawn bar.
PROGRESS_LINE_EVERY_SECONDS = 5.0


class RepairProgress:
    """`repair --wait`'s progress on stderr: a bar redrawn in place on a terminal, else a
    line every few seconds and whenever the repair finishes."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self._last_line_at: float | None = None

    def __call__(self, report: RepairReport) -> None:
        # Shards are counted as they fan out: the total grows while producers and databases
        # are listed, so the bar tells what is known so far.
        total = max(report.shards_total, 1)
        filled = round(20 * report.shards_done / total)
        line = (
            f"[{'#' * filled}{'.' * (20 - filled)}] {report.shards_done}/{report.shards_total} "
            f"shards, {report.producers_done}/{report.producers_total} producers, "
            f"{report.databases_checked} databases, {report.tables_checked} tables checked, "
            f"drift {report.drift_total}"
        )
        if self.stream.isatty():
            self.stream.write("\r" + line)
        else:
            now = time.monotonic()
            finished = report.status is not RepairStatus.RUNNING
            due = (
                self._last_line_at is None
                or now - self._last_line_at >= PROGRESS_LINE_EVERY_SECONDS
            )
            if not (due or finished):
                return
            self._last_line_at = now
            self.stream.write(f"{report.repair_id}: {line}\n")
        self.stream.flush()


def render_repair(report: RepairReport) -> str:
    lines = [
        f"{report.repair_id} {report.status.value} in {report.duration_seconds or 0:.1f} s: "
        f"{report.producers_done} producers, {report.databases_checked} databases, "
        f"{report.tables_checked} tables checked, drift {report.drift_total}"
    ]
    lines += [f"  {kind:<20} {count}" for kind, count in sorted(report.drift.items())]
    lines += [f"  error: {e}" for e in report.errors]
    return "\n".join(lines)


def register(add: AddCommand) -> None:
    p = add("review", cmd_review, "review sensitive-column recommendations")
    p.add_argument("action", choices=["list", "accept", "reject"])
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--producer", help="only this producer account's tables")
    p.add_argument(
        "--state",
        default="pending",
        choices=[*(s.value for s in RecommendationState), "all"],
    )
    add_actor_option(p, "--by", "who decides")
    p = add(
        "policy",
        cmd_policy,
        "show or set a producer's auto-accept policy (classes accepted above a confidence)",
    )
    p.add_argument("account", help="producer AWS account id")
    p.add_argument(
        "--auto-accept",
        action="append",
        metavar="CLASS=THRESHOLD",
        help="accept CLASS without review from this confidence on (repeatable)",
    )
    p.add_argument("--remove", action="append", metavar="CLASS", help="review CLASS again")
    p.add_argument("--clear", action="store_true", help="review every class")
    add_actor_option(p, "--by", "who changes the policy")
    p = add("classify", cmd_classify, "queue a classification scan of a central table")
    p.add_argument("table", metavar="DB.TABLE")
    p = add(
        "repair", cmd_repair, "queue a full comparison of producer catalogs with the central one"
    )
    p.add_argument("--producer", help="only this producer account")
    p.add_argument("--wait", action="store_true", help="follow its progress and print the report")
    p.add_argument("--timeout", type=float, default=1800, help="seconds to wait (with --wait)")
