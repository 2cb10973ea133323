"""sync-worker updates a central table it wrote last without reading it first; a central table
edited by hand since is healed by the next change to it, or by repair, but not by a duplicate
event (which reads only the producer, and finds the copy it knows already reflects it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from meshcore_devstack.mesh import AR

from .catalog import differences
from .conftest import Stack, StackFactory, eventually
from .test_catalog_sync import table

pytestmark = pytest.mark.e2e

QUEUE = "meshcore-catalog-changes"


def handled(stack: Stack, change: str) -> int:
    return stack.log("sync-worker").count(f'"change": "{change}"')


def update_event(database: str, name: str) -> str:
    """What Glue sends for an UpdateTable, as a duplicate delivery of it would arrive."""
    return json.dumps(
        {
            "version": "0",
            "id": "dup-1",
            "detail-type": "Glue Data Catalog Table State Change",
            "source": "aws.glue",
            "account": AR,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "resources": [],
            "detail": {"databaseName": database, "tableName": name, "typeOfChange": "UpdateTable"},
        }
    )


def test_a_duplicate_event_after_a_hand_edit_leaves_it_to_repair_which_heals_it(
    stack_factory: StackFactory,
) -> None:
    stack = stack_factory(classifier=False, grant_worker=False)
    ar, central = stack.client("glue", AR), stack.client("glue")
    ar.create_database(DatabaseInput={"Name": "gl"})
    ar.create_table(
        DatabaseName="gl", TableInput=table("journal", [("id", "string")], partitioned=False)
    )
    eventually(lambda: not differences(stack, AR, "ar"), "the table to arrive")
    eventually(lambda: stack.queue_idle(QUEUE), "the event stream to settle")
    # The worker wrote the table last: it knows its VersionId and content.
    edited = central.get_table(DatabaseName="ar__gl", Name="journal")["Table"]
    version = int(edited["VersionId"])
    hand_edit = {k: edited[k] for k in ("Name", "StorageDescriptor", "TableType", "Parameters")}
    hand_edit["Description"] = "edited by hand"
    central.update_table(DatabaseName="ar__gl", TableInput=hand_edit)
    assert differences(stack, AR, "ar")

    before = handled(stack, "UpdateTable")
    sqs = stack.client("sqs")
    sqs.send_message(
        QueueUrl=sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"],
        MessageBody=update_event("gl", "journal"),
    )
    eventually(lambda: handled(stack, "UpdateTable") > before, "the duplicate event to be handled")
    eventually(lambda: stack.queue_idle(QUEUE), "the event stream to settle")
    # Left to repair: the duplicate made no central call, so the hand edit is still there.
    after = central.get_table(DatabaseName="ar__gl", Name="journal")["Table"]
    assert after["Description"] == "edited by hand" and after["VersionId"] == str(version + 1)

    report = json.loads(stack.meshctl("--json", "repair", "--wait", "--timeout", "60"))
    assert report["status"] == "succeeded", report["errors"]
    assert report["drift"] == {"table.updated": 1}
    assert differences(stack, AR, "ar") == []
    healed = central.get_table(DatabaseName="ar__gl", Name="journal")["Table"]
    assert "Description" not in healed and healed["VersionId"] == str(version + 2)

    # Repair left the worker's knowledge behind: the next change is written, and read first.
    ar.update_table(
        DatabaseName="gl",
        TableInput=table("journal", [("id", "string"), ("memo", "string")], False),
    )
    eventually(lambda: not differences(stack, AR, "ar"), "the next change to arrive")
