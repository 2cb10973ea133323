"""Each fake is its port, as the type checker sees it (`make typecheck` checks this package)."""

from __future__ import annotations

from meshcore.aws import ports
from meshcore.domain.notifications import NotificationStore

from .audit import FakeAudit
from .consumer import FakeConsumerShares
from .glue import FakeCatalog
from .lakeformation import FakePermissions
from .lftags import FakeColumnTags, FakeResourceTags
from .notifications import FakeNotificationStore
from .queues import FakeSender
from .signing import FakeSigner


def fakes_are_ports() -> list[object]:
    audit: ports.Audit = FakeAudit()
    consumer: ports.ConsumerShares = FakeConsumerShares()
    catalog: ports.Catalog = FakeCatalog()
    permissions: ports.Permissions = FakePermissions()
    columns: ports.ColumnTagging = FakeColumnTags()
    resources: ports.ResourceTagging = FakeResourceTags()
    sender: ports.Sender = FakeSender()
    signer: ports.DecisionSigning = FakeSigner()
    notifications: NotificationStore = FakeNotificationStore()
    return [
        audit,
        consumer,
        catalog,
        permissions,
        columns,
        resources,
        sender,
        signer,
        notifications,
    ]
