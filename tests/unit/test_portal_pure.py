"""The portal's pure parts: form validation, review actions, identity, catalog matching."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from meshcore.actions.catalog import CatalogQuery, _matches
from meshcore.domain.recommendations import RecommendationState
from portal.pages.access import RequestForm
from portal.pages.review import _decisions
from portal.security import NotSignedIn, current_user
from portal.settings import PortalSettings

GOOD = {
    "table": "ar__receivables.invoices",
    "consumer_account": "444444444444",
    "principal_arn": "arn:aws:iam::444444444444:role/analysts",
    "purpose": "dashboards",
    "duration_days": "30",
}


def form(**changes: str) -> RequestForm:
    return RequestForm.read(FormData({**GOOD, **changes}))


def test_a_valid_form_becomes_the_same_request_as_meshctl() -> None:
    draft = form().draft()
    assert draft is not None
    assert str(draft.tables[0]) == "ar__receivables.invoices"
    assert draft.grantee == "arn:aws:iam::444444444444:role/analysts"
    assert draft.duration_days == 30


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("table", "invoices"),
        ("consumer_account", "4444"),
        ("principal_arn", "arn:aws:iam::555555555555:role/elsewhere"),
        ("principal_arn", "role/analysts"),
        ("purpose", ""),
        ("purpose", "x" * 1001),
        ("duration_days", "0"),
        ("duration_days", "ninety"),
        ("duration_days", "3651"),
    ],
)
def test_each_bad_field_is_named(field: str, value: str) -> None:
    bad = form(**{field: value})
    assert bad.draft() is None
    assert list(bad.errors) == [field]


def test_review_actions_single_or_bulk() -> None:
    accepted = RecommendationState.ACCEPTED
    assert _decisions({"one": ["accept rec-1"], "rec": ["rec-2"]}) == [("rec-1", accepted)]
    assert _decisions({"action": ["reject"], "rec": ["rec-1", "rec-2"]}) == [
        ("rec-1", RecommendationState.REJECTED),
        ("rec-2", RecommendationState.REJECTED),
    ]
    for bad in ({"one": ["delete rec-1"]}, {"action": ["accept"]}, {"action": ["drop"]}):
        with pytest.raises(HTTPException):
            _decisions(bad)


def request_with(headers: dict[str, str], session: dict[str, Any]) -> Request:
    scope = {
        "type": "http",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "session": session,
    }
    return Request(scope)


def test_identity_from_the_named_header_and_dev_login_only_when_enabled() -> None:
    settings = PortalSettings(identity_header="X-Auth-User")
    assert current_user(request_with({"X-Auth-User": " ada "}, {}), settings) == "ada"
    with pytest.raises(NotSignedIn):
        current_user(request_with({"X-Forwarded-User": "ada"}, {}), settings)
    with pytest.raises(NotSignedIn):
        current_user(request_with({"X-Auth-User": "a\x07b"}, {}), settings)
    picked = request_with({}, {"dev_user": "piet"})
    with pytest.raises(NotSignedIn):
        current_user(picked, settings)
    assert current_user(picked, PortalSettings(dev_login=True)) == "piet"


def test_catalog_matching() -> None:
    row = {
        "DatabaseName": "ar__receivables",
        "Name": "invoices",
        "Description": "Customer invoices",
        "StorageDescriptor": {"Columns": [{"Name": "customer_email"}, {"Name": "amount"}]},
    }
    email = {"customer_email": "email_address"}
    assert _matches(CatalogQuery(text="customer INVOICES"), row, {})
    assert not _matches(CatalogQuery(text="payables"), row, {})
    assert _matches(CatalogQuery(column="Customer_Email"), row, {})
    assert not _matches(CatalogQuery(column="iban"), row, {})
    assert _matches(CatalogQuery(tag="sensitive"), row, email)
    assert not _matches(CatalogQuery(tag="sensitive"), row, {})
    assert _matches(CatalogQuery(tag="email_address"), row, email)
    assert not _matches(CatalogQuery(tag="iban"), row, email)
