"""Scenario 8: every AWS call the workers make stays within AWS's documented limits.

The embedded AWS rejects and records any call over a limit (tests/emulator/test_limits.py);
this load goes past each limit the workers could reach: partition batches (create 100, delete
25, get 1,000), listings that page (100 tables), Lake Formation batches (20 entries), SQS
batches (10) and message size. The stack's teardown fails the test on any recorded violation.
"""

from __future__ import annotations

import pytest

from meshcore_devstack.mesh import AR
from meshcore_emulator import EmbeddedAws

from ..e2e.test_catalog_sync import part, table
from .access import approval, grants_audited, open_request, role
from .conftest import StackFactory, eventually
from .poison import send
from .results import Row
from .workload import catalog_differences, queue_depths, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.reliability, pytest.mark.scenario("8 AWS limits")]

PARTITIONS = 2_500  # > 1,000 per BatchGetPartition and GetPartitions page, > 100 per create
DELETED = 1_200  # > 25 per BatchDeletePartition
TABLES = 130  # > 100 per GetTables page and per BatchDeleteTable
REQUEST_TABLES = 15  # 30 Lake Formation entries: > 20 per BatchGrantPermissions


def test_no_worker_call_exceeds_a_documented_limit(
    stack_factory: StackFactory, aws: EmbeddedAws, record: Row
) -> None:
    stack = stack_factory()
    glue = stack.client("glue", AR)
    glue.create_database(DatabaseInput={"Name": "big"})
    glue.create_table(DatabaseName="big", TableInput=table("ledger", [("id", "string")]))
    values = [f"2026-{i:05d}" for i in range(PARTITIONS)]
    for start in range(0, PARTITIONS, 100):
        glue.batch_create_partition(
            DatabaseName="big",
            TableName="ledger",
            PartitionInputList=[part("ledger", v) for v in values[start : start + 100]],
        )
    glue.create_database(DatabaseInput={"Name": "wide"})
    # 200 columns with long comments: the classifier's scan request is large.
    columns = [(f"customer_email_{i:03d}_{'x' * 40}", "string") for i in range(200)]
    glue.create_table(DatabaseName="wide", TableInput=table("columns", columns, False))
    for i in range(TABLES):
        glue.create_table(
            DatabaseName="wide", TableInput=table(f"t{i:03d}", [("id", "string")], False)
        )
    wait_idle(stack, timeout=600)
    for start in range(0, DELETED, 25):
        glue.batch_delete_partition(
            DatabaseName="big",
            TableName="ledger",
            PartitionsToDelete=[{"Values": [v]} for v in values[start : start + 25]],
        )
    tables = [f"ar__wide.t{i:03d}" for i in range(REQUEST_TABLES)]
    request_id = open_request(stack, tables, role(0))
    send(stack, "meshcore-approvals", approval(stack, request_id))
    eventually(lambda: grants_audited(stack, [request_id])[request_id] == 1, "the wide grant")
    # A repair after all that pages through everything in the producer and the central catalog.
    stack.meshctl("repair", "--wait")
    # Delete the whole database: the central copy goes in batches too.
    for i in range(TABLES):
        glue.delete_table(DatabaseName="wide", Name=f"t{i:03d}")
    glue.delete_table(DatabaseName="wide", Name="columns")
    glue.delete_database(Name="wide")
    wait_idle(stack, timeout=600)
    found = catalog_differences(stack)
    calls = aws.calls.snapshot()
    stuck = {q: n for q, n in queue_depths(stack).items() if n}

    record.load = (
        f"{PARTITIONS} partitions on one table, {DELETED} deleted; {TABLES + 1} tables in one "
        f"database, then deleted; a 200-column table; a {REQUEST_TABLES}-table grant; a repair"
    )
    record.faults = "none: every call checked against its documented limit"
    record.lost = str(len(found))
    record.duplicated = "0"
    record.consistency = (
        f"{'equal' if not found else 'DIFFERENT'} field by field; "
        f"{len(aws.violations)} limit violations in {sum(calls.values())} AWS calls"
    )
    assert aws.violations == []
    assert found == [], found[:10]
    assert stuck == {}
