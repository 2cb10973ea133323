"""Requests and signed decisions for the scenarios that put grant-worker under load."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from meshcore_devstack.mesh import AR, CONSUMER, PRODUCERS

from ..e2e.test_access import decision, sign
from .conftest import Stack, eventually

OWNER = PRODUCERS[0].owner
STABLE = "stable"  # an AR database the workloads never touch


def stable_tables(stack: Stack, count: int) -> list[str]:
    """`count` AR tables, synced to the central catalog; returns their central names."""
    glue = stack.client("glue", AR)
    glue.create_database(DatabaseInput={"Name": STABLE})
    names = [f"s{i:02d}" for i in range(count)]
    for name in names:
        glue.create_table(
            DatabaseName=STABLE,
            TableInput={
                "Name": name,
                "StorageDescriptor": {
                    "Columns": [{"Name": "id", "Type": "string"}],
                    "Location": f"s3://producer-data/{name}/",
                },
            },
        )
    central = stack.client("glue")

    def synced() -> bool:
        try:
            tables = central.get_tables(DatabaseName=f"ar__{STABLE}")["TableList"]
        except central.exceptions.EntityNotFoundException:
            return False
        return len(tables) == count

    eventually(synced, "the stable tables in the central catalog", timeout=120)
    return [f"ar__{STABLE}.{n}" for n in names]


def role(index: int) -> str:
    return f"arn:aws:iam::{CONSUMER}:role/analyst-{index:02d}"


def open_request(stack: Stack, tables: list[str], principal: str) -> str:
    args = ["--json", "request", "--consumer-account", CONSUMER, "--principal", principal]
    for table in tables:
        args += ["--table", table]
    out = stack.meshctl(*args, "--purpose", "reliability")
    return str(json.loads(out)["request_id"])


def approval(stack: Stack, request_id: str, **overrides: Any) -> str:
    return sign(stack, decision(stack, request_id, **overrides))


def requests(stack: Stack) -> dict[str, dict[str, Any]]:
    return {r["request_id"]: r for r in json.loads(stack.meshctl("--json", "requests"))}


def audit(stack: Stack, request_id: str) -> list[dict[str, Any]]:
    return list(json.loads(stack.meshctl("--json", "audit", request_id)))


def grants_audited(stack: Stack, request_ids: list[str]) -> Counter[str]:
    """How many times each request's grant was audited (exactly once is right)."""
    return Counter(
        {rid: sum(e["action"] == "grant.created" for e in audit(stack, rid)) for rid in request_ids}
    )


def permissions_by_principal(stack: Stack) -> Counter[str]:
    lf = stack.client("lakeformation")
    rows: list[Any] = []
    params: dict[str, Any] = {}
    while True:
        page = lf.list_permissions(**params)
        rows += page["PrincipalResourcePermissions"]
        if not page.get("NextToken"):
            break
        params["NextToken"] = page["NextToken"]
    return Counter(r["Principal"]["DataLakePrincipalIdentifier"] for r in rows)
