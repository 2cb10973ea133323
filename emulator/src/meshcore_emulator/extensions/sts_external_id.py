"""AssumeRole honours a trust policy that requires an external id.

IAM User Guide, "Access to AWS accounts owned by third parties": the role's trust policy carries
``"Condition": {"StringEquals": {"sts:ExternalId": "..."}}`` and AssumeRole succeeds only when
the caller passes that ``ExternalId``
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html);
otherwise STS answers AccessDenied ("... is not authorized to perform: sts:AssumeRole on
resource ..."). moto lets anyone assume anything (a role need not even exist, which the local
stack relies on for the roles its templates declare).

Reproduced for roles moto holds whose trust policy names ``sts:ExternalId``: an Allow statement
lets the caller in only when it has no condition, or its only condition is StringEquals on
``sts:ExternalId`` with the id passed (the stricter reading of any other condition: it does not
hold). Principals in the trust policy are not evaluated. Belongs upstream in moto.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from moto.iam.models import iam_backends
from moto.sts.exceptions import STSClientError
from moto.sts.models import STSBackend

from ..caller import current_principal
from ._patching import wrap_method

EXTERNAL_ID = "sts:ExternalId"


class AccessDenied(STSClientError):
    def __init__(self, message: str) -> None:
        super().__init__("AccessDenied", message)


def install() -> None:
    wrap_method(STSBackend, "assume_role", _assume_role)


def _assume_role(original: Any, sts: STSBackend, *args: Any, **kwargs: Any) -> Any:
    role_arn = kwargs.get("role_arn", "")
    trust = _trust_policy(role_arn)
    if _requires_external_id(trust) and not any(
        _lets_in(s, kwargs.get("external_id")) for s in _statements(trust or {})
    ):
        caller = current_principal()
        who = (caller.role_arn or f"arn:aws:iam::{caller.account}:root") if caller else "caller"
        raise AccessDenied(
            f"User: {who} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        )
    return original(sts, *args, **kwargs)


def _requires_external_id(trust: dict[str, Any] | None) -> bool:
    return trust is not None and EXTERNAL_ID in json.dumps(trust)


def _trust_policy(role_arn: str) -> dict[str, Any] | None:
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    for iam in list(iam_backends.get(account, {}).values()):
        for role in list(iam.roles.values()):
            if role.arn == role_arn:
                document = role.assume_role_policy_document
                parsed = json.loads(unquote(document)) if isinstance(document, str) else document
                return parsed if isinstance(parsed, dict) else None
    return None


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _lets_in(statement: dict[str, Any], external_id: str | None) -> bool:
    if statement.get("Effect") != "Allow":
        return False
    condition = statement.get("Condition")
    if not condition:
        return True
    if set(condition) != {"StringEquals"} or set(condition["StringEquals"]) != {EXTERNAL_ID}:
        return False
    wanted = condition["StringEquals"][EXTERNAL_ID]
    return external_id is not None and external_id in (
        [wanted] if isinstance(wanted, str) else wanted
    )
