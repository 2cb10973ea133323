"""The CloudFormation templates in infra/: valid (cfn-lint), and they deploy to the embedded AWS
with the least-privilege roles meshcore's onboarding expects."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
from cfnlint.decode import decode

from meshcore.provisioning.alarms import alarm_definitions
from meshcore.provisioning.onboarding import CONSUMER_ADMIN_ACTIONS
from meshcore.settings import MeshSettings

INFRA = Path(__file__).parents[2] / "infra"
TEMPLATES = sorted(INFRA.glob("*.yaml"))


def test_templates_pass_cfn_lint() -> None:
    assert TEMPLATES, "no templates found in infra/"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "cfn-lint"),
            "--regions",
            "us-east-1",
            "--",
            *map(str, TEMPLATES),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def document(value: Any) -> Any:
    """A policy document as returned: parsed already, JSON, or (moto renders documents created
    by CloudFormation this way) a Python literal."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return ast.literal_eval(value)


def deploy(settings: MeshSettings, name: str, template: str, parameters: dict[str, str]) -> Any:
    cloudformation = boto3.client("cloudformation", endpoint_url=settings.endpoint_url)
    cloudformation.create_stack(
        StackName=name,
        TemplateBody=(INFRA / template).read_text(),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return stack


def test_producer_template_grants_only_catalog_reads(settings: MeshSettings) -> None:
    deploy(settings, "meshcore-producer", "producer.yaml", {"CentralAccountId": "123456789012"})
    iam = boto3.client("iam", endpoint_url=settings.endpoint_url)
    role = iam.get_role(RoleName="meshcore-catalog-reader")["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = document(trust)
    assert trust["Statement"][0]["Principal"]["AWS"].endswith(":iam::123456789012:root")
    policy = iam.get_role_policy(RoleName="meshcore-catalog-reader", PolicyName="catalog-read")[
        "PolicyDocument"
    ]
    policy = document(policy)
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert actions and all(a.startswith(("glue:Get", "glue:BatchGet")) for a in actions)
    rule = boto3.client("events", endpoint_url=settings.endpoint_url).describe_rule(
        Name="meshcore-forward-glue-catalog"
    )
    assert json.loads(rule["EventPattern"])["source"] == ["aws.glue"]


def test_central_template_creates_queues_with_dead_letter_queues(settings: MeshSettings) -> None:
    deploy(
        settings,
        "meshcore-central",
        "central.yaml",
        {"ProducerAccountIds": "222222222222,333333333333"},
    )
    sqs = boto3.client("sqs", endpoint_url=settings.endpoint_url)
    for queue in settings.queues.all():
        url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        redrive = json.loads(
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"][
                "RedrivePolicy"
            ]
        )
        assert redrive["deadLetterTargetArn"].endswith(f":{queue}-dlq")
    tables = boto3.client("dynamodb", endpoint_url=settings.endpoint_url).list_tables()[
        "TableNames"
    ]
    assert {"meshcore-state", "meshcore-audit", "meshcore-audit-anchors"} <= set(tables)
    # (moto keeps a key policy from CloudFormation as a dict, which its DescribeKey cannot
    # read: the key's spec and policy are checked in the template by test_least_privilege_check.)
    aliases = boto3.client("kms", endpoint_url=settings.endpoint_url).list_aliases()["Aliases"]
    assert "alias/meshcore-audit-anchor" in {a["AliasName"] for a in aliases}
    topics = boto3.client("sns", endpoint_url=settings.endpoint_url).list_topics()["Topics"]
    assert any(t["TopicArn"].endswith(":meshcore-alarms") for t in topics)


def intrinsic(value: Any) -> bool:
    """A CloudFormation function (Ref, Fn::GetAtt, ...) anywhere in a template value."""
    if isinstance(value, dict):
        return any(k == "Ref" or k.startswith("Fn::") or intrinsic(v) for k, v in value.items())
    return isinstance(value, list) and any(intrinsic(v) for v in value)


def test_central_template_alarms_are_bootstraps_and_notify_the_alarm_topic(
    settings: MeshSettings,
) -> None:
    # (moto's CloudFormation creates no alarms: the template itself is checked.)
    body, problems = decode(str(INFRA / "central.yaml"))
    assert body is not None, problems
    resources = body["Resources"]
    assert resources["AlarmTopic"]["Properties"]["TopicName"] == settings.alarm_topic
    alarms = {
        r["Properties"]["AlarmName"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }
    definitions = {a["AlarmName"]: a for a in alarm_definitions(settings)}
    assert set(alarms) == set(definitions)
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["OKActions"] == [{"Ref": "AlarmTopic"}], name
        # Every value the template names literally (not by Ref or Fn::) is bootstrap's.
        literal = {k for k in definitions[name] if not intrinsic(alarm[k])}
        assert {k: alarm[k] for k in literal} == {k: definitions[name][k] for k in literal}, name


def test_consumer_template_creates_the_role_grant_worker_assumes(settings: MeshSettings) -> None:
    deploy(settings, "meshcore-consumer", "consumer.yaml", {"CentralAccountId": "123456789012"})
    iam = boto3.client("iam", endpoint_url=settings.endpoint_url)
    name = settings.consumer_admin_role
    trust = document(iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"])
    assert trust["Statement"][0]["Principal"]["AWS"].endswith(":iam::123456789012:root")
    assert trust["Statement"][0]["Condition"] == {
        "StringEquals": {"sts:ExternalId": settings.external_id()}
    }
    policy = document(
        iam.get_role_policy(RoleName=name, PolicyName="accept-and-link")["PolicyDocument"]
    )
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert actions == set(CONSUMER_ADMIN_ACTIONS)
    # It writes only in databases named as the central ones (where its resource links live),
    # never any other table of the consumer's account.
    writes = {"glue:CreateDatabase", "glue:DeleteDatabase", "glue:CreateTable", "glue:DeleteTable"}
    for statement in policy["Statement"]:
        if writes & set(statement["Action"]):
            resources = [r.split(":", 5)[-1] for r in statement["Resource"]]
            assert sorted(resources) == ["catalog", "database/*__*", "table/*__*/*"], resources
