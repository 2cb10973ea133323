"""The least-privilege check itself: reading the templates' roles, matching actions as IAM does,
and attributing the emulator's calls to (worker, role) so that an ungranted call is caught."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

import pytest
from cfnlint.decode import decode

from meshcore.provisioning.central import (
    AUDIT_ANCHOR_ACTIONS,
    OPERATOR_ACTIONS,
    decision_key_policy,
    revocation_key_policy,
)
from meshcore.provisioning.onboarding import (
    CATALOG_READ_ACTIONS,
    CONSUMER_ADMIN_ACTIONS,
    SAMPLE_READ_ACTIONS,
    SAMPLE_READ_ROLE,
)
from meshcore.settings import MeshSettings
from meshcore_emulator.calllog import PrincipalCalls
from meshcore_emulator.dynamodb_keys import ItemAccess
from meshcore_emulator.principals import Principal

from ..least_privilege import (
    CENTRAL_ROLES,
    INFRA,
    UnsupportedPolicy,
    role_named,
    role_uses,
    roles_of,
    template_roles,
)


def role_template(*statements: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {
        "Parameters": {"Name": {"Type": "String", "Default": "reader"}},
        "Resources": {
            "Reader": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": {"Ref": "Name"},
                    "Policies": [
                        {
                            "PolicyName": "p",
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                        }
                    ],
                    **props,
                },
            }
        },
    }


def test_wildcards_match_as_iam_does_and_deny_wins() -> None:
    (role,) = roles_of(
        "t.yaml",
        role_template(
            {"Effect": "Allow", "Action": ["glue:Get*", "s3:GetObjec?"], "Resource": "*"},
            {"Effect": "Deny", "Action": "glue:GetPartitions", "Resource": "*"},
        ),
    ).values()
    assert role.name == "reader"
    assert role.allows("glue:GetTable") and role.allows("GLUE:gettables")
    assert role.allows("s3:GetObject")
    assert role.ungranted(["glue:GetTable", "glue:CreateTable", "glue:GetPartitions"]) == {
        "glue:CreateTable",
        "glue:GetPartitions",
    }


def test_constructs_that_would_need_guessing_are_refused() -> None:
    with pytest.raises(UnsupportedPolicy):
        roles_of("t.yaml", role_template({"Effect": "Allow", "NotAction": "iam:*"}))
    with pytest.raises(UnsupportedPolicy):
        roles_of("t.yaml", role_template(ManagedPolicyArns=["arn:aws:iam::aws:policy/Admin"]))
    with pytest.raises(UnsupportedPolicy):
        roles_of("t.yaml", role_template({"Effect": "Allow", "Action": {"Ref": "Actions"}}))


def test_the_producer_read_role_only_reads_glue() -> None:
    reader = role_named("meshcore-catalog-reader")
    assert reader.template == "producer.yaml"
    assert reader.allowed and all(
        a.startswith(("glue:Get", "glue:BatchGet")) for a in reader.allowed
    )
    assert reader.ungranted(["glue:GetTable", "glue:CreateTable", "s3:GetObject"]) == {
        "glue:CreateTable",
        "s3:GetObject",
    }


def test_an_assumed_role_that_no_template_defines_is_an_error() -> None:
    with pytest.raises(LookupError):
        role_named("admin")


def calls(principal: Principal, *actions: str) -> PrincipalCalls:
    return PrincipalCalls(principal, {a: 1 for a in actions}, frozenset(actions))


WORKER_KEYS = {"local-sync-worker": "sync-worker", "local-grant-worker": "grant-worker"}


def test_calls_are_attributed_to_worker_and_role_and_others_left_out() -> None:
    uses = role_uses(
        [
            calls(
                Principal("local-sync-worker", "123456789012"), "sts:AssumeRole", "glue:GetTable"
            ),
            calls(
                Principal(
                    "ASIA1",
                    "222222222222",
                    "arn:aws:iam::222222222222:role/meshcore-catalog-reader",
                    "meshcore-sync-worker",
                ),
                "glue:GetTable",
            ),
            calls(
                Principal(
                    "ASIA2",
                    "333333333333",
                    "arn:aws:iam::333333333333:role/meshcore-catalog-reader",
                    "meshcore-sync-worker",
                ),
                "glue:GetPartitions",
            ),
            calls(Principal("testing", "123456789012"), "iam:CreateRole"),  # the test itself
            calls(
                Principal(
                    "ASIA3",
                    "222222222222",
                    "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole",
                    "meshctl",
                ),
                "glue:CreateDatabase",
            ),
        ],
        WORKER_KEYS,
    )
    assert [(u.worker, u.role.logical_id, sorted(u.actions)) for u in uses] == [
        ("sync-worker", "SyncWorkerRole", ["glue:GetTable", "sts:AssumeRole"]),
        ("sync-worker", "CatalogReaderRole", ["glue:GetPartitions", "glue:GetTable"]),
    ]
    assert all(not u.ungranted for u in uses)


def test_a_worker_calling_what_its_role_does_not_grant_is_caught() -> None:
    (central, reader) = role_uses(
        [
            calls(
                Principal(
                    "ASIA1",
                    "222222222222",
                    "arn:aws:iam::222222222222:role/meshcore-catalog-reader",
                    "meshcore-sync-worker",
                ),
                "glue:GetTable",
                "glue:DeleteTable",
            ),
            calls(Principal("local-grant-worker", "123456789012"), "kms:VerifyMac", "kms:Decrypt"),
        ],
        WORKER_KEYS,
    )
    assert (reader.worker, reader.role.logical_id, reader.ungranted) == (
        "sync-worker",
        "CatalogReaderRole",
        {"glue:DeleteTable"},
    )
    assert (central.worker, central.role.logical_id, central.ungranted) == (
        "grant-worker",
        "GrantWorkerRole",
        {"kms:Decrypt"},
    )


def test_every_worker_has_its_central_role() -> None:
    central = template_roles("central.yaml")
    for logical_id in CENTRAL_ROLES.values():
        assert central[logical_id].allowed


def _statements_naming(resource: dict[str, Any], logical_id: str) -> bool:
    """Whether a statement's resources refer to the template resource `logical_id`."""
    return logical_id in json.dumps(resource, default=str)


def test_only_the_audit_anchor_role_signs_and_workers_append_to_the_audit_only_in_transactions() -> (
    None
):
    body, problems = decode(str(INFRA / "central.yaml"))
    assert not problems and body is not None
    resources = body["Resources"]
    workers = [v for k, v in CENTRAL_ROLES.items() if k != "audit-anchor"]
    for logical_id in workers:
        role = template_roles("central.yaml")[logical_id]
        assert not role.allows("kms:Sign"), logical_id
        for policy in resources[logical_id]["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                targets = statement.get("Resource")
                assert not _statements_naming(targets, "AuditAnchor"), (logical_id, statement)
                if not _statements_naming(targets, "AuditTable"):
                    continue
                actions = set(statement["Action"])
                if "dynamodb:PutItem" in actions:
                    # Appends only: PutItem inside TransactWriteItems
                    # (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
                    assert actions == {"dynamodb:PutItem"}, statement
                    assert statement["Condition"] == {
                        "StringEquals": {"dynamodb:EnclosingOperation": "TransactWriteItems"}
                    }
                else:
                    assert actions <= {"dynamodb:GetItem", "dynamodb:Query"}, statement
    key = resources["AuditAnchorKey"]["Properties"]
    assert (key["KeySpec"], key["KeyUsage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")
    key_policy = key["KeyPolicy"]["Statement"]
    signers = [
        s["Principal"]["AWS"]
        for s in key_policy
        if any(fnmatchcase("kms:sign", a.lower()) for a in s["Action"])
    ]
    assert signers == [{"Fn::GetAtt": ["AuditAnchorRole", "Arn"]}]


def test_bootstrap_gives_the_audit_anchor_role_what_the_template_gives_it() -> None:
    assert set(AUDIT_ANCHOR_ACTIONS) == template_roles("central.yaml")["AuditAnchorRole"].allowed


def test_bootstrap_gives_the_operator_role_what_the_template_gives_it() -> None:
    operator = template_roles("central.yaml")["OperatorRole"]
    assert operator.name == "meshcore-operator"
    assert set(OPERATOR_ACTIONS) == operator.allowed == {"kms:GenerateMac"}


def _key_users(key_policy: list[dict[str, Any]], action: str) -> list[Any]:
    return [
        s["Principal"]["AWS"]
        for s in key_policy
        if any(fnmatchcase(action, a.lower()) for a in _listed(s["Action"]))
    ]


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


GRANT_WORKER_ARN = {
    "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/meshcore-grant-worker"
}


@pytest.mark.parametrize(
    ("key", "signer"), [("DecisionKey", "TicketSystemRole"), ("RevocationKey", "OperatorRole")]
)
def test_only_one_role_signs_with_each_mac_key_and_only_grant_worker_verifies(
    key: str, signer: str
) -> None:
    """The template's keys, and `meshctl bootstrap`'s: the account administers them, one role
    generates MACs (the ticket system's decisions, the operator's revokes), grant-worker alone
    verifies."""
    body, problems = decode(str(INFRA / "central.yaml"))
    assert not problems and body is not None
    props = body["Resources"][key]["Properties"]
    assert (props["KeySpec"], props["KeyUsage"]) == ("HMAC_256", "GENERATE_VERIFY_MAC")
    statements = props["KeyPolicy"]["Statement"]
    assert _key_users(statements, "kms:generatemac") == [{"Fn::GetAtt": [signer, "Arn"]}]
    assert _key_users(statements, "kms:verifymac") == [GRANT_WORKER_ARN]
    settings = MeshSettings(central_account_id="123456789012")
    role = template_roles("central.yaml")[signer].name
    policy = (decision_key_policy if key == "DecisionKey" else revocation_key_policy)(settings)
    assert [s["Sid"] for s in policy["Statement"]] == [s["Sid"] for s in statements]
    assert _key_users(policy["Statement"], "kms:generatemac") == [
        f"arn:aws:iam::123456789012:role/{role}"
    ]
    assert _key_users(policy["Statement"], "kms:verifymac") == [
        "arn:aws:iam::123456789012:role/meshcore-grant-worker"
    ]
    for granted in (policy["Statement"][0]["Action"], _listed(statements[0]["Action"])):
        assert not any(
            fnmatchcase(a, p.lower()) for p in granted for a in ("kms:generatemac", "kms:verifymac")
        )


def test_onboarding_creates_the_member_roles_the_templates_define() -> None:
    """`meshctl onboard-*` and the templates grant the member-account roles the same actions."""
    assert set(CATALOG_READ_ACTIONS) == role_named("meshcore-catalog-reader").allowed
    assert set(SAMPLE_READ_ACTIONS) == role_named(SAMPLE_READ_ROLE).allowed
    assert set(CONSUMER_ADMIN_ACTIONS) == role_named("meshcore-consumer-admin").allowed


def item(action: str, *keys: str, table: str = "meshcore-state") -> ItemAccess:
    return ItemAccess(f"dynamodb:{action}", table, frozenset(keys))


def test_dynamodb_items_are_checked_against_table_and_leading_keys() -> None:
    template = role_template(
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:Query"],
            "Resource": {"Fn::GetAtt": ["State", "Arn"]},
            "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["producer#*"]}},
        },
        {
            "Effect": "Allow",
            "Action": "dynamodb:PutItem",
            "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/meshcore-*",
        },
    )
    template["Resources"]["State"] = {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {"TableName": "meshcore-state"},
    }
    (role,) = roles_of("t.yaml", template).values()
    assert (
        role.ungranted(
            ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
            [
                item("GetItem", "producer#1"),
                item("Query", "producer#1", "producer#2"),
                item("PutItem", "request#1"),
                item("PutItem", "x", table="meshcore-audit"),
            ],
        )
        == set()
    )
    assert role.ungranted(
        [],
        [
            item("GetItem", "request#1"),
            item("Query", "producer#1", "request#2"),
            item("GetItem", "producer#1", table="other"),
            item("PutItem", "x", table="other"),
        ],
    ) == {
        "dynamodb:GetItem meshcore-state request#1",
        "dynamodb:Query meshcore-state producer#1, request#2",
        "dynamodb:GetItem other producer#1",
        "dynamodb:PutItem other x",
    }


def test_dynamodb_conditions_that_would_need_guessing_are_refused() -> None:
    with pytest.raises(UnsupportedPolicy):
        roles_of(
            "t.yaml",
            role_template(
                {
                    "Effect": "Allow",
                    "Action": "dynamodb:GetItem",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"dynamodb:Attributes": ["pk"]}},
                }
            ),
        )
    with pytest.raises(UnsupportedPolicy):
        roles_of(
            "t.yaml",
            role_template(
                {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": {"Ref": "Table"}}
            ),
        )


def test_workers_reach_only_their_kinds_of_state_item() -> None:
    """The central roles, as `meshcore.aws.state` keys items: the catalog and the classifier
    never touch requests or the registry's writes; grant-worker never writes producers."""
    central = template_roles("central.yaml")
    sync, classifier, grant = (
        central[CENTRAL_ROLES[w]] for w in ("sync-worker", "classifier", "grant-worker")
    )
    assert sync.allows_item(item("BatchGetItem", "producer#1", "producer#2"))
    assert sync.allows_item(item("PutItem", "repair#reports"))
    assert classifier.allows_item(item("PutItem", "recommendation#ar__sales/orders"))
    assert grant.allows_item(item("Query", "consumer-requests#1"))
    assert grant.allows_item(item("PutItem", "request#req-1"))
    for worker in (sync, classifier):
        assert not worker.allows_item(item("GetItem", "request#req-1"))
        assert not worker.allows_item(item("PutItem", "request#req-1"))
        assert not worker.allows_item(item("Query", "requests#all"))
        assert not worker.allows_item(item("PutItem", "producer#1"))
        assert not worker.allows_item(item("PutItem", "domain#ar"))
        assert not worker.allows_item(item("PutItem", "decision#d"))
    assert not sync.allows_item(item("PutItem", "recommendation#ar__sales/orders"))
    assert not grant.allows_item(item("PutItem", "producer#1"))
    assert not grant.allows_item(item("PutItem", "recommendation#ar__sales/orders"))
    assert not grant.allows_item(item("Scan"))


def test_grant_worker_assumes_consumer_admin_roles_only_in_onboarded_consumer_accounts() -> None:
    body, problems = decode(str(INFRA / "central.yaml"))
    assert not problems and body is not None
    policies = body["Resources"]["GrantWorkerRole"]["Properties"]["Policies"]
    assumes = [
        s
        for p in policies
        for s in p["PolicyDocument"]["Statement"]
        if "sts:AssumeRole" in s["Action"]
    ]
    assert assumes, "grant-worker assumes consumers' admin roles"
    for statement in assumes:
        assert statement["Condition"] == {
            "StringEquals": {"aws:ResourceAccount": {"Ref": "ConsumerAccountIds"}}
        }, statement


def test_the_operator_role_is_checked_whoever_assumed_it() -> None:
    (use,) = role_uses(
        [
            calls(
                Principal(
                    "ASIA3",
                    "123456789012",
                    "arn:aws:iam::123456789012:role/meshcore-operator",
                    "meshctl",
                ),
                "kms:GenerateMac",
                "sqs:SendMessage",
            )
        ],
        WORKER_KEYS,
    )
    assert (use.worker, use.role.logical_id, use.ungranted) == (
        "operator",
        "OperatorRole",
        {"sqs:SendMessage"},
    )
