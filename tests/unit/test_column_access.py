"""meshctl access explain's rules: which columns a principal reads, through which grant."""

from __future__ import annotations

from typing import Any

from meshcore.domain.column_access import Table, explain

CENTRAL, CONSUMER = "123456789012", "444444444444"
ANALYST = f"arn:aws:iam::{CONSUMER}:role/analyst"
TABLE = Table(
    CENTRAL,
    "ar__receivables",
    "invoices",
    ["invoice_id", "customer_email", "amount"],
    ["year"],
    {
        "customer_email": {"domain": ["ar"], "sensitivity": ["email_address"]},
        "*": {"domain": ["ar"], "sensitivity": ["none"]},
    },
)


def grant(who: str, resource: dict[str, Any], *perms: str) -> dict[str, Any]:
    return {
        "Principal": {"DataLakePrincipalIdentifier": who},
        "Resource": resource,
        "Permissions": list(perms),
    }


def columns_but(*excluded: str) -> dict[str, Any]:
    spec = {"CatalogId": CENTRAL, "DatabaseName": "ar__receivables", "Name": "invoices"}
    return {"TableWithColumns": spec | {"ColumnWildcard": {"ExcludedColumnNames": list(excluded)}}}


def readable(answers: list[Any]) -> list[str]:
    return [a.column for a in answers if a.readable]


def test_a_consumer_role_reads_its_admins_grant_within_what_the_account_received() -> None:
    owner = [grant(CONSUMER, columns_but("customer_email"), "SELECT")]
    admin = [grant(ANALYST, columns_but(), "SELECT")]
    answers = explain(ANALYST, TABLE, owner, admin)
    assert readable(answers) == ["invoice_id", "amount", "year"]
    email = next(a for a in answers if a.column == "customer_email")
    assert email.why_not == f"not among the columns shared with account {CONSUMER}"
    assert "data lake admin" in answers[0].through[0]


def test_nothing_before_the_share_is_accepted_or_the_admin_grants() -> None:
    owner = [grant(CONSUMER, columns_but(), "SELECT")]
    assert (
        readable(
            explain(
                ANALYST,
                TABLE,
                owner,
                [grant(ANALYST, columns_but(), "SELECT")],
                share_accepted=False,
            )
        )
        == []
    )
    answers = explain(ANALYST, TABLE, owner, [])
    assert readable(answers) == []
    assert "not granted to this role" in answers[0].why_not


def test_tag_expressions_follow_column_overrides() -> None:
    policy = {
        "LFTagPolicy": {
            "CatalogId": CENTRAL,
            "ResourceType": "TABLE",
            "Expression": [
                {"TagKey": "domain", "TagValues": ["ar"]},
                {"TagKey": "sensitivity", "TagValues": ["none"]},
            ],
        }
    }
    answers = explain(ANALYST, TABLE, [grant(ANALYST, policy, "SELECT", "DESCRIBE")])
    assert readable(answers) == ["invoice_id", "amount", "year"]
    assert answers[0].through == [f"tag expression domain=ar AND sensitivity=none to {ANALYST}"]
