"""`meshctl onboard-producer` / `onboard-consumer`: the resources meshcore needs in member accounts."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from botocore.exceptions import ClientError

from meshcore.aws.clients import SyncAws
from meshcore.aws.errors import aws_errors, error_code
from meshcore.domain.classification import DOMAIN_TAG_KEY
from meshcore.provisioning.lakeformation import lf_tag_values
from meshcore.provisioning.result import Provisioned
from meshcore.settings import MeshSettings

FORWARD_RULE = "meshcore-forward-glue-catalog"
# The sync role may only read the catalog.
CATALOG_READ_ACTIONS = [
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
]
# The sampling role may only list and read objects: the classifier reads a bounded sample of a
# table's values from its S3 location, only for producers onboarded with --allow-sampling.
SAMPLE_READ_ROLE = "meshcore-sample-reader"
SAMPLE_READ_ACTIONS = ["s3:GetObject", "s3:ListBucket"]
# What accepting a share and keeping resource links needs in a consumer account (a revoke
# removes the links, and their database once it holds no other).
CONSUMER_ADMIN_ACTIONS = [
    "ram:GetResourceShareInvitations",
    "ram:AcceptResourceShareInvitation",
    "glue:CreateDatabase",
    "glue:GetDatabase",
    "glue:DeleteDatabase",
    "glue:CreateTable",
    "glue:GetTable",
    "glue:GetTables",
    "glue:DeleteTable",
    # It administers the consumer's data lake: the account's own roles get what it received.
    "lakeformation:GrantPermissions",
    "lakeformation:RevokePermissions",
    "lakeformation:BatchGrantPermissions",
    "lakeformation:BatchRevokePermissions",
    "lakeformation:ListPermissions",
]


def trust_central(settings: MeshSettings, external_id: bool = False) -> str:
    """The central account may assume the role; with `external_id`, only passing meshcore's
    external id (a consumer's admin role: no other party can make the central account act on
    it by naming it)."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{settings.central_account_id}:root"},
        "Action": "sts:AssumeRole",
    }
    if external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": settings.external_id()}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


# Where the consumer admin role may create and delete: databases named as the central ones,
# where its resource links live (as infra/consumer.yaml), never the account's other tables.
LINK_RESOURCES = ["catalog", "database/*__*", "table/*__*/*"]
LINK_WRITES = ["glue:CreateDatabase", "glue:DeleteDatabase", "glue:CreateTable", "glue:DeleteTable"]


def consumer_admin_statements(account_id: str) -> list[dict[str, Any]]:
    glue = f"arn:aws:glue:*:{account_id}:"
    others = [a for a in CONSUMER_ADMIN_ACTIONS if a not in LINK_WRITES]
    return [
        {"Effect": "Allow", "Action": others, "Resource": "*"},
        {"Effect": "Allow", "Action": LINK_WRITES, "Resource": [glue + r for r in LINK_RESOURCES]},
    ]


def ensure_role(
    iam: Any,
    name: str,
    trust: str,
    actions: list[str],
    result: Provisioned,
    statements: list[dict[str, Any]] | None = None,
) -> str:
    """The role `name` with `trust`, allowed `actions` on any resource (or `statements`)."""
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": statements or [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
        }
    )
    try:
        found = iam.get_role(RoleName=name)["Role"]
        arn = str(found["Arn"])
        outcome = "exists"
        current_trust = found.get("AssumeRolePolicyDocument")
        if isinstance(current_trust, str):
            current_trust = json.loads(urllib.parse.unquote(current_trust))
        if current_trust != json.loads(trust):
            with aws_errors(f"iam:UpdateAssumeRolePolicy {name}"):
                iam.update_assume_role_policy(RoleName=name, PolicyDocument=trust)
            outcome = "updated"
    except ClientError as exc:
        if error_code(exc) != "NoSuchEntity":
            raise
        with aws_errors(f"iam:CreateRole {name}"):
            arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"])
        outcome = "created"
    with aws_errors(f"iam:PutRolePolicy {name}"):
        try:
            current = iam.get_role_policy(RoleName=name, PolicyName=name)["PolicyDocument"]
            if isinstance(current, str):
                current = json.loads(current)
        except ClientError:
            current = None
        if current != json.loads(policy):
            iam.put_role_policy(RoleName=name, PolicyName=name, PolicyDocument=policy)
            outcome = "created" if outcome == "created" else "updated"
    result.add(f"role {arn}", outcome)
    return arn


def ensure_forward_rule(
    events: Any, settings: MeshSettings, account: str, result: Provisioned
) -> None:
    """Forward the producer's Glue catalog events to the central bus."""
    pattern = {"source": ["aws.glue"]}
    target = settings.central_bus_arn()
    with aws_errors(f"events:PutRule {FORWARD_RULE} in {account}"):
        rules = events.list_rules(NamePrefix=FORWARD_RULE).get("Rules", [])
        current = next((r for r in rules if r["Name"] == FORWARD_RULE), None)
        targets = (
            events.list_targets_by_rule(Rule=FORWARD_RULE).get("Targets", []) if current else []
        )
        if (
            current
            and json.loads(current["EventPattern"]) == pattern
            and any(t["Arn"] == target for t in targets)
        ):
            result.add(f"rule {FORWARD_RULE} in {account} -> central bus", "exists")
            return
        events.put_rule(Name=FORWARD_RULE, EventPattern=json.dumps(pattern), State="ENABLED")
        events.put_targets(Rule=FORWARD_RULE, Targets=[{"Id": "meshcore-central", "Arn": target}])
    outcome = "updated" if current else "created"
    result.add(f"rule {FORWARD_RULE} in {account} -> central bus", outcome)


def allow_producer_on_bus(
    events: Any, settings: MeshSettings, account: str, result: Provisioned
) -> None:
    statement = f"meshcore-producer-{account}"
    with aws_errors(f"events:PutPermission {settings.central_event_bus}"):
        described = events.describe_event_bus(Name=settings.central_event_bus)
        policy = json.loads(described.get("Policy") or "{}")
        if any(s.get("Sid") == statement for s in policy.get("Statement", [])):
            result.add(f"central bus accepts events from {account}", "exists")
            return
        events.put_permission(
            EventBusName=settings.central_event_bus,
            Action="events:PutEvents",
            Principal=account,
            StatementId=statement,
        )
    result.add(f"central bus accepts events from {account}", "created")


def onboard_producer(
    central: SyncAws, member: SyncAws, settings: MeshSettings, account: str
) -> tuple[Provisioned, str]:
    result = Provisioned()
    role_arn = ensure_role(
        member.client("iam"),
        settings.producer_read_role,
        trust_central(settings),
        CATALOG_READ_ACTIONS,
        result,
    )
    allow_producer_on_bus(central.client("events"), settings, account, result)
    ensure_forward_rule(member.client("events"), settings, account, result)
    return result, role_arn


def ensure_sample_role(member: SyncAws, settings: MeshSettings, result: Provisioned) -> str:
    """The read-only S3 role the classifier assumes to sample a producer's table data."""
    return ensure_role(
        member.client("iam"),
        SAMPLE_READ_ROLE,
        trust_central(settings),
        SAMPLE_READ_ACTIONS,
        result,
    )


def onboard_consumer(member: SyncAws, settings: MeshSettings) -> tuple[Provisioned, str]:
    result = Provisioned()
    role_arn = ensure_role(
        member.client("iam"),
        settings.consumer_admin_role,
        trust_central(settings, external_id=True),
        CONSUMER_ADMIN_ACTIONS,
        result,
        consumer_admin_statements(member.account_id()),
    )
    return result, role_arn


def ensure_domain_tag(lakeformation: Any, domain: str, result: Provisioned) -> None:
    """The `domain` LF-tag lists every producer domain (Lake Formation needs values declared)."""
    values = lf_tag_values(lakeformation, DOMAIN_TAG_KEY)
    if domain in values:
        result.add(f"lf-tag {DOMAIN_TAG_KEY}={domain}", "exists")
        return
    with aws_errors(f"lakeformation:CreateLFTag/UpdateLFTag {DOMAIN_TAG_KEY}={domain}"):
        if values:
            lakeformation.update_lf_tag(TagKey=DOMAIN_TAG_KEY, TagValuesToAdd=[domain])
        else:
            lakeformation.create_lf_tag(TagKey=DOMAIN_TAG_KEY, TagValues=[domain])
    result.add(f"lf-tag {DOMAIN_TAG_KEY}={domain}", "created")
