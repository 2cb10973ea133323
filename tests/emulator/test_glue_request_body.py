"""Glue answers each request from its own parameters, read once per request.

``extensions/glue_request_body.py`` keeps a request's parsed body for the request. What must not
change: every action sees exactly the parameters its request sent (CreateDatabase with a
CatalogId, "The ID of the Data Catalog in which to create the database. If none is provided,
the Amazon Web Services account ID is used by default",
https://docs.aws.amazon.com/glue/latest/webapi/API_CreateDatabase.html; UpdateTable replaces
the table's definition with its TableInput,
https://docs.aws.amazon.com/glue/latest/webapi/API_UpdateTable.html), and nothing of one
request leaks into the next.
"""

from __future__ import annotations

from .helpers import CENTRAL_ACCOUNT, ClientFactory


def test_each_request_sees_only_its_own_parameters(client: ClientFactory) -> None:
    glue = client("glue")
    glue.create_database(CatalogId=CENTRAL_ACCOUNT, DatabaseInput={"Name": "sales"})
    glue.create_database(DatabaseInput={"Name": "hr", "Description": "people"})
    glue.update_database(
        CatalogId=CENTRAL_ACCOUNT, Name="sales", DatabaseInput={"Name": "sales", "Description": "s"}
    )
    databases = {d["Name"]: d for d in glue.get_databases()["DatabaseList"]}
    assert databases["sales"]["Description"] == "s"
    assert databases["sales"]["CatalogId"] == CENTRAL_ACCOUNT
    assert databases["hr"]["Description"] == "people"

    for rev in ("1", "2", "3"):
        glue.create_table(DatabaseName="sales", TableInput={"Name": f"t{rev}"})
        glue.update_table(
            DatabaseName="sales", TableInput={"Name": "t1", "Parameters": {"rev": rev}}
        )
    assert glue.get_table(DatabaseName="sales", Name="t1")["Table"]["Parameters"] == {"rev": "3"}
    assert glue.get_table(DatabaseName="sales", Name="t2")["Table"].get("Parameters") in (None, {})
    names = [
        t["Name"] for t in glue.get_tables(DatabaseName="sales", Expression="t[12]")["TableList"]
    ]
    assert sorted(names) == ["t1", "t2"]
