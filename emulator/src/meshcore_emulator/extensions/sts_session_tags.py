"""STS AssumeRole keeps the session tags it was given.

Session tags passed to AssumeRole (``Tags``) become principal tags of the session
(IAM User Guide, "Passing session tags in AWS STS":
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html). Lake Formation reads
the tag ``LakeFormationAuthorizedCaller`` to trust a query engine. moto drops them.
"""

from __future__ import annotations

import re
from typing import Any

from moto.sts.models import STSBackend

from ..caller import current_call
from ._patching import wrap_method

_TAG_PARAM = re.compile(r"^Tags\.member\.(\d+)\.(Key|Value)$")


def install() -> None:
    wrap_method(STSBackend, "assume_role", _assume_role)


def _assume_role(original: Any, sts: STSBackend, *args: Any, **kwargs: Any) -> Any:
    role = original(sts, *args, **kwargs)
    call = current_call()
    if call is not None and call.operation == "AssumeRole":
        members: dict[str, dict[str, str]] = {}
        for name, value in call.params.items():
            match = _TAG_PARAM.match(name)
            if match:
                members.setdefault(match.group(1), {})[match.group(2)] = value
        role.meshcore_session_tags = {
            m["Key"]: m.get("Value", "") for m in members.values() if "Key" in m
        }
    return role
