"""The EventBridge envelope and the Glue Data Catalog event details, as AWS documents them.

The envelope and the payload are separate models: the envelope says who and when, the detail
says what changed (names only; Glue events carry no schema).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from meshcore.domain.ids import ACCOUNT_ID_PATTERN

DATABASE_STATE_CHANGE = "Glue Data Catalog Database State Change"
TABLE_STATE_CHANGE = "Glue Data Catalog Table State Change"

DatabaseChange = Literal[
    "CreateDatabase", "DeleteDatabase", "CreateTable", "DeleteTable", "BatchDeleteTable"
]
TableChange = Literal[
    "UpdateTable",
    "CreatePartition",
    "BatchCreatePartition",
    "DeletePartition",
    "BatchDeletePartition",
]


class GlueDatabaseStateChange(BaseModel):
    """`detail` of a "Glue Data Catalog Database State Change" event."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    database_name: str = Field(alias="databaseName", min_length=1)
    type_of_change: DatabaseChange = Field(alias="typeOfChange")
    changed_tables: list[str] = Field(default_factory=list, alias="changedTables", max_length=100)


class GlueTableStateChange(BaseModel):
    """`detail` of a "Glue Data Catalog Table State Change" event."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    database_name: str = Field(alias="databaseName", min_length=1)
    table_name: str = Field(alias="tableName", min_length=1)
    type_of_change: TableChange = Field(alias="typeOfChange")
    # Each entry is one partition's values joined by commas, e.g. "2018,01".
    changed_partitions: list[str] = Field(
        default_factory=list, alias="changedPartitions", max_length=100
    )

    @field_validator("changed_partitions")
    @classmethod
    def _canonical_partitions(cls, entries: list[str]) -> list[str]:
        """The developer guide shows "2018,01"; events seen in the wild carry "[2018, 01]".
        Both mean the same partition; keep the documented form."""
        return [
            ",".join(v.strip() for v in e[1:-1].split(","))
            if e.startswith("[") and e.endswith("]")
            else e
            for e in entries
        ]


class _Envelope(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    version: str = "0"
    id: str
    source: Literal["aws.glue"]
    account: str = Field(pattern=ACCOUNT_ID_PATTERN)
    time: datetime
    region: str
    resources: list[str] = Field(default_factory=list)


class GlueDatabaseEvent(_Envelope):
    detail_type: Literal["Glue Data Catalog Database State Change"] = Field(alias="detail-type")
    detail: GlueDatabaseStateChange


class GlueTableEvent(_Envelope):
    detail_type: Literal["Glue Data Catalog Table State Change"] = Field(alias="detail-type")
    detail: GlueTableStateChange


GlueCatalogEvent = Annotated[GlueDatabaseEvent | GlueTableEvent, Field(discriminator="detail_type")]
