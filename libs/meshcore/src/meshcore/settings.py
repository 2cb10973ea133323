"""The one typed settings model, read from the environment once by each entry point and passed on."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from meshcore.domain.ids import ACCOUNT_ID_PATTERN


class QueueNames(BaseModel):
    """Names of the work queues; each has a dead-letter queue named `<name>-dlq`."""

    catalog_changes: str = "meshcore-catalog-changes"
    classification: str = "meshcore-classification"
    approvals: str = "meshcore-approvals"
    tickets: str = "meshcore-tickets"
    notifications: str = "meshcore-notifications"
    # Each outcome of a request, for its ticket (grant-worker sends, the ticket bridge reads).
    ticket_updates: str = "meshcore-ticket-updates"

    def all(self) -> list[str]:
        return [getattr(self, field) for field in type(self).model_fields]


class WorkerSettings(BaseModel):
    """How a worker consumes its queue."""

    concurrency: int = Field(8, ge=1, le=100)
    wait_time_seconds: int = Field(10, ge=0, le=20)  # SQS long poll is at most 20 s
    visibility_timeout_seconds: int = Field(60, ge=5, le=43_200)  # SQS maximum is 12 h
    max_receive_count: int = Field(6, ge=1, le=1000)
    shutdown_grace_seconds: float = Field(20.0, ge=0)
    retry_base_seconds: float = Field(2.0, gt=0)
    retry_max_seconds: float = Field(300.0, gt=0)
    metrics_interval_seconds: float = Field(60.0, gt=0)
    # A handler still running after this is abandoned and its message retried later; long
    # enough for a full repair, short of SQS's 12-hour visibility ceiling.
    handler_timeout_seconds: float = Field(3600.0, gt=0, le=43_000)
    # A file the running worker rewrites for container health checks (unset: none).
    heartbeat_path: str | None = None
    heartbeat_interval_seconds: float = Field(5.0, gt=0)


class CentralRoles(BaseModel):
    """Names of the IAM roles meshcore's processes run as in the central account (infra/central.yaml)."""

    sync_worker: str = "meshcore-sync-worker"
    classifier: str = "meshcore-classifier"
    grant_worker: str = "meshcore-grant-worker"
    portal: str = "meshcore-portal"
    notifier: str = "meshcore-notifier"
    # The ticket system's integration: the only role that may sign decisions (kms:GenerateMac).
    ticket_system: str = "meshcore-ticket-system"
    # Operators revoking outside the ticket flow: the only role that may sign revokes
    # (kms:GenerateMac with the revocation key, `meshctl revoke`).
    operator: str = "meshcore-operator"
    # The only role that may sign audit anchors and write them (`meshctl audit anchor`).
    audit_anchor: str = "meshcore-audit-anchor"
    # The role Lake Formation assumes to reach producers' registered S3 locations.
    data_access: str = "meshcore-lakeformation-access"


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class Webhook(BaseModel):
    """An incoming webhook operators configured: Slack-compatible or Teams-compatible."""

    model_config = ConfigDict(hide_input_in_errors=True)
    kind: Literal["slack", "teams"]
    # https; http only to this machine (a test's or a local stack's stand-in).
    url: str = Field(repr=False)

    @field_validator("url")
    @classmethod
    def _https(cls, url: str) -> str:
        parts = urlsplit(url)
        local = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
        if not parts.hostname or not (parts.scheme == "https" or local):
            # The URL is a secret (whoever has it may post): it is not repeated.
            raise ValueError("a webhook URL is https:// (http:// only to localhost)")
        return url


class NotifierSettings(BaseModel):
    """How the notifier reaches people (`MESHCORE_NOTIFIER__*`)."""

    # How mail leaves: "smtp" (the host below), "ses" (SES SendEmail as the notifier's role),
    # or "none" (mail is not sent; webhooks still are).
    email: Literal["none", "smtp", "ses"] = "none"
    from_address: str = Field("meshcore@example.com", min_length=3)  # as infra/central.yaml
    smtp_host: str = "localhost"
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # The CA bundle the server's certificate is checked against (a private CA); unset: the
    # system's.
    smtp_ca_file: str | None = None
    smtp_timeout_seconds: float = Field(10.0, gt=0)
    # Named webhooks people may choose as channels (`meshctl notify prefs set --channel NAME`);
    # only operators name URLs, so the notifier posts nowhere else.
    webhooks: dict[str, Webhook] = {}
    # A person without preferences hears on these channels, one message per event.
    default_channels: list[str] = ["email"]
    # People told of refused decisions and of revocations (JSON list of addresses).
    operators: list[str] = []
    # How often digests are sent (`meshctl bootstrap`'s schedule).
    digest_interval_minutes: int = Field(1440, ge=1)
    webhook_timeout_seconds: float = Field(10.0, gt=0)


class TicketBridgeSettings(BaseModel):
    """How the ticket bridge reaches the organisation's ticket system and hears back
    (`MESHCORE_TICKETS__*`). Secrets are SecretStr: never logged."""

    # Which ticket system tickets are opened in: "none" (tickets are recorded and logged, not
    # opened anywhere), "webhook" (a documented JSON body POSTed to `webhook_url`), "jira"
    # (Jira Cloud REST v3) or "servicenow" (the Table API).
    adapter: Literal["none", "webhook", "jira", "servicenow"] = "none"
    # The portal's public base URL: each ticket links to the dataset's page.
    portal_base_url: str = Field("http://127.0.0.1:8080", pattern=r"^https?://")
    # The webhook adapter: where tickets and comments are POSTed, and how the bridge proves it
    # (a bearer token and/or an HMAC-SHA256 signature header over the body).
    webhook_url: str | None = Field(None, pattern=r"^https?://")
    webhook_token: SecretStr | None = None
    webhook_signing_secret: SecretStr | None = None
    # Jira Cloud: the site, the project and issue type tickets are created in, basic auth with
    # an Atlassian account's e-mail and API token.
    jira_base_url: str | None = Field(None, pattern=r"^https?://")
    jira_email: str | None = None
    jira_api_token: SecretStr | None = None
    jira_project: str = "DATA"
    jira_issue_type: str = "Task"
    # Statuses (case-insensitive) a transition into which is the owner's decision.
    jira_approve_statuses: list[str] = ["Approved"]
    jira_reject_statuses: list[str] = ["Rejected", "Declined"]
    # A transition (by name) the issue is moved along when access ends (revoked, expired).
    jira_close_transition: str | None = None
    # ServiceNow: the instance, the table records are created in, basic auth.
    servicenow_base_url: str | None = Field(None, pattern=r"^https?://")
    servicenow_table: str = Field("sc_request", pattern=r"^[A-Za-z0-9_]+$")
    servicenow_username: str | None = None
    servicenow_password: SecretStr | None = None
    # The decision endpoint (`POST /webhooks/jira`, `POST /webhooks/decision`): where it
    # listens and the shared secret each sender signs its body with (HMAC-SHA256). Unset
    # secret: that endpoint refuses everything.
    listen_host: str = "127.0.0.1"
    listen_port: int = Field(8090, ge=0, le=65535)
    jira_webhook_secret: SecretStr | None = None
    decision_webhook_secret: SecretStr | None = None
    # The largest body the decision endpoint reads.
    max_body_bytes: int = Field(256 * 1024, ge=1024)
    timeout_seconds: float = Field(10.0, gt=0)


class MeshSettings(BaseSettings):
    """Everything a meshcore process needs to know about the mesh it governs.

    Set by environment variables with the `MESHCORE_` prefix (nested with `__`, e.g.
    `MESHCORE_WORKER__CONCURRENCY=4`). `AWS_ENDPOINT_URL` is honoured as the endpoint too.
    """

    # Errors name the setting, not its value: webhook URLs and passwords are secrets.
    model_config = SettingsConfigDict(
        env_prefix="MESHCORE_",
        env_nested_delimiter="__",
        extra="ignore",
        populate_by_name=True,
        hide_input_in_errors=True,
    )

    endpoint_url: str | None = Field(
        None, validation_alias=AliasChoices("MESHCORE_ENDPOINT_URL", "AWS_ENDPOINT_URL")
    )
    region: str = Field(
        "us-east-1", validation_alias=AliasChoices("MESHCORE_REGION", "AWS_DEFAULT_REGION")
    )
    central_account_id: str = Field("123456789012", pattern=ACCOUNT_ID_PATTERN)
    central_event_bus: str = "meshcore-central"
    producer_read_role: str = "meshcore-catalog-reader"
    consumer_admin_role: str = "meshcore-consumer-admin"
    # What a consumer account's admin role requires of whoever assumes it (sts:ExternalId);
    # empty: "meshcore-<central account id>".
    member_external_id: str = Field("", pattern=r"^[\w+=,.@:/-]*$", max_length=1224)
    onboarding_role: str | None = None
    state_table: str = "meshcore-state"
    audit_table: str = "meshcore-audit"
    # Signed anchors of the audit chain's head: written only by the audit-anchor role, with the
    # asymmetric key (ECC_NIST_P256) only that role may sign with.
    audit_anchor_table: str = "meshcore-audit-anchors"
    audit_anchor_key_alias: str = "alias/meshcore-audit-anchor"
    # The SNS topic every alarm notifies on ALARM and on OK (`meshctl bootstrap --alarm-email`,
    # `--alarm-webhook` subscribe operators to it).
    alarm_topic: str = "meshcore-alarms"
    # How often `meshctl audit anchor --every` signs the head: changes to the audit table after
    # the latest anchor are detected only from the next anchor on.
    audit_anchor_interval_seconds: int = Field(300, ge=1, le=24 * 3600)
    decision_key_alias: str = "alias/meshcore-decisions"
    revocation_key_alias: str = "alias/meshcore-revocations"
    # A signed decision issued longer ago than this is refused (the owner decides again).
    decision_max_age_hours: int = Field(24, ge=1, le=24 * 30)
    # How many audit entries messages nobody verified (a forged decision, a decision or revoke
    # for an unknown request) may write per minute and grant-worker process; past it they are
    # counted, and one summary entry says how many were left out.
    unverified_audit_per_minute: int = Field(60, ge=1, le=100_000)
    repair_concurrency: int = Field(4, ge=1, le=64)  # tables compared at once during a repair
    # Tables per repair shard: a database with more is compared page by page, each page a
    # message any sync-worker may take (at most a GetTables page, REPAIR_PAGE_MAX).
    repair_page_size: int = Field(100, ge=1, le=100)
    repair_interval_minutes: int = Field(60, ge=1)
    # How long sync-worker trusts the central table version it wrote last (no read before the
    # next update); a hand edit of a central table within it waits for the repair.
    known_copy_seconds: float = Field(60.0, ge=0, le=3600)
    # How often the access reconciliation runs (`meshctl bootstrap`'s schedule).
    access_reconcile_interval_minutes: int = Field(60, ge=1)
    # The expiry sweep warns the requester once when granted access ends within this.
    expiry_warning_days: int = Field(7, ge=0, le=365)
    notifier: NotifierSettings = NotifierSettings()
    tickets: TicketBridgeSettings = TicketBridgeSettings()
    queues: QueueNames = QueueNames()
    roles: CentralRoles = CentralRoles()
    # More data lake admins of the central account (IAM role or user ARNs), besides
    # grant-worker's role and whoever runs `meshctl bootstrap`.
    lakeformation_admins: list[str] = []
    worker: WorkerSettings = WorkerSettings()
    # A central role (name) the process acts as, for a stack whose containers have no role of
    # their own (docker-compose on the embedded AWS). In AWS the task's role is the process's
    # identity and this stays unset: clients made with it are not refreshed when the assumed
    # session expires.
    run_as_role: str | None = None
    log_json: bool | None = None  # None: JSON when stderr is not a terminal

    def role_arn(self, account_id: str, role_name: str) -> str:
        return f"arn:aws:iam::{account_id}:role/{role_name}"

    def external_id(self) -> str:
        return self.member_external_id or f"meshcore-{self.central_account_id}"

    def central_role_arn(self, role_name: str) -> str:
        return self.role_arn(self.central_account_id, role_name)

    def own_principals(self) -> frozenset[str]:
        """meshcore's own central roles and the configured data lake admins: their Lake
        Formation permissions are the mesh's machinery, not access anyone was granted."""
        roles = {self.central_role_arn(str(name)) for name in self.roles.model_dump().values()}
        return frozenset(roles | set(self.lakeformation_admins))

    def central_bus_arn(self) -> str:
        return f"arn:aws:events:{self.region}:{self.central_account_id}:event-bus/{self.central_event_bus}"
