"""Which Lake Formation permissions an approved request gets: least privilege per table."""

from __future__ import annotations

from meshcore.aws.lakeformation import LakeFormation, table_grants
from meshcore.aws.state import StateStore
from meshcore.domain.access import AccessRequest, TableName
from meshcore.domain.classification import DOMAIN_TAG_KEY, NOT_SENSITIVE, SENSITIVITY_TAG_KEY
from meshcore.domain.recommendations import RecommendationState


async def sensitive_columns(
    lakeformation: LakeFormation, state: StateStore, catalog_id: str, table: TableName
) -> set[str]:
    """Columns tagged sensitive in Lake Formation, and any whose classification was accepted
    but not yet tagged (the tag is applied by the review; this closes the gap in between)."""
    tags = await lakeformation.column_tags(catalog_id, table.database, table.table)
    tagged = {
        column
        for column, by_key in tags.items()
        if any(v != NOT_SENSITIVE for v in by_key.get(SENSITIVITY_TAG_KEY, []))
    }
    accepted = (RecommendationState.ACCEPTED, RecommendationState.AUTO_ACCEPTED)
    recommended = {
        r.column
        for r in await state.list_recommendations()
        if r.database == table.database and r.table == table.table and r.state in accepted
    }
    return tagged | recommended


async def excluded_columns(
    lakeformation: LakeFormation,
    state: StateStore,
    catalog_id: str,
    scope: list[TableName],
    approved: list[str],
) -> dict[str, list[str]]:
    """Per table, the sensitive columns the approval does not name."""
    return {
        str(t): sorted(await sensitive_columns(lakeformation, state, catalog_id, t) - set(approved))
        for t in scope
    }


def grant_entries(request: AccessRequest, catalog_id: str) -> list[dict[str, object]]:
    """Exactly what was (or is to be) granted for `request`, from what it records."""
    if request.granted_domain is not None:
        return domain_grants(request.grantee, catalog_id, request.granted_domain)
    entries: list[dict[str, object]] = []
    for table in request.granted_tables:
        excluded = request.excluded_columns.get(str(table), [])
        entries += table_grants(request.grantee, catalog_id, table.database, table.table, excluded)
    return entries


def domain_grants(grantee: str, catalog_id: str, domain: str) -> list[dict[str, object]]:
    """Tag-based access control: DESCRIBE on the domain's databases, and DESCRIBE and SELECT on
    every table column of the domain still tagged not sensitive (tables are tagged
    `sensitivity=none` when synced; a classified column carries its class instead)."""
    who = {"DataLakePrincipalIdentifier": grantee}

    def policy(resource_type: str, expression: list[dict[str, object]]) -> dict[str, object]:
        return {
            "LFTagPolicy": {
                "CatalogId": catalog_id,
                "ResourceType": resource_type,
                "Expression": expression,
            }
        }

    in_domain: dict[str, object] = {"TagKey": DOMAIN_TAG_KEY, "TagValues": [domain]}
    return [
        {
            "Principal": who,
            "Resource": policy("DATABASE", [in_domain]),
            "Permissions": ["DESCRIBE"],
        },
        {
            "Principal": who,
            "Resource": policy(
                "TABLE", [in_domain, {"TagKey": SENSITIVITY_TAG_KEY, "TagValues": [NOT_SENSITIVE]}]
            ),
            "Permissions": ["SELECT", "DESCRIBE"],
        },
    ]
