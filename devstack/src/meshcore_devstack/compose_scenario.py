"""The scenario `make compose-test` plays against the stack's published embedded AWS.

Operator and producer actions from outside the containers (meshctl and boto3, as in
`make demo`); the workers in the containers do the rest.
"""

from __future__ import annotations

import json
from typing import Any

from meshcore_devstack.engine import say
from meshcore_devstack.mesh import PRODUCERS
from meshcore_devstack.story import CONSUMER_USER, Story, StoryFailed, portal_page

REPAIR_INTERVAL_MINUTES = 1  # so that the scheduled repair fires during the scenario


def catalog_and_access(story: Story) -> None:
    """The shared story: a producer table reaches the central catalog, is classified, and access
    is granted."""
    story.onboard()
    story.producer_publishes()
    _, took = story.synced()
    say(f"producer table synced to the central catalog after {took:.1f} s")
    email, took = story.recommended()
    say(f"classifier recommended {email['sensitivity_class']} after {took:.1f} s")
    story.accept(email)
    _, took = story.classified()
    say(f"the owner's review left no column pending classification after {took:.1f} s")
    request = story.request_access("compose test")
    story.approve(request["request_id"])
    _, took = story.delivered(request["request_id"])
    say(f"grant-worker granted access and linked the table after {took:.1f} s")
    _, took = story.anchored()
    say(f"the audit-anchor container signed the audit chain's head within {took:.1f} s")
    story.meshctl("audit", "verify")


def portal_pages(story: Story, url: str) -> None:
    """The portal container serves the synced table with its accepted tag and the request."""

    def tagged() -> str | None:
        try:
            page = portal_page(url, "/datasets/ar__receivables/invoices", CONSUMER_USER)
        except OSError:  # not answering yet
            return None
        return page if "email_address" in page else None

    _, took = story.wait_for("the portal's dataset page with the email_address tag", tagged)
    say(f"portal serves the dataset with its tag after {took:.1f} s")

    def found() -> bool:  # search reads a listing snapshot, refreshed every 30 s by default
        return "ar__receivables.invoices" in portal_page(url, "/?q=invoices", PRODUCERS[0].owner)

    _, took = story.wait_for("ar__receivables.invoices in the portal's catalog search", found)
    say(f"portal's catalog search finds it after {took:.1f} s")


def dead_letters(story: Story) -> None:
    """A poison message lands in the dead-letter queue with its reason and is redriven."""
    sqs = story.client("sqs")
    sqs.send_message(
        QueueUrl=sqs.get_queue_url(QueueName="meshcore-approvals")["QueueUrl"],
        MessageBody='{"kind": "nope"}',
    )

    def dead() -> list[dict[str, Any]] | None:
        return list(story.meshctl_json("dlq", "list", "meshcore-approvals")) or None

    (letter,), took = story.wait_for("the poison message in meshcore-approvals-dlq", dead)
    if "not a valid approvals message" not in (letter["reason"] or ""):
        raise StoryFailed(f"dead letter without its reason: {letter}")
    say(f"poison message dead-lettered after {took:.1f} s: {letter['reason']}")
    moved = json.loads(story.meshctl("--json", "dlq", "redrive", "meshcore-approvals"))
    if moved != {"queue": "meshcore-approvals", "moved": 1}:
        raise StoryFailed(f"redrive moved {moved}")
    story.wait_for("the still-poison message back in the dead-letter queue", dead)


def notifier_consumes(story: Story) -> None:
    """The notifier container took the request's notifications (routed, granted) off its
    queue, and dead-letters a malformed one with its reason."""

    def drained() -> bool:
        status = story.meshctl_json("status")
        queue = next(q for q in status["queues"] if q["queue"] == "meshcore-notifications")
        return bool(queue["depth"] == 0 and queue["in_flight"] == 0)

    _, took = story.wait_for("the notifier to take every notification", drained)
    say(f"the notifier took the request's notifications within {took:.1f} s")
    sqs = story.client("sqs")
    sqs.send_message(
        QueueUrl=sqs.get_queue_url(QueueName="meshcore-notifications")["QueueUrl"],
        MessageBody='{"kind": "access.notification", "version": 1}',
    )

    def dead() -> list[dict[str, Any]] | None:
        return list(story.meshctl_json("dlq", "list", "meshcore-notifications")) or None

    (letter,), took = story.wait_for("the malformed notification in its dead-letter queue", dead)
    if "not a valid notifications message" not in (letter["reason"] or ""):
        raise StoryFailed(f"dead letter without its reason: {letter}")
    say(f"malformed notification dead-lettered after {took:.1f} s: {letter['reason']}")


def scheduled_repair(story: Story) -> dict[str, Any]:
    """The repair schedule fires (every minute here) and sync-worker's repair succeeds."""

    def repaired() -> dict[str, Any] | None:
        last = story.meshctl_json("status")["last_repair"]
        if last and last["repair_id"].startswith("scheduled-") and last["status"] == "succeeded":
            return dict(last)
        return None

    last, _ = story.wait_for("a scheduled repair", repaired, 60.0 * REPAIR_INTERVAL_MINUTES + 120)
    say(f"scheduled repair {last['repair_id']} succeeded (drift {last['drift_total']})")
    status = story.meshctl_json("status")
    approvals = next(q for q in status["queues"] if q["queue"] == "meshcore-approvals")
    if approvals["dead_letters"] != 1:
        raise StoryFailed(f"meshctl status: approvals dead letters {approvals['dead_letters']}")
    story.meshctl("status")
    return last
