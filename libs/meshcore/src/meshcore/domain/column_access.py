"""Which columns of a table a principal can read, and through which grant: Lake Formation's
documented rules applied to what ListPermissions and GetResourceLFTags report (pure).

- Named grants (Table, TableWithColumns) and LF-tag expression grants add up.
- A tag expression ANDs its keys and ORs a key's values; a column's tags are its own, else its
  table's, else its database's.
- A principal of another account reads what was granted to it directly, plus what its account's
  data lake admin granted it within what the account received, once the share was accepted.
https://docs.aws.amazon.com/lake-formation/latest/dg/lf-tag-considerations.html
https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-read-data.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meshcore.domain.classification import (
    PENDING_CLASSIFICATION,
    SENSITIVITY_TAG_KEY,
    UNCLASSIFIED,
)

Grant = dict[str, Any]  # a PrincipalResourcePermissions row
Tags = dict[str, list[str]]


@dataclass(frozen=True)
class Table:
    catalog: str
    database: str
    name: str
    columns: list[str]
    partition_keys: list[str]
    column_tags: dict[str, Tags]  # effective LF-tags per column ("*": of a column with none)
    awaiting_review: frozenset[str] = frozenset()  # columns with a recommendation to review

    def tags_of(self, column: str) -> Tags:
        return self.column_tags.get(column, self.column_tags.get("*", {}))

    def pending(self, column: str) -> bool:
        """Pending classification: tagged unclassified, or a recommendation awaits review."""
        return column in self.awaiting_review or UNCLASSIFIED in self.tags_of(column).get(
            SENSITIVITY_TAG_KEY, []
        )


@dataclass
class ColumnAccess:
    column: str
    readable: bool = False
    through: list[str] = field(default_factory=list)
    why_not: str = ""
    pending: bool = False  # pending classification


def _describe(grant: Grant) -> str:
    who = grant["Principal"]["DataLakePrincipalIdentifier"]
    resource = grant["Resource"]
    if "LFTagPolicy" in resource:
        terms = " AND ".join(
            f"{t['TagKey']}={'|'.join(t['TagValues'])}"
            for t in resource["LFTagPolicy"]["Expression"]
        )
        return f"tag expression {terms} to {who}"
    if "TableWithColumns" in resource:
        spec = resource["TableWithColumns"]
        if "ColumnWildcard" in spec:
            excluded = spec["ColumnWildcard"].get("ExcludedColumnNames") or []
            but = f" but {', '.join(excluded)}" if excluded else ""
            return f"SELECT on all columns{but} to {who}"
        return f"SELECT on {', '.join(spec.get('ColumnNames') or [])} to {who}"
    return f"{', '.join(grant.get('Permissions', []))} on the table to {who}"


def _on_table(spec: dict[str, Any], table: Table, default_catalog: str) -> bool:
    return (
        (spec.get("CatalogId") or default_catalog) == table.catalog
        and spec.get("DatabaseName") == table.database
        and (spec.get("Name") == table.name or "TableWildcard" in spec)
    )


def selected(grant: Grant, table: Table, default_catalog: str) -> set[str]:
    """The columns one grant lets its principal SELECT."""
    resource, perms = grant["Resource"], set(grant.get("Permissions", []))
    if not perms & {"SELECT", "ALL"}:
        return set()
    every = set(table.columns) | set(table.partition_keys)
    if "Table" in resource and _on_table(resource["Table"], table, default_catalog):
        return every
    if "TableWithColumns" in resource and _on_table(
        resource["TableWithColumns"], table, default_catalog
    ):
        spec = resource["TableWithColumns"]
        if "ColumnWildcard" in spec:
            chosen = every - set(spec["ColumnWildcard"].get("ExcludedColumnNames") or [])
        else:
            chosen = every & set(spec.get("ColumnNames") or [])
        return chosen | set(table.partition_keys)
    policy = resource.get("LFTagPolicy")
    if policy and policy.get("ResourceType") == "TABLE":
        if (policy.get("CatalogId") or default_catalog) != table.catalog:
            return set()
        return {
            c
            for c in every
            if all(
                set(table.tags_of(c).get(t["TagKey"], [])) & set(t["TagValues"])
                for t in policy.get("Expression") or []
            )
        }
    return set()


def explain(
    principal: str,
    table: Table,
    owner_grants: list[Grant],
    account_grants: list[Grant] | None = None,
    share_accepted: bool = True,
) -> list[ColumnAccess]:
    """Per column: readable or not, and why.

    `owner_grants` are the table owner's grants (to the principal, and to its account when it is
    another); `account_grants` the grants of the principal's own account when that is another
    (its admin's regrants), with `share_accepted` whether it accepted the owner's share."""
    account = principal.split(":")[4] if principal.startswith("arn:") else principal
    cross = account != table.catalog
    direct = [g for g in owner_grants if g["Principal"]["DataLakePrincipalIdentifier"] == principal]
    received = [g for g in owner_grants if g["Principal"]["DataLakePrincipalIdentifier"] == account]
    bound = set().union(*(selected(g, table, table.catalog) for g in received)) if cross else set()
    answers = []
    for column in [*table.columns, *table.partition_keys]:
        access = ColumnAccess(column, pending=table.pending(column))
        if cross and not share_accepted:
            access.why_not = f"account {account} has not accepted the owner's RAM share"
            answers.append(access)
            continue
        access.through = [
            _describe(g) for g in direct if column in selected(g, table, table.catalog)
        ]
        if cross:
            for grant in account_grants or []:
                if grant["Principal"]["DataLakePrincipalIdentifier"] != principal:
                    continue
                if column in selected(grant, table, account) and column in bound:
                    access.through.append(f"{_describe(grant)} (by {account}'s data lake admin)")
        access.readable = bool(access.through)
        if not access.readable:
            if cross and column not in bound and received:
                access.why_not = f"not among the columns shared with account {account}"
            elif cross and column in bound:
                access.why_not = (
                    f"shared with account {account}, not granted to this role by its admin"
                )
            else:
                access.why_not = "no grant to this principal covers it"
            if access.pending:
                access.why_not = f"{PENDING_CLASSIFICATION}; {access.why_not}"
        answers.append(access)
    return answers
