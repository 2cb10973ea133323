"""The small mesh the local stack plays with: one central, two producers, one consumer."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3

from meshcore.settings import MeshSettings

CENTRAL = "123456789012"  # the embedded AWS's default account
AR, AP, CONSUMER = "222222222222", "333333333333", "444444444444"
# In the embedded AWS any role may be assumed; in AWS Organizations this role is created in
# every member account and lets the management account act there.
ONBOARDING_ROLE = "OrganizationAccountAccessRole"


# Where the producers keep table data (each its own bucket; tests share one prefix), registered
# with Lake Formation at onboarding so that grants reach the data.
SHARED_TEST_LOCATION = "s3://producer-data/"


@dataclass(frozen=True)
class MeshProducer:
    account: str
    domain: str
    owner: str

    @property
    def bucket(self) -> str:
        return f"{self.domain}-finance-{self.account}"

    def onboarding(self) -> list[str]:
        """`meshctl onboard-producer` arguments for this producer."""
        return [
            "onboard-producer",
            self.account,
            "--domain",
            self.domain,
            "--owner",
            self.owner,
            "--location",
            f"s3://{self.bucket}/",
            "--location",
            SHARED_TEST_LOCATION,
        ]


PRODUCERS = (
    MeshProducer(AR, "ar", "ada@ar.example.com"),
    MeshProducer(AP, "ap", "piet@ap.example.com"),
)
# The roles the consumer account's analysts query as (granted by its data lake admin, step 8),
# and the session tag its query engine carries (trusted in the consumer's Lake Formation).
ANALYST_ROLE = f"arn:aws:iam::{CONSUMER}:role/analyst"
QUERY_ENGINE_TAG = "meshcore-devstack-engine"


def stack_environment(endpoint_url: str, **overrides: str) -> dict[str, str]:
    """The environment of every process of the local stack (workers, meshctl)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MESHCORE_"))}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "MESHCORE_ENDPOINT_URL": endpoint_url,
            "MESHCORE_CENTRAL_ACCOUNT_ID": CENTRAL,
            "MESHCORE_ONBOARDING_ROLE": ONBOARDING_ROLE,
            "MESHCORE_LOG_JSON": "true",
            # Short polls so that the local stack stops within a second.
            "MESHCORE_WORKER__WAIT_TIME_SECONDS": "1",
            # The audit chain's head is signed this often: a change to the audit table after the
            # latest anchor goes unnoticed at most this long.
            "MESHCORE_AUDIT_ANCHOR_INTERVAL_SECONDS": "5",
            **overrides,
        }
    )
    return env


def as_central_role(env: dict[str, str], kind: str, session: str) -> dict[str, str]:
    """`env` signed as the central role a process of `kind` runs as (sync-worker, classifier,
    grant-worker, notifier, ticket-bridge, portal, audit-anchor), as a task role would give it in AWS."""
    settings = stack_settings(env)
    # The ticket bridge plays the ticket system: it runs as that role (the decision key's signer).
    role = getattr(
        settings.roles, "ticket_system" if kind == "ticket-bridge" else kind.replace("-", "_")
    )
    sts = boto3.client(
        "sts",
        endpoint_url=env["MESHCORE_ENDPOINT_URL"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    issued = sts.assume_role(
        RoleArn=settings.central_role_arn(role), RoleSessionName=session, DurationSeconds=43200
    )["Credentials"]
    return env | {
        "AWS_ACCESS_KEY_ID": issued["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": issued["SecretAccessKey"],
        "AWS_SESSION_TOKEN": issued["SessionToken"],
    }


def analyst_clients(env: dict[str, str], role: str = ANALYST_ROLE) -> Any:
    """A client factory signing as a consumer role (its analyst's by default), in a session its
    query engine tags `LakeFormationAuthorizedCaller` (what the consumer's Lake Formation
    trusts)."""
    endpoint, region = env["MESHCORE_ENDPOINT_URL"], env["AWS_DEFAULT_REGION"]
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    issued = sts.assume_role(
        RoleArn=role,
        RoleSessionName="analyst",
        Tags=[{"Key": "LakeFormationAuthorizedCaller", "Value": QUERY_ENGINE_TAG}],
    )["Credentials"]
    credentials = {
        "aws_access_key_id": issued["AccessKeyId"],
        "aws_secret_access_key": issued["SecretAccessKey"],
        "aws_session_token": issued["SessionToken"],
    }

    session: Any = boto3.Session()  # services are chosen at run time: no stub overloads

    def client(service: str, **override: str) -> Any:
        return session.client(
            service, endpoint_url=endpoint, region_name=region, **(credentials | override)
        )

    return client


def stack_settings(env: dict[str, str]) -> MeshSettings:
    """Settings as the stack's processes read them from `env`."""
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        return MeshSettings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
