"""The small mesh the local stack plays with: one central, two producers, one consumer."""

from __future__ import annotations

import os
from dataclasses import dataclass

from meshcore.settings import MeshSettings

CENTRAL = "123456789012"  # the embedded AWS's default account
AR, AP, CONSUMER = "222222222222", "333333333333", "444444444444"
# In the embedded AWS any role may be assumed; in AWS Organizations this role is created in
# every member account and lets the management account act there.
ONBOARDING_ROLE = "OrganizationAccountAccessRole"


@dataclass(frozen=True)
class MeshProducer:
    account: str
    domain: str
    owner: str


PRODUCERS = (
    MeshProducer(AR, "ar", "ada@ar.example.com"),
    MeshProducer(AP, "ap", "piet@ap.example.com"),
)


def stack_environment(endpoint_url: str, **overrides: str) -> dict[str, str]:
    """The environment of every process of the local stack (workers, meshctl)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MESHCORE_"))}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "MESHCORE_ENDPOINT_URL": endpoint_url,
            "MESHCORE_CENTRAL_ACCOUNT_ID": CENTRAL,
            "MESHCORE_ONBOARDING_ROLE": ONBOARDING_ROLE,
            "MESHCORE_LOG_JSON": "true",
            # Short polls so that the local stack stops within a second.
            "MESHCORE_WORKER__WAIT_TIME_SECONDS": "1",
            **overrides,
        }
    )
    return env


def stack_settings(env: dict[str, str]) -> MeshSettings:
    """Settings as the stack's processes read them from `env`."""
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        return MeshSettings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
