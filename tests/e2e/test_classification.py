"""Classification end to end: a producer's table and its data files in the producer's S3, the
classifier sampling them through the producer's sampling role, a reviewer's decision becoming a
Lake Formation tag on the central column, and a schema change rescanning only the new column."""

from __future__ import annotations

import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from meshcore_devstack.mesh import AR, PRODUCERS

from .conftest import Stack, eventually

pytestmark = pytest.mark.e2e

BUCKET = f"ar-finance-{AR}"
LOCATION = f"s3://{BUCKET}/crm/customers/"
CENTRAL_DB, TABLE = "ar__crm", "customers"
ROWS = 150
IBANS = ["GB82WEST12345698765432", "DE89370400440532013000", "NL91ABNA0417164300"]


def customers_table(extra: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "Name": TABLE,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet"},
        "StorageDescriptor": {
            "Columns": [
                {"Name": "customer_id", "Type": "string"},
                {"Name": "contact_email", "Type": "string"},
                {"Name": "payee_ref", "Type": "string", "Comment": "where refunds go"},
                {"Name": "status", "Type": "string"},
                {"Name": "balance", "Type": "decimal(18,2)"},
                *(extra or []),
            ],
            "Location": LOCATION,
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {
                "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
            },
        },
    }


def parquet(columns: dict[str, list[Any]]) -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out)
    return out.getvalue()


def base_columns() -> dict[str, list[Any]]:
    return {
        "customer_id": [f"C{i:07d}" for i in range(ROWS)],
        "contact_email": [f"customer{i}@example.com" for i in range(ROWS)],
        "payee_ref": [IBANS[i % 3] for i in range(ROWS)],
        "status": [["ACTIVE", "CLOSED"][i % 2] for i in range(ROWS)],
        "balance": [f"{i * 3.5:.2f}" for i in range(ROWS)],
    }


def recommendations(stack: Stack) -> list[dict[str, Any]]:
    return [
        r
        for r in json.loads(stack.meshctl("--json", "review", "list", "--state", "all"))
        if r["database"] == CENTRAL_DB and r["table"] == TABLE
    ]


def column_tag(stack: Stack, column: str) -> list[str]:
    response = stack.client("lakeformation").get_resource_lf_tags(
        Resource={
            "TableWithColumns": {
                "DatabaseName": CENTRAL_DB,
                "Name": TABLE,
                "ColumnNames": [column],
            }
        },
        ShowAssignedLFTags=True,
    )
    return [
        value
        for entry in response.get("LFTagsOnColumns", [])
        for tag in entry["LFTags"]
        if tag["TagKey"] == "sensitivity"
        for value in tag["TagValues"]
    ]


def scans(stack: Stack) -> list[dict[str, Any]]:
    """The classifier's canonical line of each scan of the customers table it carried out
    (not the deliveries that waited for the table's write to land)."""
    lines = [
        json.loads(line) for line in stack.log("classifier").splitlines() if line.startswith("{")
    ]
    return [
        line
        for line in lines
        if line.get("event") == "message.handled"
        and line.get("table") == TABLE
        and "columns_scanned" in line
    ]


def test_sampled_recommendations_accepted_as_tags_and_rescan_of_a_new_column(
    stack: Stack,
) -> None:
    owner = PRODUCERS[0].owner
    stack.meshctl("onboard-producer", AR, "--domain", "ar", "--owner", owner, "--allow-sampling")
    s3 = stack.client("s3", AR)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(
        Bucket=BUCKET, Key="crm/customers/part-00000.parquet", Body=parquet(base_columns())
    )
    s3.put_object(Bucket=BUCKET, Key="crm/customers/_SUCCESS", Body=b"")
    glue = stack.client("glue", AR)
    glue.create_database(DatabaseInput={"Name": "crm"})
    glue.create_table(DatabaseName="crm", TableInput=customers_table())

    def classified() -> list[dict[str, Any]] | None:
        recs = recommendations(stack)
        columns = {r["column"] for r in recs}
        return recs if {"contact_email", "payee_ref", "customer_id"} <= columns else None

    recs = eventually(classified, "recommendations for the customers table", timeout=60)
    by_column = {r["column"]: r for r in recs}
    assert {r["column"] for r in recs} == {"contact_email", "payee_ref", "customer_id"}

    email = by_column["contact_email"]
    assert email["sensitivity_class"] == "email_address" and email["state"] == "pending"
    assert email["confidence"] >= 0.9
    assert email["evidence"]["match_rate"] == 1.0
    assert email["evidence"]["non_empty"] == ROWS
    assert email["evidence"]["sample_source"] == "s3 parquet, 1 object(s)"
    assert (
        f"100 % of {ROWS} sampled non-empty values are valid email addresses"
        in (email["explanation"])
    )
    iban = by_column["payee_ref"]  # an opaque name: the checksum-validated values decide
    assert iban["sensitivity_class"] == "iban" and iban["confidence"] >= 0.9
    assert iban["evidence"]["match_rate"] == 1.0
    assert by_column["customer_id"]["sensitivity_class"] == "customer_identifier"
    # sampled values are statistics only
    listing = stack.meshctl("--json", "review", "list", "--state", "all")
    assert "customer0@example.com" not in listing and IBANS[0] not in listing
    assert "customer0@example.com" not in stack.log("classifier")

    # Scanned: what it found nothing in is not sensitive, what awaits review unclassified.
    eventually(lambda: column_tag(stack, "status") == ["none"], "status tagged not sensitive")
    assert column_tag(stack, "balance") == ["none"]
    assert column_tag(stack, "payee_ref") == ["unclassified"]
    stack.meshctl("review", "accept", email["id"], "--by", owner)
    assert column_tag(stack, "contact_email") == ["email_address"]
    assert column_tag(stack, "payee_ref") == ["unclassified"]  # still awaiting review
    stack.meshctl("review", "reject", by_column["customer_id"]["id"], "--by", owner)
    assert column_tag(stack, "customer_id") == ["none"]  # rejected: not sensitive
    first = eventually(lambda: scans(stack), "the classifier's line for the first scan")
    assert {scan["columns_scanned"] for scan in first} == {5}

    # The producer adds a column (and data that has it): only that column is scanned.
    glue.update_table(
        DatabaseName="crm",
        TableInput=customers_table([{"Name": "mobile_phone", "Type": "string"}]),
    )
    with_phone = base_columns() | {"mobile_phone": [f"+1 212 555 {i:04d}" for i in range(ROWS)]}
    s3.put_object(Bucket=BUCKET, Key="crm/customers/part-00001.parquet", Body=parquet(with_phone))

    def phone() -> dict[str, Any] | None:
        return next((r for r in recommendations(stack) if r["column"] == "mobile_phone"), None)

    found = eventually(phone, "a recommendation for the new column", timeout=60)
    assert found["sensitivity_class"] == "phone_number" and found["state"] == "pending"
    # Unclassified from the moment it was synced, and while its recommendation awaits review.
    assert column_tag(stack, "mobile_phone") == ["unclassified"]
    assert found["evidence"]["match_rate"] >= 0.9

    # sync-worker asks before and after writing the table: each rescan covers only the new
    # column, and only one of them finds something new.
    def rescanned() -> list[dict[str, Any]] | None:
        later = [s for s in scans(stack) if s["columns_scanned"] != 5]
        return later if sum(s["new_recommendations"] for s in later) else None

    rescans = eventually(rescanned, "the classifier's line for the rescan")
    assert {s["columns_scanned"] for s in rescans} == {1}
    assert sum(s["new_recommendations"] for s in rescans) == 1
    after = {r["id"]: r["state"] for r in recommendations(stack)}
    assert after[email["id"]] == "accepted"
    assert after[by_column["customer_id"]["id"]] == "rejected"  # remembered, not asked again
    assert after[iban["id"]] == "pending"
    assert column_tag(stack, "contact_email") == ["email_address"]
    assert column_tag(stack, "customer_id") == ["none"]

    trail = [
        e["action"]
        for e in json.loads(stack.meshctl("--json", "audit", f"recommendation/{email['id']}"))
    ]
    assert trail == ["recommendation.created", "recommendation.accepted"]
