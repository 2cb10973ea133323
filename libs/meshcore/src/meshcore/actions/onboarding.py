"""Onboarding member accounts: a producer (its catalog read, events forwarded, data locations
registered with Lake Formation, its domain and owners in the registry) and a consumer (its
meshcore role made its data lake admin, in the registry). Idempotent: a second run changes
nothing and says so.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from meshcore.actions.context import Central, central
from meshcore.actions.operations import queue_repair
from meshcore.aws.clients import SyncAws
from meshcore.aws.glue import GlueCatalog
from meshcore.domain.errors import PermanentError
from meshcore.domain.naming import SEPARATOR, validate_domain
from meshcore.domain.provenance import PRODUCER_ACCOUNT
from meshcore.domain.registry import Consumer, Producer
from meshcore.domain.state_store import DomainTakenError
from meshcore.provisioning.lakeformation import ensure_consumer_lake, register_locations
from meshcore.provisioning.onboarding import (
    ensure_domain_tag,
    ensure_sample_role,
    onboard_consumer,
    onboard_producer,
)
from meshcore.provisioning.result import Provisioned
from meshcore.settings import MeshSettings

S3_LOCATION = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?$")
ACCOUNT = re.compile(r"^[0-9]{12}$")
# An owner is someone the ticket goes to: a mailbox, checked for its shape only.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_account(account: str) -> None:
    if not ACCOUNT.fullmatch(account):
        raise ValueError(f"account {account!r} is not an AWS account id (12 digits)")


@dataclass(frozen=True)
class ProducerOnboarding:
    account: str
    domain: str
    owners: list[str]
    locations: list[str]
    allow_sampling: bool = False
    via_role: str | None = None
    actor: str = "meshctl"
    rename_domain: bool = False

    def check(self) -> None:
        """Before anything is created: a bad value must not leave half an onboarding behind."""
        check_account(self.account)
        try:
            validate_domain(self.domain)
        except PermanentError as exc:
            raise ValueError(str(exc)) from exc
        not_mail = [o for o in self.owners if not EMAIL.fullmatch(o)]
        if not_mail:
            raise ValueError(
                f"--owner {not_mail[0]!r} is not an e-mail address (owners receive the tickets)"
            )
        bad = [loc for loc in self.locations if not S3_LOCATION.match(loc)]
        if bad:
            raise ValueError(
                f"--location {bad[0]!r} is not an S3 bucket or prefix (s3://bucket/prefix/)"
            )


def member_aws(settings: MeshSettings, account: str, via_role: str | None) -> SyncAws:
    """Credentials in a member account: assume `via_role` there, or use the current ones."""
    aws = SyncAws(settings)
    role = via_role or settings.onboarding_role
    if role:
        return aws.assumed(settings.role_arn(account, role), "meshctl-onboarding")
    current = aws.account_id()
    if current != account:
        raise ValueError(
            f"current credentials are for account {current}, not {account}: pass --via-role ROLE "
            "(a role in that account you may assume) or use that account's credentials"
        )
    return aws


async def check_registry(c: Central, onboarding: ProducerOnboarding) -> Producer | None:
    """Before anything is created: the domain is free, and a known account keeps its domain
    unless asked to move (a silent change would leave its central databases twice). Returns
    the producer as registered now."""
    existing = await c.state.get_producer(onboarding.account)
    if existing and existing.domain != onboarding.domain and not onboarding.rename_domain:
        raise ValueError(
            f"account {onboarding.account} is onboarded with domain {existing.domain!r}: pass "
            f"--rename-domain to move it to {onboarding.domain!r} (its central databases "
            f"{existing.domain}{SEPARATOR}* are removed and synced again as "
            f"{onboarding.domain}{SEPARATOR}*), or --domain {existing.domain}"
        )
    holder = await c.state.producer_for_domain(onboarding.domain)
    if holder is not None and holder.account_id != onboarding.account:
        raise ValueError(
            f"domain {onboarding.domain!r} belongs to account {holder.account_id}: "
            "choose another --domain"
        )
    return existing


async def move_domain(c: Central, account: str, old: str, result: Provisioned) -> None:
    """After a domain rename: remove the central databases of the old domain that came from
    this account (sync-worker's repair, queued here, writes them under the new one)."""
    catalog = GlueCatalog(await c.aws.client("glue"), c.settings.central_account_id)
    for database in await catalog.list_databases():
        name = database["Name"]
        if not name.startswith(old + SEPARATOR):
            continue
        if database.get("Parameters", {}).get(PRODUCER_ACCOUNT) != account:
            continue
        await catalog.delete_database(name)  # Glue's DeleteDatabase takes its tables along
        result.add(f"central database {name} (domain renamed)", "deleted")
    command = await queue_repair(c, account)
    result.add(f"repair {command.repair_id} of {account}", "queued")


async def register_producer(
    c: Central, onboarding: ProducerOnboarding, read_role_arn: str, sample_role_arn: str | None
) -> bool:
    """The producer in the registry; False when it is there already, unchanged."""
    existing = await c.state.get_producer(onboarding.account)
    producer = Producer(
        account_id=onboarding.account,
        domain=onboarding.domain,
        read_role_arn=read_role_arn,
        owners=onboarding.owners,
        allow_sampling=onboarding.allow_sampling,
        sample_role_arn=sample_role_arn,
        # the auto-accept policy is set with `meshctl policy`; onboarding keeps it
        auto_accept=existing.auto_accept if existing else {},
        # remembered rejections belong to the domain: kept while it stays the same
        rejection_rules=(
            existing.rejection_rules if existing and existing.domain == onboarding.domain else []
        ),
    )
    unchanged = {"onboarded_at"}
    if existing and existing.model_dump(exclude=unchanged) == producer.model_dump(
        exclude=unchanged
    ):
        return False
    try:
        # Taking the domain is atomic: of two producers onboarded with it at once, one gets it.
        await c.state.put_producer(producer)
    except DomainTakenError as taken:
        raise ValueError(str(taken)) from taken
    await c.audit.record(
        f"producer/{onboarding.account}",
        "producer.onboarded",
        onboarding.actor,
        domain=onboarding.domain,
    )
    return True


def onboard_producer_account(
    settings: MeshSettings, onboarding: ProducerOnboarding
) -> tuple[Provisioned, str]:
    """Everything a producer needs, in its account and the central one; returns what was done
    and the role sync-worker reads its catalog with."""
    onboarding.check()

    async def registered() -> Producer | None:
        async with central(settings) as c:
            return await check_registry(c, onboarding)

    before = asyncio.run(registered())
    member = member_aws(settings, onboarding.account, onboarding.via_role)
    result, role_arn = onboard_producer(SyncAws(settings), member, settings, onboarding.account)
    central_lakeformation = SyncAws(settings).client("lakeformation")
    ensure_domain_tag(central_lakeformation, onboarding.domain, result)
    register_locations(central_lakeformation, settings, onboarding.locations, result)
    sample_role_arn = (
        ensure_sample_role(member, settings, result) if onboarding.allow_sampling else None
    )

    async def register() -> None:
        async with central(settings) as c:
            changed = await register_producer(c, onboarding, role_arn, sample_role_arn)
            outcome = "updated" if changed and before else "created" if changed else "exists"
            result.add(f"registry producer {onboarding.account} ({onboarding.domain})", outcome)
            if before is not None and before.domain != onboarding.domain:
                await move_domain(c, onboarding.account, before.domain, result)

    asyncio.run(register())
    return result, role_arn


def onboard_consumer_account(
    settings: MeshSettings, account: str, via_role: str | None = None
) -> tuple[Provisioned, str]:
    """A consumer's meshcore role (accepts shares, keeps resource links, administers its data
    lake) and its registry entry; returns what was done and that role."""
    check_account(account)
    member = member_aws(settings, account, via_role)
    result, role_arn = onboard_consumer(member, settings)
    ensure_consumer_lake(member.client("lakeformation"), role_arn, account, result)

    async def register() -> bool:
        async with central(settings) as c:
            if await c.state.get_consumer(account):
                return False
            await c.state.put_consumer(Consumer(account_id=account, admin_role_arn=role_arn))
            return True

    result.add(f"registry consumer {account}", "created" if asyncio.run(register()) else "exists")
    return result, role_arn
