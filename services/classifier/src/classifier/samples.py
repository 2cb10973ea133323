"""A bounded sample of a table's values, read from its S3 location.

Only what classification needs is read: the first few data objects under the table's location,
at most ``max_rows`` rows and ``max_bytes`` bytes in all (ranged GETs), in the table's format:
delimited text (the SerDe's delimiter, quote and escape characters, else sniffed; a header row
skipped and used to map columns by name), JSON lines, or Parquet (only the footer and the
wanted columns of the first row group). Values are returned to the caller in memory and never
logged or stored here; errors name objects, never their content.
"""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

from meshcore.aws.errors import aws_errors
from meshcore.domain.errors import PermanentError

if TYPE_CHECKING:
    from types_aiobotocore_s3.client import S3Client

Format = Literal["csv", "json", "parquet"]
Values = dict[str, list[str | None]]
PartitionLocations = Callable[[], Awaitable[list[str]]]

LIST_PAGE = 1000  # S3 ListObjectsV2 returns at most 1,000 keys per call
PARQUET_MAGIC = b"PAR1"
PARQUET_TAIL = 64 * 1024  # first read of a large Parquet object's end: footer and its length
_GZIP_MAGIC = b"\x1f\x8b"
_CSV_DELIMITERS = ",;\t|\x01"
_HIVE_DEFAULT_DELIMITER = "\x01"
_HIVE_NULL = "\\N"


class SampleError(PermanentError):
    """The location cannot be sampled as described (unknown format, unreadable object)."""


@dataclass(frozen=True)
class SampleLimits:
    """How much one table's sample may read."""

    max_objects: int = 3
    max_rows: int = 200
    max_bytes: int = 8 * 1024 * 1024
    max_text_bytes_per_object: int = 1024 * 1024


@dataclass(frozen=True)
class TableLayout:
    """Where and how a Glue table keeps its data, as far as sampling needs it."""

    bucket: str
    prefix: str
    format: Format | None
    columns: tuple[str, ...]
    partition_keys: tuple[str, ...] = ()
    delimiter: str | None = None
    quotechar: str | None = None
    escapechar: str | None = None
    header_rows: int | None = None
    """``skip.header.line.count`` when the table says; None: detect a header row."""
    null_marker: str | None = None


@dataclass
class Sample:
    """Values per column (Glue column name), and what was read to get them."""

    values: Values = field(default_factory=dict)
    format: Format | None = None
    objects: int = 0
    rows: int = 0
    bytes_read: int = 0

    def column(self, name: str) -> list[str | None] | None:
        return self.values.get(name)


def parse_s3_url(url: str) -> tuple[str, str]:
    """Bucket and key prefix of ``s3://bucket/prefix`` (also s3a://, s3n://)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("s3", "s3a", "s3n") or not rest:
        raise SampleError(f"location {url!r} is not an S3 URL")
    bucket, _, prefix = rest.partition("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return bucket, prefix


def _format(table: dict[str, Any]) -> Format | None:
    sd = table.get("StorageDescriptor", {})
    hints = " ".join(
        str(x)
        for x in (
            sd.get("SerdeInfo", {}).get("SerializationLibrary", ""),
            sd.get("InputFormat", ""),
            table.get("Parameters", {}).get("classification", ""),
        )
    ).lower()
    if "parquet" in hints:
        return "parquet"
    if "json" in hints:
        return "json"
    if any(h in hints for h in ("csv", "lazysimpleserde", "textinputformat", "opencsv", "tsv")):
        return "csv"
    return None


def _char(value: str | None) -> str | None:
    if not value:
        return None
    if value in ("\\t", "t"):
        return "\t"
    if len(value) == 1:
        return value
    if value.isdigit():  # Hive writes control characters as their code: "1" is Ctrl-A
        return chr(int(value))
    return None


def table_layout(table: dict[str, Any]) -> TableLayout:
    """The layout of a Glue table (GetTable's ``Table``)."""
    sd = table.get("StorageDescriptor", {})
    location = sd.get("Location")
    if not location:
        raise SampleError("the table has no storage location")
    bucket, prefix = parse_s3_url(location)
    serde = sd.get("SerdeInfo", {})
    library = str(serde.get("SerializationLibrary", "")).lower()
    params = {**table.get("Parameters", {}), **serde.get("Parameters", {})}
    fmt = _format(table)
    delimiter = _char(params.get("field.delim") or params.get("separatorChar"))
    quotechar = _char(params.get("quoteChar"))
    escapechar = _char(params.get("escapeChar") or params.get("escape.delim"))
    if "opencsv" in library:
        quotechar = quotechar or '"'
        delimiter = delimiter or ","
    elif "lazysimple" in library:
        delimiter = (
            delimiter or _char(params.get("serialization.format")) or (_HIVE_DEFAULT_DELIMITER)
        )
    header = params.get("skip.header.line.count")
    null_marker = params.get("serialization.null.format")
    if null_marker is None and "lazysimple" in library:
        null_marker = _HIVE_NULL
    return TableLayout(
        bucket=bucket,
        prefix=prefix,
        format=fmt,
        columns=tuple(c["Name"] for c in sd.get("Columns", [])),
        partition_keys=tuple(c["Name"] for c in table.get("PartitionKeys", [])),
        delimiter=delimiter,
        quotechar=quotechar,
        escapechar=escapechar,
        header_rows=int(str(header)) if str(header or "").isdigit() else None,
        null_marker=null_marker,
    )


# -- parsing (pure) ------------------------------------------------------------------------


def _pq() -> Any:
    """pyarrow.parquet, imported when the first Parquet object is read (a scan of text tables
    does not pay for loading it)."""
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the classifier always has it
        raise SampleError("reading Parquet needs pyarrow, which is not installed") from None
    return pq


def _text(data: bytes, truncated: bool) -> str:
    """Decoded text without a last line cut short by a ranged read."""
    if truncated:
        cut = data.rfind(b"\n")
        data = data[: cut + 1] if cut >= 0 else b""
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def _gunzip(data: bytes, limit: int) -> tuple[bytes, bool]:
    """Decompress at most ``limit`` bytes; True when more would follow (or the input was cut)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit)
    except zlib.error:
        return b"", True
    return out, bool(inflater.unconsumed_tail) or not inflater.eof


def _norm(name: str) -> str:
    return name.strip().strip('"').lower()


def _header_map(row: Sequence[str], columns: Sequence[str]) -> dict[int, str] | None:
    """Positions of a header row mapped to table columns, if the row looks like a header."""
    wanted = {_norm(c): c for c in columns}
    mapping = {i: wanted[_norm(cell)] for i, cell in enumerate(row) if _norm(cell) in wanted}
    return mapping if mapping and len(mapping) * 2 >= min(len(row), len(columns)) else None


def sniff_delimiter(text: str) -> str:
    """The candidate delimiter found the same number of times, at least once, on most of the
    first lines (ties: the one found more often)."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", (0.0, 0)
    for candidate in _CSV_DELIMITERS:
        counts = Counter(line.count(candidate) for line in lines)
        mode, hits = max(counts.items(), key=lambda kv: (kv[1], kv[0]), default=(0, 0))
        if mode == 0:
            continue
        score = (hits / len(lines), mode)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _dialect(text: str, layout: TableLayout) -> tuple[str, str | None]:
    if layout.delimiter:
        return layout.delimiter, layout.quotechar
    return sniff_delimiter(text), '"'


def parse_delimited(data: bytes, layout: TableLayout, truncated: bool, max_rows: int) -> Values:
    """Delimited text: a header row (declared or recognised) maps columns by name, otherwise
    fields map by position to the table's columns."""
    text = _text(data, truncated)
    delimiter, quotechar = _dialect(text, layout)
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quotechar=quotechar or '"',
        escapechar=layout.escapechar,
        quoting=csv.QUOTE_MINIMAL if quotechar else csv.QUOTE_NONE,
        strict=False,
    )
    mapping = dict(enumerate(layout.columns))
    values: Values = {c: [] for c in layout.columns}
    skip = layout.header_rows
    rows = 0
    for index, row in enumerate(reader):
        if index == 0:
            header = _header_map(row, layout.columns)
            if header is not None:
                mapping = header
                continue
        if skip is not None and index < skip:
            continue
        if not row or row == [""]:
            continue
        for position, column in mapping.items():
            cell = row[position] if position < len(row) else None
            values[column].append(None if cell == layout.null_marker else cell)
        rows += 1
        if rows >= max_rows:
            break
    return {c: v for c, v in values.items() if v}


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None  # binary values are not classified
    return json.dumps(value, default=str, separators=(",", ":"))


def parse_json_lines(data: bytes, layout: TableLayout, truncated: bool, max_rows: int) -> Values:
    """One JSON object per line; keys match column names regardless of case (as Hive's JSON
    SerDe does). Lines that are not objects are skipped."""
    wanted = {c.lower(): c for c in layout.columns}
    values: Values = {c: [] for c in layout.columns}
    rows = 0
    for line in _text(data, truncated).splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        lowered = {str(k).lower(): v for k, v in record.items()}
        for key, column in wanted.items():
            values[column].append(_scalar(lowered.get(key)))
        rows += 1
        if rows >= max_rows:
            break
    return {c: v for c, v in values.items() if v}


class _SparseFile(io.RawIOBase):
    """A file of ``size`` bytes of which only some ranges were fetched; reading elsewhere fails."""

    def __init__(self, size: int, ranges: dict[int, bytes]) -> None:
        self._size = size
        self._ranges = ranges
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._size - self._pos)
        if want <= 0:
            return 0
        for start, chunk in self._ranges.items():
            if start <= self._pos and self._pos + want <= start + len(chunk):
                offset = self._pos - start
                view[:want] = chunk[offset : offset + want]
                self._pos += want
                return want
        raise OSError(f"bytes {self._pos}-{self._pos + want} were not fetched")


def parquet_footer_length(tail: bytes) -> int:
    if len(tail) < 8 or tail[-4:] != PARQUET_MAGIC:
        raise SampleError("not a Parquet object (no PAR1 footer)")
    return int.from_bytes(tail[-8:-4], "little")


def _parquet_columns(schema_names: Sequence[str], columns: Sequence[str]) -> dict[str, str]:
    """Parquet column name -> Glue column name (Glue lower-cases names)."""
    wanted = {c.lower(): c for c in columns}
    return {n: wanted[n.lower()] for n in schema_names if n.lower() in wanted}


def parse_parquet(source: io.RawIOBase | io.BytesIO, layout: TableLayout, max_rows: int) -> Values:
    """The first ``max_rows`` rows of the wanted columns of the first row group."""
    parquet = _pq().ParquetFile(source, pre_buffer=False)
    names = _parquet_columns(parquet.schema_arrow.names, layout.columns)
    if not names or parquet.metadata.num_row_groups == 0:
        return {}
    group = parquet.read_row_group(0, columns=list(names))
    values: Values = {}
    for name, column in names.items():
        data = group.column(name).slice(0, max_rows).to_pylist()
        values[column] = [_scalar(v) for v in data]
    return {c: v for c, v in values.items() if v}


def row_group_ranges(
    metadata: Any, layout: TableLayout, row_group: int = 0
) -> list[tuple[str, int, int]]:
    """(Parquet column, offset, length) of the wanted column chunks of one row group."""
    group = metadata.row_group(row_group)
    names = _parquet_columns(
        [group.column(i).path_in_schema for i in range(group.num_columns)], layout.columns
    )
    ranges: list[tuple[str, int, int]] = []
    for i in range(group.num_columns):
        chunk = group.column(i)
        if chunk.path_in_schema not in names:
            continue
        start = chunk.data_page_offset
        if chunk.has_dictionary_page and chunk.dictionary_page_offset:
            start = min(start, chunk.dictionary_page_offset)
        ranges.append((chunk.path_in_schema, start, chunk.total_compressed_size))
    return ranges


def partition_values(key: str, partition_keys: Sequence[str]) -> dict[str, str]:
    """Values of partition keys from Hive-style ``name=value`` folders of an object key."""
    found: dict[str, str] = {}
    wanted = {k.lower(): k for k in partition_keys}
    for part in key.split("/")[:-1]:
        name, sep, value = part.partition("=")
        if sep and name.lower() in wanted:
            found[wanted[name.lower()]] = unquote(value)
    return found


def _is_data_object(key: str, size: int) -> bool:
    base = key.rsplit("/", 1)[-1]
    return (
        size > 0
        and not key.endswith("/")
        and not base.startswith(("_", "."))
        and not key.endswith(("$folder$", ".crc", ".manifest", ".metadata"))
    )


def _sniff_format(head: bytes, key: str) -> Format:
    if head.startswith(PARQUET_MAGIC) or key.endswith(".parquet"):
        return "parquet"
    if head.lstrip().startswith(b"{") or key.endswith((".json", ".jsonl", ".ndjson")):
        return "json"
    return "csv"


# -- reading (S3) ---------------------------------------------------------------------------


class SampleReader:
    """Reads samples through an S3 client of the producer account's sampling role."""

    def __init__(self, s3: S3Client, limits: SampleLimits | None = None) -> None:
        self._s3 = s3
        self.limits = limits or SampleLimits()

    async def read(
        self,
        table: dict[str, Any],
        partition_locations: PartitionLocations | None = None,
    ) -> Sample:
        """Values of the table's columns from its first data objects (none found: empty)."""
        layout = table_layout(table)
        objects = await self._objects(layout.bucket, layout.prefix)
        if not objects and partition_locations is not None and layout.partition_keys:
            # Partitions kept outside the table's location: read from the first ones.
            for location in await partition_locations():
                objects += await self._objects(*parse_s3_url(location))
                if len(objects) >= self.limits.max_objects:
                    break
        sample = Sample(values={})
        for bucket, key, size in objects[: self.limits.max_objects]:
            budget = self.limits.max_bytes - sample.bytes_read
            rows_left = self.limits.max_rows - sample.rows
            if budget <= 0 or rows_left <= 0:
                break
            fmt, values, used = await self._read_object(
                layout, bucket, key, size, budget, rows_left
            )
            sample.bytes_read += used
            sample.objects += 1
            sample.format = sample.format or fmt
            rows = max((len(v) for v in values.values()), default=0)
            if rows == 0:
                continue
            for column, value in partition_values(key, layout.partition_keys).items():
                values[column] = [value] * rows
            for column, found in values.items():
                sample.values.setdefault(column, []).extend(found)
            sample.rows += rows
        return sample

    async def _objects(self, bucket: str, prefix: str) -> list[tuple[str, str, int]]:
        with aws_errors(f"s3:ListObjectsV2 s3://{bucket}/{prefix}"):
            response = await self._s3.list_objects_v2(
                Bucket=bucket, Prefix=prefix, MaxKeys=LIST_PAGE
            )
        return [
            (bucket, o["Key"], int(o.get("Size", 0)))
            for o in response.get("Contents", [])
            if _is_data_object(o["Key"], int(o.get("Size", 0)))
        ][: self.limits.max_objects]

    async def _get(self, bucket: str, key: str, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` inclusive."""
        with aws_errors(f"s3:GetObject s3://{bucket}/{key}"):
            response = await self._s3.get_object(
                Bucket=bucket, Key=key, Range=f"bytes={start}-{end}"
            )
            async with response["Body"] as body:
                return bytes(await body.read())

    async def _read_object(
        self, layout: TableLayout, bucket: str, key: str, size: int, budget: int, rows: int
    ) -> tuple[Format, Values, int]:
        fmt = layout.format
        if fmt == "parquet" or (fmt is None and key.endswith(".parquet")):
            values, used = await self._read_parquet(layout, bucket, key, size, budget, rows)
            return "parquet", values, used
        limit = min(size, budget, self.limits.max_text_bytes_per_object)
        data = await self._get(bucket, key, 0, limit - 1)
        truncated = limit < size
        if data.startswith(_GZIP_MAGIC):
            data, truncated = _gunzip(data, self.limits.max_text_bytes_per_object)
        fmt = fmt or _sniff_format(data[:64], key)
        if fmt == "parquet":
            values, used = await self._read_parquet(layout, bucket, key, size, budget, rows)
            return "parquet", values, used
        parse = parse_json_lines if fmt == "json" else parse_delimited
        try:
            return fmt, parse(data, layout, truncated, rows), limit
        except (csv.Error, UnicodeError) as exc:
            raise SampleError(
                f"s3://{bucket}/{key} is not readable as {fmt}: {type(exc).__name__}"
            ) from None

    async def _read_parquet(
        self, layout: TableLayout, bucket: str, key: str, size: int, budget: int, rows: int
    ) -> tuple[Values, int]:
        try:
            if size <= budget:
                data = await self._get(bucket, key, 0, size - 1)
                return parse_parquet(io.BytesIO(data), layout, rows), size
            tail_start = max(0, size - PARQUET_TAIL)
            ranges = {tail_start: await self._get(bucket, key, tail_start, size - 1)}
            used = size - tail_start
            footer = parquet_footer_length(ranges[tail_start]) + 8
            if footer > size - tail_start:
                start = size - footer
                ranges = {start: await self._get(bucket, key, start, size - 1)}
                used += footer
            metadata = _pq().read_metadata(_SparseFile(size, ranges))
            if metadata.num_row_groups == 0:
                return {}, used
            for _name, offset, length in row_group_ranges(metadata, layout):
                if used + length > budget:
                    continue  # a chunk too large for the budget: that column is not sampled
                ranges[offset] = await self._get(bucket, key, offset, offset + length - 1)
                used += length
            return _parse_sparse(size, ranges, layout, rows), used
        except SampleError:
            raise
        except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
            raise SampleError(
                f"s3://{bucket}/{key} is not readable as Parquet: {type(exc).__name__}"
            ) from None


def _parse_sparse(size: int, ranges: dict[int, bytes], layout: TableLayout, rows: int) -> Values:
    """Parse the fetched chunks; columns whose chunk was not fetched are left out."""
    source = _SparseFile(size, ranges)
    parquet = _pq().ParquetFile(source, pre_buffer=False)
    fetched = {
        name for name, offset, _ in row_group_ranges(parquet.metadata, layout) if offset in ranges
    }
    names = _parquet_columns(parquet.schema_arrow.names, layout.columns)
    wanted = [n for n in names if n in fetched]
    if not wanted:
        return {}
    group = parquet.read_row_group(0, columns=wanted)
    return {
        names[n]: [_scalar(v) for v in group.column(n).slice(0, rows).to_pylist()] for n in wanted
    }
