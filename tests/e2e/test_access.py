"""Access end to end: request, signed decision, least-privilege grants, delivery, revocation,
expiry, and every kind of decision that must be refused."""

from __future__ import annotations

import base64
import io
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from meshcore.domain.access import AccessRequest, TableName
from meshcore.messages.commands import (
    AccessDecision,
    ExpirySweep,
    RevokeCommand,
    SignedAccessDecision,
)
from meshcore_devstack.mesh import (
    ANALYST_ROLE,
    AR,
    CENTRAL,
    CONSUMER,
    PRODUCERS,
    QUERY_ENGINE_TAG,
    analyst_clients,
    as_central_role,
)
from meshcore_devstack.query_engine import QueryRefused, QueryResult, select, trust_engine
from meshcore_devstack.story import Story, invoices_table, partition, write_invoices

from .conftest import Stack, StackFactory, eventually

# An approval that expires this soon after it is signed (the expiry tests wait it out).
EXPIRES_IN_SECONDS = 30

pytestmark = pytest.mark.e2e

OWNER = PRODUCERS[0].owner
TABLE = "ar__receivables.invoices"
PENDING = "pending classification"
# Every column and partition key of the invoices table but customer_email.
NOT_SENSITIVE = ["amount", "currency", "customer_id", "invoice_id", "month", "year"]


def classifications(stack: Stack, table: str = TABLE) -> dict[str, str]:
    """Column -> its classification as `meshctl describe` says it."""
    described = json.loads(stack.meshctl("--json", "describe", table))
    return {
        c["name"]: c["classification"]
        for c in [*described["columns"], *described["partition_keys"]]
    }


def owner_reviews(
    stack: Stack, accept: set[str], pending: frozenset[str] = frozenset(), table: str = TABLE
) -> dict[str, str]:
    """The owner accepts what the classifier recommends for the `accept` columns, leaves the
    `pending` ones to later and rejects the rest, until no other column is pending
    classification (the scan is done). Returns each column's classification."""
    database, _, name = table.partition(".")

    def reviewed() -> dict[str, str] | None:
        for rec in json.loads(stack.meshctl("--json", "review", "list")):
            if (rec["database"], rec["table"]) != (database, name) or rec["column"] in pending:
                continue
            verb = "accept" if rec["column"] in accept else "reject"
            stack.meshctl("review", verb, rec["id"], "--by", OWNER)
        found = classifications(stack, table)
        return found if {c for c, v in found.items() if v == PENDING} == pending else None

    return eventually(reviewed, f"the classification of {table}", timeout=60)


def _mesh(stack_factory: StackFactory, pending: frozenset[str] = frozenset()) -> Stack:
    stack = stack_factory()
    glue = stack.client("glue", AR)
    glue.create_database(DatabaseInput={"Name": "receivables"})
    glue.create_table(DatabaseName="receivables", TableInput=invoices_table())
    glue.batch_create_partition(
        DatabaseName="receivables",
        TableName="invoices",
        PartitionInputList=[partition("2026", "11")],
    )
    write_invoices(stack.client("s3", AR), "11")
    # The consumer's data lake admin trusts its query engine (its own business, once).
    trust_engine(stack.client("lakeformation", CONSUMER), CONSUMER, QUERY_ENGINE_TAG)

    def email_recommended() -> Any:
        recs = json.loads(stack.meshctl("--json", "review", "list"))
        return next((r for r in recs if r["column"] == "customer_email"), None)

    eventually(email_recommended, "the email recommendation")
    # customer_id's recommendation (a customer identifier) is rejected: an internal key.
    owner_reviews(stack, {"customer_email"} - pending, pending)
    return stack


@pytest.fixture
def mesh(stack_factory: StackFactory) -> Stack:
    """A stack whose AR producer has a table, synced and classified, with customer_email
    accepted as sensitive."""
    return _mesh(stack_factory)


@pytest.fixture
def mesh_pending(stack_factory: StackFactory) -> Stack:
    """The same, with the recommendation for customer_email awaiting the owner's review."""
    return _mesh(stack_factory, frozenset({"customer_email"}))


def request(stack: Stack, *extra: str) -> str:
    return str(Story(stack.endpoint).request_access("tests", *extra)["request_id"])


def analyst_reads(
    stack: Stack, columns: list[str] | None = None, table: str = TABLE, **kw: Any
) -> QueryResult:
    """What the consumer's analyst gets back from its query engine (raises QueryRefused)."""
    database, _, name = table.partition(".")
    return select(analyst_clients(stack.env), database, name, columns, **kw)


def query_refused(stack: Stack, columns: list[str] | None = None, **kw: Any) -> str:
    with pytest.raises(QueryRefused) as refusal:
        analyst_reads(stack, columns, **kw)
    return str(refusal.value)


def consumer_admin_grants_analyst(stack: Stack, *what: str) -> None:
    """Step 8: the consumer's data lake admin grants its analyst role what the account got."""
    stack.meshctl("consumer", "grant", CONSUMER, ANALYST_ROLE, *(what or ("--table", TABLE)))


def request_state(stack: Stack, request_id: str) -> dict[str, Any]:
    return next(
        r for r in json.loads(stack.meshctl("--json", "requests")) if r["request_id"] == request_id
    )


def consumer_permissions(stack: Stack) -> list[Any]:
    rows = stack.client("lakeformation").list_permissions()["PrincipalResourcePermissions"]
    return [r for r in rows if r["Principal"]["DataLakePrincipalIdentifier"] == CONSUMER]


def audit_actions(stack: Stack, request_id: str) -> list[str]:
    return [e["action"] for e in json.loads(stack.meshctl("--json", "audit", request_id))]


def notifications(stack: Stack) -> list[Any]:
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName="meshcore-notifications")["QueueUrl"]
    found = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        found += [json.loads(m["Body"]) for m in messages]
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return found


def ticket_system_kms(stack: Stack, kind: str = "ticket-system") -> Any:
    """KMS as the ticket system's role (the only principal the decision key lets sign), or as
    the central role of `kind`."""
    env = as_central_role(stack.env, kind, "tickets")
    return boto3.client(
        "kms",
        endpoint_url=stack.endpoint,
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=env["AWS_SESSION_TOKEN"],
    )


def sign(stack: Stack, decision: AccessDecision, key: str = "alias/meshcore-decisions") -> str:
    mac = ticket_system_kms(stack).generate_mac(
        KeyId=key, MacAlgorithm="HMAC_SHA_256", Message=decision.canonical_bytes()
    )["Mac"]
    return SignedAccessDecision(
        decision=decision, key_id=key, signature=base64.b64encode(mac).decode()
    ).model_dump_json()


def post(stack: Stack, body: str) -> None:
    sqs = stack.client("sqs")
    sqs.send_message(
        QueueUrl=sqs.get_queue_url(QueueName="meshcore-approvals")["QueueUrl"], MessageBody=body
    )


# Request id -> the terms its ticket showed (request ids are unique across stacks).
_TERMS: dict[str, str] = {}


def terms(stack: Stack, request_id: str) -> str:
    """The terms digest of the request as stored (what its ticket showed; nothing here changes
    a request after it is opened), or a digest of nothing for a request that does not exist."""
    if request_id not in _TERMS:
        stored = [
            r
            for r in json.loads(stack.meshctl("--json", "requests"))
            if r["request_id"] == request_id
        ]
        _TERMS[request_id] = (
            AccessRequest.model_validate(stored[0]).terms_digest() if stored else "0" * 64
        )
    return _TERMS[request_id]


def decision(stack: Stack, for_request: str, **overrides: Any) -> AccessDecision:
    fields: dict[str, Any] = {
        "request_id": for_request,
        "terms_digest": terms(stack, for_request),
        "ticket_id": "FIN-1",
        "decision": "approve",
        "approver": OWNER,
        "issued_at": datetime.now(UTC),
    }
    return AccessDecision.model_validate(fields | overrides)


def test_only_the_ticket_system_signs_decisions_and_only_grant_worker_verifies(mesh: Stack) -> None:
    """The decision key's policy, not the account's IAM: the operator's own credentials and
    every worker role are refused GenerateMac; only grant-worker may VerifyMac."""
    key, message = "alias/meshcore-decisions", b"a decision"
    mac = ticket_system_kms(mesh).generate_mac(
        KeyId=key, MacAlgorithm="HMAC_SHA_256", Message=message
    )["Mac"]
    others = {"operator": mesh.client("kms")} | {
        kind: ticket_system_kms(mesh, kind) for kind in ("grant-worker", "sync-worker", "portal")
    }
    for who, kms in others.items():
        with pytest.raises(kms.exceptions.ClientError, match="AccessDenied"):
            kms.generate_mac(KeyId=key, MacAlgorithm="HMAC_SHA_256", Message=message)
        if who != "grant-worker":
            with pytest.raises(kms.exceptions.ClientError, match="AccessDenied"):
                kms.verify_mac(KeyId=key, MacAlgorithm="HMAC_SHA_256", Message=message, Mac=mac)
    assert others["grant-worker"].verify_mac(
        KeyId=key, MacAlgorithm="HMAC_SHA_256", Message=message, Mac=mac
    )["MacValid"]


def test_only_the_operator_role_signs_revokes_and_only_grant_worker_verifies(mesh: Stack) -> None:
    """The revocation key's policy: only `meshcore-operator` generates MACs (not the operator's
    own credentials, the ticket system or a worker); only grant-worker verifies."""
    key, message = "alias/meshcore-revocations", b"a revoke"
    mac = ticket_system_kms(mesh, "operator").generate_mac(
        KeyId=key, MacAlgorithm="HMAC_SHA_256", Message=message
    )["Mac"]
    others = {"account": mesh.client("kms")} | {
        kind: ticket_system_kms(mesh, kind)
        for kind in ("ticket-system", "grant-worker", "sync-worker", "portal")
    }
    for who, kms in others.items():
        with pytest.raises(kms.exceptions.ClientError, match="AccessDenied"):
            kms.generate_mac(KeyId=key, MacAlgorithm="HMAC_SHA_256", Message=message)
        if who != "grant-worker":
            with pytest.raises(kms.exceptions.ClientError, match="AccessDenied"):
                kms.verify_mac(KeyId=key, MacAlgorithm="HMAC_SHA_256", Message=message, Mac=mac)
    assert others["grant-worker"].verify_mac(
        KeyId=key, MacAlgorithm="HMAC_SHA_256", Message=message, Mac=mac
    )["MacValid"]


def test_approval_grants_least_privilege_and_delivers_to_the_consumer(mesh: Stack) -> None:
    request_id = request(mesh)
    mesh.meshctl("decide", request_id, "approve", "--approver", OWNER, "--ticket", "FIN-7")
    state = eventually(
        lambda: (s := request_state(mesh, request_id))["grants_applied"] and s, "the grant"
    )
    rows = consumer_permissions(mesh)
    select = next(r for r in rows if "TableWithColumns" in r["Resource"])
    # By name: a column the producer adds later is not granted with them.
    assert select["Resource"]["TableWithColumns"]["ColumnNames"] == NOT_SENSITIVE
    assert {tuple(r["Permissions"]) for r in rows} == {("SELECT",), ("DESCRIBE",)}

    # Delivered as AWS does: the RAM share is accepted and resource links exist in the consumer.
    assert state["resource_share_arns"] and state["resource_links"] == [TABLE]
    ram = mesh.client("ram", CONSUMER)
    invitations = ram.get_resource_share_invitations(resourceShareArns=state["resource_share_arns"])
    assert {i["status"] for i in invitations["resourceShareInvitations"]} == {"ACCEPTED"}
    link = mesh.client("glue", CONSUMER).get_table(DatabaseName="ar__receivables", Name="invoices")[
        "Table"
    ]
    assert link["TargetTable"] == {
        "CatalogId": CENTRAL,
        "DatabaseName": "ar__receivables",
        "Name": "invoices",
    }

    # Effect: nobody in the consumer reads anything until its admin grants a role (step 8) ...
    assert "AccessDeniedException" in query_refused(mesh)
    consumer_admin_grants_analyst(mesh)
    # ... then the analyst reads every approved column's rows, and never customer_email.
    result = analyst_reads(mesh)
    assert result.columns == ["invoice_id", "customer_id", "amount", "currency", "year", "month"]
    assert [r["invoice_id"] for r in result.rows] == [f"INV-202611-00{i}" for i in range(3)]
    assert "no SELECT on customer_email" in query_refused(mesh, ["invoice_id", "customer_email"])
    explained = {
        a["column"]: a
        for a in json.loads(mesh.meshctl("--json", "access", "explain", ANALYST_ROLE, TABLE))
    }
    assert [c for c, a in explained.items() if a["readable"]] == result.columns
    assert "not among the columns shared" in explained["customer_email"]["why_not"]

    assert audit_actions(mesh, request_id) == ["request.created", "request.routed", "grant.created"]
    # Routed when it was opened, then granted (no notifier runs here: the queue keeps them).
    told = [n["state"] for n in notifications(mesh) if n["kind"] == "access.notification"]
    assert told == ["pending", "granted"]
    described = json.loads(mesh.meshctl("--json", "describe", TABLE))
    assert described["access"][0]["request_id"] == request_id
    assert next(c for c in described["columns"] if c["name"] == "customer_email")[
        "sensitivity"
    ] == ["email_address"]
    assert [
        t["table"]
        for t in json.loads(mesh.meshctl("--json", "search", "invoice", "--domain", "ar"))
    ] == [TABLE]

    # A revoke posted straight to the queue, unsigned, is refused and audited; the grant stays.
    unsigned = RevokeCommand(request_id=request_id, requested_by="ops@central.example.com")
    post(mesh, unsigned.model_dump_json())
    refused = eventually(
        lambda: next(
            (
                e
                for e in json.loads(mesh.meshctl("--json", "audit", request_id))
                if e["action"] == "decision.refused"
            ),
            None,
        ),
        "the unsigned revoke's refusal",
    )
    assert refused["details"]["reason"] == "invalid signature"
    assert refused["actor"].startswith("unverified (ops@central.example.com, sent by ")
    assert request_state(mesh, request_id)["state"] == "granted"
    assert [r["invoice_id"] for r in analyst_reads(mesh).rows] == [
        f"INV-202611-00{i}" for i in range(3)
    ]

    # `meshctl revoke` signs as the operator role: applied.
    mesh.meshctl("revoke", request_id, "--by", "ops@central.example.com")
    eventually(lambda: request_state(mesh, request_id)["state"] == "revoked", "the revocation")
    assert consumer_permissions(mesh) == []
    # The analyst's own grant is still there, but the revoke took what it was bounded by.
    assert "AccessDeniedException" in query_refused(mesh, catalog=CENTRAL)
    glue = mesh.client("glue", CONSUMER)
    assert "ar__receivables" not in {d["Name"] for d in glue.get_databases()["DatabaseList"]}
    assert audit_actions(mesh, request_id)[-1] == "grant.revoked"
    # The name in a revoke is the operator's word; the audit says the operator role signed it
    # and which IAM identity sent it.
    revoked = json.loads(mesh.meshctl("--json", "audit", request_id))[-1]
    assert revoked["actor"].startswith(
        f"ops@central.example.com (signed by arn:aws:iam::{CENTRAL}:role/meshcore-operator, "
        "sent by "
    )
    assert "unknown sender" not in revoked["actor"]
    assert json.loads(mesh.meshctl("--json", "audit", "verify"))["intact"]


def test_approval_naming_a_sensitive_column_includes_it(mesh: Stack) -> None:
    request_id = request(mesh, "--columns", "customer_email")
    mesh.meshctl(
        "decide", request_id, "approve", "--approver", OWNER, "--sensitive-column", "customer_email"
    )
    eventually(lambda: request_state(mesh, request_id)["grants_applied"], "the grant")
    select = next(r for r in consumer_permissions(mesh) if "TableWithColumns" in r["Resource"])
    assert select["Resource"]["TableWithColumns"]["ColumnNames"] == sorted(
        [*NOT_SENSITIVE, "customer_email"]
    )
    consumer_admin_grants_analyst(mesh)
    emails = analyst_reads(mesh, ["invoice_id", "customer_email"]).rows
    assert [r["customer_email"] for r in emails] == [f"buyer{i}@example.com" for i in range(3)]


def test_expired_access_is_revoked_by_the_sweep(mesh: Stack) -> None:
    request_id = request(mesh)
    terms(mesh, request_id)  # read before the decision's time starts
    # Long enough for the grant to be applied on a loaded machine before the decision expires.
    soon = datetime.now(UTC) + timedelta(seconds=EXPIRES_IN_SECONDS)
    post(mesh, sign(mesh, decision(mesh, request_id, expires_at=soon)))
    eventually(lambda: request_state(mesh, request_id)["grants_applied"], "the grant")
    assert consumer_permissions(mesh)
    consumer_admin_grants_analyst(mesh)
    assert analyst_reads(mesh).rows
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.5)
    post(mesh, ExpirySweep(sweep_id="test").model_dump_json())
    eventually(lambda: request_state(mesh, request_id)["state"] == "expired", "the expiry")
    assert consumer_permissions(mesh) == []
    assert "AccessDeniedException" in query_refused(mesh, catalog=CENTRAL)
    assert audit_actions(mesh, request_id)[-1] == "grant.expired"


def test_a_copy_of_a_used_decision_is_refused_as_a_replay_and_grants_once(mesh: Stack) -> None:
    request_id = request(mesh)
    body = sign(mesh, decision(mesh, request_id))
    post(mesh, body)
    eventually(lambda: request_state(mesh, request_id)["grants_applied"], "the grant")
    post(mesh, body)  # the ticket system retried: a new message with the same decision
    eventually(
        lambda: (
            "replayed decision"
            in json.dumps(
                audit_actions(mesh, request_id)
                and json.loads(mesh.meshctl("--json", "audit", request_id))
            )
        ),
        "the replay to be refused",
    )
    actions = audit_actions(mesh, request_id)
    assert actions.count("grant.created") == 1
    assert len(consumer_permissions(mesh)) == 2


REFUSALS = [
    ("bad signature", lambda rid: {"tamper": True}, "invalid signature"),
    ("unknown request", lambda rid: {"request_id": "req-doesnotexist"}, "unknown request"),
    ("not an owner", lambda rid: {"approver": "mallory@elsewhere.example.com"}, "is not an owner"),
    ("expired", lambda rid: {"expires_at": datetime.now(UTC) - timedelta(minutes=1)}, "expired"),
    (
        "scope too large",
        lambda rid: {"tables": [TableName.parse(TABLE), TableName.parse("ar__receivables.other")]},
        "not requested",
    ),
    (
        "another request",
        lambda rid: {"ticket_id": "FIN-OTHER", "decision": "revoke"},
        "a revoke needs it granted",
    ),
]


@pytest.mark.parametrize(("case", "change", "reason"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_bad_decisions_are_refused_with_nothing_granted_and_audited(
    mesh: Stack, case: str, change: Any, reason: str
) -> None:
    request_id = request(mesh)
    overrides = change(request_id)
    tamper = overrides.pop("tamper", False)
    d = decision(mesh, request_id, **overrides)
    body = sign(mesh, d)
    if tamper:
        forged = json.loads(body)
        forged["decision"]["approver"] = "mallory@elsewhere.example.com"
        body = json.dumps(forged)
    post(mesh, body)
    subject = d.request_id

    def refused() -> Any:
        entries = json.loads(mesh.meshctl("--json", "audit", subject))
        return next((e for e in entries if e["action"] == "decision.refused"), None)

    entry = eventually(refused, f"the refusal ({case})")
    assert reason in entry["details"]["reason"]
    assert consumer_permissions(mesh) == []
    assert "AccessDeniedException" in query_refused(mesh, catalog=CENTRAL)
    assert request_state(mesh, request_id)["state"] == "pending"
    dlq = mesh.client("sqs").get_queue_url(QueueName="meshcore-approvals-dlq")["QueueUrl"]
    assert "Messages" not in mesh.client("sqs").receive_message(QueueUrl=dlq, WaitTimeSeconds=0)


def test_domain_wide_access_by_tag_expression(mesh: Stack) -> None:
    lf = mesh.client("lakeformation")
    database = lf.get_resource_lf_tags(Resource={"Database": {"Name": "ar__receivables"}})
    assert [(t["TagKey"], t["TagValues"]) for t in database["LFTagOnDatabase"]] == [
        ("domain", ["ar"])
    ]
    table = lf.get_resource_lf_tags(
        Resource={"Table": {"DatabaseName": "ar__receivables", "Name": "invoices"}}
    )
    # A new table is unclassified, and so is each of its columns until the classifier tags it.
    assert [(t["TagKey"], t["TagValues"]) for t in table["LFTagsOnTable"]] == [
        ("sensitivity", ["unclassified"])
    ]

    out = mesh.meshctl(
        "--json",
        "request",
        "--consumer-account",
        CONSUMER,
        "--domain",
        "ar",
        "--purpose",
        "all of AR",
    )
    request_id = json.loads(out)["request_id"]
    mesh.meshctl("decide", request_id, "approve", "--approver", OWNER)
    eventually(lambda: request_state(mesh, request_id)["grants_applied"], "the domain grant")
    policies = [
        r["Resource"]["LFTagPolicy"]
        for r in consumer_permissions(mesh)
        if "LFTagPolicy" in r["Resource"]
    ]
    expressions = {
        p["ResourceType"]: sorted((e["TagKey"], tuple(e["TagValues"])) for e in p["Expression"])
        for p in policies
    }
    assert expressions == {
        "DATABASE": [("domain", ("ar",))],
        "TABLE": [("domain", ("ar",)), ("sensitivity", ("none",))],
    }
    # Delivered: the share accepted in the consumer account and today's tables linked.
    assert request_state(mesh, request_id)["resource_links"] == [TABLE]
    consumer_admin_grants_analyst(mesh, "--domain", "ar")
    assert "customer_email" not in analyst_reads(mesh).columns
    # A table the producer creates later is readable without a new request.
    glue = mesh.client("glue", AR)
    later = invoices_table() | {"Name": "credit_notes"}
    later["StorageDescriptor"] = later["StorageDescriptor"] | {
        "Location": f"s3://{PRODUCERS[0].bucket}/receivables/credit_notes/"
    }
    glue.create_table(DatabaseName="receivables", TableInput=later)
    write_invoices(mesh.client("s3", AR), "11", table=later)

    def readable() -> QueryResult | None:
        try:
            return analyst_reads(
                mesh, ["invoice_id", "amount"], "ar__receivables.credit_notes", catalog=CENTRAL
            )
        except QueryRefused:
            return None

    assert len(eventually(readable, "the new table to be readable").rows) == 3
    assert "no SELECT on customer_email" in query_refused(mesh, ["customer_email"], catalog=CENTRAL)
    mesh.meshctl("revoke", request_id)
    eventually(lambda: request_state(mesh, request_id)["state"] == "revoked", "the revocation")
    assert consumer_permissions(mesh) == []
    assert "AccessDeniedException" in query_refused(mesh, catalog=CENTRAL)


def test_a_request_naming_a_role_reaches_that_role_only(mesh: Stack) -> None:
    """Granted to the role directly (cross-account version 4): it reads without step 8, and
    another role of the same account reads nothing."""
    request_id = request(mesh, "--principal", ANALYST_ROLE)
    mesh.meshctl("decide", request_id, "approve", "--approver", OWNER)
    eventually(lambda: request_state(mesh, request_id)["grants_applied"], "the grant")
    assert "customer_email" not in analyst_reads(mesh).columns
    other = analyst_clients(mesh.env, role=f"arn:aws:iam::{CONSUMER}:role/intern")
    with pytest.raises(QueryRefused):
        select(other, "ar__receivables", "invoices")


def explain(stack: Stack, table: str = TABLE) -> dict[str, Any]:
    return {
        a["column"]: a
        for a in json.loads(stack.meshctl("--json", "access", "explain", ANALYST_ROLE, table))
    }


def test_a_table_grant_leaves_out_a_column_pending_review(mesh_pending: Stack) -> None:
    mesh = mesh_pending
    request_id = request(mesh)
    # The requester (and the ticket) are told which requested columns are pending.
    assert request_state(mesh, request_id)["pending_columns"] == {TABLE: ["customer_email"]}
    mesh.meshctl("decide", request_id, "approve", "--approver", OWNER)
    state = eventually(
        lambda: (s := request_state(mesh, request_id))["grants_applied"] and s, "the grant"
    )
    consumer_admin_grants_analyst(mesh)
    # Effect: the analyst reads every classified column, never the one awaiting review.
    assert analyst_reads(mesh).columns == [
        "invoice_id",
        "customer_id",
        "amount",
        "currency",
        "year",
        "month",
    ]
    assert "no SELECT on customer_email" in query_refused(mesh, ["invoice_id", "customer_email"])
    assert state["excluded_columns"] == {TABLE: ["customer_email"]}
    explained = explain(mesh)
    assert explained["customer_email"]["pending"] and not explained["customer_email"]["readable"]
    assert explained["customer_email"]["why_not"].startswith(PENDING)
    assert classifications(mesh)["customer_email"] == PENDING
    described = json.loads(mesh.meshctl("--json", "describe", TABLE))
    assert described["access"][0]["excluded_columns"] == ["customer_email"]

    # The owner accepts it: now classified sensitive, and still out of this grant.
    assert owner_reviews(mesh, {"customer_email"})["customer_email"] == "email_address"
    assert "no SELECT on customer_email" in query_refused(mesh, ["customer_email"])
    assert not explain(mesh)["customer_email"]["pending"]


def customers_table() -> dict[str, Any]:
    return {
        "Name": "customers",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet"},
        "StorageDescriptor": {
            "Columns": [
                {"Name": "ssn", "Type": "string", "Comment": "social security number"},
                {"Name": "status", "Type": "string"},
                {"Name": "balance", "Type": "decimal(18,2)"},
            ],
            "Location": f"s3://{PRODUCERS[0].bucket}/receivables/customers/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {
                "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
            },
        },
    }


def write_customers(stack: Stack) -> None:
    body = io.BytesIO()
    pq.write_table(
        pa.table(
            {
                "ssn": ["219-09-9999", "078-05-1120", "457-55-5462"],
                "status": ["ACTIVE", "CLOSED", "ACTIVE"],
                "balance": ["10.00", "0.00", "99.50"],
            }
        ),
        body,
    )
    stack.client("s3", AR).put_object(
        Bucket=PRODUCERS[0].bucket, Key="receivables/customers/part-0.parquet", Body=body.getvalue()
    )


def test_a_domain_grant_reads_no_column_before_it_is_classified(mesh: Stack) -> None:
    out = mesh.meshctl(
        "--json", "request", "--consumer-account", CONSUMER, "--domain", "ar", "--purpose", "AR"
    )
    request_id = json.loads(out)["request_id"]
    mesh.meshctl("decide", request_id, "approve", "--approver", OWNER)
    eventually(lambda: request_state(mesh, request_id)["grants_applied"], "the domain grant")
    consumer_admin_grants_analyst(mesh, "--domain", "ar")
    customers = "ar__receivables.customers"

    def reads(columns: list[str], table: str = customers) -> QueryResult | str:
        try:
            return analyst_reads(mesh, columns, table, catalog=CENTRAL)
        except QueryRefused as refused:
            return str(refused)

    # The producer creates a table with an SSN column: from the moment it is synced until the
    # owner reviewed it, the analyst never reads it, while the columns the classifier found
    # nothing in become readable once it has scanned them.
    write_customers(mesh)
    mesh.client("glue", AR).create_table(DatabaseName="receivables", TableInput=customers_table())

    def status_readable() -> QueryResult | None:
        ssn = reads(["ssn"])
        assert not isinstance(ssn, QueryResult), f"ssn read before its review: {ssn.rows}"
        found = reads(["status", "balance"])
        return found if isinstance(found, QueryResult) else None

    assert len(eventually(status_readable, "the scanned columns to be readable").rows) == 3
    assert "no SELECT on ssn" in str(reads(["ssn"]))
    assert classifications(mesh, customers)["ssn"] == PENDING
    assert explain(mesh, customers)["ssn"]["why_not"].startswith(PENDING)

    # A column the producer adds to an already granted table: not readable until reviewed.
    glue = mesh.client("glue", AR)
    grown = invoices_table()
    grown["StorageDescriptor"]["Columns"].append({"Name": "payer_ssn", "Type": "string"})
    glue.update_table(DatabaseName="receivables", TableInput=grown)

    def synced() -> bool:
        return "payer_ssn" in classifications(mesh)

    eventually(synced, "the new column in the central catalog")
    assert "no SELECT on payer_ssn" in str(reads(["payer_ssn"], TABLE))

    def recommended() -> bool:
        recs = json.loads(mesh.meshctl("--json", "review", "list"))
        return any(r["column"] == "payer_ssn" for r in recs)

    eventually(recommended, "a recommendation for the new column")
    assert "no SELECT on payer_ssn" in str(reads(["payer_ssn"], TABLE))
    assert isinstance(reads(["invoice_id"], TABLE), QueryResult)

    # The owner accepts ssn (sensitive: never read through the domain grant) and rejects
    # payer_ssn (not sensitive: read through it from then on).
    assert owner_reviews(mesh, {"ssn"}, table=customers)["ssn"] == "national_identifier"
    assert "no SELECT on ssn" in str(reads(["ssn"]))
    assert owner_reviews(mesh, set())["payer_ssn"] == "none"
    assert isinstance(reads(["invoice_id", "payer_ssn"], TABLE), QueryResult)


def test_a_consumers_own_table_of_the_same_name_survives_a_grant_and_its_revoke(
    mesh: Stack,
) -> None:
    """The consumer already has `ar__receivables.invoices` of its own: the grant does not take
    it for its resource link, and the revoke does not delete it."""
    glue = mesh.client("glue", CONSUMER)
    database, name = TABLE.split(".")
    glue.create_database(DatabaseInput={"Name": database})
    own = {"Name": name, "StorageDescriptor": {"Columns": [{"Name": "mine", "Type": "string"}]}}
    glue.create_table(DatabaseName=database, TableInput=own)
    request_id = request(mesh)
    mesh.meshctl("decide", request_id, "approve", "--approver", OWNER)
    granted = eventually(
        lambda: (s := request_state(mesh, request_id))["grants_applied"] and s, "the grant"
    )
    assert granted["resource_links"] == []
    assert "consumer has its own table of that name" in granted["delivery"]
    mesh.meshctl("revoke", request_id)
    eventually(lambda: request_state(mesh, request_id)["state"] == "revoked", "the revocation")
    kept = glue.get_table(DatabaseName=database, Name=name)["Table"]
    assert "TargetTable" not in kept
    assert [c["Name"] for c in kept["StorageDescriptor"]["Columns"]] == ["mine"]
