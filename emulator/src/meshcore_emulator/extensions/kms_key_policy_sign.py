"""KMS `Sign` is allowed only to principals the key's policy allows.

AWS KMS Developer Guide, Key policies in AWS KMS
(https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html): "No AWS principal,
including the account root user or key creator, has any permissions to a KMS key unless they are
explicitly allowed, and never denied, in a key policy, IAM policy, or grant. Unless the key
policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key." moto
evaluates key policies for almost nothing (only `DescribeKey` under a `"*"` principal), so any
caller may sign with any key. Here `Sign` is refused with `AccessDeniedException` unless an
Allow statement of the key policy names the action (`kms:Sign`, wildcards as IAM matches them)
and the caller, and no Deny statement does. A statement's principal matches:

- `"*"`: anyone;
- an account (`123456789012` or `arn:aws:iam::123456789012:root`): the principals of that
  account. This is the statement that enables IAM policies; AWS then also requires an IAM policy
  allowing the call, which the embedded AWS does not evaluate (the least-privilege check of the
  end-to-end tests compares what workers call with their roles' policies instead);
- a role ARN: sessions of that role.

Stricter where the documentation leaves cases open here: an Allow statement with a `Condition`
or a `NotPrincipal`/`NotAction` allows nothing (conditions are not evaluated), while a Deny
statement denies whatever its conditions; grants are not modelled (a grant allows nothing).
Calls the emulator makes itself (no signed request) are not checked. Only `Sign` is enforced,
the operation meshcore keeps to one role; belongs upstream in moto.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.kms.models import KmsBackend

from ..caller import current_principal
from ..principals import Principal
from ._patching import wrap_method

ACTION = "kms:Sign"


class AccessDeniedException(JsonRESTError):
    """moto's own drops the message; AWS names the caller, the action and the key."""

    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("AccessDeniedException", message)


def install() -> None:
    wrap_method(KmsBackend, "sign", _sign)


def _sign(original: Any, kms: KmsBackend, key_id: str, *args: Any, **kwargs: Any) -> Any:
    principal = current_principal()
    if principal is not None:
        key = kms.describe_key(key_id)
        if not allowed(key.policy, principal, ACTION):
            raise AccessDeniedException(
                f"User: {caller_arn(principal)} is not authorized to perform: {ACTION} on "
                f"resource: {key.arn} because no resource-based policy allows the {ACTION} action"
            )
    return original(kms, key_id, *args, **kwargs)


def caller_arn(principal: Principal) -> str:
    if principal.role_arn:
        return (
            f"arn:aws:sts::{principal.account}:assumed-role/{principal.role_name}/"
            f"{principal.session_name}"
        )
    return f"arn:aws:iam::{principal.account}:root"


def allowed(policy: str | dict[str, Any], principal: Principal, action: str) -> bool:
    """Whether the key policy `policy` lets `principal` call `action` (see the module)."""
    try:
        document = json.loads(policy) if isinstance(policy, str) else policy
        statements = document["Statement"]
    except (ValueError, TypeError, KeyError):
        return False
    if isinstance(statements, dict):
        statements = [statements]
    allow = False
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        effect = statement.get("Effect")
        if effect == "Deny":
            if _names(statement.get("Action"), action) and _principal(statement, principal):
                return False
        elif effect == "Allow" and not (
            {"Condition", "NotPrincipal", "NotAction"} & statement.keys()
        ):
            allow = allow or (
                _names(statement.get("Action"), action) and _principal(statement, principal)
            )
    return allow


def _names(actions: Any, action: str) -> bool:
    values = [actions] if isinstance(actions, str) else actions or []
    return any(isinstance(a, str) and fnmatchcase(action.lower(), a.lower()) for a in values)


def _principal(statement: dict[str, Any], principal: Principal) -> bool:
    named = statement.get("Principal")
    if named == "*":
        return True
    if not isinstance(named, dict):
        return False
    values = named.get("AWS", [])
    for value in [values] if isinstance(values, str) else values:
        if value == "*":
            return True
        if value in (principal.account, f"arn:aws:iam::{principal.account}:root"):
            return True
        if principal.role_arn and value == principal.role_arn:
            return True
    return False
