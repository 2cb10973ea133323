"""`make demo`: the whole flow on the embedded AWS, told step by step.

A producer creates a table in its own Glue catalog; it appears in the central catalog; the
classifier recommends a classification; a consumer requests access; the ticket system posts a
signed approval; grant-worker grants Lake Formation access; the consumer's data lake admin
grants its analyst role, whose query engine reads the rows without the sensitive column. Exits 0
only if every step happened, and stops every process it started.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import boto3

from meshcore.cli.main import main as meshctl
from meshcore.domain.classification import PENDING_CLASSIFICATION
from meshcore_devstack.mesh import (
    ANALYST_ROLE,
    AR,
    CENTRAL,
    CONSUMER,
    ONBOARDING_ROLE,
    PRODUCERS,
    QUERY_ENGINE_TAG,
    analyst_clients,
    as_central_role,
    stack_environment,
)
from meshcore_devstack.processes import (
    WORKERS,
    WorkerProcess,
    free_port,
    start_portal,
    start_worker,
    wait_started,
)
from meshcore_devstack.query_engine import QueryRefused, select, trust_engine
from meshcore_emulator import EmbeddedAws

T = TypeVar("T")
STEP_TIMEOUT_SECONDS = 60.0
CONSUMER_USER = "analyst@consumer.example.com"


class DemoFailed(Exception):
    pass


def say(text: str = "") -> None:
    print(text, flush=True)


def step(number: int, text: str) -> None:
    say(f"\n[{number}] {text}")


def quiet_meshctl(*args: str) -> str:
    """Run a meshctl command in this process without telling it (for polling)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = meshctl(list(args))
    if code != 0:
        raise DemoFailed(f"meshctl {args[0]} exited {code}")
    return out.getvalue()


def run_meshctl(*args: str, show_output: bool = True) -> str:
    """Run a meshctl command in this process, as an operator would in a shell."""
    say("    $ meshctl " + " ".join(args))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = meshctl(list(args))
    for line in out.getvalue().rstrip().splitlines() if show_output else []:
        say("      " + line)
    if code != 0:
        raise DemoFailed(f"meshctl {args[0]} exited {code}")
    return out.getvalue()


def wait_for(
    what: str, probe: Callable[[], T | None], timeout: float = STEP_TIMEOUT_SECONDS
) -> tuple[T, float]:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        found = probe()
        if found:
            return found, time.monotonic() - started
        time.sleep(0.2)
    raise DemoFailed(f"timed out after {timeout:.0f} s waiting for {what}")


def client(service: str, endpoint: str, account: str | None = None) -> Any:
    kwargs: dict[str, Any] = {"region_name": "us-east-1", "endpoint_url": endpoint}
    if account and account != CENTRAL:
        sts = boto3.Session().client("sts", **kwargs)
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{ONBOARDING_ROLE}", RoleSessionName="demo"
        )["Credentials"]
        kwargs.update(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
    session: Any = boto3.Session()
    return session.client(service, **kwargs)


def invoices_table() -> dict[str, Any]:
    return {
        "Name": "invoices",
        "Description": "Customer invoices issued by accounts receivable",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet"},
        "StorageDescriptor": {
            "Columns": [
                {"Name": "invoice_id", "Type": "string", "Comment": "invoice number"},
                {"Name": "customer_id", "Type": "string"},
                {"Name": "customer_email", "Type": "string", "Comment": "billing contact"},
                {"Name": "amount", "Type": "decimal(18,2)"},
                {"Name": "currency", "Type": "string"},
            ],
            "Location": f"s3://ar-finance-{AR}/receivables/invoices/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {
                "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
            },
        },
        "PartitionKeys": [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"}],
    }


INVOICE_MONTHS = ("09", "10", "11")


def write_invoices(s3: Any, month: str, rows: int = 3, table: dict[str, Any] | None = None) -> None:
    """The producer's data for one month: a Parquet object under the table's location."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    data = pa.table(
        {
            "invoice_id": [f"INV-2026{month}-{i:03d}" for i in range(rows)],
            "customer_id": [f"C{i:04d}" for i in range(rows)],
            "customer_email": [f"buyer{i}@example.com" for i in range(rows)],
            "amount": [f"{100 + i}.50" for i in range(rows)],
            "currency": ["EUR"] * rows,
        }
    )
    body = io.BytesIO()
    pq.write_table(data, body)
    location = (table or invoices_table())["StorageDescriptor"]["Location"].removeprefix("s3://")
    bucket, _, prefix = location.partition("/")
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=bucket)
    key = f"{prefix}year=2026/month={month}/part-0.parquet"
    s3.put_object(Bucket=bucket, Key=key, Body=body.getvalue())


def partition(year: str, month: str) -> dict[str, Any]:
    sd = dict(invoices_table()["StorageDescriptor"])
    sd["Location"] = f"{sd['Location']}year={year}/month={month}/"
    return {"Values": [year, month], "StorageDescriptor": sd}


@contextlib.contextmanager
def workers_running(
    env: dict[str, str], log_dir: Path
) -> Iterator[tuple[list[WorkerProcess], str]]:
    """The three workers and the portal (with development login); yields them and its URL."""
    started: list[WorkerProcess] = []
    try:
        for name in WORKERS:
            started.append(start_worker(name, as_central_role(env, name, name), log_dir))
        wait_started(started)
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
            raise DemoFailed(f"a worker did not stop cleanly: {codes}; logs in {log_dir}")


def portal_page(url: str, path: str, user: str) -> str:
    """A page of the portal as `user`, the way the single sign-on proxy forwards them."""
    request = urllib.request.Request(url + path, headers={"X-Forwarded-User": user})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return str(answer.read().decode())


def story(endpoint: str, log_dir: Path, keep: bool = False) -> None:
    step(1, f"Bootstrap the central governance account {CENTRAL}")
    run_meshctl("bootstrap")
    step(2, "Onboard two producers (accounts receivable, accounts payable) and one consumer")
    for p in PRODUCERS:
        run_meshctl(*p.onboarding())
    run_meshctl("onboard-consumer", CONSUMER)

    step(3, "Start the three workers as separate processes")
    env = dict(os.environ)
    with workers_running(env, log_dir) as (workers, portal_url):
        for w in workers:
            say(f"    {w.name:<13} pid {w.process.pid}  log {w.log_path}")
        say(f"    portal: {portal_url}  (development login: any name)")

        step(
            4,
            f"Producer AR ({AR}) creates database `receivables` and table `invoices` with 3 partitions in its own Glue catalog",
        )
        glue_ar = client("glue", endpoint, AR)
        glue_ar.create_database(DatabaseInput={"Name": "receivables", "Description": "AR ledger"})
        glue_ar.create_table(DatabaseName="receivables", TableInput=invoices_table())
        glue_ar.batch_create_partition(
            DatabaseName="receivables",
            TableName="invoices",
            PartitionInputList=[partition("2026", m) for m in INVOICE_MONTHS],
        )
        s3_ar = client("s3", endpoint, AR)
        for month in INVOICE_MONTHS:
            write_invoices(s3_ar, month)
        say(
            "    glue:CreateDatabase, glue:CreateTable, glue:BatchCreatePartition done (Glue emits catalog events)"
        )
        say(
            f"    and 3 Parquet objects in its bucket s3://{PRODUCERS[0].bucket}/ (registered with Lake Formation at onboarding)"
        )

        step(5, "sync-worker copies it into the central catalog")
        central_glue = client("glue", endpoint)

        def synced() -> tuple[dict[str, Any], list[Any]] | None:
            try:
                table = central_glue.get_table(DatabaseName="ar__receivables", Name="invoices")[
                    "Table"
                ]
            except central_glue.exceptions.EntityNotFoundException:
                return None
            parts = central_glue.get_partitions(
                DatabaseName="ar__receivables", TableName="invoices"
            )["Partitions"]
            return (table, parts) if len(parts) == 3 else None

        (table, parts), took = wait_for("the central copy of receivables.invoices", synced)
        params = table["Parameters"]
        say(
            f"    ar__receivables.invoices appeared after {took:.1f} s with {len(parts)} partitions"
        )
        say(f"    columns: {', '.join(c['Name'] for c in table['StorageDescriptor']['Columns'])}")
        say(f"    location still in the producer's S3: {table['StorageDescriptor']['Location']}")
        say(
            f"    provenance: account {params['meshcore:producer_account']}, "
            f"{params['meshcore:source_database']}.{params['meshcore:source_table']} "
            f"version {params['meshcore:source_version']}"
        )

        step(6, "classifier recommends classifications of sensitive columns")

        def recommended() -> str | None:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                meshctl(["review", "list"])
            return out.getvalue() if "customer_email" in out.getvalue() else None

        _found, took = wait_for("a recommendation for customer_email", recommended)
        say(f"    recommendations recorded after {took:.1f} s")
        run_meshctl("review", "list")
        recs = json.loads(run_meshctl("--json", "review", "list", show_output=False))
        email = next(r for r in recs if r["column"] == "customer_email")
        step(7, "The AR data owner accepts the email classification and rejects the others")
        run_meshctl("review", "accept", email["id"], "--by", PRODUCERS[0].owner)

        def classified() -> list[str] | None:
            # The owner rejects what else the scan found (customer_id as a customer identifier:
            # an internal key, not personal data), also when it is recorded after the email.
            for other in json.loads(quiet_meshctl("--json", "review", "list")):
                if other["column"] != "customer_email":
                    run_meshctl("review", "reject", other["id"], "--by", PRODUCERS[0].owner)
            described = json.loads(quiet_meshctl("--json", "describe", "ar__receivables.invoices"))
            columns = [*described["columns"], *described["partition_keys"]]
            pending = [c["name"] for c in columns if c["classification"] == PENDING_CLASSIFICATION]
            return None if pending else [f"{c['name']}: {c['classification']}" for c in columns]

        # Until then a column is pending classification (unclassified, or a recommendation
        # awaits review), and no grant reads it unless the owner approves it.
        labels, _took = wait_for("every column classified", classified)
        say(f"    classified: {', '.join(labels)}")

        page = portal_page(portal_url, "/datasets/ar__receivables/invoices", CONSUMER_USER)
        if "email_address" not in page:
            raise DemoFailed("the portal's dataset page does not show the email_address tag")
        say(f"    the portal shows it: {portal_url}/datasets/ar__receivables/invoices")

        step(8, f"A consumer ({CONSUMER}) requests access to the table")
        out = run_meshctl(
            "--json",
            "request",
            "--consumer-account",
            CONSUMER,
            "--table",
            "ar__receivables.invoices",
            "--purpose",
            "monthly revenue dashboard",
            "--requester",
            CONSUMER_USER,
            show_output=False,
        )
        request = json.loads(out)
        request_id = request["request_id"]
        say(f"      {request_id} pending, routed as a ticket to {', '.join(request['owners'])}")

        step(9, "The ticket system posts the owner's signed approval to the approvals queue")
        run_meshctl(
            "decide", request_id, "approve", "--approver", PRODUCERS[0].owner, "--valid-days", "30"
        )

        step(
            10, "grant-worker verifies it and grants Lake Formation access to the consumer account"
        )
        lf = client("lakeformation", endpoint)

        def granted() -> list[Any] | None:
            # Lake Formation needs a resource when filtering by principal: filter here instead.
            rows = [
                r
                for r in lf.list_permissions().get("PrincipalResourcePermissions", [])
                if r["Principal"]["DataLakePrincipalIdentifier"] == CONSUMER
            ]
            return rows if len(rows) >= 2 else None

        rows, took = wait_for("the Lake Formation grant", granted)
        say(f"    granted after {took:.1f} s:")
        for row in rows:
            resource = row["Resource"]
            if "TableWithColumns" in resource:
                twc = resource["TableWithColumns"]
                excluded = twc.get("ColumnWildcard", {}).get("ExcludedColumnNames", [])
                say(
                    f"      {', '.join(row['Permissions'])} on {twc['DatabaseName']}.{twc['Name']} "
                    + (
                        f"columns {', '.join(twc['ColumnNames'])}"
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

        def linked() -> dict[str, Any] | None:
            try:
                return dict(
                    client("glue", endpoint, CONSUMER).get_table(
                        DatabaseName="ar__receivables", Name="invoices"
                    )["Table"]
                )
            except Exception:  # not there yet
                return None

        link, took = wait_for("the resource link in the consumer account", linked)

        def applied() -> bool:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                meshctl(["--json", "requests"])
            return any(r["grants_applied"] for r in json.loads(out.getvalue()))

        wait_for("the grant to be recorded", applied)
        target = link["TargetTable"]
        say(
            f"    {CONSUMER}: ar__receivables.invoices -> {target['CatalogId']}:"
            f"{target['DatabaseName']}.{target['Name']} (RAM share accepted by grant-worker)"
        )
        run_meshctl("requests")
        if request_id not in portal_page(portal_url, "/requests", CONSUMER_USER):
            raise DemoFailed("the portal's 'my requests' page does not show the request")
        say(f"    and so does the portal: {portal_url}/requests")
        step(
            12, "The consumer's data lake admin trusts its query engine and grants its analyst role"
        )
        trust_engine(client("lakeformation", endpoint, CONSUMER), CONSUMER, QUERY_ENGINE_TAG)
        say(
            f"    lakeformation:PutDataLakeSettings in {CONSUMER}: external engines tagged {QUERY_ENGINE_TAG} may ask"
        )
        run_meshctl(
            "consumer", "grant", CONSUMER, ANALYST_ROLE, "--table", "ar__receivables.invoices"
        )

        step(13, f"The analyst ({ANALYST_ROLE}) queries ar__receivables.invoices through the link")
        analyst = analyst_clients(dict(os.environ))
        result = select(analyst, "ar__receivables", "invoices")
        if "customer_email" in result.columns or not result.rows:
            raise DemoFailed(
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
            raise DemoFailed("a query naming customer_email was answered")
        run_meshctl("audit", request_id)
        run_meshctl("audit", "verify")
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
        story(aws.endpoint_url, log_dir, keep)
    except DemoFailed as exc:
        say(f"\ndemo failed: {exc}")
        return 1
    finally:
        aws.stop()
    say("\ndemo complete: every step happened; all processes stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
