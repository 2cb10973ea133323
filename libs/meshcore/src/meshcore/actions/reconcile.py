"""Access reconciliation: what Lake Formation, RAM and the consumer accounts hold, against what
meshcore approved (`meshctl access verify [--heal]`, and grant-worker on its schedule).

For every granted request: its Lake Formation entries (`domain.grants.request_grants`, column
exclusions included), the sensitivity tags its exclusions rest on, the RAM shares carrying them,
the consumer account's invitations to those shares and the resource links meshcore created.
Healing re-grants what is missing, revokes what a request's own entries left stale, accepts
pending invitations, shares a grant again whose invitation expired (or that no share carries),
and recreates missing resource links, each audited (`access.healed`) on the request. Permissions on meshcore-governed resources that no request explains are reported,
never revoked: meshcore does not know who granted them or why.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from meshcore.actions.context import Central
from meshcore.aws.consumer import ConsumerAccount, admin_role_in
from meshcore.aws.lakeformation import LakeFormation
from meshcore.aws.ports import Audit, ConsumerShares, Permissions
from meshcore.domain.access import AccessRequest, RequestState
from meshcore.domain.classification import NOT_SENSITIVE, SENSITIVITY_TAG_KEY
from meshcore.domain.errors import MeshError, NotFoundError
from meshcore.domain.grants import request_grants
from meshcore.domain.ids import is_account_id
from meshcore.domain.reconcile import (
    AccessReport,
    Finding,
    PermissionDrift,
    compare,
    explaining_request,
    is_governed,
    key_of,
    resource_name,
    resource_table,
)
from meshcore.domain.state_store import StateStore

# (consumer account, its admin role ARN as registered) -> the account's port
ConsumerAccess = Callable[[str, str], Awaitable[ConsumerShares]]
UNEXPLAINED = "access/unexplained"


@dataclass
class AccessPorts:
    state: StateStore
    lakeformation: Permissions
    audit: Audit
    consumer_access: ConsumerAccess
    catalog_id: str
    # meshcore's own roles and the data lake admins: not access anyone was granted.
    own_principals: frozenset[str] = frozenset()


async def access_ports(central: Central) -> AccessPorts:
    """The central account's adapters for a reconciliation run by meshctl: the operator's
    credentials centrally, meshcore's admin role in each onboarded consumer account."""

    async def consumer_access(account_id: str, role_arn: str) -> ConsumerShares:
        role = admin_role_in(account_id, role_arn)
        return ConsumerAccount(
            await central.aws.assumed_client("ram", role),
            await central.aws.assumed_client("glue", role),
            account_id,
        )

    settings = central.settings
    return AccessPorts(
        state=central.state,
        lakeformation=LakeFormation(await central.aws.client("lakeformation")),
        audit=central.audit,
        consumer_access=consumer_access,
        catalog_id=settings.central_account_id,
        own_principals=settings.own_principals(),
    )


def subject(request: AccessRequest) -> str:
    return f"request/{request.request_id}"


async def reconcile_access(ports: AccessPorts, heal: bool, actor: str) -> AccessReport:
    """Compare (and, with `heal`, converge) every granted request's access; the report lists
    each finding and whether it was healed."""
    requests = [
        r
        for r in await ports.state.list_requests()
        if r.state is RequestState.GRANTED and r.grants_applied
    ]
    report = AccessReport(requests=len(requests))
    missing_tables = await _permissions(ports, requests, report, heal, actor)
    for request in requests:
        await _tags(ports, request, report)
        await _delivery(ports, request, report, heal, actor, missing_tables)
    return report


async def _permissions(
    ports: AccessPorts,
    requests: list[AccessRequest],
    report: AccessReport,
    heal: bool,
    actor: str,
) -> set[tuple[str, str, str]]:
    """Lake Formation's entries; returns (grantee, database, table) still missing after it."""
    owner: dict[tuple[str, str], AccessRequest] = {}
    expected: list[dict[str, Any]] = []
    for request in requests:
        entries = request_grants(request, ports.catalog_id)
        expected += entries
        for entry in entries:
            owner[key_of(entry)] = request
    actual = [
        row
        for row in await ports.lakeformation.all_permissions()
        if row["Principal"]["DataLakePrincipalIdentifier"] not in ports.own_principals
        and is_governed(row["Resource"], ports.catalog_id)
    ]
    compared = compare(expected, actual)
    still_missing: set[tuple[str, str, str]] = set()
    for drift in compared.missing + compared.different:
        request = owner[key_of(drift.entry([], []))]
        finding = _finding(drift, subject(request), healable=True)
        report.findings.append(finding)
        if heal:
            await _apply(ports, drift, finding, request, actor)
        if drift.kind == "missing" and not finding.healed:
            table = resource_table(drift.resource)
            if table is not None and table[2] is not None:
                still_missing.add((drift.principal, table[1], table[2]))
    for drift in compared.extra:
        stale = explaining_request(drift, requests)
        if stale is None:
            report.findings.append(_finding(drift, UNEXPLAINED, healable=False, kind="unexplained"))
            continue
        finding = _finding(drift, subject(stale), healable=True)
        report.findings.append(finding)
        if heal:
            await _apply(ports, drift, finding, stale, actor)
    return still_missing


def _finding(
    drift: PermissionDrift, about: str, healable: bool, kind: str | None = None
) -> Finding:
    return Finding(
        kind=kind or drift.kind,
        subject=about,
        what=f"{drift.principal} on {resource_name(drift.resource)}",
        healable=healable,
        details={
            "principal": drift.principal,
            "resource": drift.resource,
            "expected": drift.expected,
            "expected_grantable": drift.expected_grantable,
            "actual": drift.actual,
            "actual_grantable": drift.actual_grantable,
        },
    )


async def _apply(
    ports: AccessPorts,
    drift: PermissionDrift,
    finding: Finding,
    request: AccessRequest,
    actor: str,
) -> None:
    grant, revoke = drift.to_grant(), drift.to_revoke()
    try:
        if revoke is not None:
            await ports.lakeformation.revoke([revoke])
        if grant is not None:
            await ports.lakeformation.grant([grant])
    except MeshError as exc:
        finding.error = str(exc)
        return
    await _healed(ports, finding, request, actor, granted=grant, revoked=revoke)


async def _healed(
    ports: AccessPorts, finding: Finding, request: AccessRequest, actor: str, **what: Any
) -> None:
    finding.healed = True
    await ports.audit.record(
        subject(request),
        "access.healed",
        actor,
        drift=finding.kind,
        what=finding.what,
        grantee=request.grantee,
        **{k: v for k, v in what.items() if v is not None},
    )


async def _tags(ports: AccessPorts, request: AccessRequest, report: AccessReport) -> None:
    """Each excluded column still tagged sensitive: the tag is what a later grant's exclusion
    and the owner's review rest on. Reported, not healed: tags are the owner's review's."""
    for table in request.granted_tables:
        excluded = request.excluded_columns.get(str(table), [])
        if not excluded:
            continue
        try:
            tags = await ports.lakeformation.column_tags(
                ports.catalog_id, table.database, table.table
            )
        except NotFoundError:
            continue  # the table is gone: its permissions are reported missing
        for column in excluded:
            values = tags.get(column, {}).get(SENSITIVITY_TAG_KEY, [])
            if not any(v != NOT_SENSITIVE for v in values):
                report.findings.append(
                    Finding(
                        kind="tag",
                        subject=subject(request),
                        what=f"{table}.{column} excluded as sensitive but not tagged "
                        f"{SENSITIVITY_TAG_KEY} (has {values or 'no tag'})",
                        healable=False,
                        details={"table": str(table), "column": column, "values": values},
                    )
                )


async def _delivery(
    ports: AccessPorts,
    request: AccessRequest,
    report: AccessReport,
    heal: bool,
    actor: str,
    missing_tables: set[tuple[str, str, str]],
) -> None:
    """RAM shares, the consumer's invitations and meshcore's resource links."""
    account_id = request.consumer_account
    if account_id == ports.catalog_id:
        return
    shares = await _shares(ports, request)
    unshared: list[Finding] = []  # what only sharing the grant again heals
    for table in request.granted_tables:
        found = await ports.lakeformation.share_arns(
            request.grantee, ports.catalog_id, table.database, table.table
        )
        if not found and (request.grantee, table.database, table.table) not in missing_tables:
            finding = Finding(
                kind="share",
                subject=subject(request),
                what=f"no RAM share carries {request.grantee}'s grant on {table}",
                healable=True,
            )
            report.findings.append(finding)
            unshared.append(finding)
    consumer = await ports.state.get_consumer(account_id)
    account: ConsumerShares | None = None
    if consumer is not None and consumer.admin_role_arn is not None:
        try:
            account = await ports.consumer_access(account_id, consumer.admin_role_arn)
        except MeshError as exc:
            report.findings.append(
                Finding(
                    kind="consumer",
                    subject=subject(request),
                    what=f"consumer account {account_id} not reached: {exc}",
                    healable=False,
                )
            )
            return
        unshared += await _invitations(account, request, shares, report, heal, actor, ports)
    if heal and unshared:
        await _reshare(ports, account, request, unshared, actor)
    if account is not None:
        # Otherwise the consumer account accepts and links itself: nothing of meshcore's there.
        await _links(account, request, report, heal, actor, ports)


async def _shares(ports: AccessPorts, request: AccessRequest) -> list[str]:
    """The RAM shares carrying the request's grants, as Lake Formation reports them."""
    shares: list[str] = []
    if request.granted_domain is not None:
        shares = await ports.lakeformation.shares_for(request.grantee)
    for table in request.granted_tables:
        found = await ports.lakeformation.share_arns(
            request.grantee, ports.catalog_id, table.database, table.table
        )
        shares += [a for a in found if a not in shares]
    return shares


async def _invitations(
    account: ConsumerShares,
    request: AccessRequest,
    shares: list[str],
    report: AccessReport,
    heal: bool,
    actor: str,
    ports: AccessPorts,
) -> list[Finding]:
    """Accepts (when healing) pending invitations; returns the findings only sharing the grant
    again heals: an invitation that expired."""
    statuses = await account.invitation_status(shares)
    unshared = []
    for arn in shares:
        status = statuses.get(arn)
        if status == "ACCEPTED" or (status is None and not is_account_id(request.grantee)):
            continue
        pending, expired = status == "PENDING", status == "EXPIRED"
        if pending:
            remedy = ""
        elif expired:
            remedy = ": the grant must be shared again (revoke, then grant; healing does it)"
        elif status == "REJECTED":
            # Someone in the consumer account answered no: a person decides, not meshcore.
            remedy = ": rejected in the consumer account; share again by hand if still wanted"
        else:
            # No invitation at all: within an AWS Organization shares are accepted without one,
            # so taking the grant away to share it again could cut working access. Reported.
            remedy = ": check the share's association with the account (an organization's "
            remedy += "shares need no invitation)"
        finding = Finding(
            kind="invitation",
            subject=subject(request),
            what=f"invitation of {account.account_id} to {arn} is {status or 'absent'}{remedy}",
            healable=pending or expired,
            details={"share": arn, "status": status},
        )
        report.findings.append(finding)
        if not pending:
            if expired:
                unshared.append(finding)
            continue
        if heal:
            await account.accept_shares([arn])
            await _healed(ports, finding, request, actor, share=arn)
    return unshared


async def _reshare(
    ports: AccessPorts,
    account: ConsumerShares | None,
    request: AccessRequest,
    findings: list[Finding],
    actor: str,
) -> None:
    """Share the request's grant again: revoke its Lake Formation entries, then grant them, so
    that Lake Formation associates the consumer account with the share again and RAM sends a
    new invitation (a grant of what is still held changes nothing in RAM); then accept it where
    the consumer is onboarded."""
    entries = request_grants(request, ports.catalog_id)
    current, _ = await ports.state.get_request(request.request_id)
    if current.state is not RequestState.GRANTED:
        return  # revoked or expired since the run listed it: nothing to share again
    try:
        await ports.lakeformation.revoke(entries)
        await ports.lakeformation.grant(entries)
        shares = await _shares(ports, request)
        accepted: list[str] = []
        if account is not None:
            accepted = await account.accept_shares(shares)
            statuses = await account.invitation_status(shares)
            left = {a: statuses.get(a) for a in shares if statuses.get(a) != "ACCEPTED"}
            if is_account_id(request.grantee) and (left or not shares):
                raise MeshError(f"shared again, but not accepted: {left or 'no RAM share'}")
        elif not shares:
            raise MeshError("shared again, but Lake Formation reports no RAM share")
    except MeshError as exc:
        for finding in findings:
            finding.error = str(exc)
        return
    for finding in findings:
        await _healed(ports, finding, request, actor, reshared=shares, accepted=accepted or None)


async def _links(
    account: ConsumerShares,
    request: AccessRequest,
    report: AccessReport,
    heal: bool,
    actor: str,
    ports: AccessPorts,
) -> None:
    for link in request.resource_links:
        database, _, table = link.partition(".")
        if await account.links_to(ports.catalog_id, database, table):
            continue
        finding = Finding(
            kind="link",
            subject=subject(request),
            what=f"resource link {link} missing in {account.account_id}",
            healable=True,
            details={"link": link},
        )
        report.findings.append(finding)
        if not heal:
            continue
        try:
            made = await account.link_table(ports.catalog_id, database, table)
        except MeshError as exc:
            finding.error = str(exc)
            continue
        if made is None:
            finding.error = "the consumer has its own table of that name: left alone"
            continue
        await _healed(ports, finding, request, actor, link=link)


def summary(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings by kind."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    return counts
