"""EventBridge delivers the full event envelope, also across accounts.

AWS behaviour:
- "Amazon EventBridge events" / "AWS service event metadata" (EventBridge Events
  Reference, https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html):
  every event carries ``version``, ``id``, ``detail-type``, ``source``, ``account``
  (the account where the event originated), ``time`` (ISO-8601), ``region``,
  ``resources`` and ``detail``; a target without an input transformer receives it whole.
- "Sending and receiving events between AWS accounts in Amazon EventBridge"
  (EventBridge User Guide, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html):
  a rule can target an event bus in another account, whose resource-based policy must
  allow the sending account to call ``events:PutEvents`` (PutPermission,
  https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html);
  the receiving account's rules then match the event as sent by the producer.
"""

from __future__ import annotations

import re

from .helpers import (
    CENTRAL_ACCOUNT,
    PRODUCER_ACCOUNT,
    REGION,
    ClientFactory,
    drain,
    queue_with_rule,
)

CENTRAL_BUS = "meshcore-central"
CENTRAL_BUS_ARN = f"arn:aws:events:{REGION}:{CENTRAL_ACCOUNT}:event-bus/{CENTRAL_BUS}"
ISO_8601_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def central_bus_with_queue(client: ClientFactory, *, allow_producer: bool) -> str:
    events = client("events")
    events.create_event_bus(Name=CENTRAL_BUS)
    if allow_producer:
        events.put_permission(
            EventBusName=CENTRAL_BUS,
            Action="events:PutEvents",
            Principal=PRODUCER_ACCOUNT,
            StatementId="producer",
        )
    return queue_with_rule(client, bus=CENTRAL_BUS, name="central-catalog-events")


def forward_producer_glue_events(client: ClientFactory) -> None:
    events = client("events", account=PRODUCER_ACCOUNT)
    events.put_rule(Name="to-central", EventPattern='{"source": ["aws.glue"]}')
    events.put_targets(Rule="to-central", Targets=[{"Id": "central", "Arn": CENTRAL_BUS_ARN}])


def create_producer_table(client: ClientFactory) -> None:
    glue = client("glue", account=PRODUCER_ACCOUNT)
    glue.create_database(DatabaseInput={"Name": "sales"})
    glue.create_table(DatabaseName="sales", TableInput={"Name": "orders"})


def test_sqs_target_receives_the_full_envelope(client: ClientFactory) -> None:
    queue = queue_with_rule(client, pattern={"source": ["meshcore.test"]})
    client("events").put_events(
        Entries=[
            {
                "Source": "meshcore.test",
                "DetailType": "Probe",
                "Detail": '{"n": 1}',
                "Resources": ["arn:aws:glue:us-east-1:123456789012:database/x"],
            }
        ]
    )

    (event,) = drain(client, queue)
    assert set(event) == {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    }
    assert event["account"] == CENTRAL_ACCOUNT
    assert event["version"] == "0"
    assert ISO_8601_Z.match(event["time"])
    assert event["resources"] == ["arn:aws:glue:us-east-1:123456789012:database/x"]
    assert event["detail"] == {"n": 1}


def test_producer_glue_event_reaches_central_queue_with_producer_account(
    client: ClientFactory,
) -> None:
    central_queue = central_bus_with_queue(client, allow_producer=True)
    forward_producer_glue_events(client)

    create_producer_table(client)

    create_db, create_table = drain(client, central_queue)
    assert create_table == {
        "version": "0",
        "id": create_table["id"],
        "detail-type": "Glue Data Catalog Database State Change",
        "source": "aws.glue",
        "account": PRODUCER_ACCOUNT,
        "time": create_table["time"],
        "region": REGION,
        "resources": [f"arn:aws:glue:{REGION}:{PRODUCER_ACCOUNT}:table/sales/orders"],
        "detail": {
            "databaseName": "sales",
            "typeOfChange": "CreateTable",
            "changedTables": ["orders"],
        },
    }
    assert ISO_8601_Z.match(create_table["time"])
    assert create_db["detail"]["typeOfChange"] == "CreateDatabase"
    assert create_db["account"] == PRODUCER_ACCOUNT


def test_central_rules_can_match_on_the_producer_account(client: ClientFactory) -> None:
    client("events").create_event_bus(Name=CENTRAL_BUS)
    client("events").put_permission(
        EventBusName=CENTRAL_BUS,
        Action="events:PutEvents",
        Principal=PRODUCER_ACCOUNT,
        StatementId="producer",
    )
    queue = queue_with_rule(
        client, bus=CENTRAL_BUS, pattern={"account": [PRODUCER_ACCOUNT]}, name="from-producer"
    )
    forward_producer_glue_events(client)

    create_producer_table(client)

    assert len(drain(client, queue)) == 2


def test_bus_without_a_policy_for_the_producer_receives_nothing(client: ClientFactory) -> None:
    central_queue = central_bus_with_queue(client, allow_producer=False)
    forward_producer_glue_events(client)

    create_producer_table(client)

    assert drain(client, central_queue) == []


def test_undeliverable_event_does_not_fail_the_glue_call(client: ClientFactory) -> None:
    # No central bus exists: delivery fails, and the producer's CreateTable still succeeds.
    forward_producer_glue_events(client)

    create_producer_table(client)

    tables = client("glue", account=PRODUCER_ACCOUNT).get_tables(DatabaseName="sales")
    assert [t["Name"] for t in tables["TableList"]] == ["orders"]
