"""SQS records who sent each message: ReceiveMessage's ``SenderId`` system attribute.

Amazon SQS API Reference, ReceiveMessage, MessageSystemAttributeNames: "SenderId - For a user,
returns the user ID, for example ABCDEFGHI1JKLMNOPQ23R. For an IAM role, returns the IAM role
ID, for example ABCDE1F2GH3I4JK5LMNOP:i-a123b456."
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html).
moto gives every message one fixed sender. Here a role session's messages carry
``<role id>:<session name>``, a user's their user id, and a caller with no IAM identity (the
account's own credentials) the account id. Messages the emulator sends itself (EventBridge
targets) keep moto's sender. Belongs upstream in moto.
"""

from __future__ import annotations

import hashlib
from typing import Any

from moto.iam.models import iam_backends
from moto.sqs.models import SQSBackend

from ..caller import current_principal
from ..principals import Principal
from ._patching import wrap_method


def install() -> None:
    wrap_method(SQSBackend, "send_message", _send_message)


def _send_message(original: Any, sqs: SQSBackend, *args: Any, **kwargs: Any) -> Any:
    message = original(sqs, *args, **kwargs)
    principal = current_principal()
    if principal is not None:
        message.sender_id = sender_id(principal)
    return message


def sender_id(principal: Principal) -> str:
    if principal.role_arn:
        return f"{role_id(principal)}:{principal.session_name}"
    for iam in list(iam_backends.get(principal.account, {}).values()):
        key = iam.access_keys.get(principal.access_key_id)
        user = getattr(key, "user_name", None) if key is not None else None
        if user and user in iam.users:
            return str(iam.users[user].id)
    return principal.account


def role_id(principal: Principal) -> str:
    for iam in list(iam_backends.get(principal.account, {}).values()):
        role = next((r for r in list(iam.roles.values()) if r.arn == principal.role_arn), None)
        if role is not None:
            return str(role.id)
    # moto lets a role it does not hold be assumed (the local stack assumes the roles its
    # templates declare); such a role gets an id of AWS's shape that stays the same.
    digest = hashlib.sha256(principal.role_arn.encode()).hexdigest().upper()
    return f"AROA{digest[:17]}"
