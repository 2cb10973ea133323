"""Lake Formation Add/RemoveLFTagsFromResource on resources that exist, tags that are attached.

AWS answers EntityNotFoundException for a database or table that is not in the Data Catalog
(Lake Formation API reference, AddLFTagsToResource and RemoveLFTagsFromResource, Errors:
https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_AddLFTagsToResource.html,
https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_RemoveLFTagsFromResource.html).
moto tags a table that does not exist, and fails (500, ``list.remove``) when asked to remove a
tag the resource does not carry, for instance from a table dropped a moment before.

The reference does not say what removing a tag the resource does not carry returns; this takes
the stricter reading and reports it in the response's ``Failures`` (an ``LFTagError`` per tag)
instead of succeeding silently, so a caller that raced another writer learns it.
"""

from __future__ import annotations

import json
from typing import Any

from moto.glue.models import glue_backends
from moto.lakeformation.exceptions import EntityNotFound
from moto.lakeformation.models import LakeFormationBackend
from moto.lakeformation.responses import LakeFormationResponse

from ..lakeformation import LFTags, Resource
from ._patching import wrap_method

NOT_ATTACHED = "The LF-tag is not attached to the resource."


def install() -> None:
    wrap_method(LakeFormationBackend, "add_lf_tags_to_resource", _add)
    wrap_method(LakeFormationBackend, "remove_lf_tags_from_resource", _remove)
    wrap_method(LakeFormationResponse, "remove_lf_tags_from_resource", _remove_response)


def _require_exists(backend: LakeFormationBackend, resource: Resource) -> None:
    for kind in ("Database", "Table", "TableWithColumns"):
        spec = resource.get(kind)
        if spec is None:
            continue
        owner = spec.get("CatalogId", backend.account_id)
        databases = glue_backends[owner][backend.region_name].databases
        database = databases.get(spec["Name"] if kind == "Database" else spec["DatabaseName"])
        if database is None or (kind != "Database" and spec["Name"] not in database.tables):
            raise EntityNotFound


def _attached(backend: LakeFormationBackend, resource: Resource) -> list[list[Any]]:
    """The tag lists the resource's parts carry (one per column for TableWithColumns)."""
    if "Database" in resource:
        spec = resource["Database"]
        database = (spec.get("CatalogId", backend.account_id), spec["Name"])
        return [backend.lf_database_tags.get(database, [])]
    if "Table" in resource:
        spec = resource["Table"]
        table = (spec.get("CatalogId", backend.account_id), spec["DatabaseName"], spec["Name"])
        return [backend.lf_table_tags.get(table, [])]
    spec = resource["TableWithColumns"]
    owner = spec.get("CatalogId", backend.account_id)
    return [
        backend.lf_columns_tags.get((owner, spec["DatabaseName"], spec["Name"], column), [])
        for column in spec["ColumnNames"]
    ]


def _add(
    original: Any, backend: LakeFormationBackend, catalog_id: str, resource: Resource, tags: LFTags
) -> Any:
    _require_exists(backend, resource)
    return original(backend, catalog_id, resource, tags)


def _remove(
    original: Any, backend: LakeFormationBackend, catalog_id: str, resource: Resource, tags: LFTags
) -> list[dict[str, Any]]:
    _require_exists(backend, resource)
    for tag in tags:
        tag.setdefault("CatalogId", catalog_id)
    parts = _attached(backend, resource)
    attached = [t for t in tags if all(t in part for part in parts)]
    failures = [
        {
            "LFTag": t,
            "Error": {"ErrorCode": "EntityNotFoundException", "ErrorMessage": NOT_ATTACHED},
        }
        for t in tags
        if t not in attached
    ]
    if attached:
        original(backend, catalog_id, resource, attached)
    return failures


def _remove_response(original: Any, response: LakeFormationResponse) -> str:
    catalog_id = response._get_param("CatalogId") or response.current_account
    # The backend's method is the wrapper above, which returns the failures.
    remove: Any = response.lakeformation_backend.remove_lf_tags_from_resource
    failures = remove(catalog_id, response._get_param("Resource"), response._get_param("LFTags"))
    return json.dumps({"Failures": failures or []})
