"""The portal's pure parts: form validation, review actions, identity, catalog matching."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from meshcore.actions.catalog import CatalogQuery, _matches
from meshcore.domain.recommendations import RecommendationState
from meshcore_devstack.sso import LocalSso
from portal.pages.access import RequestForm
from portal.pages.review import _decisions
from portal.security import (
    IDENTITY_SCOPE_KEY,
    IdentityRefused,
    NotSignedIn,
    ProxyKeys,
    current_user,
    path_segment,
    path_segments,
    verified_identity,
)
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


def request_with(scope: dict[str, Any], session: dict[str, Any]) -> Request:
    return Request({"type": "http", "headers": [], "session": session, **scope})


SSO = LocalSso()


def verify(token: str, **settings: Any) -> str:
    portal = PortalSettings(
        **{"oidc_public_key": SSO.public_pem, "oidc_signer": SSO.signer, **settings}
    )
    return asyncio.run(verified_identity(token, ProxyKeys(portal, "us-east-1"), portal))


def test_identity_from_the_proxys_signed_token_only() -> None:
    assert verify(SSO.token(" ada ")) == "ada"
    assert verify(SSO.token("x", upn="piet"), identity_claim="upn") == "piet"
    assert verify(SSO.token("ada", iss="https://idp"), oidc_issuer="https://idp") == "ada"
    refused: list[Callable[[], object]] = [
        lambda: verify(LocalSso().token("ada")),  # another key
        lambda: verify(SSO.token("ada", signer="arn:other")),  # another load balancer
        lambda: verify(SSO.token("ada", lifetime=-60)),  # expired
        lambda: verify(SSO.token("a\x07b")),  # not printable
        lambda: verify(SSO.token("ada"), oidc_issuer="https://idp"),  # another issuer
        lambda: verify("ada"),
        # Keys published per key id, but no load balancer to check: nothing is trusted.
        lambda: verify(SSO.token("ada"), oidc_public_key=None, oidc_signer=None),
    ]
    for attempt in refused:
        with pytest.raises(IdentityRefused):
            attempt()


def test_a_refused_identity_and_dev_login_only_when_enabled() -> None:
    settings = PortalSettings(oidc_signer="arn:lb")
    assert current_user(request_with({IDENTITY_SCOPE_KEY: ("ada", None)}, {}), settings) == "ada"
    forged = request_with({IDENTITY_SCOPE_KEY: (None, "2 x-amzn-oidc-data headers")}, {})
    with pytest.raises(NotSignedIn, match="2 x-amzn-oidc-data headers"):
        current_user(forged, settings)
    picked = request_with({}, {"dev_user": "piet"})
    with pytest.raises(NotSignedIn):
        current_user(picked, settings)
    assert current_user(picked, PortalSettings(dev_login=True)) == "piet"
    with pytest.raises(NotSignedIn):  # a refused identity is not replaced by the dev login
        current_user(
            request_with({IDENTITY_SCOPE_KEY: (None, "forged")}, {"dev_user": "piet"}),
            PortalSettings(dev_login=True),
        )


def test_secure_host_cookie_by_default_and_a_signer_with_published_keys() -> None:
    assert PortalSettings().cookie_name == "__Host-meshcore_portal"
    assert PortalSettings().secure_cookies is True
    assert PortalSettings(secure_cookies=False).cookie_name == "meshcore_portal"
    assert PortalSettings().host == "127.0.0.1"
    assert "OIDC_SIGNER" in (PortalSettings().configuration_problem() or "")
    assert PortalSettings(oidc_signer="arn:lb").configuration_problem() is None
    assert PortalSettings(oidc_public_key=SSO.public_pem).configuration_problem() is None
    assert PortalSettings(oidc_signer="").oidc_signer is None  # an empty variable is unset


@pytest.mark.parametrize(
    ("name", "link"),
    [
        ("slash/name", "slash%2Fname"),
        ("odd?name#1%2F", "odd%3Fname%231%252F"),
        ("space name", "space%20name"),
        ("ünï", "%C3%BCn%C3%AF"),
    ],
)
def test_path_segments_are_quoted_fully_and_decoded_on_the_way_in(name: str, link: str) -> None:
    assert path_segment(name) == link
    raw = f"/datasets/db/{link}".encode()
    request = Request({"type": "http", "path": unquote(raw.decode()), "raw_path": raw})
    assert path_segments(request, "/datasets/") == ["db", name]


@pytest.mark.parametrize(
    "account", ["\u0664" * 12, "\uff14" * 12, "4" * 11 + "\u096a", "\U0001d7dc" * 12]
)
def test_the_request_form_takes_only_ascii_digits(account: str) -> None:
    bad = form(consumer_account=account)
    assert bad.draft() is None and "consumer_account" in bad.errors
    arn = form(principal_arn=f"arn:aws:iam::{account}:role/analysts")
    assert arn.draft() is None and "principal_arn" in arn.errors
    days = form(duration_days="\u0663\u0660")
    assert days.draft() is None and list(days.errors) == ["duration_days"]


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
