"""GetResourceLFTags on a table returns the table's and its columns' LF-tags, empty when untagged.

AWS: Lake Formation API reference, GetResourceLFTags
(https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GetResourceLFTags.html):
the response has LFTagOnDatabase, LFTagsOnTable and LFTagsOnColumns; a resource that does
not exist is EntityNotFoundException ("A specified entity does not exist", Errors).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import ClientFactory


def test_table_resource_reports_column_tags_and_untagged_tables_answer_empty(
    client: ClientFactory,
) -> None:
    glue, lf = client("glue"), client("lakeformation")
    glue.create_database(DatabaseInput={"Name": "db"})
    glue.create_table(
        DatabaseName="db",
        TableInput={
            "Name": "t",
            "StorageDescriptor": {
                "Columns": [{"Name": "email", "Type": "string"}, {"Name": "n", "Type": "int"}]
            },
        },
    )
    table = {"Table": {"DatabaseName": "db", "Name": "t"}}
    untagged = lf.get_resource_lf_tags(Resource=table)
    assert untagged.get("LFTagsOnColumns", []) == [] and untagged.get("LFTagsOnTable", []) == []

    lf.create_lf_tag(TagKey="sensitivity", TagValues=["email_address", "none"])
    lf.add_lf_tags_to_resource(
        Resource={
            "TableWithColumns": {"DatabaseName": "db", "Name": "t", "ColumnNames": ["email"]}
        },
        LFTags=[{"TagKey": "sensitivity", "TagValues": ["email_address"]}],
    )
    columns = lf.get_resource_lf_tags(Resource=table)["LFTagsOnColumns"]
    assert [(c["Name"], [(t["TagKey"], t["TagValues"]) for t in c["LFTags"]]) for c in columns] == [
        ("email", [("sensitivity", ["email_address"])])
    ]


def test_a_table_that_does_not_exist_is_entity_not_found(client: ClientFactory) -> None:
    glue, lf = client("glue"), client("lakeformation")
    glue.create_database(DatabaseInput={"Name": "db"})
    for resource in ({"DatabaseName": "db", "Name": "gone"}, {"DatabaseName": "no", "Name": "t"}):
        with pytest.raises(ClientError) as raised:
            lf.get_resource_lf_tags(Resource={"Table": resource})
        assert raised.value.response["Error"]["Code"] == "EntityNotFoundException"


def test_columns_tagged_in_one_call_keep_their_tags_when_one_loses_it(
    client: ClientFactory,
) -> None:
    """AWS, AddLFTagsToResource and RemoveLFTagsFromResource
    (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_AddLFTagsToResource.html,
    https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_RemoveLFTagsFromResource.html):
    each column named is tagged; removing the tag from one column leaves the others tagged."""
    glue, lf = client("glue"), client("lakeformation")
    glue.create_database(DatabaseInput={"Name": "db"})
    columns = [{"Name": "a", "Type": "string"}, {"Name": "b", "Type": "string"}]
    glue.create_table(
        DatabaseName="db", TableInput={"Name": "t", "StorageDescriptor": {"Columns": columns}}
    )
    lf.create_lf_tag(TagKey="sensitivity", TagValues=["unclassified", "email_address"])
    tag = [{"TagKey": "sensitivity", "TagValues": ["unclassified"]}]

    def on(*names: str) -> dict[str, Any]:
        return {"TableWithColumns": {"DatabaseName": "db", "Name": "t", "ColumnNames": list(names)}}

    lf.add_lf_tags_to_resource(Resource=on("a", "b"), LFTags=tag)
    lf.remove_lf_tags_from_resource(Resource=on("a"), LFTags=tag)
    found = lf.get_resource_lf_tags(Resource={"Table": {"DatabaseName": "db", "Name": "t"}})
    assert {c["Name"]: [t["TagValues"] for t in c["LFTags"]] for c in found["LFTagsOnColumns"]} == {
        "b": [["unclassified"]]
    }


def test_tags_go_only_on_what_the_catalog_holds_and_only_attached_tags_come_off(
    client: ClientFactory,
) -> None:
    """AWS, AddLFTagsToResource and RemoveLFTagsFromResource, Errors
    (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_AddLFTagsToResource.html,
    https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_RemoveLFTagsFromResource.html):
    a table that does not exist is EntityNotFoundException. The reference leaves open what
    removing a tag the resource does not carry returns; the stricter reading is taken: it is
    reported in Failures, and the tags that are attached come off."""
    glue, lf = client("glue"), client("lakeformation")
    glue.create_database(DatabaseInput={"Name": "db"})
    columns = [{"Name": "a", "Type": "string"}]
    glue.create_table(
        DatabaseName="db", TableInput={"Name": "t", "StorageDescriptor": {"Columns": columns}}
    )
    lf.create_lf_tag(TagKey="sensitivity", TagValues=["unclassified", "none"])
    lf.create_lf_tag(TagKey="domain", TagValues=["ar"])
    unclassified = {"TagKey": "sensitivity", "TagValues": ["unclassified"]}

    def on(table: str) -> dict[str, Any]:
        return {"TableWithColumns": {"DatabaseName": "db", "Name": table, "ColumnNames": ["a"]}}

    for call in (lf.add_lf_tags_to_resource, lf.remove_lf_tags_from_resource):
        for resource in (on("gone"), {"Table": {"DatabaseName": "db", "Name": "gone"}}):
            with pytest.raises(ClientError) as raised:
                call(Resource=resource, LFTags=[unclassified])
            assert raised.value.response["Error"]["Code"] == "EntityNotFoundException"

    lf.add_lf_tags_to_resource(Resource=on("t"), LFTags=[unclassified])
    none = {"TagKey": "sensitivity", "TagValues": ["none"]}
    failures = lf.remove_lf_tags_from_resource(Resource=on("t"), LFTags=[none])["Failures"]
    assert [(f["LFTag"]["TagValues"], f["Error"]["ErrorCode"]) for f in failures] == [
        (["none"], "EntityNotFoundException")
    ]
    assert (
        lf.remove_lf_tags_from_resource(Resource=on("t"), LFTags=[unclassified])["Failures"] == []
    )
    found = lf.get_resource_lf_tags(Resource={"Table": {"DatabaseName": "db", "Name": "t"}})
    assert found.get("LFTagsOnColumns", []) == []
