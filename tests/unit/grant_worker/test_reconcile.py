"""The access reconciliation in process, over the fakes: drift made by hand outside meshcore
is found, what meshcore owns is healed and audited, what no request explains is only reported."""

from __future__ import annotations

from dataclasses import replace

from grant_worker.reconcile import on_access_reconcile
from meshcore.actions.reconcile import AccessPorts, reconcile_access
from meshcore.domain.errors import AccessDeniedError
from meshcore.domain.grants import request_grants, table_grants
from meshcore.messages.commands import AccessReconcile

from ...fakes.consumer import FakeConsumerShares
from .test_revocation import granted
from .world import CENTRAL, CONSUMER, INVOICES, World, pending, world

STRANGER = "arn:aws:iam::555555555555:role/hand-made"


def ports(w: World) -> AccessPorts:
    return AccessPorts(
        state=w.state,  # type: ignore[arg-type]  # the stand-in of world.py
        lakeformation=w.lake,
        audit=w.audit,
        consumer_access=w.deps.consumer_access,
        catalog_id=CENTRAL,
    )


async def test_nothing_drifted_right_after_a_grant() -> None:
    w = await world()
    await granted(w)
    report = await reconcile_access(ports(w), heal=False, actor="t")
    assert report.requests == 1 and report.findings == []


async def test_a_grant_revoked_by_hand_is_missing_and_heal_restores_it_audited() -> None:
    w = await world()
    request_id = await granted(w)
    entries = request_grants(w.state.request(request_id), CENTRAL)
    await w.lake.revoke(entries[1:])  # by hand: the SELECT
    report = await reconcile_access(ports(w), heal=False, actor="t")
    assert [(f.kind, f.healed) for f in report.findings] == [("missing", False)]
    report = await reconcile_access(ports(w), heal=True, actor="ops")
    assert [(f.kind, f.healed) for f in report.findings] == [("missing", True)]
    assert (await reconcile_access(ports(w), heal=False, actor="t")).findings == []
    healed = w.audit.entries[-1]
    assert (healed.subject, healed.action, healed.actor) == (
        f"request/{request_id}",
        "access.healed",
        "ops",
    )


async def test_without_heal_nothing_changes() -> None:
    w = await world()
    request_id = await granted(w)
    await w.lake.revoke(request_grants(w.state.request(request_id), CENTRAL))
    await reconcile_access(ports(w), heal=False, actor="t")
    assert await w.lake.permissions_of(CONSUMER) == []
    assert "access.healed" not in w.audit.actions()


async def test_a_stale_exclusion_is_revoked_and_the_approved_one_granted() -> None:
    w = await world()
    request_id = await granted(w)
    entries = request_grants(w.state.request(request_id), CENTRAL)
    await w.lake.revoke(entries[1:])
    wider = table_grants(CONSUMER, CENTRAL, INVOICES.database, INVOICES.table, [])
    await w.lake.grant(wider[1:])  # every column, customer_email included
    report = await reconcile_access(ports(w), heal=True, actor="t")
    assert sorted((f.kind, f.healed) for f in report.findings) == [
        ("extra", True),
        ("missing", True),
    ]
    rows = await w.lake.permissions_of(CONSUMER)
    (select,) = [r for r in rows if "TableWithColumns" in r["Resource"]]
    approved = entries[1]["Resource"]["TableWithColumns"]
    assert select["Resource"]["TableWithColumns"] == approved
    assert "customer_email" not in approved.get("ColumnNames", [])


async def test_a_permission_no_request_explains_is_reported_never_revoked() -> None:
    w = await world()
    await granted(w)
    await w.lake.grant(table_grants(STRANGER, CENTRAL, INVOICES.database, INVOICES.table, []))
    report = await reconcile_access(ports(w), heal=True, actor="t")
    assert {(f.kind, f.subject, f.healed) for f in report.findings} == {
        ("unexplained", "access/unexplained", False)
    }
    assert len(await w.lake.permissions_of(STRANGER)) == 2
    # meshcore's own roles are its machinery, not access anyone was granted.
    own = AccessPorts(**(vars(ports(w)) | {"own_principals": frozenset({STRANGER})}))
    assert (await reconcile_access(own, heal=False, actor="t")).findings == []


async def test_a_deleted_link_and_a_pending_invitation_are_healed() -> None:
    w = await world()
    await granted(w)
    await w.consumer.catalog.delete_table(INVOICES.database, INVOICES.table)
    (share,) = w.consumer.invitations
    w.consumer.invitations[share] = "PENDING"
    report = await reconcile_access(ports(w), heal=True, actor="t")
    assert sorted((f.kind, f.healed) for f in report.findings) == [
        ("invitation", True),
        ("link", True),
    ]
    assert w.consumer.links == [str(INVOICES)] and w.consumer.invitations[share] == "ACCEPTED"


async def test_an_expired_invitation_is_reported_and_heal_shares_the_grant_again() -> None:
    w = await world()
    request_id = await granted(w)
    (share,) = w.consumer.invitations
    w.consumer.expire(share)
    report = await reconcile_access(ports(w), heal=False, actor="t")
    assert [(f.kind, f.healable, f.healed) for f in report.findings] == [
        ("invitation", True, False)
    ]
    assert "EXPIRED" in report.findings[0].what
    # A grant of what is still held changes nothing in RAM: heal must revoke, then grant.
    await w.lake.grant(request_grants(w.state.request(request_id), CENTRAL))
    assert w.consumer.invitations[share] == "EXPIRED"

    report = await reconcile_access(ports(w), heal=True, actor="ops")

    assert [(f.kind, f.healed, f.error) for f in report.findings] == [("invitation", True, "")]
    assert w.consumer.invitations[share] == "ACCEPTED"
    assert len(await w.lake.permissions_of(CONSUMER)) == len(
        request_grants(w.state.request(request_id), CENTRAL)
    )
    entry = w.audit.entries[-1]
    assert (entry.subject, entry.action, entry.actor) == (
        f"request/{request_id}",
        "access.healed",
        "ops",
    )
    assert entry.details["reshared"] == [share] and entry.details["accepted"] == [share]
    assert (await reconcile_access(ports(w), heal=False, actor="t")).findings == []


async def test_an_absent_invitation_is_reported_and_access_left_alone() -> None:
    """Within an AWS Organization a share needs no invitation: re-sharing (revoke, then grant)
    would cut working access, so an absent invitation is reported, never healed."""
    w = await world()
    request_id = await granted(w)
    (share,) = w.consumer.invitations
    del w.consumer.invitations[share]
    held = dict(w.lake.granted)
    report = await reconcile_access(ports(w), heal=True, actor="t")
    assert [(f.kind, f.healable, f.healed) for f in report.findings] == [
        ("invitation", False, False)
    ]
    assert "absent" in report.findings[0].what
    assert share not in w.consumer.invitations
    healed = [e for e in w.audit.entries if e.action == "access.healed"]
    assert healed == [] and w.lake.granted == held, request_id


async def test_a_rejected_invitation_is_reported_not_shared_again() -> None:
    w = await world()
    request_id = await granted(w)
    (share,) = w.consumer.invitations
    w.consumer.invitations[share] = "REJECTED"
    before = len(w.audit.entries)
    report = await reconcile_access(ports(w), heal=True, actor="t")
    ((kind, healable, healed),) = [(f.kind, f.healable, f.healed) for f in report.findings]
    assert (kind, healable, healed) == ("invitation", False, False)
    assert w.consumer.invitations[share] == "REJECTED"
    assert len(await w.lake.permissions_of(CONSUMER)) == len(
        request_grants(w.state.request(request_id), CENTRAL)
    )
    assert len(w.audit.entries) == before


async def test_a_reshare_left_unaccepted_is_reported_unhealed() -> None:
    w = await world()
    await granted(w)
    (share,) = w.consumer.invitations
    w.consumer.expire(share)

    async def nothing_accepted(share_arns: list[str]) -> list[str]:
        return []

    w.consumer.accept_shares = nothing_accepted  # type: ignore[method-assign]
    report = await reconcile_access(ports(w), heal=True, actor="t")
    ((finding),) = report.findings
    assert (finding.kind, finding.healed) == ("invitation", False)
    assert finding.error is not None and "not accepted" in finding.error
    assert "access.healed" not in w.audit.actions()


async def test_a_consumer_admin_role_of_another_account_is_not_used() -> None:
    w = await world()
    await granted(w)
    tampered = "arn:aws:iam::555555555555:role/meshcore-consumer-admin"
    w.state.consumers[CONSUMER] = w.state.consumers[CONSUMER].model_copy(
        update={"admin_role_arn": tampered}
    )
    used: list[tuple[str, str]] = []

    async def consumer_access(account_id: str, role_arn: str) -> FakeConsumerShares:
        used.append((account_id, role_arn))
        raise AccessDeniedError(f"{role_arn} is not a role of {account_id}")

    report = await reconcile_access(
        replace(ports(w), consumer_access=consumer_access), heal=True, actor="t"
    )
    assert used == [(CONSUMER, tampered)]
    ((finding),) = report.findings
    assert (finding.kind, finding.healable) == ("consumer", False)


async def test_a_dropped_and_recreated_table_gets_its_grant_back() -> None:
    w = await world()
    request_id = await granted(w)
    table = await w.catalog.get_table(INVOICES.database, INVOICES.table)
    assert table is not None
    await w.catalog.delete_table(INVOICES.database, INVOICES.table)
    w.lake.drop_table(INVOICES.database, INVOICES.table)
    await w.catalog.create_table(INVOICES.database, table)
    report = await reconcile_access(ports(w), heal=True, actor="t")
    kinds = sorted((f.kind, f.healed) for f in report.findings)
    # The recreated table lost its sensitivity tag too: reported, the owner's review sets it.
    assert kinds == [("missing", True), ("missing", True), ("tag", False)]
    held = {tuple(r["Permissions"]) for r in await w.lake.permissions_of(CONSUMER)}
    assert held == {("DESCRIBE",), ("SELECT",)}
    assert w.audit.actions(f"request/{request_id}").count("access.healed") == 2


async def test_the_scheduled_message_heals_and_publishes_the_drift() -> None:
    w = await world()
    request_id = await granted(w)
    await w.lake.revoke(request_grants(w.state.request(request_id), CENTRAL))
    await on_access_reconcile(AccessReconcile(reconcile_id="r-1"), w.deps)
    assert len(await w.lake.permissions_of(CONSUMER)) == 2
    published = {d["MetricName"]: d for d in w.deps.metrics.drain()}
    assert published["AccessDrift"]["Values"] == [2.0]
    assert published["AccessDriftUnhealed"]["Values"] == [0.0]


async def test_a_domain_grant_by_tag_policy_is_compared_and_healed_too() -> None:
    w = await world()
    request = w.state.add(pending(tables=[], domain="ar"))
    await w.decide(request.request_id)
    assert (await reconcile_access(ports(w), heal=False, actor="t")).findings == []
    entries = request_grants(w.state.request(request.request_id), CENTRAL)
    await w.lake.revoke(entries[1:])  # by hand: SELECT and DESCRIBE on the domain's tables
    report = await reconcile_access(ports(w), heal=True, actor="t")
    assert [(f.kind, f.healed) for f in report.findings] == [("missing", True)]
    assert "LFTagPolicy TABLE domain=ar AND sensitivity=none" in report.findings[0].what
    assert (await reconcile_access(ports(w), heal=False, actor="t")).findings == []


async def test_a_consumer_not_onboarded_is_compared_in_lake_formation_only() -> None:
    w = await world(onboarded=False)
    request_id = await granted(w)
    report = await reconcile_access(ports(w), heal=True, actor="t")
    assert report.findings == []  # its invitation is its own to accept; no links are meshcore's
    await w.lake.revoke(request_grants(w.state.request(request_id), CENTRAL))
    report = await reconcile_access(ports(w), heal=True, actor="t")
    assert [(f.kind, f.healed) for f in report.findings] == [("missing", True), ("missing", True)]
