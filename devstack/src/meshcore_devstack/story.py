"""The story meshcore tells, scripted once: `make demo` tells it step by step, `make compose-test`
plays it against the containers, and the end-to-end happy-path test checks it.

Operator, producer, owner and consumer act from outside the workers, as people would (meshctl in
this process, boto3 as the producer); the workers do the rest, and each step waits for it:

1. `onboard`: two producers and a consumer join the mesh.
2. `producer_publishes`: the AR producer creates `receivables.invoices` with three monthly
   partitions in its own Glue catalog and writes their Parquet objects to its bucket.
3. `synced`: sync-worker has copied the table and its partitions into the central catalog.
4. `recommended`, `accept`, `classified`: the classifier recommends `email_address` for
   `customer_email`; the owner accepts it and rejects what else the scan found, until no column
   is pending classification (`scanned` instead only waits for the scan's tags: the columns it
   found nothing in classified `none`, any other recommendation still awaiting review).
5. `request_access`, `approve`: a consumer requests the table; the ticket system posts the
   owner's signed approval.
6. `granted`, `delivered`: grant-worker grants Lake Formation access to the consumer account,
   on the table's columns by name but `customer_email` (and any column still pending
   classification), and links the table there.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3

from meshcore.cli.main import main as meshctl
from meshcore.domain.classification import PENDING_CLASSIFICATION
from meshcore_devstack.mesh import AR, CENTRAL, CONSUMER, ONBOARDING_ROLE, PRODUCERS
from meshcore_devstack.sso import local_sso

T = TypeVar("T")
STEP_TIMEOUT_SECONDS = 60.0
CONSUMER_USER = "analyst@consumer.example.com"
TABLE = "ar__receivables.invoices"
INVOICE_MONTHS = ("09", "10", "11")


class StoryFailed(Exception):
    """A step did not happen (in time)."""


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


def portal_page(url: str, path: str, user: str) -> str:
    """A page of the portal as `user`, the way the single sign-on proxy forwards them."""
    request = urllib.request.Request(url + path, headers=local_sso().headers(user))  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return str(answer.read().decode())


def wait_for(
    what: str, probe: Callable[[], T | None], timeout: float = STEP_TIMEOUT_SECONDS
) -> tuple[T, float]:
    """Poll until `probe` answers something; that answer and the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        found = probe()
        if found:
            return found, time.monotonic() - started
        time.sleep(0.2)
    raise StoryFailed(f"timed out after {timeout:.0f} s waiting for {what}")


def quiet(_text: str) -> None:
    """Tell nothing (the tests)."""


@dataclass
class Story:
    """The mesh on the AWS at `endpoint` (meshctl reads its settings from the environment);
    `say` tells what happens, a line at a time."""

    endpoint: str
    say: Callable[[str], None] = quiet
    timeout: float = STEP_TIMEOUT_SECONDS

    # -- how the actors act -----------------------------------------------------------------

    def anchored(self) -> tuple[bool, float]:
        """Wait until the latest signed anchor covers every entry of the audit chain (the
        audit-anchor process signs the head periodically)."""

        def covered() -> bool:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                meshctl(["--json", "audit", "verify"])  # exits 1 until the first anchor
            answer = json.loads(out.getvalue())
            return bool(answer["anchor"] and answer["unanchored_entries"] == 0)

        return wait_for("an anchor of the whole audit chain", covered, self.timeout)

    def meshctl(self, *args: str, show_output: bool = True) -> str:
        """Run a meshctl command in this process, as an operator would in a shell."""
        self.say("    $ meshctl " + " ".join(args))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = meshctl(list(args))
        for line in out.getvalue().rstrip().splitlines() if show_output else []:
            self.say("      " + line)
        if code != 0:
            raise StoryFailed(f"meshctl {' '.join(args)} exited {code}")
        return out.getvalue()

    def meshctl_json(self, *args: str) -> Any:
        return json.loads(self.meshctl("--json", *args, show_output=False))

    def client(self, service: str, account: str | None = None) -> Any:
        """A boto3 client in the central account, or as the onboarding role in `account`."""
        kwargs: dict[str, Any] = {"region_name": "us-east-1", "endpoint_url": self.endpoint}
        session: Any = boto3.Session()
        if account and account != CENTRAL:
            creds = session.client("sts", **kwargs).assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/{ONBOARDING_ROLE}", RoleSessionName="story"
            )["Credentials"]
            kwargs.update(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        return session.client(service, **kwargs)

    def wait_for(
        self, what: str, probe: Callable[[], T | None], timeout: float | None = None
    ) -> tuple[T, float]:
        return wait_for(what, probe, self.timeout if timeout is None else timeout)

    # -- the steps --------------------------------------------------------------------------

    def onboard(self) -> None:
        """Two producers (accounts receivable, accounts payable) and one consumer."""
        for p in PRODUCERS:
            self.meshctl(*p.onboarding())
        self.meshctl("onboard-consumer", CONSUMER)

    def producer_publishes(self) -> None:
        """AR's table with a partition and a Parquet object per month, in its own account."""
        glue = self.client("glue", AR)
        glue.create_database(DatabaseInput={"Name": "receivables", "Description": "AR ledger"})
        glue.create_table(DatabaseName="receivables", TableInput=invoices_table())
        glue.batch_create_partition(
            DatabaseName="receivables",
            TableName="invoices",
            PartitionInputList=[partition("2026", m) for m in INVOICE_MONTHS],
        )
        s3 = self.client("s3", AR)
        for month in INVOICE_MONTHS:
            write_invoices(s3, month)

    def synced(self) -> tuple[tuple[dict[str, Any], list[dict[str, Any]]], float]:
        """The central copy of the table with all its partitions."""
        glue = self.client("glue")
        database, _, name = TABLE.partition(".")

        def probe() -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
            try:
                table = glue.get_table(DatabaseName=database, Name=name)["Table"]
            except glue.exceptions.EntityNotFoundException:
                return None
            parts = glue.get_partitions(DatabaseName=database, TableName=name)["Partitions"]
            return (table, parts) if len(parts) == len(INVOICE_MONTHS) else None

        return self.wait_for(f"the central copy of {TABLE} with its partitions", probe)

    def recommended(self) -> tuple[dict[str, Any], float]:
        """The classifier's recommendation for customer_email (as `meshctl review list`)."""

        def probe() -> dict[str, Any] | None:
            recs = self.meshctl_json("review", "list")
            return next((r for r in recs if r["column"] == "customer_email"), None)

        return self.wait_for("a recommendation for customer_email", probe)

    def accept(self, recommendation: dict[str, Any]) -> None:
        self.meshctl("review", "accept", recommendation["id"], "--by", PRODUCERS[0].owner)

    def classification(self) -> dict[str, str]:
        """Each column's (and partition key's) classification, as `meshctl describe` says it."""
        described = self.meshctl_json("describe", TABLE)
        return {
            c["name"]: c["classification"]
            for c in [*described["columns"], *described["partition_keys"]]
        }

    def scanned(self) -> tuple[dict[str, str], float]:
        """The table's classification once the scan tagged it: `invoice_id`, in which it finds
        nothing, is then classified not sensitive; a column whose recommendation awaits review
        stays pending classification."""

        def probe() -> dict[str, str] | None:
            found = self.classification()
            return found if found["invoice_id"] != PENDING_CLASSIFICATION else None

        return self.wait_for("the scan's classification of each column", probe)

    def classified(self) -> tuple[dict[str, str], float]:
        """The owner rejects what else the scan found (customer_id as a customer identifier: an
        internal key, not personal data), also what is recorded after the email's, until no
        column is pending classification: until then no grant reads it unless the owner
        approves it."""

        def probe() -> dict[str, str] | None:
            for other in self.meshctl_json("review", "list"):
                if other["column"] != "customer_email":
                    self.meshctl("review", "reject", other["id"], "--by", PRODUCERS[0].owner)
            found = self.classification()
            return None if PENDING_CLASSIFICATION in found.values() else found

        return self.wait_for("every column classified", probe)

    def request_access(
        self, purpose: str, *extra: str, requester: str = CONSUMER_USER
    ) -> dict[str, Any]:
        """The consumer account's request for the table (pending, routed to its owners);
        `extra` meshctl request arguments (--columns, --principal, …)."""
        request: dict[str, Any] = self.meshctl_json(
            "request",
            "--consumer-account",
            CONSUMER,
            "--table",
            TABLE,
            "--purpose",
            purpose,
            "--requester",
            requester,
            *extra,
        )
        return request

    def approve(self, request_id: str, valid_days: int | None = None) -> None:
        """The ticket system posts the owner's signed approval."""
        days = ["--valid-days", str(valid_days)] if valid_days else []
        self.meshctl("decide", request_id, "approve", "--approver", PRODUCERS[0].owner, *days)

    def granted(self) -> tuple[list[dict[str, Any]], float]:
        """The consumer account's Lake Formation permissions in the central account."""
        lf = self.client("lakeformation")

        def probe() -> list[dict[str, Any]] | None:
            # Lake Formation needs a resource when filtering by principal: filter here instead.
            rows = [
                r
                for r in lf.list_permissions().get("PrincipalResourcePermissions", [])
                if r["Principal"]["DataLakePrincipalIdentifier"] == CONSUMER
            ]
            return rows if len(rows) >= 2 else None

        return self.wait_for("the Lake Formation grant", probe)

    def delivered(self, request_id: str) -> tuple[tuple[dict[str, Any], dict[str, Any]], float]:
        """The resource link in the consumer account, and the request once its grant is
        recorded as applied."""
        database, _, name = TABLE.partition(".")

        def probe() -> tuple[dict[str, Any], dict[str, Any]] | None:
            try:
                glue = self.client("glue", CONSUMER)
                link = glue.get_table(DatabaseName=database, Name=name)["Table"]
            except Exception:  # not there yet
                return None
            requests = self.meshctl_json("requests")
            done = [r for r in requests if r["request_id"] == request_id and r["grants_applied"]]
            return (link, done[0]) if done else None

        return self.wait_for("the resource link and the grant recorded as applied", probe)
