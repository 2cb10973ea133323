"""The access comparison, pure: expected entries (always from `request_grants`) against what
Lake Formation lists, as missing, extra and different; which extras a request explains."""

from __future__ import annotations

from typing import Any

import pytest

from meshcore.cli.main import main as meshctl
from meshcore.domain.access import AccessRequest, TableName
from meshcore.domain.grants import request_grants, table_grants
from meshcore.domain.reconcile import compare, explaining_request, is_governed

CENTRAL = "123456789012"
CONSUMER = "444444444444"
INVOICES = TableName(database="ar__receivables", table="invoices")


def granted(**more: Any) -> AccessRequest:
    fields: dict[str, Any] = {
        "consumer_account": CONSUMER,
        "tables": [INVOICES],
        "purpose": "close",
        "granted_tables": [INVOICES],
        "excluded_columns": {str(INVOICES): ["customer_email"]},
    }
    return AccessRequest.model_validate(fields | more)


def rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As ListPermissions reports them: one row per entry, lists in any order."""
    return [e | {"Permissions": list(reversed(e["Permissions"]))} for e in entries]


def test_what_is_held_as_granted_is_no_drift() -> None:
    expected = request_grants(granted(), CENTRAL)
    found = compare(expected, rows(expected))
    assert (found.missing, found.extra, found.different) == ([], [], [])


def test_an_absent_exclusion_list_equals_an_empty_one() -> None:
    expected = request_grants(granted(excluded_columns={}), CENTRAL)
    held = [dict(e) for e in expected]
    held[1] = held[1] | {"Resource": {"TableWithColumns": dict(INVOICES_NAMED, ColumnWildcard={})}}
    assert compare(expected, held).missing == []


INVOICES_NAMED = {"CatalogId": CENTRAL, "DatabaseName": "ar__receivables", "Name": "invoices"}


def test_a_revoked_entry_is_missing_and_granting_it_restores_it() -> None:
    expected = request_grants(granted(), CENTRAL)
    found = compare(expected, rows(expected[:1]))
    (missing,) = found.missing
    assert missing.resource["TableWithColumns"]["ColumnWildcard"] == {
        "ExcludedColumnNames": ["customer_email"]
    }
    assert missing.to_grant() == expected[1] and missing.to_revoke() is None


def test_another_exclusion_is_missing_plus_a_stale_extra_the_request_explains() -> None:
    request = granted()
    expected = request_grants(request, CENTRAL)
    wider = table_grants(CONSUMER, CENTRAL, INVOICES.database, INVOICES.table, [])
    found = compare(expected, rows([expected[0], wider[1]]))
    assert [m.kind for m in found.missing] == ["missing"]
    (extra,) = found.extra
    assert extra.to_revoke() == wider[1]
    assert explaining_request(extra, [request]) == request


def test_more_permissions_than_granted_are_different_and_only_the_surplus_is_revoked() -> None:
    expected = request_grants(granted(), CENTRAL)
    held = [dict(expected[0], Permissions=["DESCRIBE", "ALTER"]), expected[1]]
    (different,) = compare(expected, held).different
    assert different.to_grant() is None
    assert different.to_revoke() == dict(
        expected[0], Permissions=["ALTER"], PermissionsWithGrantOption=[]
    )


def test_a_grant_no_request_explains_is_extra_and_unexplained() -> None:
    request = granted()
    stranger = table_grants(
        "arn:aws:iam::555555555555:role/x", CENTRAL, "ar__receivables", "invoices", []
    )
    (extra, _other) = compare(
        request_grants(request, CENTRAL), [*request_grants(request, CENTRAL), *stranger]
    ).extra
    assert explaining_request(extra, [request]) is None
    # The same grantee on a table its request did not grant: not its own entry either.
    payments = table_grants(CONSUMER, CENTRAL, "ar__receivables", "payments", [])
    (of_payments, _) = compare([], payments).extra
    assert explaining_request(of_payments, [request]) is None


def test_governed_means_a_producer_domains_database_in_the_central_catalog() -> None:
    assert is_governed({"Table": INVOICES_NAMED}, CENTRAL)
    assert is_governed({"Database": {"CatalogId": CENTRAL, "Name": "ar__receivables"}}, CENTRAL)
    assert not is_governed({"Table": dict(INVOICES_NAMED, DatabaseName="ops")}, CENTRAL)
    assert not is_governed({"Table": dict(INVOICES_NAMED, CatalogId=CONSUMER)}, CENTRAL)
    assert not is_governed({"DataLocation": {"ResourceArn": "arn:aws:s3:::b"}}, CENTRAL)
    assert is_governed({"LFTagPolicy": {"CatalogId": CENTRAL, "ResourceType": "TABLE"}}, CENTRAL)


def test_meshctl_access_verify_usage_errors_cost_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert meshctl(["access", "verify", "extra"]) == 2
    assert meshctl(["access", "explain", CONSUMER, "db.table", "--heal"]) == 2
    assert meshctl(["access", "explain", CONSUMER]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("meshctl: error: ") for line in err)
