"""Tickets end to end on the embedded AWS: a request opens an issue on a local Jira (every body
held to Jira's REST v3 description and ADF), Jira's webhook says the issue moved to Approved,
the ticket bridge signs the decision as the ticket system's role and grant-worker grants; the
grant is written back to the issue as a comment. A webhook badly signed changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from functools import partial

import pytest

from meshcore_devstack.mesh import PRODUCERS
from meshcore_devstack.processes import free_port

from ..ticket_systems import FakeJira, adf_text
from .conftest import StackFactory, eventually
from .test_access import _mesh, audit_actions, request, request_state

pytestmark = pytest.mark.e2e

OWNER = PRODUCERS[0].owner
SECRET = "jira-webhook-secret"


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira() as fake:
        yield fake


def post(url: str, body: bytes, signature: str) -> int:
    call = urllib.request.Request(  # noqa: S310 (a local URL)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Hub-Signature": signature},
    )
    try:
        with urllib.request.urlopen(call, timeout=10) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def transition(key: str, to: str, approver: str) -> bytes:
    return json.dumps(
        {
            "webhookEvent": "jira:issue_updated",
            "user": {"accountId": "557058:ada", "emailAddress": approver},
            "issue": {"id": "10001", "key": key},
            "changelog": {
                "id": "10200",
                "items": [
                    {"field": "status", "fieldId": "status", "fromString": "To Do", "toString": to}
                ],
            },
        }
    ).encode()


def test_a_jira_approval_grants_and_the_grant_is_commented_on_the_issue(
    stack_factory: StackFactory, jira: FakeJira
) -> None:
    port = free_port()
    settings = {
        "MESHCORE_TICKETS__ADAPTER": "jira",
        "MESHCORE_TICKETS__JIRA_BASE_URL": jira.url,
        "MESHCORE_TICKETS__JIRA_EMAIL": "bot@example.com",
        "MESHCORE_TICKETS__JIRA_API_TOKEN": "jira-token",
        "MESHCORE_TICKETS__JIRA_PROJECT": "FIN",
        "MESHCORE_TICKETS__JIRA_WEBHOOK_SECRET": SECRET,
        "MESHCORE_TICKETS__LISTEN_PORT": str(port),
        "MESHCORE_TICKETS__PORTAL_BASE_URL": "https://portal.example.com",
    }
    mesh = _mesh(partial(stack_factory, ticket_bridge=True, settings=settings))
    hook = f"http://127.0.0.1:{port}/webhooks/jira"

    request_id = request(mesh)
    (key,) = eventually(lambda: list(jira.issues), "the issue opened on Jira")
    issue = jira.issues[key]
    assert key.startswith("FIN-") and request_id in issue.fields["summary"]
    assert "https://portal.example.com/datasets/" in json.dumps(issue.fields["description"])

    # Someone who is not Jira: refused, nothing decided.
    forged = transition(key, "Approved", OWNER)
    wrong = "sha256=" + hmac.new(b"guess", forged, hashlib.sha256).hexdigest()
    assert post(hook, forged, wrong) == 401

    body = transition(key, "Approved", OWNER)
    signed = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert post(hook, body, signed) == 202
    eventually(lambda: request_state(mesh, request_id)["grants_applied"], "the grant")
    state = request_state(mesh, request_id)
    assert state["state"] == "granted" and state["ticket_id"] == key

    eventually(
        lambda: any("Access granted" in adf_text(c) for c in jira.issues[key].comments),
        "the comment on the issue",
    )
    assert jira.refused == []
    # One decision reached grant-worker: the forged webhook was never signed nor posted.
    assert "decision.refused" not in audit_actions(mesh, request_id)
