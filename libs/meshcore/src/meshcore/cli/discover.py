"""meshctl search and describe: what is in the global catalog, and who may read it."""

from __future__ import annotations

import argparse

from meshcore.actions.catalog import CatalogQuery, search
from meshcore.actions.discovery import describe
from meshcore.cli.common import AddCommand, on_central
from meshcore.cli.output import emit_json, table
from meshcore.domain.access import TableName
from meshcore.domain.provenance import PREFIX
from meshcore.settings import MeshSettings


def cmd_search(args: argparse.Namespace, settings: MeshSettings) -> int:
    query = CatalogQuery(text=args.text or "", domain=args.domain, tag=args.tag, column=args.column)

    found = on_central(settings, lambda c: search(c, query)).rows
    if args.json:
        emit_json([t.as_dict() for t in found])
        return 0
    if not found:
        print("no tables match")
        return 0
    print(
        table(
            ["TABLE", "DOMAIN", "OWNERS", "COLUMNS", "SENSITIVE", "DESCRIPTION"],
            [
                [
                    t.name,
                    t.domain,
                    ",".join(t.owners),
                    t.column_count,
                    ",".join(sorted(set(t.sensitive_columns.values()))) or "-",
                    t.description[:60],
                ]
                for t in found
            ],
        )
    )
    return 0


def cmd_describe(args: argparse.Namespace, settings: MeshSettings) -> int:
    name = TableName.parse(args.table)

    info = on_central(settings, lambda c: describe(c, name))
    if args.json:
        emit_json(info.as_dict())
        return 0
    print(f"{info.name}  (domain {info.domain}, owners {', '.join(info.owners) or '-'})")
    if info.description:
        print(f"  {info.description}")
    print(f"  location: {info.location}")
    for key, value in sorted(info.provenance.items()):
        print(f"  {key.removeprefix(PREFIX)}: {value}")
    print()
    print(
        table(
            ["COLUMN", "TYPE", "CLASSIFICATION", "COMMENT"],
            [
                [
                    c["name"],
                    c["type"],
                    c.get("classification") or ",".join(c["sensitivity"]) or "-",
                    c["comment"],
                ]
                for c in info.columns
            ]
            + [
                [k["name"], k["type"], k.get("classification", "-"), "(partition key)"]
                for k in info.partition_keys
            ],
        )
    )
    print()
    if info.access:
        print(
            table(
                ["REQUEST", "GRANTEE", "EXPIRES", "EXCLUDED"],
                [
                    [
                        a["request_id"],
                        a["grantee"],
                        a["expires_at"] or "-",
                        ",".join(a["excluded_columns"]) or "-",
                    ]
                    for a in info.access
                ],
            )
        )
    else:
        print("no one has been granted access through meshcore")
    return 0


def register(add: AddCommand) -> None:
    p = add("search", cmd_search, "search the central catalog")
    p.add_argument(
        "text", nargs="?", help="words in the database or table name, description or columns"
    )
    p.add_argument("--domain", help="only this producer domain (e.g. ar)")
    p.add_argument(
        "--tag", help="only tables with a column of this sensitivity class (or 'sensitive')"
    )
    p.add_argument("--column", help="only tables with a column of this name")
    p = add("describe", cmd_describe, "show a central table: schema, tags, provenance, access")
    p.add_argument("table", metavar="DB.TABLE")
