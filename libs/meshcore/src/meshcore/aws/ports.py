"""The ports handlers work through, one Protocol per AWS capability.

Handlers and actions take these, never a concrete adapter: the adapters of this package
(`GlueCatalog`, `LakeFormation`, `ColumnTags`, `ResourceTags`, `ConsumerAccount`, `QueueSender`,
`DecisionSigner`, `RevokeSigner`, `AuditLog`) satisfy them structurally, and the test suite keeps one in-memory
fake of each (`tests/fakes/`), held to the same contract tests as the adapter against the
embedded AWS (`tests/contract/`). So a handler's decisions are tested in process, fast, and
its wiring against AWS once.

Rows are Glue's structures as plain dicts (`Row`); Lake Formation permission entries are the
BatchGrantPermissions entry shape without its `Id`.

The state store's port is kept with the state store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel

from meshcore.aws.audit import AuditEntry
from meshcore.messages.commands import (
    AccessDecision,
    RevokeCommand,
    SignedAccessDecision,
    SignedRevokeCommand,
)

Row = dict[str, Any]
PermissionEntry = dict[str, Any]


class Catalog(Protocol):
    """One account's Glue Data Catalog. Reads of what does not exist answer None; deletes of
    what is already gone succeed (and say whether there was something to delete; a database
    goes with its tables); `update_table` with a stale `version_id` raises ConflictError; a
    table's `VersionId` is "0" when created and one more after each update; partition batches
    stay within Glue's limits."""

    account_id: str

    async def get_database(self, name: str) -> Row | None: ...
    async def list_databases(self) -> list[Row]: ...
    async def get_table(self, database: str, name: str) -> Row | None: ...
    async def list_tables(self, database: str) -> list[Row]: ...
    async def tables_named(self, database: str, names: Sequence[str]) -> list[Row]:
        """The tables of `names` that exist, by name: a few GetTables calls for many names
        (a name filter), never one read per table."""
        ...

    async def list_partitions(self, database: str, table: str) -> list[Row]: ...
    async def get_partitions(
        self, database: str, table: str, values: Sequence[list[str]]
    ) -> list[Row]: ...
    async def create_database(self, database_input: Row) -> None: ...
    async def update_database(self, name: str, database_input: Row) -> None: ...
    async def delete_database(self, name: str) -> bool: ...
    async def create_table(self, database: str, table_input: Row) -> None: ...
    async def update_table(
        self, database: str, table_input: Row, version_id: str | None
    ) -> None: ...
    async def delete_table(self, database: str, name: str) -> bool: ...
    async def create_partitions(self, database: str, table: str, inputs: Sequence[Row]) -> None: ...
    async def create_absent_partitions(
        self, database: str, table: str, inputs: Sequence[Row]
    ) -> list[list[str]]:
        """Creates those that do not exist; returns the values of those that already did."""
        ...

    async def update_partitions(self, database: str, table: str, inputs: Sequence[Row]) -> None: ...
    async def delete_partitions(
        self, database: str, table: str, values: Sequence[list[str]]
    ) -> int:
        """How many of them there were to delete."""
        ...


class Permissions(Protocol):
    """Lake Formation in the central account: grants and what they reach."""

    async def grant(self, entries: list[PermissionEntry]) -> None: ...
    async def revoke(self, entries: list[PermissionEntry]) -> None:
        """Idempotent: what is not granted counts as revoked."""

    async def permissions_of(self, principal: str) -> list[Row]: ...
    async def all_permissions(self) -> list[Row]:
        """Every permission Lake Formation holds in the account, whoever holds it
        (ListPermissions rows: Principal, Resource, Permissions, PermissionsWithGrantOption)."""
        ...

    async def registered_locations(self) -> list[str]: ...
    async def column_tags(
        self, catalog_id: str, database: str, table: str
    ) -> dict[str, dict[str, list[str]]]: ...
    async def table_tags(
        self, catalog_id: str, database: str, table: str
    ) -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]:
        """Tag key -> values assigned to the table itself, and column -> tag key -> values
        assigned to its columns."""

    async def shares_for(self, principal: str) -> list[str]: ...
    async def share_arns(
        self, principal: str, catalog_id: str, database: str, table: str
    ) -> list[str]: ...


class ColumnTagging(Protocol):
    """One LF-tag key (`sensitivity`) on the columns of one catalog's tables."""

    catalog_id: str
    key: str

    async def value(self, database: str, table: str, column: str) -> str | None: ...
    async def assign(self, database: str, table: str, column: str, value: str) -> str | None: ...
    async def unassign(self, database: str, table: str, column: str, value: str) -> bool: ...
    async def assigned(self, database: str, table: str) -> dict[str, str]:
        """Column -> the value assigned to the column itself, for each column that has one."""

    async def settle(self, database: str, table: str, wanted: dict[str, str]) -> dict[str, str]:
        """Give each column of `wanted` its value, except that a column tagged with a sensitive
        class keeps it (only a reviewer's decision changes that); answers the columns whose
        value changed, with their new value."""


class ResourceTagging(Protocol):
    """LF-tags on one catalog's databases and tables."""

    catalog_id: str

    async def tag_database(self, database: str, key: str, value: str) -> None: ...
    async def tag_table(self, database: str, table: str, key: str, value: str) -> None: ...
    async def tag_columns(
        self, database: str, table: str, columns: list[str], key: str, value: str
    ) -> None:
        """One value on columns of a table (assigned to the columns themselves)."""


class ConsumerShares(Protocol):
    """What meshcore does in an onboarded consumer account: accept RAM shares and keep the
    resource links it created (idempotently)."""

    account_id: str

    async def accept_shares(self, share_arns: list[str]) -> list[str]: ...
    async def link_table(self, owner_catalog: str, database: str, table: str) -> str | None: ...
    async def unlink(self, owner_catalog: str, links: list[str]) -> None: ...
    async def invitation_status(self, share_arns: list[str]) -> dict[str, str]:
        """Share ARN -> the status of the account's invitation to it (PENDING, ACCEPTED,
        REJECTED, EXPIRED); a share with no invitation is absent."""
        ...

    async def links_to(self, owner_catalog: str, database: str, table: str) -> bool:
        """The account's `database.table` is a resource link to the owner's table."""
        ...


class Sender(Protocol):
    """One queue, by name; `send` answers the message id."""

    name: str

    async def send(self, message: BaseModel) -> str: ...


class DecisionVerifier(Protocol):
    async def verify(self, signed: SignedAccessDecision) -> bool:
        """True only for a valid MAC by the configured key over the canonical decision."""


class DecisionSigning(DecisionVerifier, Protocol):
    async def sign(self, decision: AccessDecision) -> SignedAccessDecision: ...


class RevokeVerifier(Protocol):
    # Who the key's policy lets sign (the operator role): whom a valid MAC proves.
    signer: str

    async def verify(self, signed: SignedRevokeCommand) -> bool:
        """True only for a valid MAC by the revocation key over the canonical revoke."""


class RevokeSigning(RevokeVerifier, Protocol):
    async def sign(self, revoke: RevokeCommand) -> SignedRevokeCommand: ...


class Audit(Protocol):
    """The append-only audit trail, as the handlers write it."""

    async def record(self, subject: str, action: str, actor: str, **details: Any) -> AuditEntry: ...
    async def record_once(
        self, once: str, subject: str, action: str, actor: str, **details: Any
    ) -> AuditEntry | None:
        """Appended at most once for the key `once`; None for those who find it recorded."""
