"""Who takes part in the mesh: onboarded producers and consumers."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field, field_validator

from meshcore.domain.naming import validate_domain


class Producer(BaseModel):
    """A producer account: its domain (the prefix of its central databases) and data owners."""

    account_id: str = Field(pattern=r"^\d{12}$")
    domain: str
    read_role_arn: str
    owners: list[str] = Field(min_length=1)
    allow_sampling: bool = False
    onboarded_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        return validate_domain(value)


class Consumer(BaseModel):
    """A consumer account; when `admin_role_arn` is set, meshcore accepts shares there."""

    account_id: str = Field(pattern=r"^\d{12}$")
    admin_role_arn: str | None = None
    onboarded_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
