"""meshctl bootstrap and onboarding."""

from __future__ import annotations

import argparse
import asyncio
import re
from typing import Any

from meshcore.actions.context import central
from meshcore.aws.clients import SyncAws
from meshcore.cli.common import AddCommand, UsageError
from meshcore.cli.output import emit_json
from meshcore.domain.errors import PermanentError
from meshcore.domain.naming import validate_domain
from meshcore.domain.registry import Consumer, Producer
from meshcore.domain.state_store import DomainTakenError
from meshcore.provisioning.central import bootstrap_central
from meshcore.provisioning.lakeformation import ensure_consumer_lake, register_locations
from meshcore.provisioning.onboarding import (
    ensure_domain_tag,
    ensure_sample_role,
    onboard_consumer,
    onboard_producer,
)
from meshcore.provisioning.result import Provisioned
from meshcore.settings import MeshSettings

_S3_LOCATION = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?$")


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
    try:  # before anything is created: a bad domain must not leave half an onboarding behind
        validate_domain(args.domain)
    except PermanentError as exc:
        raise UsageError(str(exc)) from exc
    bad = [loc for loc in args.location if not _S3_LOCATION.match(loc)]
    if bad:
        raise UsageError(
            f"--location {bad[0]!r} is not an S3 bucket or prefix (s3://bucket/prefix/)"
        )
    member = _member(settings, args.account, args.via_role)
    result, role_arn = onboard_producer(SyncAws(settings), member, settings, args.account)
    central_lakeformation = SyncAws(settings).client("lakeformation")
    ensure_domain_tag(central_lakeformation, args.domain, result)
    register_locations(central_lakeformation, settings, args.location, result)
    sample_role_arn = ensure_sample_role(member, settings, result) if args.allow_sampling else None

    async def register() -> bool:
        async with central(settings) as c:
            existing = await c.state.get_producer(args.account)
            producer = Producer(
                account_id=args.account,
                domain=args.domain,
                read_role_arn=role_arn,
                owners=args.owner,
                allow_sampling=args.allow_sampling,
                sample_role_arn=sample_role_arn,
                # the auto-accept policy is set with `meshctl policy`; onboarding keeps it
                auto_accept=existing.auto_accept if existing else {},
                # remembered rejections belong to the domain: kept while it stays the same
                rejection_rules=(
                    existing.rejection_rules if existing and existing.domain == args.domain else []
                ),
            )
            if existing and existing.model_dump(exclude={"onboarded_at"}) == producer.model_dump(
                exclude={"onboarded_at"}
            ):
                return False
            try:
                # Taking the domain is atomic: of two producers onboarded with it at once,
                # one gets it.
                await c.state.put_producer(producer)
            except DomainTakenError as taken:
                raise UsageError(str(taken)) from taken
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
    ensure_consumer_lake(member.client("lakeformation"), role_arn, args.account, result)

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


def register(add: AddCommand) -> None:
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
    p.add_argument(
        "--location",
        action="append",
        default=[],
        help="an S3 prefix holding the producer's table data, registered with Lake Formation "
        "in hybrid access mode so that grants reach the data (repeatable)",
    )
    p.add_argument("--via-role", help="role in the producer account to assume for onboarding")
    p = add(
        "onboard-consumer", cmd_onboard_consumer, "prepare a consumer account to receive shares"
    )
    p.add_argument("account", help="consumer AWS account id")
    p.add_argument("--via-role", help="role in the consumer account to assume for onboarding")
