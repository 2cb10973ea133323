"""Parsing sampled objects (no I/O): table layouts from Glue, delimited text, JSON lines."""

from __future__ import annotations

from typing import Any

import pytest

from classifier.samples import (
    SampleError,
    parse_delimited,
    parse_json_lines,
    parse_s3_url,
    partition_values,
    table_layout,
)


def glue_table(serde: str | None = None, **params: str) -> dict[str, Any]:
    sd: dict[str, Any] = {
        "Columns": [{"Name": "id"}, {"Name": "email"}, {"Name": "city"}],
        "Location": "s3://bucket/data/t",
    }
    if serde:
        sd["SerdeInfo"] = {"SerializationLibrary": serde, "Parameters": params}
    return {"Name": "t", "StorageDescriptor": sd, "Parameters": {}}


def test_layout_from_the_serde() -> None:
    lazy = table_layout(glue_table("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"))
    assert (lazy.format, lazy.delimiter, lazy.null_marker) == ("csv", "\x01", "\\N")
    tsv = table_layout(
        glue_table("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", **{"field.delim": "\t"})
    )
    assert tsv.delimiter == "\t"
    opencsv = table_layout(glue_table("org.apache.hadoop.hive.serde2.OpenCSVSerde"))
    assert (opencsv.delimiter, opencsv.quotechar) == (",", '"')
    assert table_layout(glue_table("org.openx.data.jsonserde.JsonSerDe")).format == "json"
    assert table_layout(glue_table()).format is None  # sniffed from the objects
    assert parse_s3_url("s3a://b/x/y") == ("b", "x/y/")
    assert parse_s3_url("s3://b") == ("b", "")
    with pytest.raises(SampleError):
        parse_s3_url("https://b/x")


def test_a_header_is_recognised_and_maps_by_name_otherwise_by_position() -> None:
    layout = table_layout(glue_table())
    with_header = b"City,Email,ID\nParis,a@x.org,1\nRome,b@x.org,2\n"
    assert parse_delimited(with_header, layout, False, 10) == {
        "id": ["1", "2"],
        "email": ["a@x.org", "b@x.org"],
        "city": ["Paris", "Rome"],
    }
    headerless = b"1;a@x.org;Paris\n2;b@x.org;Rome\n3;c@x.org\n"
    values = parse_delimited(headerless, layout, False, 10)
    assert values["email"] == ["a@x.org", "b@x.org", "c@x.org"]
    assert values["city"] == ["Paris", "Rome", None]  # a short row has no value


def test_a_ranged_read_drops_the_cut_line_and_rows_are_bounded() -> None:
    layout = table_layout(glue_table("org.apache.hadoop.hive.serde2.OpenCSVSerde"))
    data = b"".join(f"{i},u{i}@x.org,Oslo\n".encode() for i in range(100)) + b"100,u10"
    assert parse_delimited(data, layout, True, 1000)["id"][-1] == "99"
    assert len(parse_delimited(data, layout, True, 7)["id"]) == 7


def test_declared_header_lines_are_skipped() -> None:
    t = glue_table("org.apache.hadoop.hive.serde2.OpenCSVSerde")
    t["Parameters"] = {"skip.header.line.count": "1"}
    data = b"identifier,mail,town\n1,a@x.org,Paris\n"
    assert parse_delimited(data, table_layout(t), False, 10)["email"] == ["a@x.org"]


def test_json_lines_skip_what_is_not_an_object() -> None:
    layout = table_layout(glue_table("org.openx.data.jsonserde.JsonSerDe"))
    data = b'{"ID": 1, "Email": "a@x.org", "city": null}\nnot json\n[1]\n{"id": true}\n'
    assert parse_json_lines(data, layout, False, 10) == {
        "id": ["1", "true"],
        "email": ["a@x.org", None],
        "city": [None, None],
    }


def test_partition_values_come_from_hive_style_folders() -> None:
    key = "data/t/Year=2026/month=09/part-0.parquet"
    assert partition_values(key, ("year", "month")) == {"year": "2026", "month": "09"}
    assert partition_values("data/t/part-0", ("year",)) == {}
