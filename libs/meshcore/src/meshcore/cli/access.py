"""meshctl access requests, decisions and the audit trail."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from datetime import timedelta
from typing import Any

from meshcore.actions.access import open_request, post_decision, request_revocation
from meshcore.actions.audit import anchor_audit, anchor_every, verify_audit
from meshcore.actions.consumer_roles import change_role_access, explain_access
from meshcore.actions.context import Central
from meshcore.actions.reconcile import access_ports, reconcile_access
from meshcore.aws.audit_anchor import AnchorOutcome
from meshcore.cli.common import (
    AddCommand,
    UsageError,
    add_actor_option,
    add_table_option,
    on_central,
    positive,
)
from meshcore.cli.output import emit_json, table
from meshcore.domain.access import AccessRequest, TableName
from meshcore.domain.errors import MeshError
from meshcore.domain.ids import is_account_id
from meshcore.domain.reconcile import AccessReport
from meshcore.domain.times import timestamp
from meshcore.settings import MeshSettings


def cmd_request(args: argparse.Namespace, settings: MeshSettings) -> int:
    if not is_account_id(args.consumer_account):
        raise UsageError(
            f"--consumer-account {args.consumer_account!r} is not a 12-digit AWS account id"
        )
    draft = AccessRequest(
        consumer_account=args.consumer_account,
        principal_arn=args.principal,
        tables=[TableName.parse(t) for t in args.table or []],
        domain=args.domain,
        columns=args.columns or [],
        purpose=args.purpose,
        duration_days=args.duration,
    )

    request = on_central(settings, lambda c: open_request(c, draft, args.requester))
    if args.json:
        emit_json(request.model_dump(mode="json"))
    else:
        print(
            f"{request.request_id} pending: routed to {', '.join(request.owners)} for "
            + (
                f"the domain {request.domain}"
                if request.domain
                else ", ".join(map(str, request.tables))
            )
        )
        for name, columns in sorted(request.pending_columns.items()):
            print(
                f"  pending classification in {name}: {', '.join(columns)} "
                "(a grant leaves them out unless classified not sensitive by then, or approved)"
            )
    return 0


def cmd_decide(args: argparse.Namespace, settings: MeshSettings) -> int:
    signed = on_central(
        settings,
        lambda c: post_decision(
            c,
            args.request_id,
            args.decision,
            args.approver,
            args.ticket,
            [TableName.parse(t) for t in args.table] if args.table else None,
            args.sensitive_column,
            timedelta(days=args.valid_days) if args.valid_days else None,
        ),
    )
    if args.json:
        emit_json(signed.model_dump(mode="json"))
    else:
        print(
            f"posted signed {args.decision} of {args.request_id} (ticket {signed.decision.ticket_id}) "
            f"to {settings.queues.approvals}"
        )
    return 0


def cmd_requests(args: argparse.Namespace, settings: MeshSettings) -> int:
    requests = sorted(
        on_central(settings, lambda c: c.state.list_requests()), key=lambda r: r.created_at
    )
    if args.json:
        emit_json([r.model_dump(mode="json") for r in requests])
        return 0
    print(
        table(
            ["ID", "STATE", "GRANTEE", "TABLES", "EXPIRES", "NOTE"],
            [
                [
                    r.request_id,
                    r.shown_state,
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


def cmd_consumer(args: argparse.Namespace, settings: MeshSettings) -> int:
    """`consumer grant|revoke ACCOUNT ROLE_ARN (--table …|--domain D)`: step 8."""
    if not (args.table or args.domain):
        raise UsageError("name what to grant: --table DB.TABLE (repeatable) or --domain D")
    tables = [TableName.parse(t) for t in args.table or []]
    grant = args.action == "grant"

    entries = on_central(
        settings,
        lambda c: change_role_access(
            c, grant, args.account, args.role, tables, args.domain, args.actor
        ),
    )
    if args.json:
        emit_json({"action": args.action, "role": args.role, "entries": entries})
        return 0
    what = ", ".join(map(str, tables)) + (f" domain {args.domain}" if args.domain else "")
    verb = "granted" if grant else "revoked"
    print(f"{verb} {args.role} {what.strip(', ')} in {args.account} ({len(entries)} permissions)")
    return 0


def cmd_access(args: argparse.Namespace, settings: MeshSettings) -> int:
    """`access explain PRINCIPAL DB.TABLE`: per column, readable or not, and why;
    `access verify [--heal]`: what Lake Formation, RAM and the consumer accounts hold against
    the granted requests."""
    if args.action == "verify":
        if args.principal is not None:
            raise UsageError("access verify takes no PRINCIPAL or DB.TABLE")
        return _verify_access(args, settings)
    if args.heal:
        raise UsageError("--heal goes with access verify")
    if args.principal is None or args.table is None:
        raise UsageError("access explain needs PRINCIPAL and DB.TABLE")
    name = TableName.parse(args.table)

    answers = on_central(settings, lambda c: explain_access(c, args.principal, name))
    if args.json:
        emit_json([vars(a) for a in answers])
        return 0
    print(
        table(
            ["COLUMN", "READABLE", "THROUGH / WHY NOT"],
            [
                [
                    a.column,
                    "yes" if a.readable else "no",
                    "; ".join(a.through) + (" (pending classification)" if a.pending else "")
                    if a.readable
                    else a.why_not,
                ]
                for a in answers
            ],
        )
    )
    return 0


def _verify_access(args: argparse.Namespace, settings: MeshSettings) -> int:
    """Exit 0 when nothing drifted (or everything found was healed), 1 otherwise."""

    async def go(c: Central) -> AccessReport:
        ports = await access_ports(c)
        return await reconcile_access(ports, args.heal, args.actor)

    report = on_central(settings, go)
    if args.json:
        emit_json(report.as_json())
        return 1 if report.unhealed else 0
    if not report.findings:
        print(f"access as approved: {report.requests} granted requests, no drift")
        return 0
    print(
        table(
            ["KIND", "SUBJECT", "WHAT", "HEALED"],
            [
                [
                    f.kind,
                    f.subject,
                    f.what,
                    "yes" if f.healed else (f"failed: {f.error}" if f.error else "no"),
                ]
                for f in report.findings
            ],
        )
    )
    healed = sum(f.healed for f in report.findings)
    print(
        f"{report.drift} findings over {report.requests} granted requests: {healed} healed, "
        f"{len(report.unhealed)} not"
        + ("" if args.heal else " (run with --heal to restore what meshcore owns)")
    )
    return 1 if report.unhealed else 0


def _detail(value: Any) -> str:
    """An audit detail as JSON (a list reads `["a","b"]`, not Python's `['a', 'b']`); a plain
    string as itself."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def cmd_audit(args: argparse.Namespace, settings: MeshSettings) -> int:
    """`audit SUBJECT` shows a history; `audit verify` checks the whole hash chain against its
    latest signed anchor; `audit anchor` signs the head (as the audit-anchor role)."""
    if args.subject == "verify":
        return _verify_chain(args, settings)
    if args.subject == "anchor":
        return _anchor_chain(args, settings)
    subject = args.subject if "/" in args.subject else f"request/{args.subject}"

    entries = on_central(settings, lambda c: c.audit.history(subject))
    if args.json:
        emit_json([e.model_dump(mode="json") for e in entries])
        return 0
    if not entries:
        print(f"no audit entries for {subject}")
        return 0
    print(
        table(
            ["SEQ", "AT", "ACTION", "ACTOR", "DETAILS"],
            [
                [
                    e.seq,
                    timestamp(e.at),
                    e.action,
                    e.actor,
                    " ".join(f"{k}={_detail(v)}" for k, v in sorted(e.details.items())),
                ]
                for e in entries
            ],
        )
    )
    return 0


def _verify_chain(args: argparse.Namespace, settings: MeshSettings) -> int:
    check = on_central(settings, verify_audit)
    anchor = check.anchor
    if args.json:
        emit_json(
            {
                "intact": check.intact,
                "entries": check.chain.entries,
                "broken_at": check.chain.broken_at,
                "reason": check.reason,
                "anchor": anchor.describe() if anchor else None,
                "anchor_signature_valid": anchor is not None and not check.problem,
                "unanchored_entries": check.unanchored,
            }
        )
        return 0 if check.intact else 1
    against = (
        f"anchor of entry {anchor.seq} made {anchor.describe()['at']} (key {anchor.key_id})"
        if anchor
        else "no anchor"
    )
    if check.intact:
        after = (
            f"{check.unanchored} entries after it are linked but not anchored yet"
            if check.unanchored
            else "every entry is anchored"
        )
        print(
            f"audit chain intact: {check.chain.entries} entries, checked against the {against}; "
            + after
        )
    elif not check.chain.intact:
        print(
            f"audit chain broken at entry {check.chain.broken_at}: {check.chain.reason} "
            f"({check.chain.entries} entries, checked against the {against})"
        )
    else:
        print(f"audit chain not verified: {check.problem} ({check.chain.entries} entries)")
    return 0 if check.intact else 1


def _anchor_chain(args: argparse.Namespace, settings: MeshSettings) -> int:
    def report(outcome: AnchorOutcome | MeshError) -> None:
        line: dict[str, Any]
        if isinstance(outcome, MeshError):
            line = {"event": "audit.anchor-failed", "error": str(outcome)}
        else:
            line = {
                "event": f"audit.{outcome.outcome}",
                "anchor": outcome.anchor.describe() if outcome.anchor else None,
                "entries": outcome.check.chain.entries,
                "reason": outcome.check.reason if outcome.outcome == "refused" else "",
            }
        if every:
            print(json.dumps(line, sort_keys=True))  # one line each, as workers log
        elif args.json:
            emit_json(line)
        elif line["event"] == "audit.refused":
            print(f"not anchored: the chain is broken: {line['reason']}")
        elif line["event"] == "audit.anchor-failed":
            print(f"not anchored: {line['error']}")
        else:
            made = line["anchor"]
            verb = "anchored" if line["event"] == "audit.anchored" else "already anchored"
            print(f"{verb}: entry {made['seq']} signed at {made['at']} (key {made['key']})")
        sys.stdout.flush()

    every = settings.audit_anchor_interval_seconds if args.every == -1 else args.every

    async def go(c: Central) -> bool:
        if not every:
            outcome = await anchor_audit(c, args.assume_role)
            report(outcome)
            return outcome.outcome != "refused"
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await anchor_every(c, every, stop, report, args.assume_role)
        return True

    return 0 if on_central(settings, go) else 1


def cmd_revoke(args: argparse.Namespace, settings: MeshSettings) -> int:
    command = on_central(
        settings, lambda c: request_revocation(c, args.request_id, args.by, args.reason)
    )
    if args.json:
        emit_json(command.model_dump(mode="json"))
    else:
        print(f"revocation of {args.request_id} queued for grant-worker")
    return 0


def register(add: AddCommand) -> None:
    p = add("request", cmd_request, "request access to central tables for a consumer account")
    p.add_argument("--consumer-account", required=True)
    p.add_argument(
        "--principal", help="IAM role ARN in the consumer account (default: the account)"
    )
    add_table_option(p, "a central table (repeatable)")
    p.add_argument(
        "--domain", help="instead of tables: every non-sensitive column of a producer domain"
    )
    p.add_argument("--columns", nargs="*", help="sensitive columns you need, if any")
    p.add_argument("--purpose", required=True)
    p.add_argument("--duration", type=positive, default=90, metavar="DAYS")
    add_actor_option(p, "--requester", "who is asking")
    p = add("decide", cmd_decide, "reference ticket system: sign and post an owner's decision")
    p.add_argument("request_id")
    p.add_argument("decision", choices=["approve", "reject", "revoke"])
    p.add_argument("--approver", required=True)
    p.add_argument("--ticket", help="ticket id (default: a new one)")
    add_table_option(p, "approved scope (default: all requested)")
    p.add_argument(
        "--sensitive-column",
        action="append",
        default=[],
        help="sensitive column explicitly approved",
    )
    p.add_argument("--valid-days", type=positive, help="access expires after this many days")
    add("requests", cmd_requests, "list access requests and their states")
    p = add("revoke", cmd_revoke, "revoke a granted request: its grants and resource links")
    p.add_argument("request_id")
    add_actor_option(p, "--by", "who revokes")
    p.add_argument("--reason", default="revoked by operator")
    p = add(
        "access",
        cmd_access,
        "explain, column by column, what a principal can read of a central table and through "
        "which grant (Lake Formation's own reads); verify [--heal] what Lake Formation, RAM and "
        "the consumer accounts hold against the granted requests",
    )
    p.add_argument("action", choices=["explain", "verify"])
    p.add_argument("principal", nargs="?", help="explain: an IAM role ARN or an account id")
    p.add_argument("table", nargs="?", help="explain: DB.TABLE in the central catalog")
    p.add_argument(
        "--heal",
        action="store_true",
        help="verify: re-grant, revoke stale entries, accept invitations, recreate links "
        "(each audited); permissions no request explains are only reported",
    )
    add_actor_option(p, "--actor", "verify --heal: who heals")
    p = add(
        "consumer",
        cmd_consumer,
        "as a consumer account's data lake admin, grant or revoke one of its roles what the "
        "account received (step 8)",
    )
    p.add_argument("action", choices=["grant", "revoke"])
    p.add_argument("account", help="the consumer account id")
    p.add_argument("role", help="the consumer's IAM role ARN that queries")
    add_table_option(p, "linked in the consumer account")
    p.add_argument("--domain", help="every table of a producer domain, now and later")
    add_actor_option(p, "--actor", "who grants")
    p = add(
        "audit",
        cmd_audit,
        "show the audit trail of a request (or subject, e.g. recommendation/rec-…); "
        "`audit verify` checks the hash chain against its latest signed anchor; "
        "`audit anchor` signs the chain's head (as the audit-anchor role)",
    )
    p.add_argument("subject", help="a request id or SUBJECT, or `verify`, or `anchor`")
    p.add_argument(
        "--every",
        type=float,
        nargs="?",
        const=-1,
        default=0,
        metavar="SECONDS",
        help="audit anchor: keep anchoring every SECONDS (default MESHCORE_AUDIT_ANCHOR_"
        "INTERVAL_SECONDS) until SIGTERM, one JSON line each",
    )
    p.add_argument(
        "--assume-role",
        action="store_true",
        help="audit anchor: assume the audit-anchor role first (MESHCORE_ROLES__AUDIT_ANCHOR)",
    )
