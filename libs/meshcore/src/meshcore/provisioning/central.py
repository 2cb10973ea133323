"""`meshctl bootstrap`: everything the central governance account needs, created idempotently."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from botocore.exceptions import ClientError

from meshcore.aws.clients import SyncAws
from meshcore.aws.errors import aws_errors, error_code
from meshcore.domain.classification import SENSITIVITY_TAG_KEY, SENSITIVITY_TAG_VALUES
from meshcore.messages.eventbridge import DATABASE_STATE_CHANGE, TABLE_STATE_CHANGE
from meshcore.provisioning.alarms import (
    ensure_alarm_subscriptions,
    ensure_alarm_topic,
    ensure_alarms,
    ensure_dashboard,
)
from meshcore.provisioning.lakeformation import (
    DATA_ACCESS_ACTIONS,
    data_access_trust,
    ensure_central_lake,
    lf_tag_values,
)
from meshcore.provisioning.onboarding import ensure_role
from meshcore.provisioning.result import Provisioned
from meshcore.settings import MeshSettings

DLQ_SUFFIX = "-dlq"
DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # the SQS maximum: time to inspect and redrive
QUEUE_RETENTION_SECONDS = 4 * 24 * 3600
CATALOG_RULE = "meshcore-glue-catalog-changes"
GLUE_EVENT_PATTERN = {
    "source": ["aws.glue"],
    "detail-type": [DATABASE_STATE_CHANGE, TABLE_STATE_CHANGE],
}


def dlq_name(queue: str) -> str:
    return queue + DLQ_SUFFIX


def ensure_queue(sqs: Any, name: str, settings: MeshSettings, result: Provisioned) -> str:
    """The queue and its dead-letter queue, joined by a redrive policy. Returns the queue ARN."""
    dlq_url = _create_queue(
        sqs, dlq_name(name), {"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)}, result
    )
    dlq_arn = _queue_arn(sqs, dlq_url)
    attributes = {
        "VisibilityTimeout": str(settings.worker.visibility_timeout_seconds),
        "MessageRetentionPeriod": str(QUEUE_RETENTION_SECONDS),
        "RedrivePolicy": json.dumps(
            {
                "deadLetterTargetArn": dlq_arn,
                "maxReceiveCount": str(settings.worker.max_receive_count),
            }
        ),
    }
    url = _create_queue(sqs, name, attributes, result)
    return _queue_arn(sqs, url)


def _create_queue(sqs: Any, name: str, attributes: dict[str, str], result: Provisioned) -> str:
    try:
        existing = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as exc:
        if "NonExistentQueue" not in error_code(exc) and error_code(exc) != "QueueDoesNotExist":
            raise
        existing = None
    with aws_errors(f"sqs:CreateQueue {name}"):
        if existing is None:
            url = str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])
            result.add(f"queue {name}", "created")
            return url
        response = sqs.get_queue_attributes(QueueUrl=existing, AttributeNames=list(attributes))
        current = response["Attributes"]
        if any(_normal(k, current.get(k)) != _normal(k, v) for k, v in attributes.items()):
            sqs.set_queue_attributes(QueueUrl=existing, Attributes=attributes)
            result.add(f"queue {name}", "updated")
        else:
            result.add(f"queue {name}", "exists")
        return str(existing)


def _normal(name: str, value: str | None) -> Any:
    """Attribute values as SQS means them (a redrive policy is JSON, its numbers may be strings)."""
    if name == "RedrivePolicy" and value:
        return {k: str(v) for k, v in json.loads(value).items()}
    return value


def _queue_arn(sqs: Any, url: str) -> str:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return str(attrs["QueueArn"])


def ensure_event_bus(
    events: Any, settings: MeshSettings, sync_queue_arn: str, result: Provisioned
) -> None:
    bus = settings.central_event_bus
    with aws_errors(f"events:CreateEventBus {bus}"):
        names = {b["Name"] for b in events.list_event_buses(NamePrefix=bus).get("EventBuses", [])}
        if bus in names:
            result.add(f"event bus {bus}", "exists")
        else:
            events.create_event_bus(Name=bus)
            result.add(f"event bus {bus}", "created")
        pattern = json.dumps(GLUE_EVENT_PATTERN, sort_keys=True)
        rules = events.list_rules(EventBusName=bus, NamePrefix=CATALOG_RULE).get("Rules", [])
        current = next((r for r in rules if r["Name"] == CATALOG_RULE), None)
        same = (
            current is not None
            and json.loads(current.get("EventPattern", "{}")) == GLUE_EVENT_PATTERN
        )
        if not same:
            events.put_rule(
                Name=CATALOG_RULE, EventBusName=bus, EventPattern=pattern, State="ENABLED"
            )
        targets = events.list_targets_by_rule(Rule=CATALOG_RULE, EventBusName=bus).get(
            "Targets", []
        )
        if not any(t["Arn"] == sync_queue_arn for t in targets):
            events.put_targets(
                Rule=CATALOG_RULE,
                EventBusName=bus,
                Targets=[{"Id": "sync-queue", "Arn": sync_queue_arn}],
            )
            same = False
        result.add(
            f"rule {CATALOG_RULE} -> {settings.queues.catalog_changes}",
            "exists" if same else "created",
        )


REPAIR_RULE = "meshcore-scheduled-repair"
EXPIRY_RULE = "meshcore-expiry-sweep"
# EventBridge fills <id> and <time> from the scheduled event: every firing is a new command.
REPAIR_INPUT_TEMPLATE = '{"kind": "catalog.repair", "version": 1, "repair_id": "scheduled-<id>", "requested_at": "<time>"}'
EXPIRY_INPUT_TEMPLATE = '{"kind": "access.expiry-sweep", "version": 1, "sweep_id": "scheduled-<id>", "requested_at": "<time>"}'
EXPIRY_SWEEP_MINUTES = 15
DIGEST_RULE = "meshcore-notification-digest"
DIGEST_INPUT_TEMPLATE = '{"kind": "notify.digest", "version": 1, "digest_id": "scheduled-<id>", "requested_at": "<time>"}'
ACCESS_RECONCILE_RULE = "meshcore-access-reconcile"
ACCESS_RECONCILE_INPUT_TEMPLATE = '{"kind": "access.reconcile", "version": 1, "reconcile_id": "scheduled-<id>", "heal": true, "requested_at": "<time>"}'


def ensure_schedule(
    events: Any, rule: str, minutes: int, queue_arn: str, template: str, result: Provisioned
) -> None:
    """A schedule rule (default bus) that posts a command to a queue every `minutes`."""
    schedule = f"rate({minutes} minutes)"
    target = {
        "Id": "queue",
        "Arn": queue_arn,
        "InputTransformer": {
            "InputPathsMap": {"id": "$.id", "time": "$.time"},
            "InputTemplate": template,
        },
    }
    with aws_errors(f"events:PutRule {rule}"):
        rules = events.list_rules(NamePrefix=rule).get("Rules", [])
        current = next((r for r in rules if r["Name"] == rule), None)
        targets = events.list_targets_by_rule(Rule=rule).get("Targets", []) if current else []
        if current and current.get("ScheduleExpression") == schedule and targets == [target]:
            result.add(f"rule {rule} ({schedule})", "exists")
            return
        events.put_rule(Name=rule, ScheduleExpression=schedule, State="ENABLED")
        events.put_targets(Rule=rule, Targets=[target])
    result.add(f"rule {rule} ({schedule})", "updated" if current else "created")


Key = tuple[str, str]
"""A DynamoDB key attribute: its name and its type (S, N or B)."""


def ensure_table(dynamodb: Any, name: str, keys: tuple[Key, Key], result: Provisioned) -> None:
    """The on-demand table `name`, created with its partition and sort keys."""
    try:
        dynamodb.describe_table(TableName=name)
        result.add(f"dynamodb table {name}", "exists")
        return
    except ClientError as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
    roles = zip(keys, ("HASH", "RANGE"), strict=True)
    with aws_errors(f"dynamodb:CreateTable {name}"):
        dynamodb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in keys],
            KeySchema=[{"AttributeName": a, "KeyType": role} for (a, _), role in roles],
        )
        dynamodb.get_waiter("table_exists").wait(TableName=name)
    result.add(f"dynamodb table {name}", "created")


def ensure_tables(dynamodb: Any, settings: MeshSettings, result: Provisioned) -> None:
    ensure_table(dynamodb, settings.state_table, (("pk", "S"), ("sk", "S")), result)
    ensure_table(dynamodb, settings.audit_table, (("subject", "S"), ("at", "S")), result)
    # Short-lived state items (e.g. rejection reasons) carry an `expires` epoch time.
    with aws_errors(f"dynamodb:UpdateTimeToLive {settings.state_table}"):
        ttl = dynamodb.describe_time_to_live(TableName=settings.state_table)[
            "TimeToLiveDescription"
        ]
        if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
            result.add(f"ttl on {settings.state_table}.expires", "exists")
        else:
            dynamodb.update_time_to_live(
                TableName=settings.state_table,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"},
            )
            result.add(f"ttl on {settings.state_table}.expires", "created")


def ensure_tag_ontology(lakeformation: Any, result: Provisioned) -> None:
    values = list(SENSITIVITY_TAG_VALUES)
    current = lf_tag_values(lakeformation, SENSITIVITY_TAG_KEY)
    # An LF-tag always has at least one value, so no values means no tag.
    if not current:
        with aws_errors(f"lakeformation:CreateLFTag {SENSITIVITY_TAG_KEY}"):
            lakeformation.create_lf_tag(TagKey=SENSITIVITY_TAG_KEY, TagValues=values)
        result.add(f"lf-tag {SENSITIVITY_TAG_KEY}", "created")
        return
    missing = sorted(set(values) - set(current))
    if missing:
        with aws_errors(f"lakeformation:UpdateLFTag {SENSITIVITY_TAG_KEY}"):
            lakeformation.update_lf_tag(TagKey=SENSITIVITY_TAG_KEY, TagValuesToAdd=missing)
    result.add(f"lf-tag {SENSITIVITY_TAG_KEY}", "updated" if missing else "exists")


# What the account (its administrators, through IAM) may do with the decision key: manage it,
# never sign or verify with it.
KEY_ADMINISTRATION = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
]


def mac_key_policy(
    settings: MeshSettings, signs: tuple[str, str], verifies: tuple[str, str]
) -> dict[str, Any]:
    """An HMAC key's policy: only the role of `signs` (sid, role name) generates MACs and only
    that of `verifies` checks them; the account statement allows administration alone, so no
    IAM policy can widen either."""

    def statement(sid: str, principal: str, actions: list[str]) -> dict[str, Any]:
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"AWS": principal},
            "Action": actions,
            "Resource": "*",
        }

    root = f"arn:aws:iam::{settings.central_account_id}:root"
    return {
        "Version": "2012-10-17",
        "Statement": [
            statement("account-administers", root, KEY_ADMINISTRATION),
            statement(signs[0], settings.central_role_arn(signs[1]), ["kms:GenerateMac"]),
            statement(verifies[0], settings.central_role_arn(verifies[1]), ["kms:VerifyMac"]),
        ],
    }


def decision_key_policy(settings: MeshSettings) -> dict[str, Any]:
    """Only the ticket system signs decisions and only grant-worker verifies them."""
    return mac_key_policy(
        settings,
        ("ticket-system-signs", settings.roles.ticket_system),
        ("grant-worker-verifies", settings.roles.grant_worker),
    )


def revocation_key_policy(settings: MeshSettings) -> dict[str, Any]:
    """Only the operator role signs revokes and only grant-worker verifies them."""
    return mac_key_policy(
        settings,
        ("operator-signs", settings.roles.operator),
        ("grant-worker-verifies", settings.roles.grant_worker),
    )


def operator_trust(settings: MeshSettings) -> str:
    """Who may act as the operator role: principals of the central account that IAM allows
    sts:AssumeRole on it (the template's `OperatorRolePrincipal` narrows it in AWS)."""
    return audit_anchor_trust(settings)


# What the operator role does: sign revokes (`meshctl revoke` posts them with the operator's
# own credentials, whose sender SQS reports).
OPERATOR_ACTIONS = ["kms:GenerateMac"]


class KeyKind(NamedTuple):
    """What a KMS key is for: its KeySpec and KeyUsage, and the description it is created with."""

    spec: str
    usage: str
    description: str


DECISION_KEY = KeyKind(
    "HMAC_256",
    "GENERATE_VERIFY_MAC",
    "meshcore: signs access decisions posted by the ticket system",
)
REVOCATION_KEY = KeyKind(
    "HMAC_256",
    "GENERATE_VERIFY_MAC",
    "meshcore: signs operator revokes (the operator role only)",
)
AUDIT_ANCHOR_KEY = KeyKind(
    "ECC_NIST_P256",
    "SIGN_VERIFY",
    "meshcore: signs the audit chain's head (audit-anchor role only)",
)


def ensure_decision_key(kms: Any, settings: MeshSettings, result: Provisioned) -> str:
    """The HMAC key the ticket system signs decisions with."""
    return ensure_key(
        kms, settings.decision_key_alias, decision_key_policy(settings), DECISION_KEY, result
    )


def ensure_revocation_key(kms: Any, settings: MeshSettings, result: Provisioned) -> str:
    """The HMAC key operators sign revokes with (`meshctl revoke`, as the operator role)."""
    return ensure_key(
        kms,
        settings.revocation_key_alias,
        revocation_key_policy(settings),
        REVOCATION_KEY,
        result,
    )


def ensure_key(
    kms: Any, alias: str, policy: dict[str, Any], kind: KeyKind, result: Provisioned
) -> str:
    """The KMS key under `alias`, created as `kind` with `policy`, or its policy converged."""
    try:
        key_id = str(kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"])
    except ClientError as exc:
        if error_code(exc) != "NotFoundException":
            raise
    else:
        with aws_errors(f"kms:GetKeyPolicy {alias}"):
            current = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
        if current == policy:
            result.add(f"kms key {alias}", "exists")
        else:
            with aws_errors(f"kms:PutKeyPolicy {alias}"):
                kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))
            result.add(f"kms key {alias} policy", "updated")
        return key_id
    with aws_errors("kms:CreateKey"):
        key_id = str(
            kms.create_key(
                Policy=json.dumps(policy),
                Description=kind.description,
                KeySpec=kind.spec,
                KeyUsage=kind.usage,
            )["KeyMetadata"]["KeyId"]
        )
        kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    result.add(f"kms key {alias}", "created")
    return key_id


# What the audit-anchor role does: read the chain, sign its head, write anchors.
AUDIT_ANCHOR_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PutItem",
    "kms:Sign",
    "kms:Verify",
]


def audit_anchor_trust(settings: MeshSettings) -> str:
    """Who may act as the audit-anchor role: principals of the central account that IAM allows
    sts:AssumeRole on it (the scheduled task's role in AWS; the local stack)."""
    root = f"arn:aws:iam::{settings.central_account_id}:root"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def audit_anchor_key_policy(settings: MeshSettings) -> dict[str, Any]:
    """The anchor key's policy: the account administers the key and anyone in it may verify
    and read the public key, but only the audit-anchor role may sign (the account's root is
    not given kms:Sign, so no IAM policy can give it to anyone else)."""
    root = f"arn:aws:iam::{settings.central_account_id}:root"
    anchor_role = settings.central_role_arn(settings.roles.audit_anchor)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "account-administers-and-verifies",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": AUDIT_ANCHOR_KEY_ADMIN_ACTIONS,
                "Resource": "*",
            },
            {
                "Sid": "only-the-audit-anchor-role-signs",
                "Effect": "Allow",
                "Principal": {"AWS": anchor_role},
                "Action": ["kms:Sign", "kms:Verify", "kms:GetPublicKey", "kms:DescribeKey"],
                "Resource": "*",
            },
        ],
    }


# The account administers the anchor key and verifies with it (anyone may check an anchor);
# only the audit-anchor role signs.
AUDIT_ANCHOR_KEY_ADMIN_ACTIONS = [*KEY_ADMINISTRATION, "kms:Verify"]


def ensure_audit_anchor_key(kms: Any, settings: MeshSettings, result: Provisioned) -> str:
    """The asymmetric key audit anchors are signed with."""
    return ensure_key(
        kms,
        settings.audit_anchor_key_alias,
        audit_anchor_key_policy(settings),
        AUDIT_ANCHOR_KEY,
        result,
    )


def ensure_audit_anchor_table(dynamodb: Any, settings: MeshSettings, result: Provisioned) -> None:
    """Anchors by chain (the audit table's name) and the sequence number they sign."""
    ensure_table(dynamodb, settings.audit_anchor_table, (("chain", "S"), ("seq", "N")), result)


def ensure_ses_sender(ses: Any, address: str, result: Provisioned) -> None:
    """The notifier's From address, verified with SES (AWS mails the address a link to
    confirm; until then, and in the SES sandbox, SendEmail is refused)."""
    verified = ses.list_identities(IdentityType="EmailAddress")["Identities"]
    if address in verified:
        result.add(f"ses identity {address}", "exists")
        return
    ses.verify_email_identity(EmailAddress=address)
    result.add(f"ses identity {address}", "created")


def bootstrap_central(
    aws: SyncAws,
    settings: MeshSettings,
    alarm_emails: Sequence[str] = (),
    alarm_webhooks: Sequence[str] = (),
) -> Provisioned:
    """Everything the central account needs; `alarm_emails` and `alarm_webhooks` are
    subscribed to the alarm topic (once: subscribing again changes nothing)."""
    result = Provisioned()
    sqs = aws.client("sqs")
    arns = {name: ensure_queue(sqs, name, settings, result) for name in settings.queues.all()}
    events = aws.client("events")
    ensure_event_bus(events, settings, arns[settings.queues.catalog_changes], result)
    ensure_schedule(
        events,
        REPAIR_RULE,
        settings.repair_interval_minutes,
        arns[settings.queues.catalog_changes],
        REPAIR_INPUT_TEMPLATE,
        result,
    )
    ensure_schedule(
        events,
        EXPIRY_RULE,
        EXPIRY_SWEEP_MINUTES,
        arns[settings.queues.approvals],
        EXPIRY_INPUT_TEMPLATE,
        result,
    )
    ensure_schedule(
        events,
        ACCESS_RECONCILE_RULE,
        settings.access_reconcile_interval_minutes,
        arns[settings.queues.approvals],
        ACCESS_RECONCILE_INPUT_TEMPLATE,
        result,
    )
    ensure_schedule(
        events,
        DIGEST_RULE,
        settings.notifier.digest_interval_minutes,
        arns[settings.queues.notifications],
        DIGEST_INPUT_TEMPLATE,
        result,
    )
    if settings.notifier.email == "ses":
        ensure_ses_sender(aws.client("ses"), settings.notifier.from_address, result)
    ensure_tables(aws.client("dynamodb"), settings, result)
    lakeformation = aws.client("lakeformation")
    ensure_central_lake(lakeformation, aws.client("sts"), settings, result)
    ensure_tag_ontology(lakeformation, result)
    ensure_role(
        aws.client("iam"),
        settings.roles.data_access,
        data_access_trust(),
        DATA_ACCESS_ACTIONS,
        result,
    )
    ensure_decision_key(aws.client("kms"), settings, result)
    # The role first: AWS refuses a key policy naming a principal that does not exist.
    ensure_role(
        aws.client("iam"),
        settings.roles.operator,
        operator_trust(settings),
        OPERATOR_ACTIONS,
        result,
        # As the template: the revocation key only (by its alias), not every key's MAC.
        statements=[
            {
                "Effect": "Allow",
                "Action": OPERATOR_ACTIONS,
                "Resource": f"arn:aws:kms:{settings.region}:{settings.central_account_id}:key/*",
                "Condition": {
                    "ForAnyValue:StringEquals": {
                        "kms:ResourceAliases": settings.revocation_key_alias
                    }
                },
            }
        ],
    )
    ensure_revocation_key(aws.client("kms"), settings, result)
    ensure_audit_anchor_table(aws.client("dynamodb"), settings, result)
    # The role first: AWS refuses a key policy naming a principal that does not exist.
    ensure_role(
        aws.client("iam"),
        settings.roles.audit_anchor,
        audit_anchor_trust(settings),
        AUDIT_ANCHOR_ACTIONS,
        result,
    )
    ensure_audit_anchor_key(aws.client("kms"), settings, result)
    sns = aws.client("sns")
    topic_arn = ensure_alarm_topic(sns, settings, result)
    ensure_alarm_subscriptions(sns, topic_arn, alarm_emails, alarm_webhooks, result)
    cloudwatch = aws.client("cloudwatch")
    ensure_alarms(cloudwatch, settings, result, topic_arn)
    ensure_dashboard(cloudwatch, settings, result)
    return result
