"""Glue numbers a table's versions from 0, one more for each update.

AWS behaviour (TableVersion, AWS Glue Web API Reference,
https://docs.aws.amazon.com/glue/latest/webapi/API_TableVersion.html): a ``VersionId`` "is a
string representation of an integer. Each version is incremented by 1". A new table is at "0"
(observed on AWS: the reference does not state the first number, and a writer that expects a
version lower than the real one only loses the race, so the emulator must not start higher).
"""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import ClientFactory


@pytest.fixture
def glue(client: ClientFactory) -> Any:
    glue = client("glue")
    glue.create_database(DatabaseInput={"Name": "sales"})
    glue.create_table(DatabaseName="sales", TableInput={"Name": "orders"})
    return glue


def version(glue: Any) -> str:
    found: str = glue.get_table(DatabaseName="sales", Name="orders")["Table"]["VersionId"]
    return found


def test_a_new_table_is_at_version_0(glue: Any) -> None:
    assert version(glue) == "0"


def test_each_update_moves_the_version_by_one_so_a_writer_knows_the_next(glue: Any) -> None:
    expected = "0"
    for description in ("first", "second", "third"):
        glue.update_table(
            DatabaseName="sales",
            TableInput={"Name": "orders", "Description": description},
            VersionId=expected,
        )
        expected = str(int(expected) + 1)
        assert version(glue) == expected
    listed = glue.get_table_versions(DatabaseName="sales", TableName="orders")["TableVersions"]
    assert sorted(int(v["VersionId"]) for v in listed) == [0, 1, 2, 3]


def test_a_recreated_table_starts_again_at_0(glue: Any) -> None:
    glue.update_table(DatabaseName="sales", TableInput={"Name": "orders", "Description": "x"})
    glue.delete_table(DatabaseName="sales", Name="orders")
    glue.create_table(DatabaseName="sales", TableInput={"Name": "orders"})
    assert version(glue) == "0"
