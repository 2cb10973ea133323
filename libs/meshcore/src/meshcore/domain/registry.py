"""Who takes part in the mesh: onboarded producers and consumers."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field, field_validator

from meshcore.domain.classification import parse_sensitivity_class
from meshcore.domain.ids import ACCOUNT_ID_PATTERN
from meshcore.domain.naming import validate_domain
from meshcore.domain.recommendations import Recommendation, RejectionRule

SAMPLING_PARAMETER = "meshcore.sampling"
"""Glue table parameter a producer sets to ``deny`` to keep one table from being sampled."""


class Producer(BaseModel):
    """A producer account: its domain (the prefix of its central databases) and data owners."""

    account_id: str = Field(pattern=ACCOUNT_ID_PATTERN)
    domain: str
    read_role_arn: str
    owners: list[str] = Field(min_length=1)
    allow_sampling: bool = False
    """The classifier may read a bounded sample of values of this producer's tables from S3
    (a table opts out with the Glue table parameter ``meshcore.sampling=deny``)."""
    sample_role_arn: str | None = None
    """Role in the producer account with s3:GetObject and s3:ListBucket, for sampling."""
    auto_accept: dict[str, float] = Field(default_factory=dict)
    """Classes the producer accepts without review: class -> minimum confidence."""
    rejection_rules: list[RejectionRule] = Field(default_factory=list)
    """Rejections remembered for the producer's domain (one per class and column pattern)."""
    onboarded_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        return validate_domain(value)

    @field_validator("auto_accept")
    @classmethod
    def _auto_accept(cls, value: dict[str, float]) -> dict[str, float]:
        policy: dict[str, float] = {}
        for name, threshold in value.items():
            if not 0.0 <= threshold <= 1.0:
                raise ValueError(f"threshold for {name} must be between 0 and 1, not {threshold}")
            policy[parse_sensitivity_class(name).value] = threshold
        return policy

    def rejection_rule_for(self, rec: Recommendation) -> RejectionRule | None:
        """The remembered rejection that covers a new recommendation, if any."""
        return next((r for r in self.rejection_rules if r.covers(rec)), None)

    def with_rejection_rule(self, rule: RejectionRule) -> Producer:
        """This producer remembering ``rule`` (replacing one for the same class and pattern)."""
        kept = [r for r in self.rejection_rules if r.key != rule.key]
        return self.model_copy(update={"rejection_rules": [*kept, rule]})

    def without_rejection_rule(self, sensitivity_class: str, pattern: str) -> Producer:
        kept = [r for r in self.rejection_rules if r.key != (sensitivity_class, pattern)]
        return self.model_copy(update={"rejection_rules": kept})

    def may_sample(self, table_parameters: dict[str, str]) -> bool:
        """Sampling is allowed for the producer and the table did not opt out."""
        opted_out = table_parameters.get(SAMPLING_PARAMETER, "").strip().lower() == "deny"
        return self.allow_sampling and self.sample_role_arn is not None and not opted_out


class Consumer(BaseModel):
    """A consumer account; when `admin_role_arn` is set, meshcore accepts shares there."""

    account_id: str = Field(pattern=ACCOUNT_ID_PATTERN)
    admin_role_arn: str | None = None
    onboarded_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
