from datetime import UTC, datetime

from sync_worker import mapping

SOURCE = {
    "Name": "invoices",
    "DatabaseName": "receivables",
    "VersionId": "3",
    "CreateTime": datetime(2026, 1, 1, tzinfo=UTC),
    "TableType": "EXTERNAL_TABLE",
    "Parameters": {"classification": "parquet"},
    "StorageDescriptor": {
        "Columns": [
            {"Name": "id", "Type": "string"},
            {"Name": "email", "Type": "string", "Comment": "c"},
        ],
        "Location": "s3://producer/invoices/",
    },
    "PartitionKeys": [{"Name": "year", "Type": "string"}],
}
NOW = datetime(2026, 2, 1, tzinfo=UTC)


def test_table_input_keeps_writable_fields_and_adds_provenance() -> None:
    table = mapping.table_input(SOURCE, "222222222222", "receivables", NOW)
    assert "CreateTime" not in table and "DatabaseName" not in table and "VersionId" not in table
    assert table["StorageDescriptor"]["Location"] == "s3://producer/invoices/"
    assert table["Parameters"] == {
        "classification": "parquet",
        mapping.PRODUCER_ACCOUNT: "222222222222",
        mapping.SOURCE_DATABASE: "receivables",
        mapping.SOURCE_TABLE: "invoices",
        mapping.SOURCE_VERSION: "3",
        mapping.SOURCE_CREATED: "2026-01-01T00:00:00+00:00",
        mapping.SYNCED_AT: "2026-02-01T00:00:00+00:00",
    }


def test_sync_time_is_not_drift() -> None:
    first = mapping.table_input(SOURCE, "222222222222", "receivables", NOW)
    later = mapping.table_input(
        SOURCE, "222222222222", "receivables", datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert mapping.comparable_table(first) == mapping.comparable_table(later)


def test_changed_columns_are_new_or_retyped_or_recommented() -> None:
    after = {
        "StorageDescriptor": {
            "Columns": [
                {"Name": "id", "Type": "string"},
                {"Name": "email", "Type": "string", "Comment": "billing contact"},
                {"Name": "iban", "Type": "string"},
            ]
        },
        "PartitionKeys": [{"Name": "year", "Type": "int"}],
    }
    assert mapping.changed_columns(SOURCE, after) == ["email", "iban", "year"]
    assert mapping.changed_columns(None, SOURCE) == ["id", "email", "year"]
    assert mapping.changed_columns(SOURCE, SOURCE) == []


def test_partition_keys_follow_the_documented_event_format() -> None:
    assert mapping.partition_key(["2018", "01"]) == "2018,01"


def test_a_recreated_table_wins_over_a_higher_version_of_the_dropped_one() -> None:
    old_copy = mapping.table_input(SOURCE | {"VersionId": "7"}, "222222222222", "receivables", NOW)
    recreated = SOURCE | {"VersionId": "1", "CreateTime": datetime(2026, 3, 1, tzinfo=UTC)}
    reflected = mapping.reflected_version(old_copy)
    assert reflected is not None
    assert reflected < mapping.source_version(recreated)


def test_within_one_table_a_higher_version_wins() -> None:
    copy = mapping.table_input(SOURCE | {"VersionId": "5"}, "222222222222", "receivables", NOW)
    reflected = mapping.reflected_version(copy)
    assert reflected is not None
    assert reflected > mapping.source_version(SOURCE | {"VersionId": "4"})
    assert reflected == mapping.source_version(SOURCE | {"VersionId": "5"})
