"""RAM resource share invitations between accounts.

When a resource share names an AWS account outside the owner's organization as
principal, RAM sends that account a resource share invitation (status PENDING).
The receiver lists it with GetResourceShareInvitations and answers with
AcceptResourceShareInvitation or RejectResourceShareInvitation. The receiver's
principal association is ASSOCIATING until accepted, then ASSOCIATED; after an
accept, GetResourceShares(resourceOwner=OTHER-ACCOUNTS) lists the share in the
receiver account. moto implements none of the invitation calls. Organizations
are not modelled, so every account principal other than the owner is invited.

An invitation left unanswered expires: "Accepting and rejecting resource share invitations"
(AWS RAM User Guide,
https://docs.aws.amazon.com/ram/latest/userguide/working-with-shared-invitations.html) gives
seven days to accept for the resource types it lists (an invitation not accepted before it
expires is automatically declined) and 12 hours for the others. The emulator expires every
invitation seven days after it was sent (``EXPIRES_AFTER``): GetResourceShareInvitations then
reports it ``EXPIRED`` (a status of the ResourceShareInvitation API type), the principal's
association is FAILED, and accepting or rejecting it fails with
ResourceShareInvitationExpiredException. A later association of the same principal with the
share (Lake Formation granting it again, see ``lakeformation_cross_account``) sends a new
invitation; while its last one is pending or accepted, none is sent. The receiver's access rests
on its latest invitation to each share. Tests make time pass for RAM, or shorten the period,
with ``advance`` and ``set_expiry`` (over HTTP: ``POST /_emulator/ram``); a reset restores both.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time, utcnow
from moto.moto_api._internal import mock_random
from moto.ram import urls as ram_urls
from moto.ram.models import ResourceAccessManagerBackend, ResourceShare, ram_backends
from moto.ram.responses import ResourceAccessManagerResponse

from ._patching import add_method, wrap_method

PENDING, ACCEPTED, REJECTED, EXPIRED = "PENDING", "ACCEPTED", "REJECTED", "EXPIRED"
LIVE = frozenset({PENDING, ACCEPTED})
_ASSOCIATION_STATUS = {
    PENDING: "ASSOCIATING",
    ACCEPTED: "ASSOCIATED",
    REJECTED: "FAILED",
    EXPIRED: "FAILED",
}
EXPIRES_AFTER = timedelta(days=7)
_ACCOUNT_OF_PRINCIPAL = re.compile(r"^(?:(\d{12})|arn:aws[\w-]*:iam::(\d{12}):.+)$")
_INVITATION_ARN = re.compile(r"^arn:aws[\w-]*:ram:([\w-]+):(\d{12}):resource-share-invitation/.+$")


class _Clock:
    """RAM's notion of now (moto's clock plus what tests advanced) and the expiry period."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.offset = timedelta(0)
        self.expires_after = EXPIRES_AFTER

    def now(self) -> datetime:
        with self._lock:
            return utcnow() + self.offset


_CLOCK = _Clock()


def advance(seconds: float) -> None:
    """Make `seconds` pass for RAM's invitations."""
    if seconds < 0:
        raise ValueError(f"time only moves forward, not by {seconds} seconds")
    with _CLOCK._lock:
        _CLOCK.offset += timedelta(seconds=seconds)


def set_expiry(seconds: float) -> None:
    """How long an invitation stays pending before it expires."""
    if seconds <= 0:
        raise ValueError(f"an expiry must be a positive number of seconds, not {seconds}")
    with _CLOCK._lock:
        _CLOCK.expires_after = timedelta(seconds=seconds)


def clock() -> dict[str, float]:
    with _CLOCK._lock:
        return {
            "advanced_seconds": _CLOCK.offset.total_seconds(),
            "invitation_expiry_seconds": _CLOCK.expires_after.total_seconds(),
        }


def forget() -> None:
    """Back to moto's clock and AWS's period (a reset)."""
    with _CLOCK._lock:
        _CLOCK.offset = timedelta(0)
        _CLOCK.expires_after = EXPIRES_AFTER


_ROUTES = {
    "{0}/getresourceshareinvitations$": ResourceAccessManagerResponse.dispatch,
    "{0}/acceptresourceshareinvitation$": ResourceAccessManagerResponse.dispatch,
    "{0}/rejectresourceshareinvitation$": ResourceAccessManagerResponse.dispatch,
}


@dataclass
class Invitation:
    arn: str
    share: ResourceShare
    receiver: str
    receiver_arn: str | None
    created: datetime = field(default_factory=lambda: _CLOCK.now())
    answered: str | None = None  # ACCEPTED or REJECTED

    @property
    def status(self) -> str:
        if self.answered is not None:
            return self.answered
        if _CLOCK.now() >= self.created + _CLOCK.expires_after:
            return EXPIRED
        return PENDING

    def describe(self) -> dict[str, Any]:
        described = {
            "resourceShareInvitationArn": self.arn,
            "resourceShareName": self.share.name,
            "resourceShareArn": self.share.arn,
            "senderAccountId": self.share.owning_account_id,
            "receiverAccountId": self.receiver,
            "invitationTimestamp": unix_time(self.created),
            "status": self.status,
        }
        if self.receiver_arn:
            described["receiverArn"] = self.receiver_arn
        return described


class _RamError(JsonRESTError):
    code = 400


def install() -> None:
    # The server builds its URL map from url_paths, so routes must exist before it starts.
    ram_urls.url_paths.update(_ROUTES)
    wrap_method(ResourceShare, "add_principals", _add_principals)
    wrap_method(ResourceAccessManagerBackend, "get_resource_shares", _get_resource_shares)
    wrap_method(
        ResourceAccessManagerBackend,
        "get_resource_share_associations",
        _get_resource_share_associations,
    )
    add_method(ResourceAccessManagerResponse, "get_resource_share_invitations", _list_response)
    add_method(ResourceAccessManagerResponse, "accept_resource_share_invitation", _accept_response)
    add_method(ResourceAccessManagerResponse, "reject_resource_share_invitation", _reject_response)


def invitations_of(owner: ResourceAccessManagerBackend) -> list[Invitation]:
    """Invitations sent by the owner backend's account (dropped by moto's reset)."""
    invitations: list[Invitation] = vars(owner).setdefault("_meshcore_invitations", [])
    return invitations


def account_of(principal: str) -> str | None:
    """The account a RAM principal (account id or IAM principal ARN) belongs to."""
    match = _ACCOUNT_OF_PRINCIPAL.match(principal)
    return (match.group(1) or match.group(2)) if match else None


def latest_invitation(
    owner: ResourceAccessManagerBackend, share: ResourceShare, receiver: str
) -> Invitation | None:
    """The last invitation of `receiver` to `share`: the one its access rests on."""
    found = [i for i in invitations_of(owner) if i.share is share and i.receiver == receiver]
    return found[-1] if found else None


def accepted_shares(owner: ResourceAccessManagerBackend, receiver: str) -> list[ResourceShare]:
    """The active shares of `owner` whose latest invitation `receiver` accepted."""
    shares: list[ResourceShare] = []
    for invitation in invitations_of(owner):
        share = invitation.share
        if invitation.receiver != receiver or share in shares or share.status != "ACTIVE":
            continue
        latest = latest_invitation(owner, share, receiver)
        if latest is not None and latest.status == ACCEPTED:
            shares.append(share)
    return shares


def _add_principals(original: Any, share: ResourceShare, principals: list[str]) -> None:
    # Associating a principal again does not list it twice.
    original(share, [p for p in principals if p not in share.principals])
    owner = ram_backends[share.account_id][share.region]
    for principal in principals:
        receiver = account_of(principal)
        if receiver is None or receiver == share.owning_account_id:
            continue
        latest = latest_invitation(owner, share, receiver)
        if latest is not None and latest.status in LIVE:
            continue  # pending or accepted: nothing to invite to
        arn = (
            f"arn:{share.partition}:ram:{share.region}:{share.owning_account_id}"
            f":resource-share-invitation/{mock_random.uuid4()}"
        )
        receiver_arn = principal if principal.startswith("arn:") else None
        invitations_of(owner).append(Invitation(arn, share, receiver, receiver_arn))


def _received_by(account: str, region: str) -> list[Invitation]:
    return [
        invitation
        for backends in list(ram_backends.values())
        for backend in list(backends.values())
        if backend.region_name == region
        for invitation in invitations_of(backend)
        if invitation.receiver == account
    ]


def _get_resource_shares(
    original: Any, ram: ResourceAccessManagerBackend, resource_owner: str | None
) -> dict[str, Any]:
    if resource_owner != "OTHER-ACCOUNTS":
        return original(ram, resource_owner)  # type: ignore[no-any-return]
    accepted = [
        share.describe()
        for backends in list(ram_backends.values())
        for backend in list(backends.values())
        if backend.region_name == ram.region_name
        for share in accepted_shares(backend, ram.account_id)
    ]
    return {"resourceShares": accepted}


def _get_resource_share_associations(
    original: Any,
    ram: ResourceAccessManagerBackend,
    association_type: str | None,
    association_status: str | None,
    *args: Any,
) -> dict[str, Any]:
    # moto echoes the requested status onto every association; ask for all, then filter.
    listing: dict[str, Any] = original(ram, association_type, None, *args)
    if association_type == "PRINCIPAL":
        statuses = {(i.share.arn, i.receiver): i.status for i in invitations_of(ram)}
        for association in listing["resourceShareAssociations"]:
            account = account_of(association["associatedEntity"]) or ""
            invitation_status = statuses.get((association["resourceShareArn"], account))
            if invitation_status is not None:
                association["status"] = _ASSOCIATION_STATUS[invitation_status]
                association["external"] = True
    if association_status:
        listing["resourceShareAssociations"] = [
            a for a in listing["resourceShareAssociations"] if a["status"] == association_status
        ]
    return listing


def _find(arn: str | None, receiver: str) -> Invitation:
    match = _INVITATION_ARN.match(arn or "")
    if match is None:
        raise _RamError("MalformedArnException", f"The ARN {arn} is not valid.")
    for invitation in _received_by(receiver, match.group(1)):
        if invitation.arn == arn:
            return invitation
    raise _RamError(
        "ResourceShareInvitationArnNotFoundException",
        f"ResourceShareInvitation {arn} could not be found.",
    )


def _answer(response: ResourceAccessManagerResponse, status: str) -> str:
    invitation = _find(response._get_param("resourceShareInvitationArn"), response.current_account)
    current = invitation.status  # read once: a pending invitation may expire meanwhile
    if current == ACCEPTED:
        raise _RamError(
            "ResourceShareInvitationAlreadyAcceptedException",
            f"ResourceShareInvitation {invitation.arn} has already been accepted.",
        )
    if current == REJECTED:
        raise _RamError(
            "ResourceShareInvitationAlreadyRejectedException",
            f"ResourceShareInvitation {invitation.arn} has already been rejected.",
        )
    if current == EXPIRED:
        raise _RamError(
            "ResourceShareInvitationExpiredException",
            f"ResourceShareInvitation {invitation.arn} has expired.",
        )
    invitation.answered = status
    client_token = response._get_param("clientToken") or str(mock_random.uuid4())
    return json.dumps(
        {"resourceShareInvitation": invitation.describe(), "clientToken": client_token}
    )


def _list_response(response: ResourceAccessManagerResponse) -> str:
    arns = response._get_param("resourceShareInvitationArns") or []
    share_arns = response._get_param("resourceShareArns") or []
    invitations = [
        invitation.describe()
        for invitation in _received_by(response.current_account, response.region)
        if (not arns or invitation.arn in arns)
        and (not share_arns or invitation.share.arn in share_arns)
    ]
    return json.dumps({"resourceShareInvitations": invitations})


def _accept_response(response: ResourceAccessManagerResponse) -> str:
    return _answer(response, ACCEPTED)


def _reject_response(response: ResourceAccessManagerResponse) -> str:
    return _answer(response, REJECTED)
