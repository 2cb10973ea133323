"""Lake Formation RegisterResource keeps what the registration says, and checks it.

A registration names an S3 bucket or prefix (never an object), and either the service-linked
role (``UseServiceLinkedRole``) or ``RoleArn``; ``HybridAccessEnabled`` lets principals outside
Lake Formation's opt-in keep their IAM access. ListResources and DescribeResource answer with
it. https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_RegisterResource.html
https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_ResourceInfo.html
https://docs.aws.amazon.com/lake-formation/latest/dg/hybrid-access-mode.html
moto keeps only the ARN and role.
"""

from __future__ import annotations

import re
from typing import Any

from moto.lakeformation.exceptions import InvalidInput
from moto.lakeformation.models import LakeFormationBackend, Resource
from moto.lakeformation.responses import LakeFormationResponse

from ._patching import wrap_method

_S3_LOCATION = re.compile(r"^arn:aws[\w-]*:s3:::[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?$")
SERVICE_LINKED_ROLE = "AWSServiceRoleForLakeFormationDataAccess"
_FLAGS = ("HybridAccessEnabled", "WithFederation", "WithPrivilegedAccess")


def install() -> None:
    wrap_method(LakeFormationResponse, "register_resource", _register_response)
    wrap_method(Resource, "to_dict", _to_dict)


def _register_response(_original: Any, response: LakeFormationResponse) -> str:
    arn = response._get_param("ResourceArn") or ""
    role = response._get_param("RoleArn")
    if not _S3_LOCATION.match(arn):
        raise InvalidInput(f"{arn} is not an Amazon S3 bucket or prefix ARN.")
    if response._get_param("UseServiceLinkedRole"):
        account = response.current_account
        role = f"arn:aws:iam::{account}:role/aws-service-role/lakeformation.amazonaws.com/{SERVICE_LINKED_ROLE}"
    elif not role:
        raise InvalidInput("RoleArn is required unless UseServiceLinkedRole is true.")
    backend: LakeFormationBackend = response.lakeformation_backend
    backend.register_resource(resource_arn=arn, role_arn=role)
    resource = backend.resources[arn]
    vars(resource)["meshcore_flags"] = {f: bool(response._get_param(f)) for f in _FLAGS}
    return "{}"


def _to_dict(original: Any, resource: Resource) -> dict[str, Any]:
    described: dict[str, Any] = original(resource)
    described.update(getattr(resource, "meshcore_flags", {flag: False for flag in _FLAGS}))
    return described
