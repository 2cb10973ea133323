"""Bounded value samples read from a producer's S3 (the embedded AWS) in each table format."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from classifier.samples import SampleError, SampleLimits, SampleReader, table_layout
from meshcore.aws.clients import AsyncAws
from meshcore.settings import MeshSettings

PRODUCER = "222222222222"
BUCKET = f"ar-finance-{PRODUCER}"
ROLE = f"arn:aws:iam::{PRODUCER}:role/meshcore-sample-reader"

OPEN_CSV = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
LAZY = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"


def table(
    prefix: str,
    columns: list[str],
    serde: str | None = None,
    serde_params: dict[str, str] | None = None,
    parameters: dict[str, str] | None = None,
    partition_keys: tuple[str, ...] = (),
) -> dict[str, Any]:
    sd: dict[str, Any] = {
        "Columns": [{"Name": c, "Type": "string"} for c in columns],
        "Location": f"s3://{BUCKET}/{prefix}",
    }
    if serde:
        sd["SerdeInfo"] = {"SerializationLibrary": serde, "Parameters": serde_params or {}}
    return {
        "Name": prefix.rstrip("/").rsplit("/", 1)[-1],
        "StorageDescriptor": sd,
        "PartitionKeys": [{"Name": k, "Type": "string"} for k in partition_keys],
        "Parameters": parameters or {},
    }


@pytest.fixture
def producer_s3(settings: MeshSettings) -> Any:
    sts = boto3.client("sts", endpoint_url=settings.endpoint_url, region_name="us-east-1")
    creds = sts.assume_role(RoleArn=ROLE, RoleSessionName="producer")["Credentials"]
    s3 = boto3.client(
        "s3",
        endpoint_url=settings.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    s3.create_bucket(Bucket=BUCKET)
    return s3


@pytest.fixture
async def s3(settings: MeshSettings, producer_s3: Any) -> AsyncIterator[Any]:
    """The classifier's view: an S3 client of the producer's sampling role."""
    async with AsyncExitStack() as stack:
        aws = AsyncAws(settings, stack, "classifier-test")
        stack.push_async_callback(aws.aclose)
        yield await aws.assumed_client("s3", ROLE)


def put(s3: Any, key: str, body: bytes) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)


async def test_csv_with_a_header_maps_columns_by_name_and_honours_the_serde(
    producer_s3: Any, s3: Any
) -> None:
    rows = ['"email","name","amount"'] + [
        f'"user{i}@example.com","Smith, Ann {i}","{i}.00"' for i in range(500)
    ]
    put(producer_s3, "crm/contacts/part-0.csv", "\n".join(rows).encode())
    put(producer_s3, "crm/contacts/_SUCCESS", b"")
    reader = SampleReader(s3, SampleLimits(max_rows=120))
    sample = await reader.read(
        table("crm/contacts/", ["name", "email", "amount"], OPEN_CSV, {"separatorChar": ","})
    )
    assert sample.format == "csv" and sample.objects == 1 and sample.rows == 120
    assert sample.values["email"][:2] == ["user0@example.com", "user1@example.com"]
    assert sample.values["name"][0] == "Smith, Ann 0"  # quoted delimiter kept in the value
    assert len(sample.values["amount"]) == 120


async def test_headerless_delimited_text_maps_columns_by_position(
    producer_s3: Any, s3: Any
) -> None:
    lines = [f"{i}|DE89370400440532013000|\\N" for i in range(50)]
    put(producer_s3, "pay/out/data.txt", "\n".join(lines).encode())
    layout_table = table("pay/out/", ["payment_id", "iban", "note"], LAZY, {"field.delim": "|"})
    sample = await SampleReader(s3).read(layout_table)
    assert sample.values["payment_id"][:3] == ["0", "1", "2"]
    assert set(sample.values["iban"]) == {"DE89370400440532013000"}
    assert set(sample.values["note"]) == {None}  # Hive's \N is a null


async def test_delimiter_and_header_are_detected_without_a_serde(producer_s3: Any, s3: Any) -> None:
    lines = ["Phone;Customer_Id"] + [f"+44 20 7946 {i:04d};C{i}" for i in range(30)]
    put(producer_s3, "uk/phones/a.csv", "\n".join(lines).encode())
    sample = await SampleReader(s3).read(table("uk/phones/", ["customer_id", "phone"]))
    assert sample.values["customer_id"][0] == "C0"
    assert sample.values["phone"][0] == "+44 20 7946 0000"


async def test_gzipped_json_lines_match_keys_regardless_of_case(producer_s3: Any, s3: Any) -> None:
    records = [{"ClientIP": f"10.0.0.{i}", "count": i, "tags": ["a"]} for i in range(40)]
    body = gzip.compress("\n".join(json.dumps(r) for r in records).encode())
    put(producer_s3, "web/hits/dt=2026-11-01/part-0.json.gz", body)
    sample = await SampleReader(s3).read(
        table("web/hits/", ["clientip", "count", "tags"], JSON_SERDE, partition_keys=("dt",))
    )
    assert sample.format == "json"
    assert sample.values["clientip"][:2] == ["10.0.0.0", "10.0.0.1"]
    assert sample.values["count"][1] == "1"
    assert sample.values["tags"][0] == '["a"]'
    assert set(sample.values["dt"]) == {"2026-11-01"}  # from the partition folder


def parquet_bytes(n: int, row_group_size: int) -> bytes:
    data = pa.table(
        {
            "IBAN": [f"GB82WEST1234569876{i:04d}" for i in range(n)],
            "amount": [float(i) for i in range(n)],
            "notes": ["x" * 200 + str(i) for i in range(n)],
        }
    )
    out = io.BytesIO()
    pq.write_table(data, out, row_group_size=row_group_size, compression="NONE")
    return out.getvalue()


async def test_small_parquet_objects_are_read_whole(producer_s3: Any, s3: Any) -> None:
    put(producer_s3, "gl/entries/part-0.parquet", parquet_bytes(300, 100))
    sample = await SampleReader(s3, SampleLimits(max_rows=50)).read(
        table("gl/entries/", ["iban", "amount"], PARQUET_SERDE)
    )
    assert sample.format == "parquet" and sample.rows == 50
    assert sample.values["iban"][0] == "GB82WEST12345698760000"
    assert sample.values["amount"][2] == "2.0"


async def test_large_parquet_objects_read_only_the_footer_and_wanted_column_chunks(
    producer_s3: Any, s3: Any
) -> None:
    body = parquet_bytes(20_000, 5_000)
    put(producer_s3, "gl/big/part-0.parquet", body)
    limits = SampleLimits(max_rows=100, max_bytes=len(body) // 3)
    sample = await SampleReader(s3, limits).read(
        table("gl/big/", ["iban", "amount"], PARQUET_SERDE)
    )
    assert sample.values["iban"][:2] == ["GB82WEST12345698760000", "GB82WEST12345698760001"]
    assert len(sample.values["amount"]) == 100
    assert "notes" not in sample.values
    assert sample.bytes_read < len(body) // 3


async def test_reads_are_bounded_by_objects_rows_and_bytes(producer_s3: Any, s3: Any) -> None:
    for n in range(6):
        put(producer_s3, f"big/t/part-{n}.csv", ("v\n" + "abc\n" * 1000).encode())
    reader = SampleReader(s3, SampleLimits(max_objects=2, max_rows=5000, max_bytes=3000))
    sample = await reader.read(table("big/t/", ["v"], LAZY, {"field.delim": ","}))
    assert sample.objects <= 2
    assert sample.bytes_read <= 3000
    assert 0 < sample.rows < 1000


async def test_an_empty_location_gives_an_empty_sample(producer_s3: Any, s3: Any) -> None:
    sample = await SampleReader(s3).read(table("nothing/here/", ["a"]))
    assert sample.values == {} and sample.objects == 0


def test_layout_needs_an_s3_location() -> None:
    with pytest.raises(SampleError):
        table_layout({"Name": "t", "StorageDescriptor": {"Location": "hdfs://x/y"}})
    layout = table_layout(
        table("a/b", ["x"], LAZY, {"field.delim": "\\t"}, {"skip.header.line.count": "1"})
    )
    assert (layout.prefix, layout.delimiter, layout.header_rows) == ("a/b/", "\t", 1)
