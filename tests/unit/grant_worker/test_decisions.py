"""grant-worker's decisions in process, with the fakes of its ports: what is granted, what is
refused and why, and what a redelivered or replayed decision does."""

from __future__ import annotations

from datetime import timedelta

from grant_worker.decisions import on_decision
from meshcore.domain.access import RequestState
from meshcore.domain.recommendations import Recommendation
from meshcore.messages.commands import AccessDecision
from meshcore.runtime.dispatch import Delivery

from .world import CONSUMER, INVOICES, NOW, OWNER, PAYMENTS, pending, permissions, world

GRANTED_INVOICES = {
    ("Table", "invoices", "DESCRIBE"),
    ("TableWithColumns", "invoices", "SELECT"),
}


async def test_an_approval_grants_least_privilege_and_delivers_it() -> None:
    w = await world()
    request = w.state.add(pending())
    await w.decide(request.request_id)
    done = w.state.request(request.request_id)
    assert done.state is RequestState.GRANTED and done.grants_applied
    assert done.excluded_columns == {str(INVOICES): ["customer_email"]}
    assert await permissions(w) == GRANTED_INVOICES
    (row,) = [
        r for r in await w.lake.permissions_of(CONSUMER) if "TableWithColumns" in r["Resource"]
    ]
    # By name: a column the table gets later is not among them.
    assert row["Resource"]["TableWithColumns"]["ColumnNames"] == ["amount", "invoice_id"]
    assert done.granted_columns == {str(INVOICES): ["invoice_id", "amount"]}
    assert row["PermissionsWithGrantOption"] == ["SELECT"]  # the account's admin passes it on
    assert done.resource_links == [str(INVOICES)] == w.consumer.links
    assert set(w.consumer.invitations.values()) == {"ACCEPTED"}
    assert w.audit.actions() == ["grant.created"]
    assert w.notified() == ["granted"]
    assert done.expires_at == NOW + timedelta(days=90)  # the requested duration


async def test_sensitive_columns_named_by_the_approval_are_granted() -> None:
    w = await world()
    request = w.state.add(pending(columns=["customer_email"]))
    await w.decide(request.request_id, sensitive_columns=["customer_email"])
    assert w.state.request(request.request_id).excluded_columns == {str(INVOICES): []}


async def test_columns_pending_classification_are_left_out_unless_approved() -> None:
    w = await world()
    # amount has a recommendation awaiting review; invoice_id was added and not scanned yet.
    w.state.recommendations.append(
        Recommendation(
            database=INVOICES.database,
            table=INVOICES.table,
            column="amount",
            column_type="string",
            sensitivity_class="iban",
            confidence=0.6,
            explanation="looks like an account number",
        )
    )
    w.lake.tags[(INVOICES.database, INVOICES.table)].pop("invoice_id")
    request = w.state.add(pending())
    await w.decide(request.request_id)
    done = w.state.request(request.request_id)
    assert done.excluded_columns == {str(INVOICES): ["amount", "customer_email", "invoice_id"]}
    assert done.granted_columns == {str(INVOICES): []}
    assert await permissions(w) == {("Table", "invoices", "DESCRIBE")}

    approved = w.state.add(pending(columns=["amount"]))
    await w.decide(approved.request_id, sensitive_columns=["amount"])
    assert w.state.request(approved.request_id).granted_columns == {str(INVOICES): ["amount"]}


async def test_an_approval_may_narrow_the_tables() -> None:
    w = await world()
    request = w.state.add(pending(tables=[INVOICES, PAYMENTS]))
    await w.decide(request.request_id, tables=[PAYMENTS.model_dump()])
    assert w.state.request(request.request_id).granted_tables == [PAYMENTS]
    assert {name for _kind, name, _p in await permissions(w)} == {"payments"}


async def test_an_unverified_decision_changes_and_tells_nothing() -> None:
    w = await world()
    request = w.state.add(pending())
    decision = AccessDecision(
        request_id=request.request_id,
        ticket_id="FIN-1",
        decision="approve",
        approver=OWNER,
        terms_digest=request.terms_digest(),
        issued_at=NOW,
    )
    signed = await w.signer.sign(decision)
    forged = signed.model_copy(update={"signature": "AAAA"})
    await on_decision(forged, Delivery("m-1", 1), w.deps)
    assert w.state.request(request.request_id).state is RequestState.PENDING
    (entry,) = w.audit.entries
    assert entry.action == "decision.refused" and entry.actor.startswith("unverified")
    assert w.notifications.sent == [] and await permissions(w) == set()


async def test_a_decision_on_an_unknown_request_is_refused_and_audited() -> None:
    w = await world()
    await w.decide("req-unknown")
    (entry,) = w.audit.entries
    assert entry.details["reason"] == "unknown request"
    assert w.notifications.sent == []


async def test_a_decision_by_someone_who_is_not_an_owner_is_refused_on_the_request() -> None:
    w = await world()
    request = w.state.add(pending())
    await w.decide(request.request_id, approver="mallory@example.com")
    refused = w.state.request(request.request_id)
    assert refused.state is RequestState.PENDING
    assert "mallory@example.com is not an owner" in refused.last_refusal
    assert w.audit.actions() == ["decision.refused"]
    assert w.notified() == ["pending"] and await permissions(w) == set()


async def test_a_table_whose_data_is_not_registered_is_refused() -> None:
    w = await world()
    w.lake.locations.clear()
    request = w.state.add(pending())
    await w.decide(request.request_id)
    refused = w.state.request(request.request_id)
    assert refused.state is RequestState.PENDING
    assert "not registered with Lake Formation" in refused.last_refusal
    assert await permissions(w) == set()


async def test_a_table_deleted_since_the_request_is_refused() -> None:
    w = await world()
    request = w.state.add(pending())
    await w.catalog.delete_table(INVOICES.database, INVOICES.table)
    await w.decide(request.request_id)
    assert "no longer exists" in w.state.request(request.request_id).last_refusal
    assert await permissions(w) == set()


async def test_a_rejection_grants_nothing() -> None:
    w = await world()
    request = w.state.add(pending())
    await w.decide(request.request_id, decision="reject")
    assert w.state.request(request.request_id).state is RequestState.REJECTED
    assert w.audit.actions() == ["request.rejected"] and w.notified() == ["rejected"]
    assert await permissions(w) == set()


async def test_the_same_message_delivered_again_changes_nothing() -> None:
    w = await world()
    request = w.state.add(pending())
    await w.decide(request.request_id, message_id="m-1")
    await w.decide(request.request_id, message_id="m-1")
    assert w.audit.actions() == ["grant.created"]
    assert w.notified() == ["granted"]


async def test_a_copy_of_an_applied_decision_is_refused_as_a_replay() -> None:
    w = await world()
    request = w.state.add(pending())
    await w.decide(request.request_id, message_id="m-1")
    await w.decide(request.request_id, message_id="m-2")
    assert w.audit.actions() == ["grant.created", "decision.refused"]
    assert w.audit.entries[-1].details["reason"] == "replayed decision"
    assert w.state.request(request.request_id).state is RequestState.GRANTED


async def test_a_grant_interrupted_after_it_was_recorded_is_finished_by_the_retry() -> None:
    w = await world()
    request = w.state.add(pending())
    recorded = request.granted(NOW).model_copy(
        update={
            "ticket_id": "FIN-1",
            "granted_tables": [INVOICES],
            "excluded_columns": {str(INVOICES): ["customer_email"]},
        }
    )
    w.state.requests[request.request_id] = (recorded, 2)
    await w.decide(request.request_id)
    done = w.state.request(request.request_id)
    assert done.grants_applied and await permissions(w) == GRANTED_INVOICES
    assert w.audit.actions() == ["grant.created"]


async def test_a_consumer_not_onboarded_accepts_the_share_itself() -> None:
    w = await world(onboarded=False)
    request = w.state.add(pending())
    await w.decide(request.request_id)
    done = w.state.request(request.request_id)
    assert done.grants_applied and done.resource_links == []
    assert done.resource_share_arns == list(w.consumer.invitations)
    assert set(w.consumer.invitations.values()) == {"PENDING"}
    assert "accepts the invitation itself" in done.delivery


async def test_a_domain_approval_grants_by_tag_expression_and_links_todays_tables() -> None:
    w = await world()
    request = w.state.add(pending(tables=[], domain="ar"))
    await w.decide(request.request_id)
    done = w.state.request(request.request_id)
    assert done.granted_domain == "ar" and done.grants_applied
    assert await permissions(w) == {
        ("LFTagPolicy", "DATABASE", "DESCRIBE"),
        ("LFTagPolicy", "TABLE", "DESCRIBE"),
        ("LFTagPolicy", "TABLE", "SELECT"),
    }
    assert w.consumer.links == [str(INVOICES), str(PAYMENTS)]


async def test_a_replayed_decision_is_refused_each_time_but_notifies_no_one() -> None:
    w = await world()
    request = w.state.add(pending())
    await w.decide(request.request_id, message_id="m-1")
    for copy in ("m-2", "m-3", "m-4"):
        await w.decide(request.request_id, message_id=copy)
    assert w.audit.actions() == ["grant.created"] + ["decision.refused"] * 3
    assert w.notified() == ["granted"]


async def test_the_same_refusal_again_is_told_once() -> None:
    w = await world()
    request = w.state.add(pending())
    await w.decide(request.request_id, approver="mallory@example.com", message_id="m-1")
    await w.decide(request.request_id, approver="mallory@example.com", message_id="m-2")
    assert w.audit.actions() == ["decision.refused", "decision.refused"]
    assert w.notified() == ["pending"]
