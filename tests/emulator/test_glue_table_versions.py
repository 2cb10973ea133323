"""Glue UpdateTable with VersionId is an optimistic-concurrency update.

AWS behaviour (UpdateTable, AWS Glue Web API Reference,
https://docs.aws.amazon.com/glue/latest/webapi/API_UpdateTable.html): ``VersionId`` is
"The version ID at which to update the table contents"; the operation lists
ConcurrentModificationException ("Two processes are trying to modify a resource
simultaneously", HTTP 400) among its errors. GetTable returns the table's current
``VersionId`` (GetTable, https://docs.aws.amazon.com/glue/latest/webapi/API_GetTable.html),
and every successful update creates a new version.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import ClientFactory


@pytest.fixture
def glue(client: ClientFactory) -> Any:
    glue = client("glue")
    glue.create_database(DatabaseInput={"Name": "sales"})
    glue.create_table(DatabaseName="sales", TableInput={"Name": "orders"})
    return glue


def current_version(glue: Any) -> str:
    version: str = glue.get_table(DatabaseName="sales", Name="orders")["Table"]["VersionId"]
    return version


def update(glue: Any, version: str | None, description: str) -> None:
    extra = {} if version is None else {"VersionId": version}
    glue.update_table(
        DatabaseName="sales",
        TableInput={"Name": "orders", "Description": description},
        **extra,
    )


def test_update_at_current_version_succeeds_and_bumps_it(glue: Any) -> None:
    before = current_version(glue)

    update(glue, before, "first")

    after = current_version(glue)
    assert after != before
    assert int(after) == int(before) + 1
    assert glue.get_table(DatabaseName="sales", Name="orders")["Table"]["Description"] == "first"


def test_update_at_stale_version_is_rejected(glue: Any) -> None:
    stale = current_version(glue)
    update(glue, stale, "first writer")

    with pytest.raises(ClientError) as raised:
        update(glue, stale, "second writer")

    assert raised.value.response["Error"]["Code"] == "ConcurrentModificationException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    table = glue.get_table(DatabaseName="sales", Name="orders")["Table"]
    assert table["Description"] == "first writer"


def test_update_without_version_is_unconditional(glue: Any) -> None:
    before = current_version(glue)
    update(glue, None, "a")
    update(glue, None, "b")
    assert int(current_version(glue)) == int(before) + 2


def test_exactly_one_of_concurrent_writers_at_one_version_wins(glue: Any) -> None:
    version = current_version(glue)

    def attempt(n: int) -> bool:
        try:
            update(glue, version, f"writer {n}")
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ConcurrentModificationException"
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))

    assert outcomes.count(True) == 1
