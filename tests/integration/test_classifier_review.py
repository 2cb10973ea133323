"""The classifier's scan handler and the review workflow against the embedded AWS: sampling
through the producer's role, recommendations remembered across scans, accept/reject as Lake
Formation tags on the central column, and the producer's auto-accept policy."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from structlog.testing import capture_logs

from classifier.app import make_bootstrap
from meshcore.actions.review import Review, accept, reject
from meshcore.aws.audit import AuditLog
from meshcore.aws.clients import AsyncAws, SyncAws
from meshcore.aws.lftags import ColumnTags
from meshcore.aws.state import DynamoStateStore
from meshcore.domain.errors import InvalidTransitionError
from meshcore.domain.recommendations import Recommendation, RecommendationState
from meshcore.domain.registry import Producer
from meshcore.domain.state_store import StateStore
from meshcore.messages.commands import ClassificationScanRequest
from meshcore.provisioning.central import bootstrap_central
from meshcore.provisioning.onboarding import SAMPLE_READ_ROLE
from meshcore.runtime.consumer import QueueMessage
from meshcore.runtime.dispatch import dispatcher
from meshcore.runtime.metrics import Metrics
from meshcore.settings import MeshSettings

PRODUCER = "222222222222"
BUCKET = f"ar-finance-{PRODUCER}"
DB, TABLE = "ar__crm", "contacts"
S = RecommendationState
EMAILS = [f"person{i}@example.org" for i in range(60)]


@dataclass
class Env:
    settings: MeshSettings
    state: StateStore
    review: Review
    audit: AuditLog  # the review's audit trail, read back
    handle: Any
    glue: Any
    lf: Any
    s3: Any

    async def scan(self, *columns: str) -> None:
        request = ClassificationScanRequest(database=DB, table=TABLE, columns=list(columns))
        await self.handle(
            QueueMessage("m-1", "r-1", request.model_dump_json(), 1, None, "classification")
        )

    async def recs(self) -> dict[tuple[str, str], Recommendation]:
        return {
            (r.column, r.sensitivity_class): r
            for r, _ in await self.state.recommendations_of_table(DB, TABLE)
        }

    def tag(self, column: str) -> list[str]:
        response = self.lf.get_resource_lf_tags(
            Resource={
                "TableWithColumns": {"DatabaseName": DB, "Name": TABLE, "ColumnNames": [column]}
            },
            ShowAssignedLFTags=True,
        )
        return [
            v
            for c in response.get("LFTagsOnColumns", [])
            for t in c["LFTags"]
            if t["TagKey"] == "sensitivity"
            for v in t["TagValues"]
        ]


def columns(*extra: tuple[str, str]) -> list[dict[str, str]]:
    base = [("contact_email", "string"), ("notes", "string"), ("amount", "decimal(18,2)")]
    return [{"Name": n, "Type": t} for n, t in [*base, *extra]]


def write_csv(s3: Any, rows: list[list[str]], header: list[str]) -> None:
    body = "\n".join(",".join(r) for r in [header, *rows])
    s3.put_object(Bucket=BUCKET, Key="crm/contacts/part-0.csv", Body=body.encode())


def table_input(cols: list[dict[str, str]], **params: str) -> dict[str, Any]:
    return {
        "Name": TABLE,
        "StorageDescriptor": {
            "Columns": cols,
            "Location": f"s3://{BUCKET}/crm/contacts/",
            "SerdeInfo": {
                "SerializationLibrary": "org.apache.hadoop.hive.serde2.OpenCSVSerde",
                "Parameters": {"separatorChar": ","},
            },
        },
        "Parameters": {"meshcore:producer_account": PRODUCER, **params},
    }


@pytest.fixture
async def env(settings: MeshSettings) -> AsyncIterator[Env]:
    bootstrap_central(SyncAws(settings), settings)
    sync = SyncAws(settings)
    producer_aws = sync.assumed(settings.role_arn(PRODUCER, SAMPLE_READ_ROLE))
    s3 = producer_aws.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    glue = sync.client("glue")
    glue.create_database(DatabaseInput={"Name": DB})
    glue.create_table(DatabaseName=DB, TableInput=table_input(columns()))
    write_csv(
        s3,
        [[e, "called back", "12.50"] for e in EMAILS],
        ["contact_email", "notes", "amount"],
    )
    async with AsyncExitStack() as stack:
        aws = AsyncAws(settings, stack, "classifier-test")
        stack.push_async_callback(aws.aclose)
        dynamodb = await aws.client("dynamodb")
        state = DynamoStateStore(dynamodb, settings.state_table)
        await state.put_producer(
            Producer(
                account_id=PRODUCER,
                domain="ar",
                read_role_arn=settings.role_arn(PRODUCER, "meshcore-catalog-reader"),
                owners=["ada@ar.example.com"],
                allow_sampling=True,
                sample_role_arn=settings.role_arn(PRODUCER, SAMPLE_READ_ROLE),
            )
        )
        audit = AuditLog(dynamodb, settings.audit_table)
        review = Review(
            state,
            audit,
            ColumnTags(await aws.client("lakeformation"), settings.central_account_id),
        )
        routes = await make_bootstrap(settings)(aws, Metrics())
        yield Env(
            settings,
            state,
            review,
            audit,
            dispatcher(routes[0].decode, routes[0].handlers),
            glue,
            sync.client("lakeformation"),
            s3,
        )


async def audit_actions(env: Env, rec_id: str) -> list[str]:
    entries = await env.audit.history(f"recommendation/{rec_id}")
    return [e.action for e in entries]


async def test_sampled_values_give_evidence_and_are_never_stored_or_logged(env: Env) -> None:
    with capture_logs() as logs:
        await env.scan()
    recs = await env.recs()
    email = recs[("contact_email", "email_address")]
    assert email.state is S.PENDING and email.confidence >= 0.9
    assert email.evidence["match_rate"] == 1.0 and email.evidence["non_empty"] == 60
    assert email.evidence["sample_source"] == "s3 csv, 1 object(s)"
    assert "100 % of 60 sampled non-empty values are valid email addresses" in email.explanation
    assert not any(c == "notes" or c == "amount" for c, _ in recs)
    stored = json.dumps([r.model_dump(mode="json") for r in recs.values()])
    logged = json.dumps(logs, default=str)
    audited = json.dumps(
        [
            e.model_dump(mode="json")
            for e in await env.audit.history(f"recommendation/{email.recommendation_id}")
        ]
    )
    for value in EMAILS:
        assert value not in stored and value not in logged and value not in audited


async def test_a_table_that_opts_out_is_classified_from_metadata_only(env: Env) -> None:
    env.glue.update_table(
        DatabaseName=DB, TableInput=table_input(columns(), **{"meshcore.sampling": "deny"})
    )
    await env.scan()
    email = (await env.recs())[("contact_email", "email_address")]
    assert "sample_source" not in email.evidence and "no sampled values" in email.explanation


async def test_accept_tags_the_column_and_reject_tags_it_not_sensitive(env: Env) -> None:
    await env.scan()
    rec = (await env.recs())[("contact_email", "email_address")]
    # Scanned: nothing found in notes (not sensitive), the email awaits review.
    assert env.tag("notes") == ["none"]
    assert env.tag("contact_email") == ["unclassified"]
    accepted = await accept(env.review, rec.recommendation_id, "ada@ar.example.com")
    assert accepted.state is S.ACCEPTED and accepted.decided_by == "ada@ar.example.com"
    assert env.tag("contact_email") == ["email_address"]
    assert env.tag("notes") == ["none"]

    await env.scan()  # an unchanged column is never asked again
    assert (await env.recs())[("contact_email", "email_address")].state is S.ACCEPTED

    rejected = await reject(env.review, rec.recommendation_id, "ada@ar.example.com")
    assert rejected.state is S.REJECTED and rejected.rejected_evidence == rec.evidence
    assert env.tag("contact_email") == ["none"]
    await env.scan()  # same evidence: still rejected
    assert (await env.recs())[("contact_email", "email_address")].state is S.REJECTED
    assert await audit_actions(env, rec.recommendation_id) == [
        "recommendation.created",
        "recommendation.accepted",
        "recommendation.rejected",
    ]


async def test_accepting_another_class_replaces_the_tag_value(env: Env) -> None:
    await env.scan()
    email = (await env.recs())[("contact_email", "email_address")]
    await accept(env.review, email.recommendation_id, "ada")
    other = Recommendation(
        database=DB,
        table=TABLE,
        column="contact_email",
        column_type="string",
        sensitivity_class="person_name",
        confidence=0.6,
        explanation="a reviewer's own finding",
    )
    await env.state.add_recommendation(other)
    await accept(env.review, other.recommendation_id, "ada")
    assert env.tag("contact_email") == ["person_name"]  # one value per key
    recs = await env.recs()
    assert recs[("contact_email", "email_address")].state is S.REJECTED
    assert recs[("contact_email", "person_name")].state is S.ACCEPTED


async def test_a_new_pending_recommendation_never_removes_an_accepted_tag(env: Env) -> None:
    await env.scan()
    email = (await env.recs())[("contact_email", "email_address")]
    await accept(env.review, email.recommendation_id, "ada")
    env.glue.update_table(
        DatabaseName=DB,
        TableInput=table_input([{"Name": "contact_email", "Type": "varchar(200)"}, *columns()[1:]]),
    )
    await env.scan("contact_email")  # a type change is a new question
    recs = [r for r, _ in await env.state.recommendations_of_table(DB, TABLE)]
    assert sorted(r.state.value for r in recs) == ["accepted", "pending"]
    pending = next(r for r in recs if r.state is S.PENDING)
    await reject(env.review, pending.recommendation_id, "ada")
    assert env.tag("contact_email") == ["email_address"]


async def test_a_rejection_is_reopened_only_when_values_match_much_more(env: Env) -> None:
    env.glue.update_table(DatabaseName=DB, TableInput=table_input(columns(("payee_ref", "string"))))
    write_csv(
        env.s3,
        [[e, "n", "1.00", "unknown"] for e in EMAILS],
        ["contact_email", "notes", "amount", "payee_ref"],
    )
    await env.scan()
    assert not any(c == "payee_ref" for c, _ in await env.recs())
    email = (await env.recs())[("contact_email", "email_address")]
    await reject(env.review, email.recommendation_id, "ada")

    # the same values again: nothing to ask
    await env.scan("contact_email")
    assert (await env.recs())[("contact_email", "email_address")].state is S.REJECTED

    # a column full of IBANs under an opaque name is found from its values alone
    ibans = ["GB82WEST12345698765432", "DE89370400440532013000", "FR1420041010050500013M02606"]
    write_csv(
        env.s3,
        [[e, "n", "1.00", ibans[i % 3]] for i, e in enumerate(EMAILS)],
        ["contact_email", "notes", "amount", "payee_ref"],
    )
    await env.scan("payee_ref")
    iban = (await env.recs())[("payee_ref", "iban")]
    assert iban.state is S.PENDING and iban.evidence["match_rate"] == 1.0
    await reject(env.review, iban.recommendation_id, "ada")
    await env.scan("payee_ref")
    assert (await env.recs())[("payee_ref", "iban")].state is S.REJECTED


async def test_reopen_when_the_evidence_changed_materially(env: Env) -> None:
    env.glue.update_table(
        DatabaseName=DB,
        TableInput=table_input(columns(("customer_ip", "string"))),
    )
    write_csv(
        env.s3,
        [[e, "n", "1.00", "n/a"] for e in EMAILS],
        ["contact_email", "notes", "amount", "customer_ip"],
    )
    await env.scan("customer_ip")
    ip = (await env.recs())[("customer_ip", "ip_address")]
    assert "only" in ip.explanation  # name says IP, values contradict: weak
    await reject(env.review, ip.recommendation_id, "ada")
    write_csv(
        env.s3,
        [[e, "n", "1.00", f"10.1.2.{i}"] for i, e in enumerate(EMAILS)],
        ["contact_email", "notes", "amount", "customer_ip"],
    )
    await env.scan("customer_ip")
    reopened = (await env.recs())[("customer_ip", "ip_address")]
    assert reopened.state is S.PENDING and reopened.reopened == 1
    assert reopened.rejected_evidence is not None
    assert "recommendation.reopened" in await audit_actions(env, ip.recommendation_id)


async def test_policy_auto_accepts_confident_classes_and_tags_them(env: Env) -> None:
    found = await env.state.get_producer_versioned(PRODUCER)
    assert found is not None
    producer, version = found
    await env.state.save_producer(
        producer.model_copy(update={"auto_accept": {"email_address": 0.9, "iban": 0.99}}),
        version,
    )
    await env.scan()
    email = (await env.recs())[("contact_email", "email_address")]
    assert email.state is S.AUTO_ACCEPTED and email.decided_by == "classifier"
    assert env.tag("contact_email") == ["email_address"]
    actions = await audit_actions(env, email.recommendation_id)
    assert actions == ["recommendation.created", "recommendation.auto_accepted"]
    # a person may still reject it, which tags it not sensitive instead
    await reject(env.review, email.recommendation_id, "ada")
    assert env.tag("contact_email") == ["none"]
    with pytest.raises(InvalidTransitionError):
        Recommendation.model_validate(email.model_dump()).decide(S.PENDING, "ada")


async def test_a_rejection_is_remembered_for_columns_named_alike_in_the_domain(env: Env) -> None:
    env.glue.update_table(DatabaseName=DB, TableInput=table_input(columns(("payee_ref", "string"))))
    write_csv(
        env.s3,
        [[e, "n", "1.00", "unknown"] for e in EMAILS],
        ["contact_email", "notes", "amount", "payee_ref"],
    )
    await env.scan()
    email = (await env.recs())[("contact_email", "email_address")]
    await reject(env.review, email.recommendation_id, "ada@ar.example.com")
    producer = await env.state.get_producer(PRODUCER)
    assert producer is not None
    assert [r.key for r in producer.rejection_rules] == [("email_address", "contactemail")]
    history = await env.audit.history(f"producer/{PRODUCER}")
    assert [e.action for e in history] == ["rejection_rule.remembered"]

    # another table of the domain: a column named alike with the same evidence is recorded as
    # rejected without asking; its explanation says why
    other = "contacts_eu"
    env.glue.create_table(
        DatabaseName=DB,
        TableInput={**table_input([{"Name": "ContactEmail", "Type": "string"}]), "Name": other},
    )
    request = ClassificationScanRequest(database=DB, table=other, columns=[])
    await env.handle(QueueMessage("m-2", "r-2", request.model_dump_json(), 1, None, "scan"))
    (found, _), *_ = await env.state.recommendations_of_table(DB, other)
    assert found.state is S.REJECTED and found.decided_by == "rejection-rule"
    assert "ada@ar.example.com rejected email_address" in found.explanation
    assert await audit_actions(env, found.recommendation_id) == ["recommendation.rejected_by_rule"]

    # a person accepting it after all drops the rule
    await accept(env.review, found.recommendation_id, "ada@ar.example.com")
    producer = await env.state.get_producer(PRODUCER)
    assert producer is not None and producer.rejection_rules == []
