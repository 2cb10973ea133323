"""`make demo`: the whole flow on the embedded AWS, told step by step.

A producer creates a table in its own Glue catalog; it appears in the central catalog; the
classifier recommends a classification; a consumer requests access; the ticket system posts a
signed approval; grant-worker grants Lake Formation access; the consumer's data lake admin
grants its analyst role, whose query engine reads the rows without the sensitive column. Exits 0
only if every step happened, and stops every process it started. The steps up to the grant are
the shared story (`story.py`) that `make compose-test` and the happy-path test play too.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from meshcore.domain.provenance import (
    PRODUCER_ACCOUNT,
    SOURCE_DATABASE,
    SOURCE_TABLE,
    SOURCE_VERSION,
)
from meshcore_devstack.mesh import (
    ANALYST_ROLE,
    AR,
    CENTRAL,
    CONSUMER,
    PRODUCERS,
    QUERY_ENGINE_TAG,
    analyst_clients,
    as_central_role,
    stack_environment,
)
from meshcore_devstack.processes import (
    ANCHOR,
    WORKERS,
    WorkerProcess,
    free_port,
    start_anchor,
    start_portal,
    start_worker,
    wait_started,
)
from meshcore_devstack.query_engine import QueryRefused, select, trust_engine
from meshcore_devstack.story import CONSUMER_USER, TABLE, Story, StoryFailed, portal_page
from meshcore_emulator import EmbeddedAws


def say(text: str = "") -> None:
    print(text, flush=True)


def step(number: int, text: str) -> None:
    say(f"\n[{number}] {text}")


@contextlib.contextmanager
def workers_running(
    env: dict[str, str], log_dir: Path
) -> Iterator[tuple[list[WorkerProcess], str]]:
    """The workers, the audit anchor and the portal (with development login); yields them
    and its URL."""
    started: list[WorkerProcess] = []
    try:
        for name in WORKERS:
            own = as_central_role(env, name, name)
            if name == "ticket-bridge":
                # Its decision endpoint on a free port (the demo decides with `meshctl decide`).
                own["MESHCORE_TICKETS__LISTEN_PORT"] = str(free_port())
            started.append(start_worker(name, own, log_dir))
        wait_started(started)
        started.append(start_anchor(as_central_role(env, ANCHOR, ANCHOR), log_dir))
        portal, url = start_portal(
            as_central_role(env, "portal", "portal"),
            log_dir,
            free_port(),
            dev_login="true",
            catalog_max_age_seconds="5",
        )
        started.append(portal)
        yield started, url
    finally:
        codes = {w.name: w.stop() for w in started}
        say("\n    stopped workers: " + ", ".join(f"{n} exited {c}" for n, c in codes.items()))
        if any(codes.values()):
            raise StoryFailed(f"a worker did not stop cleanly: {codes}; logs in {log_dir}")


def tell(endpoint: str, log_dir: Path, keep: bool = False) -> None:
    story = Story(endpoint, say)
    step(1, f"Bootstrap the central governance account {CENTRAL}")
    story.meshctl("bootstrap")
    step(2, "Onboard two producers (accounts receivable, accounts payable) and one consumer")
    story.onboard()

    step(3, "Start the five workers as separate processes, each as its own central role")
    env = dict(os.environ)
    with workers_running(env, log_dir) as (workers, portal_url):
        for w in workers:
            say(f"    {w.name:<13} pid {w.process.pid}  log {w.log_path}")
        say(f"    portal: {portal_url}  (development login: any name)")

        step(
            4,
            f"Producer AR ({AR}) creates database `receivables` and table `invoices` with 3 partitions in its own Glue catalog",
        )
        story.producer_publishes()
        say(
            "    glue:CreateDatabase, glue:CreateTable, glue:BatchCreatePartition done (Glue emits catalog events)"
        )
        say(
            f"    and 3 Parquet objects in its bucket s3://{PRODUCERS[0].bucket}/ (registered with Lake Formation at onboarding)"
        )

        step(5, "sync-worker copies it into the central catalog")
        (table, parts), took = story.synced()
        params = table["Parameters"]
        say(f"    {TABLE} appeared after {took:.1f} s with {len(parts)} partitions")
        say(f"    columns: {', '.join(c['Name'] for c in table['StorageDescriptor']['Columns'])}")
        say(f"    location still in the producer's S3: {table['StorageDescriptor']['Location']}")
        say(
            f"    provenance: account {params[PRODUCER_ACCOUNT]}, "
            f"{params[SOURCE_DATABASE]}.{params[SOURCE_TABLE]} version {params[SOURCE_VERSION]}"
        )

        step(6, "classifier recommends classifications of sensitive columns")
        email, took = story.recommended()
        say(f"    recommendations recorded after {took:.1f} s")
        story.meshctl("review", "list")
        step(7, "The AR data owner accepts the email classification and rejects the others")
        story.accept(email)
        # Until then a column is pending classification (unclassified, or a recommendation
        # awaits review), and no grant reads it unless the owner approves it.
        classes, _took = story.classified()
        say(f"    classified: {', '.join(f'{c}: {v}' for c, v in classes.items())}")

        page = portal_page(portal_url, "/datasets/ar__receivables/invoices", CONSUMER_USER)
        if "email_address" not in page:
            raise StoryFailed("the portal's dataset page does not show the email_address tag")
        say(f"    the portal shows it: {portal_url}/datasets/ar__receivables/invoices")

        step(8, f"A consumer ({CONSUMER}) requests access to the table")
        request = story.request_access("monthly revenue dashboard")
        request_id = request["request_id"]
        say(f"      {request_id} pending, routed as a ticket to {', '.join(request['owners'])}")

        step(9, "The ticket system posts the owner's signed approval to the approvals queue")
        story.approve(request_id, valid_days=30)

        step(
            10, "grant-worker verifies it and grants Lake Formation access to the consumer account"
        )
        rows, took = story.granted()
        say(f"    granted after {took:.1f} s:")
        for row in rows:
            resource = row["Resource"]
            if "TableWithColumns" in resource:
                twc = resource["TableWithColumns"]
                excluded = twc.get("ColumnWildcard", {}).get("ExcludedColumnNames", [])
                say(
                    f"      {', '.join(row['Permissions'])} on {twc['DatabaseName']}.{twc['Name']} "
                    + (
                        f"columns {', '.join(twc['ColumnNames'])} (not the sensitive ones, "
                        "nor any added later before it is classified)"
                        if "ColumnNames" in twc
                        else f"all columns except {', '.join(excluded) or 'none'}"
                    )
                )
            else:
                t = resource.get("Table", {})
                say(
                    f"      {', '.join(row['Permissions'])} on {t.get('DatabaseName')}.{t.get('Name')}"
                )
        step(11, f"The consumer account {CONSUMER} can query at once through a resource link")
        (link, _request), took = story.delivered(request_id)
        target = link["TargetTable"]
        say(
            f"    {CONSUMER}: {TABLE} -> {target['CatalogId']}:"
            f"{target['DatabaseName']}.{target['Name']} (RAM share accepted by grant-worker)"
        )
        story.meshctl("requests")
        if request_id not in portal_page(portal_url, "/requests", CONSUMER_USER):
            raise StoryFailed("the portal's 'my requests' page does not show the request")
        say(f"    and so does the portal: {portal_url}/requests")
        step(
            12, "The consumer's data lake admin trusts its query engine and grants its analyst role"
        )
        trust_engine(story.client("lakeformation", CONSUMER), CONSUMER, QUERY_ENGINE_TAG)
        say(
            f"    lakeformation:PutDataLakeSettings in {CONSUMER}: external engines tagged {QUERY_ENGINE_TAG} may ask"
        )
        story.meshctl("consumer", "grant", CONSUMER, ANALYST_ROLE, "--table", TABLE)

        step(13, f"The analyst ({ANALYST_ROLE}) queries {TABLE} through the link")
        analyst = analyst_clients(dict(os.environ))
        result = select(analyst, "ar__receivables", "invoices")
        if "customer_email" in result.columns or not result.rows:
            raise StoryFailed(
                f"the analyst's query returned {result.columns} ({len(result.rows)} rows)"
            )
        say(f"    SELECT * -> {len(result.rows)} rows of {', '.join(result.columns)}")
        for row in result.rows[:3]:
            say("      " + "  ".join(str(row[c]) for c in result.columns))
        try:
            select(analyst, "ar__receivables", "invoices", ["invoice_id", "customer_email"])
        except QueryRefused as refused:
            say(f"    SELECT invoice_id, customer_email -> refused: {refused}")
        else:
            raise StoryFailed("a query naming customer_email was answered")
        story.meshctl("audit", request_id)
        say("    (the audit-anchor process signs the chain's head every few seconds)")
        story.anchored()
        story.meshctl("audit", "verify")
        if keep:
            say(f"\n    the stack keeps running: browse {portal_url} ; Ctrl-C stops it")
            with contextlib.suppress(KeyboardInterrupt):
                while all(w.process.poll() is None for w in workers):
                    time.sleep(0.5)
        step(14, "Stop the workers and the portal")


def main() -> int:
    keep = "--keep" in sys.argv[1:]
    aws = EmbeddedAws.start(host="127.0.0.1", port=0)
    log_dir = Path(tempfile.mkdtemp(prefix="meshcore-demo-"))
    env = stack_environment(aws.endpoint_url)
    os.environ.clear()
    os.environ.update(env)
    say(f"meshcore demo: embedded AWS at {aws.endpoint_url}; worker logs in {log_dir}")
    try:
        tell(aws.endpoint_url, log_dir, keep)
    except StoryFailed as exc:
        say(f"\ndemo failed: {exc}")
        return 1
    finally:
        aws.stop()
    say("\ndemo complete: every step happened; all processes stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
