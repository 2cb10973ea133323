"""KMS authorises every use of a key by its key policy.

AWS KMS Developer Guide, "Key policies in AWS KMS": "Every KMS key must have exactly one key
policy ... Unless the key policy explicitly allows it, you cannot use IAM policies to allow
access to a KMS key." (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
A statement naming the account (``arn:aws:iam::ACCOUNT:root`` or the bare account id) lets the
account's IAM policies decide ("Allows access to the AWS account and enables IAM policies",
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html); a statement
naming a role applies to that role's sessions. Anyone else gets AccessDeniedException. moto
checks no key policy.

What this reproduces, for the operations that name a key (cryptographic operations, the
public key, the key's description and policy):
- an explicit Deny for the caller and action refuses, even with a Condition (the stricter
  reading: conditions are not evaluated);
- an Allow counts only without a Condition, NotAction or NotPrincipal (again the stricter
  reading);
- an Allow for the key's own account lets the caller through: IAM policies are not evaluated
  here, the least-privilege check holds every caller's actions against its role's policies.
Calls the emulator makes itself (no caller) are not checked. Belongs upstream in moto.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.kms.models import KmsBackend

from ..caller import current_call, current_principal
from ..principals import Principal
from ._patching import wrap_method

# moto method -> the KMS operation whose call it answers (moto calls some of them itself).
_GUARDED = {
    "generate_mac": "GenerateMac",
    "verify_mac": "VerifyMac",
    "sign": "Sign",
    "verify": "Verify",
    "encrypt": "Encrypt",
    "get_public_key": "GetPublicKey",
    "describe_key": "DescribeKey",
    "get_key_policy": "GetKeyPolicy",
    "put_key_policy": "PutKeyPolicy",
}


class AccessDenied(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("AccessDeniedException", message)


def install() -> None:
    for method, operation in _GUARDED.items():
        wrap_method(KmsBackend, method, _guard(operation))


def _guard(operation: str) -> Any:
    def guarded(original: Any, kms: KmsBackend, *args: Any, **kwargs: Any) -> Any:
        call, principal = current_call(), current_principal()
        if call is not None and principal is not None and call.operation == operation:
            key_id = kwargs.get("key_id", args[0] if args else None)
            _authorise(kms, str(key_id), principal, f"kms:{operation}")
        return original(kms, *args, **kwargs)

    guarded.__qualname__ = f"guarded_{operation}"
    return guarded


def _authorise(kms: KmsBackend, key_id: str, principal: Principal, action: str) -> None:
    try:
        key = kms.keys[kms.any_id_to_key_id(key_id)]
    except Exception:
        return  # moto answers NotFoundException itself
    if not allows(json.loads(key.policy), principal, action):
        who = (
            f"arn:aws:sts::{principal.account}:assumed-role/{principal.role_name}/"
            f"{principal.session_name}"
            if principal.role_arn
            else f"arn:aws:iam::{principal.account}:root"
        )
        raise AccessDenied(
            f"User: {who} is not authorized to perform: {action} on resource: {key.arn} "
            f"because no resource-based policy allows the {action} action"
        )


def allows(policy: dict[str, Any], principal: Principal, action: str) -> bool:
    statements = policy.get("Statement", [])
    allowed = False
    for statement in statements if isinstance(statements, list) else [statements]:
        deny = statement.get("Effect") == "Deny"
        if deny and _may_apply(statement, principal, action):
            return False
        if not deny and _surely_applies(statement, principal, action):
            allowed = True
    return allowed


def _surely_applies(statement: dict[str, Any], who: Principal, action: str) -> bool:
    if {"Condition", "NotAction", "NotPrincipal"} & statement.keys():
        return False
    return _action_in(statement.get("Action"), action) and _names(statement.get("Principal"), who)


def _may_apply(statement: dict[str, Any], who: Principal, action: str) -> bool:
    if "NotAction" in statement or "NotPrincipal" in statement:
        return True
    return _action_in(statement.get("Action"), action) and _names(statement.get("Principal"), who)


def _action_in(patterns: Any, action: str) -> bool:
    listed = [patterns] if isinstance(patterns, str) else list(patterns or [])
    return any(fnmatchcase(action.lower(), p.lower()) for p in listed)


def _names(principal: Any, who: Principal) -> bool:
    if principal == "*":
        return True
    aws = principal.get("AWS", []) if isinstance(principal, dict) else []
    for name in [aws] if isinstance(aws, str) else aws:
        if name == "*":
            return True
        if name in (who.account, f"arn:aws:iam::{who.account}:root"):
            return True  # the account: its IAM policies decide (not evaluated here)
        if who.role_arn and name in (
            who.role_arn,
            f"arn:aws:iam::{who.account}:role/{who.role_name}",
            f"arn:aws:sts::{who.account}:assumed-role/{who.role_name}/{who.session_name}",
        ):
            return True
    return False
