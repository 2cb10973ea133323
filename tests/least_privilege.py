"""Least privilege, checked: the IAM roles the templates in infra/ define, which actions their
policies allow, and which of those roles each worker called what as (from the emulator's log).

Templates are read with cfn-lint's decoder (the CloudFormation YAML tags become intrinsic
functions). Actions are matched as IAM matches them: case-insensitively, with `*` and `?`
wildcards. Conditions and resources are not evaluated: an action counts as allowed when some
Allow statement of the role names it and no Deny statement does.
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

INFRA = Path(__file__).parents[1] / "infra"


class UnsupportedPolicy(ValueError):
    """A policy construct this reader would have to guess at, so it refuses instead."""


@dataclass(frozen=True)
class TemplateRole:
    template: str  # file name in infra/
    logical_id: str
    name: str  # RoleName (parameter defaults resolved), "" when CloudFormation generates it
    allowed: frozenset[str]  # action patterns of Allow statements
    denied: frozenset[str] = frozenset()  # action patterns of Deny statements

    def allows(self, action: str) -> bool:
        return _matches(action, self.allowed) and not _matches(action, self.denied)

    def ungranted(self, actions: Iterable[str]) -> set[str]:
        """The actions of `actions` this role is not allowed to call."""
        return {a for a in actions if not self.allows(a)}


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
    roles = {}
    for logical_id, docs in documents.items():
        allowed: set[str] = set()
        denied: set[str] = set()
        for doc in docs:
            for statement in _statements(doc):
                if "NotAction" in statement:
                    raise UnsupportedPolicy(f"{template} {logical_id}: NotAction is not read")
                actions = _strings(statement["Action"], f"{template} {logical_id}")
                (allowed if statement["Effect"] == "Allow" else denied).update(actions)
        name = _resolve(resources[logical_id].get("Properties", {}).get("RoleName"), parameters)
        roles[logical_id] = TemplateRole(
            template, logical_id, name, frozenset(allowed), frozenset(denied)
        )
    return roles


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
    # `meshctl audit anchor --every`: the only role that signs and writes audit anchors.
    "audit-anchor": "AuditAnchorRole",
}


@dataclass(frozen=True)
class RoleUse:
    """What one kind of worker called as one role."""

    worker: str
    role: TemplateRole
    actions: frozenset[str]

    @property
    def ungranted(self) -> set[str]:
        return self.role.ungranted(self.actions)

    def describe(self) -> str:
        return f"{self.worker} as {self.role.template} {self.role.logical_id}"


def role_uses(calls: Iterable[PrincipalCalls], worker_keys: dict[str, str]) -> list[RoleUse]:
    """Attribute the emulator's calls to (worker, template role).

    `worker_keys` maps the access key id each worker process signs with (its central role's
    credentials) to its kind; roles it assumes in member accounts are told by the session name
    meshcore gives them (`meshcore-<worker>`). Calls of anyone else are left out.
    """
    sessions = {f"meshcore-{kind}": kind for kind in worker_keys.values()}
    found: dict[tuple[str, str, str], set[str]] = {}
    roles: dict[tuple[str, str, str], TemplateRole] = {}
    for seen in calls:
        principal = seen.principal
        if principal.access_key_id in worker_keys:
            worker = worker_keys[principal.access_key_id]
            role = template_roles("central.yaml")[CENTRAL_ROLES[worker]]
        elif principal.role_arn and principal.session_name in sessions:
            worker = sessions[principal.session_name]
            role = role_named(principal.role_name)
        else:
            continue
        key = (worker, role.template, role.logical_id)
        roles[key] = role
        found.setdefault(key, set()).update(seen.actions)
    return [RoleUse(k[0], roles[k], frozenset(a)) for k, a in sorted(found.items())]
