"""The access reconciliation end to end: drift made by hand in Lake Formation, the consumer
account or the producer's catalog is found by `meshctl access verify`, healed by `--heal` or by
grant-worker on its schedule's message (`access.reconcile`), and audited; a permission no request
explains is reported, never removed; a grant whose RAM invitation expired is shared again and
accepted (the embedded AWS's RAM time is advanced past the seven days, `POST /_emulator/ram`)."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest

from meshcore.cli.main import main as meshctl
from meshcore.domain.access import AccessRequest
from meshcore.domain.grants import request_grants
from meshcore.messages.commands import AccessReconcile
from meshcore_devstack.mesh import AR, CENTRAL, CONSUMER
from meshcore_devstack.query_engine import QueryRefused
from meshcore_devstack.story import invoices_table

from ..emulator.helpers import call_control
from .conftest import Stack, eventually
from .test_access import (
    OWNER,
    TABLE,
    analyst_reads,
    audit_actions,
    consumer_admin_grants_analyst,
    consumer_permissions,
    mesh,
    post,
    query_refused,
    request,
    request_state,
)

pytestmark = pytest.mark.e2e

__all__ = ["mesh"]  # the fixture, shared with test_access

STRANGER = "555555555555"


def verify(stack: Stack, *args: str) -> tuple[int, dict[str, Any]]:
    """`meshctl --json access verify …`: its exit status and report."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = meshctl(["--json", "access", "verify", *args])
    return code, json.loads(out.getvalue())


def kinds(report: dict[str, Any]) -> list[tuple[str, bool]]:
    return sorted((f["kind"], f["healed"]) for f in report["findings"])


def granted(stack: Stack) -> AccessRequest:
    request_id = request(stack)
    stack.meshctl("decide", request_id, "approve", "--approver", OWNER)
    eventually(lambda: request_state(stack, request_id)["grants_applied"], "the grant")
    return AccessRequest.model_validate(request_state(stack, request_id))


def test_a_grant_revoked_by_hand_is_found_and_healed(mesh: Stack) -> None:
    req = granted(mesh)
    consumer_admin_grants_analyst(mesh)
    assert analyst_reads(mesh).rows
    code, report = verify(mesh)
    assert (code, report["drift"], report["requests"]) == (0, 0, 1)

    # By hand, outside meshcore: the consumer's SELECT is revoked in Lake Formation.
    select = [e for e in request_grants(req, CENTRAL) if "TableWithColumns" in e["Resource"]]
    mesh.client("lakeformation").batch_revoke_permissions(
        Entries=[{"Id": "0", **e} for e in select]
    )
    assert "no SELECT on any column" in query_refused(mesh)

    code, report = verify(mesh)
    assert (code, kinds(report)) == (1, [("missing", False)])
    assert report["findings"][0]["subject"] == f"request/{req.request_id}"
    assert "access.healed" not in audit_actions(mesh, req.request_id)

    code, report = verify(mesh, "--heal", "--actor", "ops@central.example.com")
    assert (code, kinds(report)) == (0, [("missing", True)])
    assert analyst_reads(mesh).columns == [
        "invoice_id",
        "customer_id",
        "amount",
        "currency",
        "year",
        "month",
    ]
    assert audit_actions(mesh, req.request_id)[-1] == "access.healed"
    healed = json.loads(mesh.meshctl("--json", "audit", req.request_id))[-1]
    assert healed["actor"] == "ops@central.example.com"
    assert verify(mesh)[0] == 0


def test_a_resource_link_deleted_by_hand_is_recreated_by_the_schedules_message(
    mesh: Stack,
) -> None:
    req = granted(mesh)
    glue = mesh.client("glue", CONSUMER)
    glue.delete_table(DatabaseName="ar__receivables", Name="invoices")

    code, report = verify(mesh)
    assert (code, kinds(report)) == (1, [("link", False)])

    # What the EventBridge schedule posts, handled by grant-worker as its role.
    post(mesh, AccessReconcile(reconcile_id="test-link").model_dump_json())
    link = eventually(
        lambda: next(
            (t for t in glue.get_tables(DatabaseName="ar__receivables")["TableList"]), None
        ),
        "the link to be recreated",
    )
    assert link["TargetTable"] == {
        "CatalogId": CENTRAL,
        "DatabaseName": "ar__receivables",
        "Name": "invoices",
    }
    eventually(lambda: "access.healed" in audit_actions(mesh, req.request_id), "the audit")
    healed = json.loads(mesh.meshctl("--json", "audit", req.request_id))[-1]
    assert healed["actor"] == "grant-worker (reconcile)" and healed["details"]["link"] == TABLE
    assert verify(mesh)[0] == 0
    # The consumer's admin grants its analyst through the recreated link, who reads again
    # (waited for: once seen refused under load right after the heal, never alone).
    consumer_admin_grants_analyst(mesh)
    eventually(lambda: readable(mesh), "the analyst to read through the recreated link")


def readable(stack: Stack) -> bool:
    try:
        return bool(analyst_reads(stack).rows)
    except QueryRefused:
        return False


def test_a_table_dropped_and_recreated_by_its_producer_gets_its_grant_back(mesh: Stack) -> None:
    req = granted(mesh)
    central = mesh.client("glue")
    producer = mesh.client("glue", AR)
    producer.delete_table(DatabaseName="receivables", Name="invoices")
    eventually(
        lambda: (
            "invoices"
            not in {
                t["Name"] for t in central.get_tables(DatabaseName="ar__receivables")["TableList"]
            }
        ),
        "the central table to be dropped",
    )
    producer.create_table(DatabaseName="receivables", TableInput=invoices_table())
    eventually(
        lambda: (
            "invoices"
            in {t["Name"] for t in central.get_tables(DatabaseName="ar__receivables")["TableList"]}
        ),
        "the central table to be recreated",
    )
    # Lake Formation dropped the grants with the table: the recreated one has none.
    assert consumer_permissions(mesh) == []
    code, report = verify(mesh)
    assert code == 1
    assert [k for k in kinds(report) if k[0] == "missing"] == [
        ("missing", False),
        ("missing", False),
    ]

    post(mesh, AccessReconcile(reconcile_id="test-recreated").model_dump_json())
    eventually(lambda: len(consumer_permissions(mesh)) == 2, "the grants to be restored")
    select = next(r for r in consumer_permissions(mesh) if "TableWithColumns" in r["Resource"])
    restored = select["Resource"]["TableWithColumns"]["ColumnNames"]
    assert restored and "customer_email" not in restored
    eventually(lambda: audit_actions(mesh, req.request_id).count("access.healed") == 2, "the audit")
    consumer_admin_grants_analyst(mesh)
    result = analyst_reads(mesh)
    assert "customer_email" not in result.columns and result.columns
    assert "no SELECT on customer_email" in query_refused(mesh, ["invoice_id", "customer_email"])


def test_a_permission_granted_by_hand_to_another_principal_is_reported_not_removed(
    mesh: Stack,
) -> None:
    granted(mesh)
    lakeformation = mesh.client("lakeformation")
    resource = {
        "Table": {"CatalogId": CENTRAL, "DatabaseName": "ar__receivables", "Name": "invoices"}
    }
    lakeformation.grant_permissions(
        Principal={"DataLakePrincipalIdentifier": STRANGER},
        Resource=resource,
        Permissions=["DESCRIBE"],
    )

    code, report = verify(mesh, "--heal")
    assert (code, kinds(report)) == (1, [("unexplained", False)])
    (finding,) = report["findings"]
    assert finding["subject"] == "access/unexplained"
    assert finding["details"]["principal"] == STRANGER
    rows = lakeformation.list_permissions()["PrincipalResourcePermissions"]
    assert any(r["Principal"]["DataLakePrincipalIdentifier"] == STRANGER for r in rows)


def ram_time_passes(stack: Stack, seconds: float) -> None:
    """Time passes for the embedded AWS's RAM invitations (its control surface)."""
    status, body = call_control(
        stack.endpoint, "POST", "/_emulator/ram", {"advance_seconds": seconds}
    )
    assert status == 200, body


def invitations(stack: Stack) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = stack.client("ram", CONSUMER).get_resource_share_invitations()[
        "resourceShareInvitations"
    ]
    return listed


def test_a_grant_whose_invitation_expired_is_shared_again_and_accepted(mesh: Stack) -> None:
    req = granted(mesh)
    consumer_admin_grants_analyst(mesh)
    assert analyst_reads(mesh).rows
    # By hand, outside meshcore: the grant's RAM share is deleted, and someone shares the grant
    # again (revoke, then grant) but nobody accepts the new invitation in the consumer account.
    (share,) = req.resource_share_arns
    mesh.client("ram").delete_resource_share(resourceShareArn=share)
    lakeformation = mesh.client("lakeformation")
    entries = [{"Id": str(i), **e} for i, e in enumerate(request_grants(req, CENTRAL))]
    lakeformation.batch_revoke_permissions(Entries=entries)
    lakeformation.batch_grant_permissions(Entries=entries)
    (pending,) = [i for i in invitations(mesh) if i["status"] == "PENDING"]
    ram_time_passes(mesh, 7 * 24 * 3600)  # seven days later
    assert (
        next(
            i["status"]
            for i in invitations(mesh)
            if i["resourceShareInvitationArn"] == pending["resourceShareInvitationArn"]
        )
        == "EXPIRED"
    )
    assert not readable(mesh)

    code, report = verify(mesh)
    assert (code, kinds(report)) == (1, [("invitation", False)])
    (finding,) = report["findings"]
    assert finding["healable"] and finding["details"]["status"] == "EXPIRED"
    assert finding["subject"] == f"request/{req.request_id}"

    code, report = verify(mesh, "--heal", "--actor", "ops@central.example.com")
    assert (code, kinds(report)) == (0, [("invitation", True)])
    eventually(lambda: readable(mesh), "the analyst to read through the share accepted again")
    assert [i["status"] for i in invitations(mesh) if i["status"] != "EXPIRED"] == [
        "ACCEPTED",
        "ACCEPTED",
    ]  # the deleted share's, and the one accepted by healing
    healed = json.loads(mesh.meshctl("--json", "audit", req.request_id))[-1]
    assert (healed["action"], healed["actor"]) == ("access.healed", "ops@central.example.com")
    assert healed["details"]["reshared"] == [pending["resourceShareArn"]]
    assert verify(mesh)[0] == 0
