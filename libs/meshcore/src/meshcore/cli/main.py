"""meshctl entry point: parse, run one command, print one clear line on failure."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from meshcore.actions.access import open_request, post_decision
from meshcore.actions.context import central
from meshcore.actions.review import decide_recommendation
from meshcore.aws.clients import SyncAws
from meshcore.cli.output import emit_json, table
from meshcore.domain.access import AccessRequest, TableName
from meshcore.domain.errors import MeshError
from meshcore.domain.recommendations import RecommendationState
from meshcore.domain.registry import Consumer, Producer
from meshcore.domain.repair import RepairReport, RepairStatus
from meshcore.messages.commands import ClassificationScanRequest, RepairCommand
from meshcore.messages.contracts import write_schemas
from meshcore.provisioning.central import bootstrap_central
from meshcore.provisioning.onboarding import onboard_consumer, onboard_producer
from meshcore.provisioning.result import Provisioned
from meshcore.settings import MeshSettings

Command = Callable[[argparse.Namespace, MeshSettings], int]


class UsageError(Exception):
    """A mistake in how meshctl was called."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake costs one line that says how to get help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _report(args: argparse.Namespace, what: str, result: Provisioned, **extra: Any) -> int:
    if args.json:
        emit_json(
            {
                "changed": result.changed,
                "steps": [{"resource": r, "outcome": o} for r, o in result.steps],
                **extra,
            }
        )
        return 0
    for resource, outcome in result.steps:
        print(f"  {outcome:<8} {resource}")
    print(
        f"{what}: {'done' if result.changed else 'nothing to change, everything already in place'}"
    )
    return 0


def _member(settings: MeshSettings, account: str, via_role: str | None) -> SyncAws:
    """Credentials in a member account: assume `via_role` there, or use the current ones."""
    aws = SyncAws(settings)
    role = via_role or settings.onboarding_role
    if role:
        return aws.assumed(settings.role_arn(account, role), "meshctl-onboarding")
    current = aws.account_id()
    if current != account:
        raise UsageError(
            f"current credentials are for account {current}, not {account}: pass --via-role ROLE "
            "(a role in that account you may assume) or use that account's credentials"
        )
    return aws


def cmd_bootstrap(args: argparse.Namespace, settings: MeshSettings) -> int:
    return _report(args, "bootstrap", bootstrap_central(SyncAws(settings), settings))


def cmd_onboard_producer(args: argparse.Namespace, settings: MeshSettings) -> int:
    member = _member(settings, args.account, args.via_role)
    result, role_arn = onboard_producer(SyncAws(settings), member, settings, args.account)
    producer = Producer(
        account_id=args.account,
        domain=args.domain,
        read_role_arn=role_arn,
        owners=args.owner,
        allow_sampling=args.allow_sampling,
    )

    async def register() -> bool:
        async with central(settings) as c:
            existing = await c.state.get_producer(args.account)
            if existing and existing.model_dump(exclude={"onboarded_at"}) == producer.model_dump(
                exclude={"onboarded_at"}
            ):
                return False
            other = await c.state.producer_for_domain(args.domain)
            if other and other.account_id != args.account:
                raise UsageError(
                    f"domain {args.domain!r} already belongs to producer {other.account_id}"
                )
            await c.state.put_producer(producer)
            await c.audit.record(
                f"producer/{args.account}", "producer.onboarded", "meshctl", domain=args.domain
            )
            return True

    result.add(
        f"registry producer {args.account} ({args.domain})",
        "created" if asyncio.run(register()) else "exists",
    )
    return _report(args, f"onboard-producer {args.account}", result, read_role_arn=role_arn)


def cmd_onboard_consumer(args: argparse.Namespace, settings: MeshSettings) -> int:
    member = _member(settings, args.account, args.via_role)
    result, role_arn = onboard_consumer(member, settings)

    async def register() -> bool:
        async with central(settings) as c:
            if await c.state.get_consumer(args.account):
                return False
            await c.state.put_consumer(Consumer(account_id=args.account, admin_role_arn=role_arn))
            return True

    result.add(
        f"registry consumer {args.account}", "created" if asyncio.run(register()) else "exists"
    )
    return _report(args, f"onboard-consumer {args.account}", result, admin_role_arn=role_arn)


def cmd_request(args: argparse.Namespace, settings: MeshSettings) -> int:
    if not (args.consumer_account.isdigit() and len(args.consumer_account) == 12):
        raise UsageError(
            f"--consumer-account {args.consumer_account!r} is not a 12-digit AWS account id"
        )
    try:
        draft = AccessRequest(
            consumer_account=args.consumer_account,
            principal_arn=args.principal,
            tables=[TableName.parse(t) for t in args.table],
            columns=args.columns or [],
            purpose=args.purpose,
            duration_days=args.duration,
        )
    except (ValueError, ValidationError) as exc:
        raise UsageError(_first_error(exc)) from exc

    async def go() -> AccessRequest:
        async with central(settings) as c:
            return await open_request(c, draft, args.requester)

    request = asyncio.run(go())
    if args.json:
        emit_json(request.model_dump(mode="json"))
    else:
        print(
            f"{request.request_id} pending: routed to {', '.join(request.owners)} for "
            f"{', '.join(str(t) for t in request.tables)}"
        )
    return 0


def cmd_decide(args: argparse.Namespace, settings: MeshSettings) -> int:
    async def go() -> Any:
        async with central(settings) as c:
            return await post_decision(
                c,
                args.request_id,
                args.decision,
                args.approver,
                args.ticket,
                [TableName.parse(t) for t in args.table] if args.table else None,
                args.sensitive_column,
                timedelta(days=args.valid_days) if args.valid_days else None,
            )

    signed = asyncio.run(go())
    if args.json:
        emit_json(signed.model_dump(mode="json"))
    else:
        print(
            f"posted signed {args.decision} of {args.request_id} (ticket {signed.decision.ticket_id}) "
            f"to {settings.queues.approvals}"
        )
    return 0


def cmd_requests(args: argparse.Namespace, settings: MeshSettings) -> int:
    async def go() -> list[AccessRequest]:
        async with central(settings) as c:
            return await c.state.list_requests()

    requests = sorted(asyncio.run(go()), key=lambda r: r.created_at)
    if args.json:
        emit_json([r.model_dump(mode="json") for r in requests])
        return 0
    print(
        table(
            ["ID", "STATE", "GRANTEE", "TABLES", "EXPIRES", "NOTE"],
            [
                [
                    r.request_id,
                    r.state.value,
                    r.grantee,
                    ",".join(str(t) for t in r.tables),
                    r.expires_at.date() if r.expires_at else "-",
                    r.last_refusal or r.state_reason,
                ]
                for r in requests
            ],
        )
    )
    return 0


def cmd_review(args: argparse.Namespace, settings: MeshSettings) -> int:
    async def go() -> list[Any]:
        async with central(settings) as c:
            if args.action == "list":
                recs = await c.state.list_recommendations()
                if args.producer:
                    producer = await c.state.get_producer(args.producer)
                    if producer is None:
                        raise UsageError(f"{args.producer} is not an onboarded producer")
                    recs = [r for r in recs if r.database.startswith(producer.domain + "__")]
                if args.state != "all":
                    recs = [r for r in recs if r.state.value == args.state]
                return recs
            if not args.ids:
                raise UsageError(f"review {args.action} needs at least one recommendation ID")
            to = (
                RecommendationState.ACCEPTED
                if args.action == "accept"
                else RecommendationState.REJECTED
            )
            return [await decide_recommendation(c, rec_id, to, args.by) for rec_id in args.ids]

    recs = asyncio.run(go())
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


def cmd_audit(args: argparse.Namespace, settings: MeshSettings) -> int:
    async def go() -> list[Any]:
        async with central(settings) as c:
            return await c.audit.history(args.subject)

    entries = asyncio.run(go())
    if args.json:
        emit_json([e.model_dump(mode="json") for e in entries])
        return 0
    print(
        table(
            ["AT", "ACTION", "ACTOR", "DETAILS"],
            [
                [
                    e.at.isoformat(timespec="seconds"),
                    e.action,
                    e.actor,
                    " ".join(f"{k}={v}" for k, v in sorted(e.details.items())),
                ]
                for e in entries
            ],
        )
    )
    return 0


def cmd_classify(args: argparse.Namespace, settings: MeshSettings) -> int:
    try:
        name = TableName.parse(args.table)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc

    async def go() -> str:
        async with central(settings) as c:
            sender = await c.sender(settings.queues.classification)
            return await sender.send(
                ClassificationScanRequest(
                    database=name.database, table=name.table, reason="meshctl classify"
                )
            )

    message_id = asyncio.run(go())
    print(f"scan of {name} queued ({message_id})")
    return 0


def cmd_repair(args: argparse.Namespace, settings: MeshSettings) -> int:
    command = RepairCommand(
        repair_id=f"repair-{uuid.uuid4().hex[:8]}", producer_account=args.producer
    )

    async def go() -> RepairReport | None:
        async with central(settings) as c:
            await (await c.sender(settings.queues.catalog_changes)).send(command)
            if not args.wait:
                return None
            return await follow_repair(c, command.repair_id, args.timeout, quiet=args.json)

    report = asyncio.run(go())
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


async def follow_repair(c: Any, repair_id: str, wait_seconds: float, quiet: bool) -> RepairReport:
    """Poll the repair report, drawing a progress line on a terminal."""
    deadline = time.monotonic() + wait_seconds
    report: RepairReport | None = None
    while time.monotonic() < deadline:
        report = await c.state.get_repair(repair_id)
        if report is not None:
            if not quiet:
                progress_line(report)
            if report.status is not RepairStatus.RUNNING:
                if not quiet and sys.stderr.isatty():
                    sys.stderr.write("\n")
                return report
        await asyncio.sleep(0.5)
    raise MeshError(
        f"{repair_id} did not finish within {wait_seconds:.0f} s "
        f"({'not started: is sync-worker running?' if report is None else 'still running'})"
    )


def progress_line(report: RepairReport) -> None:
    total = max(report.producers_total, 1)
    filled = round(20 * report.producers_done / total)
    line = (
        f"[{'#' * filled}{'.' * (20 - filled)}] {report.producers_done}/{report.producers_total} producers, "
        f"{report.tables_checked} tables checked, drift {report.drift_total}"
    )
    if sys.stderr.isatty():
        sys.stderr.write("\r" + line)
        sys.stderr.flush()


def render_repair(report: RepairReport) -> str:
    lines = [
        f"{report.repair_id} {report.status.value} in {report.duration_seconds or 0:.1f} s: "
        f"{report.producers_done} producers, {report.databases_checked} databases, "
        f"{report.tables_checked} tables checked, drift {report.drift_total}"
    ]
    lines += [f"  {kind:<20} {count}" for kind, count in sorted(report.drift.items())]
    lines += [f"  error: {e}" for e in report.errors]
    return "\n".join(lines)


def cmd_contracts(args: argparse.Namespace, settings: MeshSettings) -> int:
    for path in write_schemas(Path(args.out)):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="meshctl", description="Operate the meshcore data mesh.")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser
    )

    def add(name: str, handler: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument(
            "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
        )
        p.set_defaults(handler=handler)
        return p

    add("bootstrap", cmd_bootstrap, "create everything the central account needs (idempotent)")
    p = add(
        "onboard-producer",
        cmd_onboard_producer,
        "let the central account read a producer's catalog and receive its events",
    )
    p.add_argument("account", help="producer AWS account id")
    p.add_argument(
        "--domain",
        required=True,
        help="producer domain, the prefix of its central databases (e.g. ar)",
    )
    p.add_argument(
        "--owner",
        action="append",
        required=True,
        help="data owner who approves access (repeatable)",
    )
    p.add_argument(
        "--allow-sampling", action="store_true", help="let the classifier sample values from S3"
    )
    p.add_argument("--via-role", help="role in the producer account to assume for onboarding")
    p = add(
        "onboard-consumer", cmd_onboard_consumer, "prepare a consumer account to receive shares"
    )
    p.add_argument("account", help="consumer AWS account id")
    p.add_argument("--via-role", help="role in the consumer account to assume for onboarding")
    p = add("request", cmd_request, "request access to central tables for a consumer account")
    p.add_argument("--consumer-account", required=True)
    p.add_argument(
        "--principal", help="IAM role ARN in the consumer account (default: the account)"
    )
    p.add_argument("--table", action="append", required=True, metavar="DB.TABLE")
    p.add_argument("--columns", nargs="*", help="sensitive columns you need, if any")
    p.add_argument("--purpose", required=True)
    p.add_argument("--duration", type=int, default=90, metavar="DAYS")
    p.add_argument("--requester", default="meshctl", help="who is asking (for the audit trail)")
    p = add("decide", cmd_decide, "reference ticket system: sign and post an owner's decision")
    p.add_argument("request_id")
    p.add_argument("decision", choices=["approve", "reject", "revoke"])
    p.add_argument("--approver", required=True)
    p.add_argument("--ticket", help="ticket id (default: a new one)")
    p.add_argument(
        "--table",
        action="append",
        metavar="DB.TABLE",
        help="approved scope (default: all requested)",
    )
    p.add_argument(
        "--sensitive-column",
        action="append",
        default=[],
        help="sensitive column explicitly approved",
    )
    p.add_argument("--valid-days", type=int, help="access expires after this many days")
    add("requests", cmd_requests, "list access requests and their states")
    p = add("review", cmd_review, "review sensitive-column recommendations")
    p.add_argument("action", choices=["list", "accept", "reject"])
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--producer", help="only this producer account's tables")
    p.add_argument(
        "--state",
        default="pending",
        choices=["pending", "accepted", "rejected", "auto_accepted", "all"],
    )
    p.add_argument("--by", default="meshctl", help="who decides (for the audit trail)")
    p = add("audit", cmd_audit, "show the audit trail of a subject (e.g. request/req-…)")
    p.add_argument("subject")
    p = add("classify", cmd_classify, "queue a classification scan of a central table")
    p.add_argument("table", metavar="DB.TABLE")
    p = add(
        "repair", cmd_repair, "queue a full comparison of producer catalogs with the central one"
    )
    p.add_argument("--producer", help="only this producer account")
    p.add_argument("--wait", action="store_true", help="follow its progress and print the report")
    p.add_argument("--timeout", type=float, default=1800, help="seconds to wait (with --wait)")
    p = add("contracts", cmd_contracts, "write the JSON Schemas of every message")
    p.add_argument("--out", default="contracts")
    return parser


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
    return str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = MeshSettings()
    except ValidationError as exc:
        print(
            f"meshctl: error: bad setting {_first_error(exc)} (check MESHCORE_* variables)",
            file=sys.stderr,
        )
        return 2
    try:
        return int(args.handler(args, settings))
    except UsageError as exc:
        print(f"meshctl: error: {exc}", file=sys.stderr)
        return 2
    except MeshError as exc:
        print(f"meshctl: error: {exc}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as exc:
        # Anything an adapter did not translate still deserves one line, not a traceback.
        print(f"meshctl: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
