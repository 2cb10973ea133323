"""Checking the audit trail against its signed anchors, and making anchors."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from meshcore.actions.context import Central
from meshcore.aws.audit_anchor import AnchoredCheck, AnchorOutcome
from meshcore.domain.errors import MeshError


async def verify_audit(central: Central) -> AnchoredCheck:
    """The chain checked link by link, against the latest anchor's signed head, and for
    entries past the head."""
    return await (await central.anchors()).verify()


async def anchor_audit(central: Central, as_anchor_role: bool = False) -> AnchorOutcome:
    """Sign the chain's head if the chain up to it is intact (as the audit-anchor role)."""
    return await (await central.anchors(as_anchor_role)).anchor()


async def anchor_every(
    central: Central,
    seconds: float,
    stop: asyncio.Event,
    report: Callable[[AnchorOutcome | MeshError], None],
    as_anchor_role: bool = False,
) -> None:
    """Anchor at once, then every `seconds` until `stop` is set. A failed attempt (AWS
    unreachable, throttled) is reported and tried again at the next interval."""
    while not stop.is_set():
        try:
            report(await anchor_audit(central, as_anchor_role))
        except MeshError as exc:
            report(exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
