"""Who made a call: the identity behind the access key id that signed it.

AWS authorises every call as the principal its credentials belong to. moto keeps that mapping
itself: STS AssumeRole issues a temporary key in the role's account and remembers the role and
the session name. A key moto never issued (the long-term keys a local process is started with)
belongs to moto's default account and is told apart by the key id alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends


@dataclass(frozen=True)
class Principal:
    access_key_id: str
    account: str
    role_arn: str = ""  # the assumed role, "" for long-term credentials
    session_name: str = ""  # the RoleSessionName given to AssumeRole

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1] if self.role_arn else ""

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "role_name": self.role_name}


def resolve(access_key_id: str) -> Principal:
    """The principal `access_key_id` belongs to, as moto knows it now."""
    # A list, as moto does, because other threads may add accounts while we look.
    for account_id, account in list(iam_backends.items()):
        for partition, iam in list(account.items()):
            key = iam.access_keys.get(access_key_id)
            if key is None:
                continue
            role_arn = key.role_arn or ""
            return Principal(
                access_key_id,
                account_id,
                role_arn,
                _session_name(account_id, partition, access_key_id),
            )
    return Principal(access_key_id, DEFAULT_ACCOUNT_ID)


def _session_name(account_id: str, partition: str, access_key_id: str) -> str:
    # STS keeps the assumed roles in the backend of the role's account.
    sts = sts_backends[account_id][partition]
    assumed = sts.get_assumed_role_from_access_key(access_key_id)
    return assumed.session_name if assumed else ""
