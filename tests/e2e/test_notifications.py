"""Notifications end to end: a granted request's requester gets the mail (through a real local
SMTP server) and a Slack webhook post (held to the JSON description of what Slack accepts),
from the notifier process, as they chose with meshctl; the data owner gets their own mail,
first of the columns awaiting their review."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial

import pytest

from meshcore_devstack.mesh import PRODUCERS
from meshcore_devstack.story import CONSUMER_USER

from ..chat_webhook import ChatWebhook
from ..mailbox import Mailbox
from .conftest import StackFactory, eventually
from .test_access import _mesh, request, request_state

pytestmark = pytest.mark.e2e

OWNER = PRODUCERS[0].owner
FROM = "meshcore@central.example.com"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


@pytest.fixture
def slack() -> Iterator[ChatWebhook]:
    with ChatWebhook("slack") as hook:
        yield hook


def test_a_granted_requester_hears_by_mail_and_on_slack(
    stack_factory: StackFactory, mailbox: Mailbox, slack: ChatWebhook
) -> None:
    settings = {
        "MESHCORE_NOTIFIER__EMAIL": "smtp",
        "MESHCORE_NOTIFIER__SMTP_HOST": "127.0.0.1",
        "MESHCORE_NOTIFIER__SMTP_PORT": str(mailbox.port),
        "MESHCORE_NOTIFIER__FROM_ADDRESS": FROM,
        "MESHCORE_NOTIFIER__WEBHOOKS": json.dumps(
            {"analysts": {"kind": "slack", "url": slack.url}}
        ),
    }
    mesh = _mesh(partial(stack_factory, notifier=True, settings=settings))
    mesh.meshctl(
        "notify", "prefs", "set", CONSUMER_USER, "--channel", "email", "--channel", "analysts"
    )

    request_id = request(mesh)
    mesh.meshctl("decide", request_id, "approve", "--approver", OWNER, "--ticket", "FIN-8")
    eventually(lambda: request_state(mesh, request_id)["grants_applied"], "the grant")

    granted = f"Your access request {request_id} was granted"
    (mail,) = eventually(
        lambda: [m for m in mailbox.to(CONSUMER_USER) if m.subject == granted],
        "the requester's mail",
    )
    assert mail.sender == FROM and "Ticket: FIN-8" in mail.body
    assert "Access ends: " in mail.body
    (post,) = eventually(
        lambda: [b for b in slack.accepted if granted in b["text"]], "the requester's Slack post"
    )
    assert CONSUMER_USER in post["text"]
    assert slack.refused == []
    # The owner heard too, first that the request awaited their decision.
    eventually(
        lambda: [
            m for m in mailbox.to(OWNER) if m.subject == f"Access request {request_id} was granted"
        ],
        "the owner's mail",
    )
    owner_subjects = [m.subject for m in mailbox.to(OWNER)]
    about_request = [subject for subject in owner_subjects if request_id in subject]
    assert about_request[0] == f"Access request {request_id} awaits your decision"
    # Before any request, the classifier's recommendations awaited the owner's review.
    assert owner_subjects[0] == "2 columns of ar__receivables.invoices await your review"
    eventually(lambda: mesh.queue_idle("meshcore-notifications"), "the notifications handled")
