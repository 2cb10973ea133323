"""Least privilege, measured: one stack plays every kind of work (sync of creates, updates,
deletes and partitions, a repair; sampled classification; a grant with RAM acceptance and
resource links, its revocation, an expiry; notifications, one person's kept for a digest the
schedule sends), and every IAM action each worker needed, as each role,
is one the infra templates grant that role. Every other end-to-end test is held to the same check
when its stack stops (conftest.py); this one makes sure each role was exercised."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from meshcore.messages.commands import DigestFlush, ExpirySweep
from meshcore_devstack.mesh import AR, PRODUCERS
from meshcore_devstack.story import invoices_table, partition
from meshcore_emulator import EmbeddedAws

from .catalog import differences
from .conftest import Stack, StackFactory, eventually
from .test_access import decision, post, request, request_state, sign, terms
from .test_classification import BUCKET, base_columns, customers_table, parquet

# An approval that expires this soon after it is signed (the expiry tests wait it out).
EXPIRES_IN_SECONDS = 30

pytestmark = pytest.mark.e2e

OWNER = PRODUCERS[0].owner


def sync_everything(stack: Stack) -> None:
    glue = stack.client("glue", AR)
    glue.create_database(DatabaseInput={"Name": "receivables"})
    glue.create_table(DatabaseName="receivables", TableInput=invoices_table())
    glue.batch_create_partition(
        DatabaseName="receivables",
        TableName="invoices",
        PartitionInputList=[partition("2026", m) for m in ("09", "10", "11")],
    )
    glue.create_table(DatabaseName="receivables", TableInput=invoices_table() | {"Name": "drafts"})
    eventually(lambda: not differences(stack, AR, "ar"), "the creates to converge", timeout=60)
    glue.update_table(
        DatabaseName="receivables",
        TableInput=invoices_table() | {"Description": "invoices, reissued"},
    )
    glue.batch_delete_partition(
        DatabaseName="receivables",
        TableName="invoices",
        PartitionsToDelete=[{"Values": ["2026", "09"]}],
    )
    glue.delete_table(DatabaseName="receivables", Name="drafts")
    eventually(lambda: not differences(stack, AR, "ar"), "the changes to converge", timeout=60)
    report = json.loads(stack.meshctl("--json", "repair", "--wait", "--timeout", "60"))
    assert report["status"] == "succeeded", report


def classify_with_sampling(stack: Stack) -> None:
    stack.meshctl("onboard-producer", AR, "--domain", "ar", "--owner", OWNER, "--allow-sampling")
    s3 = stack.client("s3", AR)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(
        Bucket=BUCKET, Key="crm/customers/part-00000.parquet", Body=parquet(base_columns())
    )
    glue = stack.client("glue", AR)
    glue.create_database(DatabaseInput={"Name": "crm"})
    glue.create_table(DatabaseName="crm", TableInput=customers_table())

    def sampled_email() -> Any:
        recs = json.loads(stack.meshctl("--json", "review", "list"))
        return next(
            (
                r
                for r in recs
                if r["column"] == "contact_email" and r["evidence"].get("sample_source")
            ),
            None,
        )

    email = eventually(sampled_email, "a sampled recommendation", timeout=60)
    stack.meshctl("review", "accept", email["id"], "--by", OWNER)


def grant_revoke_and_expire(stack: Stack) -> None:
    granted = request(stack)
    stack.meshctl("decide", granted, "approve", "--approver", OWNER)
    state = eventually(
        lambda: (s := request_state(stack, granted))["grants_applied"] and s, "the grant"
    )
    assert state["resource_links"], "delivered to the consumer"
    stack.meshctl("revoke", granted, "--by", "ops@central.example.com")
    eventually(lambda: request_state(stack, granted)["state"] == "revoked", "the revocation")

    expiring = request(stack)
    terms(stack, expiring)  # read before the decision's time starts
    # Long enough for the grant to be applied on a loaded machine before the decision expires.
    soon = datetime.now(UTC) + timedelta(seconds=EXPIRES_IN_SECONDS)
    post(stack, sign(stack, decision(stack, expiring, expires_at=soon)))
    eventually(lambda: request_state(stack, expiring)["grants_applied"], "the expiring grant")
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.5)
    post(stack, ExpirySweep(sweep_id="least-privilege").model_dump_json())
    eventually(lambda: request_state(stack, expiring)["state"] == "expired", "the expiry")


def digests_pending(stack: Stack) -> list[str]:
    items = stack.client("dynamodb").query(
        TableName="meshcore-state",
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "notify-digests#pending"}},
        ConsistentRead=True,
    )["Items"]
    return [str(i["sk"]["S"]) for i in items]


def send_the_digest(stack: Stack) -> None:
    """The owner's notices were kept for their digest: the schedule's flush sends it."""
    eventually(lambda: OWNER in digests_pending(stack), "the owner's digest to gather")
    sqs = stack.client("sqs")
    sqs.send_message(
        QueueUrl=sqs.get_queue_url(QueueName="meshcore-notifications")["QueueUrl"],
        MessageBody=DigestFlush(digest_id="least-privilege").model_dump_json(),
    )
    eventually(lambda: OWNER not in digests_pending(stack), "the digest to be sent")


def test_each_worker_calls_only_what_its_template_role_grants(
    stack_factory: StackFactory, aws: EmbeddedAws
) -> None:
    stack = stack_factory(notifier=True)
    # The owner hears by digest (the notifier reads and writes digests); the others at once.
    stack.meshctl("notify", "prefs", "set", OWNER, "--digest")
    sync_everything(stack)
    classify_with_sampling(stack)
    grant_revoke_and_expire(stack)
    send_the_digest(stack)
    for worker in stack.started:
        worker.stop()  # no call may be left out of what is checked below

    uses = {(u.worker, u.role.template, u.role.logical_id): u for u in stack.role_uses(aws)}
    assert set(uses) == {
        ("sync-worker", "central.yaml", "SyncWorkerRole"),
        ("sync-worker", "producer.yaml", "CatalogReaderRole"),
        ("classifier", "central.yaml", "ClassifierRole"),
        ("classifier", "producer.yaml", "SamplerRole"),
        ("grant-worker", "central.yaml", "GrantWorkerRole"),
        ("grant-worker", "consumer.yaml", "ConsumerAdminRole"),
        ("notifier", "central.yaml", "NotifierRole"),
        ("audit-anchor", "central.yaml", "AuditAnchorRole"),
        ("operator", "central.yaml", "OperatorRole"),
    }
    refused = {u.describe(): sorted(u.ungranted) for u in uses.values() if u.ungranted}
    assert refused == {}, "calls the templates do not grant"
    # What each role was needed for, in the member accounts: reading, and nothing else.
    reader = uses["sync-worker", "producer.yaml", "CatalogReaderRole"].actions
    assert {"glue:GetTable", "glue:GetDatabase", "glue:BatchGetPartition"} <= reader
    assert all(a.startswith(("glue:Get", "glue:BatchGet")) for a in reader)
    assert uses["classifier", "producer.yaml", "SamplerRole"].actions == {
        "s3:ListBucket",
        "s3:GetObject",
    }
    consumer = uses["grant-worker", "consumer.yaml", "ConsumerAdminRole"].actions
    assert {"ram:AcceptResourceShareInvitation", "glue:CreateTable", "glue:DeleteTable"} <= consumer
    grant = uses["grant-worker", "central.yaml", "GrantWorkerRole"].actions
    assert {"lakeformation:BatchGrantPermissions", "lakeformation:BatchRevokePermissions"} <= grant
    assert "kms:VerifyMac" in grant and "kms:GenerateMac" not in grant
    # The notifier read who hears (requests, the registry) and kept and sent a digest.
    notifier = uses["notifier", "central.yaml", "NotifierRole"].actions
    assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"} <= notifier
    assert "dynamodb:DeleteItem" in notifier
    # `meshctl revoke` signed as the operator role, and did nothing else as it.
    assert uses["operator", "central.yaml", "OperatorRole"].actions == {"kms:GenerateMac"}
