"""The naive baseline: a straightforward synchronous sync worker, for comparison only.

One event at a time, no batching, no coalescing, no concurrency: receive one message, read the
named producer table, write the central copy (the same content sync-worker writes, through its
pure mapping), delete the message. Fair where it costs nothing: producer credentials and
clients are made once per account, the domains of the producers are given on the command line
(sync-worker caches its registry too). Not correct under concurrency (no version check) and
handles only what the benchmark produces (CreateDatabase, CreateTable, UpdateTable).

    python -m bench.naive_worker ACCOUNT=DOMAIN ...   (environment as the workers get it)
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config

from sync_worker.mapping import database_input, table_input

CONFIG = Config(retries={"mode": "standard", "max_attempts": 3})
READ_ROLE = "meshcore-catalog-reader"


class NaiveWorker:
    def __init__(self, domains: dict[str, str]) -> None:
        self.domains = domains
        self.endpoint = os.environ["MESHCORE_ENDPOINT_URL"]
        self.session = boto3.Session(region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
        self.central_glue = self._client(self.session, "glue")
        self.sqs = self._client(self.session, "sqs")
        self.queue_url = self.sqs.get_queue_url(QueueName="meshcore-catalog-changes")["QueueUrl"]
        self.producers: dict[str, Any] = {}
        self.stopping = False

    def _client(self, session: Any, service: str) -> Any:
        return session.client(service, endpoint_url=self.endpoint, config=CONFIG)

    def producer_glue(self, account: str) -> Any:
        if account not in self.producers:
            creds = self._client(self.session, "sts").assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/{READ_ROLE}", RoleSessionName="naive"
            )["Credentials"]
            session = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                region_name=self.session.region_name,
            )
            self.producers[account] = self._client(session, "glue")
        return self.producers[account]

    def run(self) -> None:
        print(json.dumps({"event": "worker.started"}), flush=True)
        while not self.stopping:
            response = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=1
            )
            for message in response.get("Messages", []):
                started = time.monotonic()
                change = self.handle(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
                print(
                    json.dumps(
                        {
                            "event": "message.handled",
                            "outcome": "ok",
                            "change": change,
                            "duration_ms": round((time.monotonic() - started) * 1000, 1),
                        }
                    ),
                    flush=True,
                )

    def handle(self, event: dict[str, Any]) -> str:
        account, detail = event["account"], event["detail"]
        change, database = str(detail["typeOfChange"]), detail["databaseName"]
        producer = self.producer_glue(account)
        central_db = f"{self.domains[account]}__{database}"
        if change == "CreateDatabase":
            source = producer.get_database(Name=database)["Database"]
            with contextlib.suppress(self.central_glue.exceptions.AlreadyExistsException):
                self.central_glue.create_database(
                    DatabaseInput=database_input(source, central_db, account)
                )
            return change
        tables = detail.get("changedTables") or [detail.get("tableName")]
        for name in tables:
            source = producer.get_table(DatabaseName=database, Name=name)["Table"]
            desired = table_input(source, account, database, datetime.now(UTC))
            try:
                self.central_glue.update_table(DatabaseName=central_db, TableInput=desired)
            except self.central_glue.exceptions.EntityNotFoundException:
                self.central_glue.create_table(DatabaseName=central_db, TableInput=desired)
        return change


def main(argv: list[str]) -> int:
    domains = dict(arg.split("=", 1) for arg in argv)
    worker = NaiveWorker(domains)

    def stop(signum: int, frame: object) -> None:
        worker.stopping = True

    signal.signal(signal.SIGTERM, stop)
    worker.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
