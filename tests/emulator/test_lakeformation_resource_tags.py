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
