"""The scenario `make compose-test` plays against the stack's published embedded AWS.

Operator and producer actions from outside the containers (meshctl and boto3, as in
`make demo`); the workers in the containers do the rest.
"""

from __future__ import annotations

import json
from typing import Any

from meshcore_devstack.demo import (
    DemoFailed,
    anchored_to_the_head,
    client,
    invoices_table,
    partition,
    portal_page,
    run_meshctl,
    wait_for,
)
from meshcore_devstack.engine import say
from meshcore_devstack.mesh import AR, CONSUMER, PRODUCERS

REPAIR_INTERVAL_MINUTES = 1  # so that the scheduled repair fires during the scenario


def catalog_and_access(endpoint: str) -> None:
    """A producer table reaches the central catalog, is classified, and access is granted."""
    for p in PRODUCERS:
        run_meshctl(*p.onboarding())
    run_meshctl("onboard-consumer", CONSUMER)
    glue_ar = client("glue", endpoint, AR)
    glue_ar.create_database(DatabaseInput={"Name": "receivables"})
    glue_ar.create_table(DatabaseName="receivables", TableInput=invoices_table())
    glue_ar.batch_create_partition(
        DatabaseName="receivables",
        TableName="invoices",
        PartitionInputList=[partition("2026", m) for m in ("09", "10", "11")],
    )
    central_glue = client("glue", endpoint)

    def synced() -> int | None:
        try:
            parts = central_glue.get_partitions(
                DatabaseName="ar__receivables", TableName="invoices"
            )["Partitions"]
        except central_glue.exceptions.EntityNotFoundException:
            return None
        return len(parts) if len(parts) == 3 else None

    _, took = wait_for("ar__receivables.invoices with 3 partitions centrally", synced)
    say(f"producer table synced to the central catalog after {took:.1f} s")

    def recommended() -> dict[str, Any] | None:
        recs = json.loads(run_meshctl("--json", "review", "list", show_output=False))
        return next((r for r in recs if r["column"] == "customer_email"), None)

    email, took = wait_for("a recommendation for customer_email", recommended)
    say(f"classifier recommended {email['sensitivity_class']} after {took:.1f} s")
    run_meshctl("review", "accept", email["id"], "--by", PRODUCERS[0].owner)
    request = json.loads(
        run_meshctl(
            "--json",
            "request",
            "--consumer-account",
            CONSUMER,
            "--table",
            "ar__receivables.invoices",
            "--purpose",
            "compose test",
            "--requester",
            "analyst@consumer.example.com",
            show_output=False,
        )
    )
    run_meshctl("decide", request["request_id"], "approve", "--approver", PRODUCERS[0].owner)

    def linked() -> bool:
        try:
            client("glue", endpoint, CONSUMER).get_table(
                DatabaseName="ar__receivables", Name="invoices"
            )
        except Exception:  # not there yet
            return False
        requests = json.loads(run_meshctl("--json", "requests", show_output=False))
        return any(r["grants_applied"] for r in requests)

    _, took = wait_for("the grant and the consumer's resource link", linked)
    say(f"grant-worker granted access and linked the table after {took:.1f} s")
    _, took = wait_for("an anchor of the whole audit chain", anchored_to_the_head)
    say(f"the audit-anchor container signed the audit chain's head within {took:.1f} s")
    run_meshctl("audit", "verify")


def portal_pages(url: str) -> None:
    """The portal container serves the synced table with its accepted tag and the request."""

    def tagged() -> str | None:
        try:
            page = portal_page(
                url, "/datasets/ar__receivables/invoices", "analyst@consumer.example.com"
            )
        except OSError:  # not answering yet
            return None
        return page if "email_address" in page else None

    _, took = wait_for("the portal's dataset page with the email_address tag", tagged)
    say(f"portal serves the dataset with its tag after {took:.1f} s")

    def found() -> bool:  # search reads a listing snapshot, refreshed every 30 s by default
        return "ar__receivables.invoices" in portal_page(url, "/?q=invoices", PRODUCERS[0].owner)

    _, took = wait_for("ar__receivables.invoices in the portal's catalog search", found)
    say(f"portal's catalog search finds it after {took:.1f} s")


def dead_letters(endpoint: str) -> None:
    """A poison message lands in the dead-letter queue with its reason and is redriven."""
    sqs = client("sqs", endpoint)
    sqs.send_message(
        QueueUrl=sqs.get_queue_url(QueueName="meshcore-approvals")["QueueUrl"],
        MessageBody='{"kind": "nope"}',
    )

    def dead() -> list[dict[str, Any]] | None:
        letters = json.loads(
            run_meshctl("--json", "dlq", "list", "meshcore-approvals", show_output=False)
        )
        return list(letters) or None

    (letter,), took = wait_for("the poison message in meshcore-approvals-dlq", dead)
    if "not a valid approvals message" not in (letter["reason"] or ""):
        raise DemoFailed(f"dead letter without its reason: {letter}")
    say(f"poison message dead-lettered after {took:.1f} s: {letter['reason']}")
    moved = json.loads(run_meshctl("--json", "dlq", "redrive", "meshcore-approvals"))
    if moved != {"queue": "meshcore-approvals", "moved": 1}:
        raise DemoFailed(f"redrive moved {moved}")
    wait_for("the still-poison message back in the dead-letter queue", dead)


def scheduled_repair() -> dict[str, Any]:
    """The repair schedule fires (every minute here) and sync-worker's repair succeeds."""

    def repaired() -> dict[str, Any] | None:
        last = json.loads(run_meshctl("--json", "status", show_output=False))["last_repair"]
        if last and last["repair_id"].startswith("scheduled-") and last["status"] == "succeeded":
            return dict(last)
        return None

    last, _ = wait_for("a scheduled repair", repaired, 60.0 * REPAIR_INTERVAL_MINUTES + 120)
    say(f"scheduled repair {last['repair_id']} succeeded (drift {last['drift_total']})")
    status = json.loads(run_meshctl("--json", "status", show_output=False))
    approvals = next(q for q in status["queues"] if q["queue"] == "meshcore-approvals")
    if approvals["dead_letters"] != 1:
        raise DemoFailed(f"meshctl status: approvals dead letters {approvals['dead_letters']}")
    run_meshctl("status")
    return last
