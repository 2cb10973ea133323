"""The portal against the embedded AWS: identity, CSRF, escaping, catalog, dataset, access
requests, producer review and operations, through the same meshcore actions as meshctl."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import io
import json
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

import boto3
import pytest
from starlette.testclient import TestClient
from structlog.testing import capture_logs

from meshcore.cli.main import main as meshctl
from meshcore.domain.recommendations import Recommendation
from meshcore_devstack.sso import HEADER, LocalSso
from meshcore_emulator import EmbeddedAws
from portal.app import create_app
from portal.settings import PortalMeshSettings

if TYPE_CHECKING:
    from mypy_boto3_glue.type_defs import TableInputTypeDef

ADA, PIET = "ada@ar.example.com", "piet@ap.example.com"
ANALYST = "analyst@consumer.example.com"
CONSUMER = "444444444444"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SSO = LocalSso()  # the single sign-on proxy the portal trusts in these tests
OPERATOR = "ops@central.example.com"


def run(*args: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        assert meshctl(list(args)) == 0, args


def central_table(name: str, columns: list[tuple[str, str]], **extra: Any) -> TableInputTypeDef:
    table = {
        "Name": name,
        "Description": extra.pop("description", f"{name} of accounts receivable"),
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": "string", "Comment": c} for n, c in columns],
            "Location": f"s3://ar-finance/{name}/",
        },
        "Parameters": {
            "meshcore:producer_account": "222222222222",
            "meshcore:source_database": "receivables",
            "meshcore:source_table": name,
            "meshcore:source_version": "1",
            "meshcore:synced_at": "2026-11-25T10:00:00+00:00",
        },
        **extra,
    }
    return cast("TableInputTypeDef", table)


@pytest.fixture
def mesh(aws: EmbeddedAws, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MESHCORE_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setenv("MESHCORE_ONBOARDING_ROLE", "OrganizationAccountAccessRole")
    monkeypatch.setenv("MESHCORE_PORTAL__OIDC_PUBLIC_KEY", SSO.public_pem)
    monkeypatch.setenv("MESHCORE_PORTAL__OIDC_SIGNER", SSO.signer)
    monkeypatch.setenv("MESHCORE_PORTAL__OPERATORS", json.dumps([OPERATOR]))
    run("bootstrap")
    run("onboard-producer", "222222222222", "--domain", "ar", "--owner", ADA)
    run("onboard-producer", "333333333333", "--domain", "ap", "--owner", PIET)
    run("onboard-consumer", CONSUMER)
    glue = boto3.client("glue", endpoint_url=aws.endpoint_url, region_name="us-east-1")
    glue.create_database(DatabaseInput={"Name": "ar__receivables"})
    glue.create_table(
        DatabaseName="ar__receivables",
        TableInput=central_table(
            "invoices",
            [("invoice_id", "invoice number"), ("customer_email", "billing contact")],
            PartitionKeys=[{"Name": "year", "Type": "string"}],
        ),
    )
    glue.batch_create_partition(
        DatabaseName="ar__receivables",
        TableName="invoices",
        PartitionInputList=[{"Values": [y]} for y in ("2024", "2025", "2026")],
    )
    glue.create_table(
        DatabaseName="ar__receivables",
        TableInput=central_table("hostile", [("note", HOSTILE)], description=f"descr {HOSTILE}"),
    )
    glue.create_database(DatabaseInput={"Name": "ap__payables"})
    for i in range(30):
        glue.create_table(
            DatabaseName="ap__payables",
            TableInput=central_table(f"bills_{i:02d}", [("vendor_id", "")]),
        )
    return glue


@pytest.fixture
def portal(mesh: Any) -> Iterator[TestClient]:
    with TestClient(
        create_app(PortalMeshSettings()), base_url=ORIGIN, follow_redirects=False
    ) as client:
        yield client


ORIGIN = "https://testserver"  # the portal is served over HTTPS: its cookie is Secure


def as_user(client: TestClient, user: str) -> dict[str, str]:
    """What the single sign-on proxy adds to `user`'s requests."""
    return SSO.headers(user)


def token(client: TestClient, user: str, path: str = "/request") -> str:
    page = client.get(path, headers=as_user(client, user))
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def add_recommendation(client: TestClient) -> str:
    rec = Recommendation(
        database="ar__receivables",
        table="invoices",
        column="customer_email",
        column_type="string",
        sensitivity_class="email_address",
        confidence=0.93,
        explanation="name and sampled values look like e-mail addresses",
        evidence={"match_rate": 0.98},
    )
    assert client.portal is not None
    client.portal.call(client.app.state.central.state.add_recommendation, rec)  # type: ignore[attr-defined]
    return rec.recommendation_id


def test_identity_is_required_and_dev_login_is_off_by_default(portal: TestClient) -> None:
    assert portal.get("/").status_code == 401
    assert "single sign-on" in portal.get("/").text
    assert portal.get("/login").status_code == 404
    assert portal.get("/", headers=SSO.headers("  ")).status_code == 401
    assert portal.get("/", headers=as_user(portal, ANALYST)).status_code == 200


def test_dev_login_only_when_enabled(mesh: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESHCORE_PORTAL__DEV_LOGIN", "true")
    with TestClient(
        create_app(PortalMeshSettings()), base_url=ORIGIN, follow_redirects=False
    ) as client:
        assert client.get("/").headers["location"] == "/login"
        page = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        assert client.post("/login", data={"identity": ANALYST}).status_code == 403
        signed_in = client.post("/login", data={"identity": ANALYST, "csrf_token": csrf.group(1)})
        assert signed_in.status_code == 303
        assert f"signed in as {ANALYST}" in client.get("/").text


def test_catalog_search_filters_and_pages(portal: TestClient) -> None:
    user = as_user(portal, ANALYST)
    page = portal.get("/", params={"q": "invoices"}, headers=user)
    assert "ar__receivables.invoices" in page.text and "1 table," in page.text
    assert ADA in page.text
    # Times read as "… ago", the exact ISO 8601 UTC time on hover.
    assert re.search(
        r'<time datetime="2026-11-25T10:00:00Z" title="2026-11-25T10:00:00Z">[^<]+ ago</time>',
        page.text,
    ), page.text
    everything = portal.get("/", headers=user).text
    assert "32 tables, page 1 of 2" in everything
    second = portal.get("/", params={"page": "2"}, headers=user).text
    assert "page 2 of 2" in second and "ap__payables.bills_29" in second
    assert "ap__payables.bills_00" not in second
    by_domain = portal.get("/", params={"domain": "ar"}, headers=user).text
    assert "2 tables" in by_domain and "bills_" not in by_domain
    by_column = portal.get("/", params={"column": "customer_email"}, headers=user).text
    assert "1 table," in by_column and "ar__receivables.invoices" in by_column
    nothing = portal.get("/", params={"tag": "sensitive"}, headers=user).text
    assert "0 tables" in nothing


def test_dataset_page_shows_schema_partitions_and_provenance(portal: TestClient) -> None:
    page = portal.get("/datasets/ar__receivables/invoices", headers=as_user(portal, ANALYST))
    assert page.status_code == 200
    for text in ("customer_email", "billing contact", "222222222222", "receivables.invoices"):
        assert text in page.text
    assert '<strong id="partition-count">3</strong>' in page.text
    assert 'id="access-hidden"' in page.text  # not the analyst's to see
    owner = portal.get("/datasets/ar__receivables/invoices", headers=as_user(portal, ADA))
    assert "No one has been granted access" in owner.text
    missing = portal.get("/datasets/ar__receivables/nope", headers=as_user(portal, ANALYST))
    assert missing.status_code == 404


def test_every_value_is_escaped(portal: TestClient) -> None:
    user = as_user(portal, "<b>mallory</b>")
    for path in ("/", "/datasets/ar__receivables/hostile"):
        page = portal.get(path, headers=user, params={"q": HOSTILE} if path == "/" else None)
        assert "<script>" not in page.text and "<img src=x" not in page.text
        assert "<b>mallory</b>" not in page.text and "&lt;b&gt;mallory&lt;/b&gt;" in page.text
    dataset = portal.get("/datasets/ar__receivables/hostile", headers=user).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in dataset
    assert "script-src" not in dataset  # and the CSP allows no script at all:
    csp = portal.get("/", headers=user).headers["content-security-policy"]
    assert "default-src 'none'" in csp


def test_every_post_refuses_a_missing_or_wrong_csrf_token(portal: TestClient) -> None:
    user = as_user(portal, ADA)
    rec_id = add_recommendation(portal)
    token(portal, ADA)  # the session has a token; these forms do not carry it
    posts = {
        "/request": {
            "table": "ar__receivables.invoices",
            "consumer_account": CONSUMER,
            "purpose": "x",
            "duration_days": "30",
        },
        "/review": {"one": f"accept {rec_id}"},
        "/logout": {},
    }
    routes = {r.path for r in portal.app.routes if "POST" in (getattr(r, "methods", None) or ())}  # type: ignore[attr-defined]
    assert routes - {"/login"} == set(posts)  # every POST route is covered here
    for path, data in posts.items():
        for sent in ({}, {"csrf_token": "forged"}):
            response = portal.post(path, data={**data, **sent}, headers=user)
            assert response.status_code == 403, path
    assert "not requested access yet" in requests_text(portal, ADA)  # nothing was created
    assert "customer_email" in portal.get("/review", headers=user).text  # still pending


def requests_text(client: TestClient, user: str) -> str:
    return client.get("/requests", headers=as_user(client, user)).text


def test_request_form_shows_errors_next_to_fields(portal: TestClient) -> None:
    csrf = token(portal, ANALYST)
    response = portal.post(
        "/request",
        data={
            "csrf_token": csrf,
            "table": "ar__receivables.invoices",
            "consumer_account": "12345",
            "principal_arn": "not-an-arn",
            "purpose": "",
            "duration_days": "0",
        },
        headers=as_user(portal, ANALYST),
    )
    assert response.status_code == 400
    for field in ("consumer_account", "principal_arn", "purpose", "duration_days"):
        assert f'id="error-{field}"' in response.text, field
    assert 'value="12345"' in response.text  # what was typed is kept
    unknown = portal.post(
        "/request",
        data={
            "csrf_token": csrf,
            "table": "ar__receivables.nope",
            "consumer_account": CONSUMER,
            "purpose": "dashboards",
            "duration_days": "30",
        },
        headers=as_user(portal, ANALYST),
    )
    assert unknown.status_code == 400 and 'id="error-table"' in unknown.text
    assert "not requested access yet" in requests_text(portal, ANALYST)


def test_request_access_appears_in_my_requests_with_history(portal: TestClient) -> None:
    csrf = token(portal, ANALYST)
    form = {
        "csrf_token": csrf,
        "table": "ar__receivables.invoices",
        "consumer_account": CONSUMER,
        "principal_arn": "",
        "columns": ["customer_email"],
        "purpose": "monthly revenue dashboard",
        "duration_days": "30",
    }
    created = portal.post("/request", data=form, headers=as_user(portal, ANALYST))
    assert created.status_code == 303
    request_id = created.headers["location"].split("created=")[1]
    mine = requests_text(portal, ANALYST)
    assert request_id in mine and "pending" in mine and "request.created" in mine
    assert "request.routed" in mine and "sensitive: customer_email" in mine
    assert re.search(
        r'<time datetime="[0-9T:-]+Z" title="[0-9T:-]+Z">(just now|[^<]+ ago)</time>', mine
    )
    assert request_id not in requests_text(portal, PIET)  # only one's own requests
    # Another identity used this cookie since: the session is new, and so is the token.
    form["csrf_token"] = token(portal, ANALYST)
    again = portal.post("/request", data=form, headers=as_user(portal, ANALYST))
    assert again.status_code == 400 and "already pending" in again.text
    requests_out = io.StringIO()
    with contextlib.redirect_stdout(requests_out):
        assert meshctl(["requests"]) == 0
    assert request_id in requests_out.getvalue()  # the same request meshctl sees


def test_producer_reviews_only_their_own_domain(portal: TestClient) -> None:
    rec_id = add_recommendation(portal)
    assert "not a data owner" in portal.get("/review", headers=as_user(portal, ANALYST)).text
    assert rec_id not in portal.get("/review", headers=as_user(portal, PIET)).text
    refused = portal.post(
        "/review",
        data={"csrf_token": token(portal, PIET), "one": f"accept {rec_id}"},
        headers=as_user(portal, PIET),
    )
    assert refused.status_code == 403 and "not a data owner" in refused.text
    page = portal.get("/review", headers=as_user(portal, ADA)).text
    assert rec_id in page and "98 % of the sampled values match the class" in page
    assert "match_rate" not in page
    accepted = portal.post(
        "/review",
        data={"csrf_token": token(portal, ADA), "action": "accept", "rec": [rec_id]},
        headers=as_user(portal, ADA),
    )
    assert accepted.status_code == 303
    assert rec_id not in portal.get("/review", headers=as_user(portal, ADA)).text
    dataset = portal.get("/datasets/ar__receivables/invoices", headers=as_user(portal, ANALYST))
    assert '<span class="tag">email_address</span>' in dataset.text  # read from Lake Formation
    tagged = portal.get("/", params={"tag": "email_address"}, headers=as_user(portal, ANALYST))
    assert "1 table," in tagged.text and "ar__receivables.invoices" in tagged.text


def test_operations_page_shows_status(portal: TestClient) -> None:
    page = portal.get("/operations", headers=as_user(portal, OPERATOR))
    assert page.status_code == 200
    assert "meshcore-catalog-changes" in page.text and "No repair has run yet" in page.text
    assert '<div class="n ok" id="dead-letters">0</div>' in page.text
    assert 'data-health="ok"' in page.text


def forged(header: dict[str, Any], claims: dict[str, Any], secret: bytes = b"") -> str:
    """A JWT assembled by hand (what no library will sign: `none`, HS256 with a public key)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    signing_input = f"{part(header)}.{part(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest() if secret else b""
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def refused_as(family: str, logs: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [e for e in logs if e["event"] == "portal.refused" and e["family"] == family]


def test_only_an_identity_the_proxy_signed_is_trusted(portal: TestClient) -> None:
    claims = {"email": ADA, "exp": int(time.time()) + 300}
    alb = {"kid": SSO.key_id, "signer": SSO.signer}
    attempts: dict[str, Any] = {
        "unsigned X-Forwarded-User": {"X-Forwarded-User": ADA},
        "not a JWT": {HEADER: "ada"},
        "another key": LocalSso().headers(ADA),
        "another load balancer": {HEADER: SSO.token(ADA, signer=SSO.signer + "-evil")},
        "expired": {HEADER: SSO.token(ADA, lifetime=-120)},
        "alg none": {HEADER: forged({**alb, "alg": "none"}, claims)},
        "HS256 keyed with the public key": {
            HEADER: forged({**alb, "alg": "HS256"}, claims, SSO.public_pem.encode())
        },
        "repeated header": [(HEADER, SSO.token(ANALYST)), (HEADER, SSO.token(ADA))],
        "no email claim": {HEADER: SSO.token(ADA, email=None)},
    }
    for what, headers in attempts.items():
        with capture_logs() as logs:
            page = portal.get("/review", headers=headers)
        assert page.status_code == 401, what
        assert ADA not in page.text, what
        assert len(refused_as("identity", logs)) == 1, (what, logs)
    assert portal.get("/review", headers=as_user(portal, ADA)).status_code == 200


def test_a_refused_identity_is_not_replaced_by_a_development_login(
    mesh: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESHCORE_PORTAL__DEV_LOGIN", "true")
    with TestClient(
        create_app(PortalMeshSettings()), base_url=ORIGIN, follow_redirects=False
    ) as client:
        page = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        client.post("/login", data={"identity": ANALYST, "csrf_token": csrf.group(1)})
        assert client.get("/").status_code == 200
        assert client.get("/", headers=LocalSso().headers(ADA)).status_code == 401


def test_keys_by_key_id_from_the_configured_url_and_a_signer_is_required(
    mesh: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MESHCORE_PORTAL__OIDC_PUBLIC_KEY")
    monkeypatch.delenv("MESHCORE_PORTAL__OIDC_SIGNER")
    with pytest.raises(ValueError, match="OIDC_SIGNER"):
        create_app(PortalMeshSettings())
    # The region's published keys, one file per key id (production: the ALB's https URL).
    (tmp_path / SSO.key_id).write_text(SSO.public_pem)
    monkeypatch.setenv("MESHCORE_PORTAL__OIDC_KEY_URL", f"file://{tmp_path}/{{kid}}")
    monkeypatch.setenv("MESHCORE_PORTAL__OIDC_SIGNER", SSO.signer)
    with TestClient(
        create_app(PortalMeshSettings()), base_url=ORIGIN, follow_redirects=False
    ) as client:
        assert client.get("/", headers=SSO.headers(ADA)).status_code == 200
        assert client.get("/", headers=LocalSso().headers(ADA)).status_code == 401  # unknown kid


def test_the_csrf_token_is_the_users_in_this_session(portal: TestClient) -> None:
    form = {
        "table": "ar__receivables.invoices",
        "consumer_account": CONSUMER,
        "purpose": "dashboards",
        "duration_days": "30",
    }
    first = portal.get("/request", headers=as_user(portal, ADA))
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("__Host-meshcore_portal=") and "secure" in cookie.lower()
    assert "path=/" in cookie.lower() and "domain" not in cookie.lower()
    ada_token = token(portal, ADA)
    # The same cookie, another user: Ada's token is not Piet's.
    with capture_logs() as logs:
        stolen = portal.post(
            "/request", data={**form, "csrf_token": ada_token}, headers=as_user(portal, PIET)
        )
    assert stolen.status_code == 403 and len(refused_as("cross-site", logs)) == 1
    # Another session of the same user (a new cookie): its own token.
    portal.cookies.clear()
    portal.get("/request", headers=as_user(portal, ADA))
    elsewhere = portal.post(
        "/request", data={**form, "csrf_token": ada_token}, headers=as_user(portal, ADA)
    )
    assert elsewhere.status_code == 403
    assert "not requested access yet" in requests_text(portal, PIET)
    assert "not requested access yet" in requests_text(portal, ADA)


def test_a_post_from_another_site_is_refused(portal: TestClient) -> None:
    form = {
        "table": "ar__receivables.invoices",
        "consumer_account": CONSUMER,
        "purpose": "dashboards",
        "duration_days": "30",
    }
    cross = [
        {"Origin": "https://evil.example.com"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": ORIGIN},
    ]
    for headers in cross:
        csrf = token(portal, ANALYST)
        with capture_logs() as logs:
            response = portal.post(
                "/request",
                data={**form, "csrf_token": csrf},
                headers={**as_user(portal, ANALYST), **headers},
            )
        assert response.status_code == 403, headers
        assert len(refused_as("cross-site", logs)) == 1, headers
    assert "not requested access yet" in requests_text(portal, ANALYST)
    same = {"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"}
    created = portal.post(
        "/request",
        data={**form, "csrf_token": token(portal, ANALYST)},
        headers={**as_user(portal, ANALYST), **same},
    )
    assert created.status_code == 303


def test_the_csrf_token_changes_at_login(mesh: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESHCORE_PORTAL__DEV_LOGIN", "true")
    with TestClient(
        create_app(PortalMeshSettings()), base_url=ORIGIN, follow_redirects=False
    ) as client:
        before = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert before
        client.post("/login", data={"identity": ANALYST, "csrf_token": before.group(1)})
        after = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
        assert after and after.group(1) != before.group(1)
        assert client.post("/logout", data={"csrf_token": before.group(1)}).status_code == 403
        assert f"signed in as {ANALYST}" in client.get("/").text
        assert client.post("/logout", data={"csrf_token": after.group(1)}).status_code == 303


def test_only_owners_and_operators_see_operations_and_who_has_access(portal: TestClient) -> None:
    with capture_logs() as logs:
        refused = portal.get("/operations", headers=as_user(portal, ANALYST))
    assert refused.status_code == 403 and "meshcore-catalog-changes" not in refused.text
    assert len(refused_as("unauthorised", logs)) == 1
    for user in (ADA, PIET, OPERATOR):  # a producer's data owner, or an operator
        assert portal.get("/operations", headers=as_user(portal, user)).status_code == 200, user
    dataset = "/datasets/ar__receivables/invoices"
    for user, sees in ((ANALYST, False), (PIET, False), (ADA, True), (OPERATOR, True)):
        page = portal.get(dataset, headers=as_user(portal, user)).text
        assert ('id="access-hidden"' not in page) is sees, user
        assert ("No one has been granted access" in page) is sees, user


@pytest.mark.parametrize(
    "account",
    [
        "\u0664" * 12,  # Arabic-Indic digits
        "\uff14" * 12,  # fullwidth digits
        "4" * 11 + "\u096a",  # one Devanagari four
    ],
)
def test_account_ids_with_unicode_digits_are_refused(portal: TestClient, account: str) -> None:
    for principal in ("", f"arn:aws:iam::{account}:role/analysts"):
        with capture_logs() as logs:
            response = portal.post(
                "/request",
                data={
                    "csrf_token": token(portal, ANALYST),
                    "table": "ar__receivables.invoices",
                    "consumer_account": account if not principal else CONSUMER,
                    "principal_arn": principal,
                    "purpose": "dashboards",
                    "duration_days": "\u0663\u0660",  # 30 in Arabic-Indic digits
                },
                headers=as_user(portal, ANALYST),
            )
        assert response.status_code == 400
        field = "principal_arn" if principal else "consumer_account"
        assert (
            f'id="error-{field}"' in response.text and 'id="error-duration_days"' in response.text
        )
        assert len(refused_as("input", logs)) == 1
    assert "not requested access yet" in requests_text(portal, ANALYST)


def test_links_to_names_with_a_slash_and_other_reserved_characters(
    portal: TestClient, mesh: Any
) -> None:
    names = ["slash/name", "odd?name#1%2F", "semi;colon:and space"]
    for name in names:
        mesh.create_table(
            DatabaseName="ar__receivables", TableInput=central_table(name, [("id", "")])
        )
    portal.app.state.catalog.max_age_seconds = 0  # type: ignore[attr-defined]
    catalog = portal.get("/", params={"domain": "ar"}, headers=as_user(portal, ANALYST)).text
    links = re.findall(r'<a href="(/datasets/[^"]+)">', catalog)
    for name in names:
        link = "/datasets/ar__receivables/" + quote(name, safe="")
        assert link in links, (name, links)
        page = portal.get(link, headers=as_user(portal, ANALYST))
        assert page.status_code == 200, (name, page.text)
        assert f"<h1>ar__receivables.{escape(name)}</h1>" in page.text
    assert (
        portal.get(
            "/datasets/ar__receivables/slash/name", headers=as_user(portal, ANALYST)
        ).status_code
        == 404
    )


def test_the_catalog_is_read_before_serving(portal: TestClient) -> None:
    assert portal.app.state.catalog.ready  # type: ignore[attr-defined]
    page = portal.get("/", headers=as_user(portal, ANALYST)).text
    assert "32 tables, page 1 of 2" in page and 'id="catalog-loading"' not in page


def test_a_catalog_still_loading_says_so_instead_of_0_tables(
    mesh: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from meshcore.actions.catalog import CatalogSnapshot

    read = CatalogSnapshot._read

    async def slow_read(self: CatalogSnapshot, central: Any) -> list[dict[str, Any]]:
        await asyncio.sleep(1.5)  # a large catalog: thousands of tables take seconds
        return await read(self, central)

    monkeypatch.setattr(CatalogSnapshot, "_read", slow_read)
    monkeypatch.setenv("MESHCORE_PORTAL__CATALOG_WARM_SECONDS", "0")  # serve at once
    with TestClient(
        create_app(PortalMeshSettings()), base_url=ORIGIN, follow_redirects=False
    ) as client:
        user = as_user(client, ANALYST)
        loading = client.get("/", headers=user)
        assert loading.status_code == 200
        assert 'id="catalog-loading"' in loading.text and "0 tables" not in loading.text
        assert '<meta http-equiv="refresh" content="2">' in loading.text  # no script
        deadline = time.monotonic() + 30
        while 'id="catalog-loading"' in (page := client.get("/", headers=user).text):
            assert time.monotonic() < deadline, "the catalog never finished loading"
            time.sleep(0.2)
        assert "32 tables, page 1 of 2" in page


def test_an_empty_first_listing_is_not_kept(mesh: Any) -> None:
    """The portal started before anything was synced: the first table shows at once, not when
    the listing is next refreshed."""
    for database in ("ar__receivables", "ap__payables"):
        mesh.delete_database(Name=database)
    with TestClient(
        create_app(PortalMeshSettings()), base_url=ORIGIN, follow_redirects=False
    ) as client:
        user = as_user(client, ANALYST)
        assert "0 tables" in client.get("/", headers=user).text
        mesh.create_database(DatabaseInput={"Name": "ar__receivables"})
        mesh.create_table(
            DatabaseName="ar__receivables", TableInput=central_table("invoices", [("id", "")])
        )
        assert "1 table," in client.get("/", headers=user).text


def cloudwatch(aws: EmbeddedAws) -> Any:
    return boto3.client("cloudwatch", endpoint_url=aws.endpoint_url, region_name="us-east-1")


def test_operations_page_charts_the_metrics_and_each_alarms_history(
    portal: TestClient, aws: EmbeddedAws
) -> None:
    cw = cloudwatch(aws)
    worker = [{"Name": "Worker", "Value": "sync-worker"}]

    def events(change: str) -> list[dict[str, str]]:
        return [*worker, {"Name": "ChangeType", "Value": change}]

    cw.put_metric_data(
        Namespace="meshcore",
        MetricData=[
            {
                "MetricName": "SyncLag",
                "Dimensions": worker,
                "Values": [1.5, 4.0],
                "Unit": "Seconds",
            },
            {"MetricName": "EventsProcessed", "Dimensions": events("CreateTable"), "Value": 3.0},
            {"MetricName": "EventsProcessed", "Dimensions": events("UpdateTable"), "Value": 2.0},
            {"MetricName": "RepairDrift", "Dimensions": worker, "Value": 2.0, "Unit": "Count"},
        ],
    )
    cw.put_metric_data(  # the same series again, in the same period: 2 + 1 update events
        Namespace="meshcore",
        MetricData=[
            {"MetricName": "EventsProcessed", "Dimensions": events("UpdateTable"), "Value": 1.0}
        ],
    )
    # Not sync-worker's lag: another namespace, another set of dimensions.
    cw.put_metric_data(
        Namespace="elsewhere",
        MetricData=[{"MetricName": "SyncLag", "Dimensions": worker, "Value": 999.0}],
    )
    cw.put_metric_data(
        Namespace="meshcore",
        MetricData=[
            {
                "MetricName": "SyncLag",
                "Dimensions": [*worker, {"Name": "X", "Value": "y"}],
                "Value": 777.0,
            }
        ],
    )
    cw.set_alarm_state(
        AlarmName="meshcore-repair-drift", StateValue="ALARM", StateReason=f"drift {HOSTILE}"
    )
    page = portal.get("/operations", headers=as_user(portal, OPERATOR)).text
    charts = dict(
        re.findall(r'<figure class="chart" id="(trend-[a-z-]+)">(.*?)</figure>', page, re.S)
    )
    assert set(charts) == {
        "trend-sync-lag",
        "trend-events",
        "trend-dead-letters",
        "trend-repair-drift",
    }
    assert "<svg" in charts["trend-sync-lag"] and "<script" not in page
    assert re.search(r"<title>[0-9-]+ [0-9:]+ UTC: 4 s</title>", charts["trend-sync-lag"])
    assert "999" not in charts["trend-sync-lag"] and "777" not in charts["trend-sync-lag"]
    assert re.search(r"<title>[0-9-]+ [0-9:]+ UTC: 6</title>", charts["trend-events"])
    assert re.search(r"<title>[0-9-]+ [0-9:]+ UTC: 2</title>", charts["trend-repair-drift"])
    assert "peak 0, latest 0" in charts["trend-dead-letters"]  # AWS/SQS: the queues are empty
    drift = re.search(r'<tr data-alarm="meshcore-repair-drift">(.*?)</tr>', page, re.S)
    assert drift, page
    assert "INSUFFICIENT_DATA &rarr; ALARM" in drift.group(1) and "<time datetime=" in drift.group(
        1
    )
    assert "&lt;script&gt;" in drift.group(1) and HOSTILE not in page


def test_dead_letters_without_an_alarm_in_alarm_are_degraded(
    portal: TestClient, aws: EmbeddedAws
) -> None:
    sqs = boto3.client("sqs", endpoint_url=aws.endpoint_url, region_name="us-east-1")
    url = sqs.get_queue_url(QueueName="meshcore-catalog-changes-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    alarms = cloudwatch(aws).describe_alarms(AlarmNamePrefix="meshcore-")["MetricAlarms"]
    assert alarms and all(a["StateValue"] != "ALARM" for a in alarms)  # no alarm says so yet
    page = portal.get("/operations", headers=as_user(portal, OPERATOR)).text
    assert 'data-health="degraded"' in page and 'data-health="ok"' not in page
    assert "1 dead letter in meshcore-catalog-changes-dlq" in page
    dead = re.search(r'<figure class="chart" id="trend-dead-letters">(.*?)</figure>', page, re.S)
    assert dead and re.search(r"<title>[0-9-]+ [0-9:]+ UTC: 1</title>", dead.group(1))  # AWS/SQS
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert meshctl(["status"]) == 0
    assert out.getvalue().startswith("health: DEGRADED")  # meshctl status says the same
    assert "1 dead letter in meshcore-catalog-changes-dlq" in out.getvalue()


def test_review_evidence_is_a_sentence(portal: TestClient) -> None:
    rec = Recommendation(
        database="ar__receivables",
        table="invoices",
        column="customer_email",
        column_type="string",
        sensitivity_class="iban",
        confidence=0.7,
        explanation="name matches 'iban'",
        evidence={
            "name_phrase": "iban",
            "name_tokens": "iban",
            "name_source": "name",
            "name_weight": 0.8,
            "sample_size": 100,
            "non_empty": 100,
            "matched": 3,
            "match_rate": 0.03,
            "value_check": f"valid IBANs {HOSTILE}",
        },
    )
    assert portal.portal is not None
    portal.portal.call(portal.app.state.central.state.add_recommendation, rec)  # type: ignore[attr-defined]
    page = portal.get("/review", headers=as_user(portal, ADA)).text
    assert "The name matches &#39;iban&#39;; 3 of 100 sampled values are valid IBANs" in page
    assert "matched=" not in page and "name_phrase" not in page and HOSTILE not in page


def test_long_names_are_cut_with_the_full_name_on_hover(portal: TestClient, mesh: Any) -> None:
    database = "ar__" + "receivables_of_the_northern_region_" * 4  # 144 characters
    database = database[:128]
    mesh.create_database(DatabaseInput={"Name": database})
    mesh.create_table(DatabaseName=database, TableInput=central_table("invoices", [("id", "")]))
    portal.app.state.catalog.max_age_seconds = 0  # type: ignore[attr-defined]
    page = portal.get("/", params={"q": "northern"}, headers=as_user(portal, ANALYST)).text
    assert f'<span class="name" title="{database}.invoices"><a href=' in page
    dataset = portal.get(f"/datasets/{database}/invoices", headers=as_user(portal, ANALYST))
    assert dataset.status_code == 200 and f"<h1>{database}.invoices</h1>" in dataset.text


def schema_row(page: str, column: str) -> str:
    """The dataset page's schema row of `column`."""
    found = re.search(rf"<tr><td>{re.escape(column)}</td>.*?</tr>", page, re.DOTALL)
    assert found, page
    return found.group(0)


def test_columns_pending_classification_are_shown_on_the_dataset_and_requests_pages(
    portal: TestClient, mesh: Any
) -> None:
    pending = '<span class="pending">pending classification</span>'
    add_recommendation(portal)  # customer_email's class awaits the owner's review
    lakeformation = boto3.client(
        "lakeformation", endpoint_url=mesh.meta.endpoint_url, region_name="us-east-1"
    )
    lakeformation.add_lf_tags_to_resource(  # invoice_id: scanned, nothing found
        Resource={
            "TableWithColumns": {
                "DatabaseName": "ar__receivables",
                "Name": "invoices",
                "ColumnNames": ["invoice_id"],
            }
        },
        LFTags=[{"TagKey": "sensitivity", "TagValues": ["none"]}],
    )
    page = portal.get("/datasets/ar__receivables/invoices", headers=as_user(portal, ANALYST)).text
    assert pending in schema_row(page, "customer_email")
    assert pending not in schema_row(page, "invoice_id")

    form = {
        "csrf_token": token(portal, ANALYST),
        "table": "ar__receivables.invoices",
        "consumer_account": CONSUMER,
        "principal_arn": "",
        "columns": ["invoice_id", "customer_email"],
        "purpose": "monthly revenue dashboard",
        "duration_days": "30",
    }
    created = portal.post("/request", data=form, headers=as_user(portal, ANALYST))
    assert created.status_code == 303
    mine = requests_text(portal, ANALYST)
    assert (
        '<span class="pending">pending classification in ar__receivables.invoices: '
        "customer_email</span>"
    ) in mine
