"""Lake Formation GetResourceLFTags on a table answers for the table and its columns.

AWS returns, for a ``Table`` resource, the LF-tags on the table (``LFTagsOnTable``) and on each
of its columns (``LFTagsOnColumns``), and empty lists for an untagged resource
(Lake Formation API reference, GetResourceLFTags:
https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GetResourceLFTags.html).
moto answers a Table resource without its columns and fails (500) on a table or database that
was never tagged. A table that does not exist in the Glue catalog is EntityNotFoundException in
AWS; moto answers it as if it existed.
"""

from __future__ import annotations

from typing import Any

from moto.glue.models import glue_backends
from moto.lakeformation.exceptions import EntityNotFound
from moto.lakeformation.models import LakeFormationBackend

from ._patching import wrap_method


def install() -> None:
    wrap_method(LakeFormationBackend, "get_resource_lf_tags", _get_resource_lf_tags)


def _get_resource_lf_tags(
    original: Any, backend: LakeFormationBackend, catalog_id: str, resource: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    database_tags: list[dict[str, Any]] = []
    table_tags: list[dict[str, Any]] = []
    column_tags: list[dict[str, Any]] = []
    if "Database" in resource:
        key = (
            resource["Database"].get("CatalogId", backend.account_id),
            resource["Database"]["Name"],
        )
        database_tags = list(backend.lf_database_tags.get(key, []))
    if "Table" in resource:
        table = resource["Table"]
        owner = table.get("CatalogId", backend.account_id)
        tables = glue_backends[owner][backend.region_name].databases.get(table["DatabaseName"])
        if tables is None or table["Name"] not in tables.tables:
            raise EntityNotFound
        table_tags = list(
            backend.lf_table_tags.get((owner, table["DatabaseName"], table["Name"]), [])
        )
        column_tags = [
            {"Name": column, "LFTags": tags}
            for (cat, db, name, column), tags in backend.lf_columns_tags.items()
            if (cat, db, name) == (owner, table["DatabaseName"], table["Name"]) and tags
        ]
    if "TableWithColumns" in resource:
        _db, _table, column_tags = original(
            backend, catalog_id, {"TableWithColumns": resource["TableWithColumns"]}
        )
    return database_tags, table_tags, column_tags
