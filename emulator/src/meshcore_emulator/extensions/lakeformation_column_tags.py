"""Lake Formation AddLFTagsToResource on several columns tags each column on its own.

AWS assigns the LF-tags to each column named in a ``TableWithColumns`` resource; removing a tag
from one of them later (RemoveLFTagsFromResource) leaves the others as they are (Lake Formation
API reference, AddLFTagsToResource and RemoveLFTagsFromResource:
https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_AddLFTagsToResource.html,
https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_RemoveLFTagsFromResource.html).
moto 5.2.5 stores the one list of tags it was given under every column named and removes a tag
from a column's list in place, so removing it from one column removed it from all the columns
tagged in the same call. Each column gets a list of its own here; the fix belongs upstream in
moto (``LakeFormationBackend.add_lf_tags_to_resource``).
"""

from __future__ import annotations

from typing import Any

from moto.lakeformation.models import LakeFormationBackend

from ..lakeformation import LFTags, Resource
from ._patching import wrap_method


def install() -> None:
    wrap_method(LakeFormationBackend, "add_lf_tags_to_resource", _add_lf_tags_to_resource)


def _add_lf_tags_to_resource(
    original: Any, backend: LakeFormationBackend, catalog_id: str, resource: Resource, tags: LFTags
) -> Any:
    failures = original(backend, catalog_id, resource, tags)
    spec = resource.get("TableWithColumns")
    if spec and not failures:
        owner = spec.get("CatalogId", backend.account_id)
        for column in spec.get("ColumnNames") or []:
            key = (owner, spec["DatabaseName"], spec["Name"], column)
            if key in backend.lf_columns_tags:
                backend.lf_columns_tags[key] = [dict(t) for t in backend.lf_columns_tags[key]]
    return failures
