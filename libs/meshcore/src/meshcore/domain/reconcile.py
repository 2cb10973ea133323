"""Access reconciliation, the pure part: what Lake Formation should hold for the granted
requests (their entries come from `domain.grants.request_grants`, never rebuilt here) against
what it holds, as missing, extra and different entries; and which extra entries a request
explains (its own entries gone stale, which meshcore may revoke) and which none does (reported,
never removed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from meshcore.domain.access import AccessRequest
from meshcore.domain.errors import PermanentError
from meshcore.domain.naming import split_central_database_name

Key = tuple[str, str]  # principal, resource as canonical JSON
Held = tuple[frozenset[str], frozenset[str]]  # permissions, with grant option


def normalised(resource: Mapping[str, Any]) -> dict[str, Any]:
    """A resource as one canonical dict: column lists sorted, an absent exclusion list empty
    (ListPermissions may leave it out where a grant named none)."""
    found = json.loads(json.dumps(resource))
    columns = found.get("TableWithColumns")
    if isinstance(columns, dict):
        if "ColumnWildcard" in columns:
            wildcard = columns["ColumnWildcard"] or {}
            columns["ColumnWildcard"] = {
                "ExcludedColumnNames": sorted(wildcard.get("ExcludedColumnNames", []))
            }
        if "ColumnNames" in columns:
            columns["ColumnNames"] = sorted(columns["ColumnNames"])
    return dict(found)


def key_of(entry: Mapping[str, Any]) -> Key:
    principal = str(entry["Principal"]["DataLakePrincipalIdentifier"])
    return principal, json.dumps(normalised(entry["Resource"]), sort_keys=True)


def held(entries: Iterable[Mapping[str, Any]]) -> dict[Key, Held]:
    """Entries (or ListPermissions rows) by principal and resource, permissions merged."""
    merged: dict[Key, tuple[set[str], set[str]]] = {}
    for entry in entries:
        permissions, grantable = merged.setdefault(key_of(entry), (set(), set()))
        permissions.update(entry.get("Permissions", []))
        grantable.update(entry.get("PermissionsWithGrantOption", []))
    return {k: (frozenset(p), frozenset(g)) for k, (p, g) in merged.items()}


Kind = Literal["missing", "extra", "different"]


@dataclass(frozen=True)
class PermissionDrift:
    """One principal's permissions on one resource, as meshcore expects them and as held."""

    kind: Kind
    principal: str
    resource: dict[str, Any]
    expected: list[str] = field(default_factory=list)
    expected_grantable: list[str] = field(default_factory=list)
    actual: list[str] = field(default_factory=list)
    actual_grantable: list[str] = field(default_factory=list)

    def entry(self, permissions: list[str], grantable: list[str]) -> dict[str, Any]:
        """A batch entry for these permissions of this principal on this resource."""
        return {
            "Principal": {"DataLakePrincipalIdentifier": self.principal},
            "Resource": self.resource,
            "Permissions": permissions,
            "PermissionsWithGrantOption": grantable,
        }

    def to_grant(self) -> dict[str, Any] | None:
        """What granting restores (missing permissions), or None."""
        permissions = sorted(set(self.expected) - set(self.actual))
        grantable = sorted(set(self.expected_grantable) - set(self.actual_grantable))
        if not permissions and not grantable:
            return None
        return self.entry(permissions or list(self.expected), grantable)

    def to_revoke(self) -> dict[str, Any] | None:
        """What revoking removes (permissions held beyond those expected), or None."""
        permissions = sorted(set(self.actual) - set(self.expected))
        grantable = sorted(set(self.actual_grantable) - set(self.expected_grantable))
        if not permissions and not grantable:
            return None
        return self.entry(permissions, grantable)

    def describe(self) -> str:
        return f"{self.kind} {self.principal} on {resource_name(self.resource)}"


@dataclass(frozen=True)
class Comparison:
    missing: list[PermissionDrift]
    extra: list[PermissionDrift]
    different: list[PermissionDrift]


def compare(
    expected: Iterable[Mapping[str, Any]], actual: Iterable[Mapping[str, Any]]
) -> Comparison:
    """Expected batch entries against ListPermissions rows, by principal and resource."""
    want, have = held(expected), held(actual)
    missing, extra, different = [], [], []
    for key in sorted(set(want) | set(have)):
        principal, resource = key[0], json.loads(key[1])
        (wp, wg), (hp, hg) = want.get(key, _NONE), have.get(key, _NONE)
        drift = PermissionDrift(
            "missing", principal, resource, sorted(wp), sorted(wg), sorted(hp), sorted(hg)
        )
        if key not in have:
            missing.append(drift)
        elif key not in want:
            extra.append(_as(drift, "extra"))
        elif (wp, wg) != (hp, hg):
            different.append(_as(drift, "different"))
    return Comparison(missing, extra, different)


_NONE: Held = (frozenset(), frozenset())


def _as(drift: PermissionDrift, kind: Kind) -> PermissionDrift:
    return PermissionDrift(
        kind,
        drift.principal,
        drift.resource,
        drift.expected,
        drift.expected_grantable,
        drift.actual,
        drift.actual_grantable,
    )


def resource_table(resource: Mapping[str, Any]) -> tuple[str, str, str | None] | None:
    """(catalog, database, table or None) of a Data Catalog resource; None for others."""
    for kind in ("Table", "TableWithColumns"):
        named = resource.get(kind)
        if isinstance(named, dict):
            return str(named.get("CatalogId", "")), named["DatabaseName"], named.get("Name")
    database = resource.get("Database")
    if isinstance(database, dict):
        return str(database.get("CatalogId", "")), database["Name"], None
    return None


def resource_name(resource: Mapping[str, Any]) -> str:
    table = resource_table(resource)
    if table is not None:
        what = next(iter(resource))
        return f"{what} {table[1]}" + (f".{table[2]}" if table[2] else "")
    policy = resource.get("LFTagPolicy")
    if isinstance(policy, dict):
        expression = " AND ".join(
            f"{t['TagKey']}={'|'.join(t['TagValues'])}" for t in policy.get("Expression", [])
        )
        return f"LFTagPolicy {policy.get('ResourceType', '')} {expression}"
    return json.dumps(resource, sort_keys=True)


def is_governed(resource: Mapping[str, Any], catalog_id: str) -> bool:
    """A resource of meshcore's: a database of a producer domain in the central catalog (or
    a table in one), or an LF-tag policy of the central catalog."""
    policy = resource.get("LFTagPolicy")
    if isinstance(policy, dict):
        return str(policy.get("CatalogId", catalog_id)) == catalog_id
    table = resource_table(resource)
    if table is None or (table[0] and table[0] != catalog_id):
        return False
    try:
        split_central_database_name(table[1])
    except PermanentError:
        return False
    return True


def explaining_request(
    drift: PermissionDrift, requests: Iterable[AccessRequest]
) -> AccessRequest | None:
    """The granted request whose own entries this one is a stale version of: same grantee, on a
    table it granted (or, for an LF-tag policy, its domain's); None when no request explains it."""
    table = resource_table(drift.resource)
    policy = drift.resource.get("LFTagPolicy")
    for request in requests:
        if request.grantee != drift.principal:
            continue
        if table is not None and any(
            (t.database, t.table) == (table[1], table[2]) for t in request.granted_tables
        ):
            return request
        if isinstance(policy, dict) and request.granted_domain is not None:
            values = [v for t in policy.get("Expression", []) for v in t.get("TagValues", [])]
            if request.granted_domain in values:
                return request
    return None


@dataclass
class Finding:
    """One thing that is not as meshcore approved it, and what reconciliation did about it."""

    kind: str  # missing | extra | different | unexplained | invitation | share | link
    subject: str  # request/<id>, or access/unexplained for what no request explains
    what: str
    healable: bool
    healed: bool = False
    error: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class AccessReport:
    findings: list[Finding] = field(default_factory=list)
    requests: int = 0

    @property
    def drift(self) -> int:
        """Every finding counts, unexplained permissions too: they need a person's look."""
        return len(self.findings)

    @property
    def unhealed(self) -> list[Finding]:
        return [f for f in self.findings if not f.healed]

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "drift": self.drift,
            "healed": sum(f.healed for f in self.findings),
            "unhealed": len(self.unhealed),
            "findings": [vars(f) for f in self.findings],
        }
