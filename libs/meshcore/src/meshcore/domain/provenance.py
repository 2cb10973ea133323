"""The provenance every central table keeps in its Glue Parameters: where it comes from, which
producer version it reflects, and when it was synced."""

from __future__ import annotations

PREFIX = "meshcore:"
PRODUCER_ACCOUNT = "meshcore:producer_account"
SOURCE_DATABASE = "meshcore:source_database"
SOURCE_TABLE = "meshcore:source_table"
SOURCE_VERSION = "meshcore:source_version"
# When the producer created the table: a dropped and re-created table starts its versions anew.
SOURCE_CREATED = "meshcore:source_created"
SYNCED_AT = "meshcore:synced_at"
PROVENANCE_KEYS = (
    PRODUCER_ACCOUNT,
    SOURCE_DATABASE,
    SOURCE_TABLE,
    SOURCE_VERSION,
    SOURCE_CREATED,
    SYNCED_AT,
)
