"""The portal in a real browser (Debian's headless Chromium) on a running stack: search, open a
dataset, request access and see the request, accept a recommendation as its data owner and see
the tag on the dataset. Saves screenshots of the catalog and dataset pages; `make screenshots`
points them at docs/screenshots/ to refresh the README's."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from meshcore_devstack.mesh import AR, CONSUMER, PRODUCERS
from meshcore_devstack.processes import free_port, start_portal
from meshcore_devstack.sso import local_sso
from meshcore_devstack.story import invoices_table, partition

from .conftest import Stack, StackFactory, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ANALYST = "analyst@consumer.example.com"
# A producer database whose central name ("ar__" + it) is 128 characters long.
LONG_SOURCE = ("receivables_of_the_northern_region_" * 4)[:124]
ISO_UTC = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
OWNER = PRODUCERS[0].owner
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Debian's Chromium; CI installs it (`make browser`), so there it must be present."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "chromium is not installed: `make browser` installs Debian's package (needs root)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a new, empty user-data-dir
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def portal_url(stack_factory: StackFactory, tmp_path: Path) -> Iterator[tuple[Stack, str]]:
    stack = stack_factory()
    # Every search reads the catalog: the table appears while the portal runs.
    portal, url = start_portal(
        stack.env, tmp_path / "logs", free_port(), catalog_max_age_seconds="0"
    )
    try:
        yield stack, url
    finally:
        assert portal.stop() == 0, portal.log_path.read_text()


def meshctl(stack: Stack, *args: str) -> str:
    """meshctl in a thread of its own: Playwright's sync API keeps an event loop in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(stack.meshctl, *args).result()


def produce_invoices(stack: Stack) -> str:
    """The AR producer publishes a table (and one in a database with a long name); returns
    the email recommendation's id."""
    glue = stack.client("glue", AR)
    glue.create_database(DatabaseInput={"Name": LONG_SOURCE})
    ledger = {
        "Name": "ledger",
        "StorageDescriptor": {
            "Columns": [{"Name": "entry_id", "Type": "string"}],
            "Location": f"s3://ar-finance-{AR}/ledger/",
        },
    }
    glue.create_table(DatabaseName=LONG_SOURCE, TableInput=ledger)
    glue.create_database(DatabaseInput={"Name": "receivables"})
    glue.create_table(DatabaseName="receivables", TableInput=invoices_table())
    glue.batch_create_partition(
        DatabaseName="receivables",
        TableName="invoices",
        PartitionInputList=[partition("2026", m) for m in ("09", "10", "11")],
    )

    def recommended() -> str | None:
        recs = json.loads(meshctl(stack, "--json", "review", "list"))
        return next(
            (r["id"] for r in recs if r["table"] == "invoices" and r["column"] == "customer_email"),
            None,
        )

    return eventually(recommended, "a recommendation for customer_email", timeout=60)


def screenshot_dir(tmp_path: Path) -> Path:
    """Where the test saves its screenshots: the README's folder only when asked, so an
    ordinary test run leaves the work tree clean."""
    wanted = os.environ.get("MESHCORE_SCREENSHOT_DIR")
    folder = Path(wanted) if wanted else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_search_request_review_in_the_browser(
    portal_url: tuple[Stack, str], browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    stack, url = portal_url
    rec_id = produce_invoices(stack)
    shots = screenshot_dir(tmp_path)

    # A consumer finds the table and asks for access (the SSO proxy's signed header says who).
    browser.set_extra_http_headers(local_sso().headers(ANALYST))
    page = browser.new_page()
    page.goto(url + "/")
    page.fill("#q", "invoices")
    page.click("text=Search")
    result = page.locator("#results a", has_text="ar__receivables.invoices")
    expect(result).to_be_visible()
    # When it was synced reads "… ago"; the exact UTC time is on hover.
    synced = page.locator("#results tbody tr", has_text="ar__receivables.invoices").locator("time")
    expect(synced).to_have_text(re.compile(r"ago$|^just now$"))
    expect(synced).to_have_attribute("title", re.compile(ISO_UTC))
    result.click()
    expect(page.locator("h1")).to_have_text("ar__receivables.invoices")
    expect(page.locator("#partition-count")).to_have_text("3")
    page.click("text=Request access to this table")
    page.fill("#consumer_account", "1234")
    page.fill("#purpose", "monthly revenue dashboard")
    page.click("#submit-request")
    expect(page.locator("#error-consumer_account")).to_contain_text("12-digit")
    page.fill("#consumer_account", CONSUMER)
    page.fill("#duration_days", "30")
    page.click("#submit-request")
    expect(page.locator("#created")).to_be_visible()
    request_id = (page.locator("#requests tbody tr").first.get_attribute("data-request")) or ""
    expect(page.locator(f'tr[data-request="{request_id}"] .state')).to_contain_text("pending")

    # A database name of 128 characters is cut with an ellipsis, whole on hover; the page
    # does not grow wider than the window.
    long_name = f"ar__{LONG_SOURCE}.ledger"
    eventually(
        lambda: long_name in meshctl(stack, "--json", "search", "northern"), "the long name", 60
    )
    page.goto(url + "/?q=northern")
    cell = page.locator(f'#results .name[title="{long_name}"]')
    expect(cell).to_be_visible()
    box, table = cell.bounding_box(), page.locator("#results").bounding_box()
    assert box and table and box["width"] < 450 and table["x"] + table["width"] <= 1280, (
        box,
        table,
    )
    page.screenshot(path=str(shots / "portal-long-names.png"), full_page=True)

    # The AR data owner accepts the email classification, reading the evidence in words.
    browser.set_extra_http_headers(local_sso().headers(OWNER))
    page.goto(url + "/review")
    evidence = page.locator(f'tr[data-rec="{rec_id}"] .evidence')
    expect(evidence).to_contain_text("The name matches 'email'")
    expect(evidence).not_to_contain_text("=")
    page.locator(f'tr[data-rec="{rec_id}"] button', has_text="Accept").click()
    expect(page.locator("#done")).to_contain_text("1 recommendation(s) accepted")

    # The ticket system approves; the consumer sees the grant and the tag on the dataset.
    meshctl(stack, "decide", request_id, "approve", "--approver", OWNER, "--valid-days", "30")
    eventually(
        lambda: any(r["grants_applied"] for r in json.loads(meshctl(stack, "--json", "requests"))),
        "the grant",
        timeout=60,
    )
    browser.set_extra_http_headers(local_sso().headers(ANALYST))
    page.goto(url + "/requests")
    expect(page.locator(f'tr[data-request="{request_id}"] .state')).to_contain_text("granted")
    page.goto(url + "/datasets/ar__receivables/invoices")
    row = page.locator("#schema tr", has_text="customer_email")
    expect(row.locator(".tag")).to_have_text("email_address")
    expect(page.locator("#access-hidden")).to_be_visible()  # who has access: not theirs to see
    # The data owner sees who has access.
    browser.set_extra_http_headers(local_sso().headers(OWNER))
    page.goto(url + "/datasets/ar__receivables/invoices")
    expect(page.locator("#access")).to_contain_text(CONSUMER)
    page.screenshot(path=str(shots / "portal-dataset.png"), full_page=True)
    page.goto(url + "/?tag=sensitive")
    expect(page.locator("#results")).to_contain_text("ar__receivables.invoices")
    page.goto(url + "/")
    page.screenshot(path=str(shots / "portal-catalog.png"), full_page=True)

    # Operations: four charts of the last 24 hours; a dead letter alone makes it degraded.
    browser.set_extra_http_headers(local_sso().headers(OWNER))
    page.goto(url + "/operations")
    expect(page.locator("#trends figure svg")).to_have_count(4)
    expect(page.locator("#trend-sync-lag rect").first).to_be_attached()  # sync-worker's lag
    sqs = stack.client("sqs")
    dlq = sqs.get_queue_url(QueueName="meshcore-classification-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=dlq, MessageBody="{}")
    page.goto(url + "/operations")
    expect(page.locator("#health")).to_have_attribute("data-health", "degraded")
    expect(page.locator("#health")).to_contain_text("1 dead letter in meshcore-classification-dlq")
    page.screenshot(path=str(shots / "portal-operations.png"), full_page=True)
