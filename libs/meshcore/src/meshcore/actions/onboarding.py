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
from meshcore.aws.clients import SyncAws
from meshcore.domain.errors import PermanentError
from meshcore.domain.naming import validate_domain
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


@dataclass(frozen=True)
class ProducerOnboarding:
    account: str
    domain: str
    owners: list[str]
    locations: list[str]
    allow_sampling: bool = False
    via_role: str | None = None
    actor: str = "meshctl"

    def check(self) -> None:
        """Before anything is created: a bad domain must not leave half an onboarding behind."""
        try:
            validate_domain(self.domain)
        except PermanentError as exc:
            raise ValueError(str(exc)) from exc
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
    member = member_aws(settings, onboarding.account, onboarding.via_role)
    result, role_arn = onboard_producer(SyncAws(settings), member, settings, onboarding.account)
    central_lakeformation = SyncAws(settings).client("lakeformation")
    ensure_domain_tag(central_lakeformation, onboarding.domain, result)
    register_locations(central_lakeformation, settings, onboarding.locations, result)
    sample_role_arn = (
        ensure_sample_role(member, settings, result) if onboarding.allow_sampling else None
    )

    async def register() -> bool:
        async with central(settings) as c:
            return await register_producer(c, onboarding, role_arn, sample_role_arn)

    result.add(
        f"registry producer {onboarding.account} ({onboarding.domain})",
        "created" if asyncio.run(register()) else "exists",
    )
    return result, role_arn


def onboard_consumer_account(
    settings: MeshSettings, account: str, via_role: str | None = None
) -> tuple[Provisioned, str]:
    """A consumer's meshcore role (accepts shares, keeps resource links, administers its data
    lake) and its registry entry; returns what was done and that role."""
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
