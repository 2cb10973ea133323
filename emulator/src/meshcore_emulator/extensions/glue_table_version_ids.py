"""Glue numbers a table's versions from 0, one more for each update.

AWS behaviour: a table version's ``VersionId`` "is a string representation of an integer.
Each version is incremented by 1" (TableVersion, AWS Glue Web API Reference,
https://docs.aws.amazon.com/glue/latest/webapi/API_TableVersion.html). A table GetTable reads
right after CreateTable is at ``VersionId`` "0" and an UpdateTable moves it to "1" (observed on
AWS; the reference does not state the first number). moto starts every table at "1".

meshcore relies on this to write a table under Glue's optimistic lock without reading it first:
the version after its own CreateTable is "0", after its own UpdateTable one more than before.
Were the first number higher on AWS, such a write would only lose the race and read again; it is
never higher than AWS's, which is why the emulator must not start above "0".

The fix belongs upstream in moto (``FakeTable.__init__``).
"""

from __future__ import annotations

from typing import Any

from moto.glue.models import FakeTable

from ._patching import wrap_method

FIRST_VERSION = 0


def install() -> None:
    wrap_method(FakeTable, "__init__", _init)


def _init(original: Any, table: FakeTable, *args: Any, **kwargs: Any) -> None:
    original(table, *args, **kwargs)
    first = table.versions.pop(str(table._current_version))
    table._current_version = FIRST_VERSION
    table.versions = {str(FIRST_VERSION): first}
