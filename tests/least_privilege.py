"""Least privilege, checked: the IAM roles the templates in infra/ define, which actions their
policies allow, and which of those roles each worker called what as (from the emulator's log).

Templates are read with cfn-lint's decoder (the CloudFormation YAML tags become intrinsic
functions). Actions are matched as IAM matches them: case-insensitively, with `*` and `?`
wildcards. An action counts as allowed when some Allow statement of the role names it and no
Deny statement does; resources and conditions are not evaluated for that.

DynamoDB items are checked further: each item a worker reached (the emulator records the table
and partition key values per action) must be allowed by a statement naming the action, the
table (`!GetAtt <Table>.Arn`, a table ARN, or `*`) and, where the statement has one, the
condition on `dynamodb:LeadingKeys` (`ForAllValues:StringLike` or `ForAllValues:StringEquals`,
evaluated as IAM does: every partition key value must match a pattern) and on
`dynamodb:EnclosingOperation` (`StringEquals`: the item was reached inside that call, e.g. a
TransactWriteItems). Any other condition on a DynamoDB statement is refused rather than guessed
at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

from cfnlint.decode import decode

from meshcore_emulator.calllog import PrincipalCalls
from meshcore_emulator.dynamodb_keys import ItemAccess

INFRA = Path(__file__).parents[1] / "infra"


class UnsupportedPolicy(ValueError):
    """A policy construct this reader would have to guess at, so it refuses instead."""


@dataclass(frozen=True)
class TableStatement:
    """A statement naming DynamoDB actions: on which tables, for which partition keys."""

    allow: bool
    actions: frozenset[str]
    tables: frozenset[str]  # table name patterns ("*": any)
    leading_keys: tuple[str, tuple[str, ...]] | None = None  # (operator, values), None: any
    enclosing: tuple[str, ...] | None = None  # operations the item must be reached in, None: any

    def covers(self, item: ItemAccess) -> bool:
        if not _matches(item.action, self.actions):
            return False
        if not any(fnmatchcase(item.table, t) for t in self.tables):
            return False
        if self.enclosing is not None and item.enclosing not in self.enclosing:
            return False
        if self.leading_keys is None:
            return True
        operator, values = self.leading_keys
        if operator == "ForAllValues:StringEquals":
            return all(k in values for k in item.leading_keys)
        return all(any(fnmatchcase(k, v) for v in values) for k in item.leading_keys)


@dataclass(frozen=True)
class TemplateRole:
    template: str  # file name in infra/
    logical_id: str
    name: str  # RoleName (parameter defaults resolved), "" when CloudFormation generates it
    allowed: frozenset[str]  # action patterns of Allow statements
    denied: frozenset[str] = frozenset()  # action patterns of Deny statements
    tables: tuple[TableStatement, ...] = ()  # the statements naming DynamoDB actions

    def allows(self, action: str) -> bool:
        return _matches(action, self.allowed) and not _matches(action, self.denied)

    def allows_item(self, item: ItemAccess) -> bool:
        return any(s.allow and s.covers(item) for s in self.tables) and not any(
            not s.allow and s.covers(item) for s in self.tables
        )

    def ungranted(self, actions: Iterable[str], items: Iterable[ItemAccess] = ()) -> set[str]:
        """The actions of `actions` this role is not allowed to call, and the DynamoDB items of
        `items` it may not reach (`dynamodb:PutItem meshcore-state request#…`)."""
        refused = {a for a in actions if not self.allows(a)}
        for item in items:
            if self.allows(item.action) and not self.allows_item(item):
                keys = ", ".join(sorted(item.leading_keys)) or "no key"
                refused.add(f"{item.action} {item.table} {keys}")
        return refused


def _matches(action: str, patterns: Iterable[str]) -> bool:
    return any(fnmatchcase(action.lower(), p.lower()) for p in patterns)


@cache
def template_roles(template: str) -> dict[str, TemplateRole]:
    """The roles of infra/`template` by logical id."""
    body, problems = decode(str(INFRA / template))
    if problems or body is None:
        raise ValueError(f"cannot read {template}: {problems}")
    return roles_of(template, body)


def roles_of(template: str, body: dict[str, Any]) -> dict[str, TemplateRole]:
    resources: dict[str, Any] = body.get("Resources", {})
    parameters: dict[str, Any] = body.get("Parameters", {})
    documents: dict[str, list[Any]] = {}
    for logical_id, resource in resources.items():
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::IAM::Role":
            if props.get("ManagedPolicyArns"):
                raise UnsupportedPolicy(f"{template} {logical_id}: managed policies are not read")
            documents.setdefault(logical_id, []).extend(
                p["PolicyDocument"] for p in props.get("Policies", [])
            )
        elif resource.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for ref in props.get("Roles", []):
                if not (isinstance(ref, dict) and set(ref) == {"Ref"}):
                    raise UnsupportedPolicy(f"{template} {logical_id}: roles must be !Ref")
                documents.setdefault(ref["Ref"], []).append(props["PolicyDocument"])
    table_names = {
        logical_id: _resolve(r.get("Properties", {}).get("TableName"), parameters)
        for logical_id, r in resources.items()
        if r.get("Type") == "AWS::DynamoDB::Table"
    }
    roles = {}
    for logical_id, docs in documents.items():
        allowed: set[str] = set()
        denied: set[str] = set()
        tables: list[TableStatement] = []
        for doc in docs:
            for statement in _statements(doc):
                if "NotAction" in statement:
                    raise UnsupportedPolicy(f"{template} {logical_id}: NotAction is not read")
                where = f"{template} {logical_id}"
                actions = _strings(statement["Action"], where)
                (allowed if statement["Effect"] == "Allow" else denied).update(actions)
                if any(a.lower().startswith("dynamodb:") or a == "*" for a in actions):
                    tables.append(_table_statement(statement, actions, table_names, where))
        name = _resolve(resources[logical_id].get("Properties", {}).get("RoleName"), parameters)
        roles[logical_id] = TemplateRole(
            template, logical_id, name, frozenset(allowed), frozenset(denied), tuple(tables)
        )
    return roles


LEADING_KEYS_OPERATORS = ("ForAllValues:StringLike", "ForAllValues:StringEquals")


def _table_statement(
    statement: dict[str, Any], actions: list[str], table_names: dict[str, str], where: str
) -> TableStatement:
    """A statement with DynamoDB actions, its resources read as table names."""
    resources = statement.get("Resource", [])
    tables: set[str] = set()
    for resource in [resources] if not isinstance(resources, list) else resources:
        if resource == "*":
            tables.add("*")
        elif isinstance(resource, str) and ":table/" in resource:
            tables.add(resource.split(":table/", 1)[1])
        elif (
            isinstance(resource, dict)
            and set(resource) == {"Fn::GetAtt"}
            and resource["Fn::GetAtt"][0] in table_names
            and resource["Fn::GetAtt"][1] == "Arn"
        ):
            tables.add(table_names[resource["Fn::GetAtt"][0]])
        else:
            raise UnsupportedPolicy(f"{where}: DynamoDB resource {resource!r} is not read")
    leading: tuple[str, tuple[str, ...]] | None = None
    enclosing: tuple[str, ...] | None = None
    for operator, keys in (statement.get("Condition") or {}).items():
        if operator == "StringEquals" and set(keys) == {"dynamodb:EnclosingOperation"}:
            enclosing = tuple(_strings(keys["dynamodb:EnclosingOperation"], where))
        elif operator in LEADING_KEYS_OPERATORS and set(keys) == {"dynamodb:LeadingKeys"}:
            leading = (operator, tuple(_strings(keys["dynamodb:LeadingKeys"], where)))
        else:
            raise UnsupportedPolicy(f"{where}: condition {operator} {keys!r} is not read")
    return TableStatement(
        statement["Effect"] == "Allow", frozenset(actions), frozenset(tables), leading, enclosing
    )


def _statements(document: Any) -> list[dict[str, Any]]:
    statements = document["Statement"]
    return [statements] if isinstance(statements, dict) else list(statements)


def _strings(value: Any, where: str) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise UnsupportedPolicy(f"{where}: actions must be literal strings, not {value!r}")
    return [str(v) for v in values]


def _resolve(value: Any, parameters: dict[str, Any]) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
        return str(parameters[value["Ref"]]["Default"])
    raise UnsupportedPolicy(f"role name {value!r}: only literals and !Ref of a parameter are read")


def role_named(
    name: str, templates: Iterable[str] = ("producer.yaml", "consumer.yaml")
) -> TemplateRole:
    """The role the member-account templates create under `name` (defaults of parameters)."""
    found = [r for t in templates for r in template_roles(t).values() if r.name == name]
    if len(found) != 1:
        raise LookupError(f"{len(found)} roles named {name} in {', '.join(templates)}")
    return found[0]


# The role each worker runs as in the central account.
CENTRAL_ROLES = {
    "sync-worker": "SyncWorkerRole",
    "classifier": "ClassifierRole",
    "grant-worker": "GrantWorkerRole",
    "notifier": "NotifierRole",
    # The ticket bridge plays the ticket system: it runs as the decision key's only signer.
    "ticket-bridge": "TicketSystemRole",
    # `meshctl audit anchor --every`: the only role that signs and writes audit anchors.
    "audit-anchor": "AuditAnchorRole",
}
# Central roles people's tools assume (by role name), and who is said to use them: `meshctl
# revoke` signs as the operator role.
ASSUMED_CENTRAL_ROLES = {"meshcore-operator": ("operator", "OperatorRole")}


@dataclass(frozen=True)
class RoleUse:
    """What one kind of worker called as one role."""

    worker: str
    role: TemplateRole
    actions: frozenset[str]
    items: frozenset[ItemAccess] = frozenset()  # the DynamoDB items it reached

    @property
    def ungranted(self) -> set[str]:
        return self.role.ungranted(self.actions, self.items)

    def describe(self) -> str:
        return f"{self.worker} as {self.role.template} {self.role.logical_id}"


def role_uses(calls: Iterable[PrincipalCalls], worker_keys: dict[str, str]) -> list[RoleUse]:
    """Attribute the emulator's calls to (worker, template role).

    `worker_keys` maps the access key id each worker process signs with (its central role's
    credentials) to its kind; roles it assumes in member accounts are told by the session name
    meshcore gives them (`meshcore-<worker>`); the central roles of `ASSUMED_CENTRAL_ROLES`, by
    their name, whoever assumed them. Calls of anyone else are left out.
    """
    sessions = {f"meshcore-{kind}": kind for kind in worker_keys.values()}
    found: dict[tuple[str, str, str], set[str]] = {}
    items: dict[tuple[str, str, str], set[ItemAccess]] = {}
    roles: dict[tuple[str, str, str], TemplateRole] = {}
    for seen in calls:
        principal = seen.principal
        if principal.access_key_id in worker_keys:
            worker = worker_keys[principal.access_key_id]
            role = template_roles("central.yaml")[CENTRAL_ROLES[worker]]
        elif principal.role_arn and principal.session_name in sessions:
            worker = sessions[principal.session_name]
            role = role_named(principal.role_name)
        elif principal.role_arn and principal.role_name in ASSUMED_CENTRAL_ROLES:
            worker, logical_id = ASSUMED_CENTRAL_ROLES[principal.role_name]
            role = template_roles("central.yaml")[logical_id]
        else:
            continue
        key = (worker, role.template, role.logical_id)
        roles[key] = role
        found.setdefault(key, set()).update(seen.actions)
        items.setdefault(key, set()).update(seen.items)
    return [
        RoleUse(k[0], roles[k], frozenset(a), frozenset(items[k])) for k, a in sorted(found.items())
    ]
