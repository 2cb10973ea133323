"""The Lake Formation entries meshcore grants, built in one place (`domain.grants`)."""

from __future__ import annotations

from meshcore.domain.access import AccessRequest, TableName
from meshcore.domain.grants import consumer_role_grants, request_grants

CATALOG, CONSUMER = "123456789012", "444444444444"
ROLE = f"arn:aws:iam::{CONSUMER}:role/analyst"
INVOICES = TableName(database="ar__receivables", table="invoices")


def test_a_table_grant_leaves_out_the_excluded_columns_and_passes_the_option_to_an_account() -> (
    None
):
    request = AccessRequest(
        consumer_account=CONSUMER,
        tables=[INVOICES],
        purpose="p",
        granted_tables=[INVOICES],
        excluded_columns={str(INVOICES): ["customer_email"]},
    )
    describe, select = request_grants(request, CATALOG)
    assert describe["Permissions"] == describe["PermissionsWithGrantOption"] == ["DESCRIBE"]
    wildcard = select["Resource"]["TableWithColumns"]["ColumnWildcard"]
    assert wildcard == {"ExcludedColumnNames": ["customer_email"]}


def test_a_role_gets_no_grant_option_and_a_domain_is_granted_by_tag() -> None:
    request = AccessRequest(
        consumer_account=CONSUMER, principal_arn=ROLE, domain="ar", purpose="p", granted_domain="ar"
    )
    entries = request_grants(request, CATALOG)
    assert [e["Resource"]["LFTagPolicy"]["ResourceType"] for e in entries] == ["DATABASE", "TABLE"]
    assert all(e["PermissionsWithGrantOption"] == [] for e in entries)


def test_step_8_grants_the_link_its_target_and_the_domain() -> None:
    entries = consumer_role_grants(ROLE, CONSUMER, CATALOG, [INVOICES], "ap")
    catalogs = [e["Resource"].get("Table", {}).get("CatalogId") for e in entries[:2]]
    assert catalogs == [CONSUMER, CATALOG]
    assert "LFTagPolicy" in entries[-1]["Resource"]
