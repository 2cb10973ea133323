"""Clients for the central account and, through STS AssumeRole, for other accounts.

Nothing connects at import time, and the SDKs are imported only when a client is made: a
command that fails on its arguments, or `meshctl --help`, starts without them. Async clients belong to the AsyncExitStack of the process that
uses them and are closed with it. Assumed-role credentials are cached until shortly before they
expire.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, overload

from meshcore.aws.errors import aws_errors
from meshcore.domain.errors import AccessDeniedError, NotFoundError
from meshcore.settings import MeshSettings

if TYPE_CHECKING:
    import boto3
    from botocore.config import Config
    from types_aiobotocore_cloudwatch.client import CloudWatchClient
    from types_aiobotocore_dynamodb.client import DynamoDBClient
    from types_aiobotocore_glue.client import GlueClient
    from types_aiobotocore_kms.client import KMSClient
    from types_aiobotocore_lakeformation.client import LakeFormationClient
    from types_aiobotocore_ram.client import RAMClient
    from types_aiobotocore_s3.client import S3Client
    from types_aiobotocore_sqs.client import SQSClient
    from types_aiobotocore_sts.client import STSClient

# botocore retries a few times itself (standard mode: throttling and 5xx, with jitter); anything
# longer is the queue's job (the message becomes visible again with backoff).
RETRIES = {"mode": "standard", "max_attempts": 3}


@functools.cache
def client_config() -> Config:
    """Retries as above; reads must outlive an SQS long poll (at most 20 s)."""
    from botocore.config import Config

    return Config(retries=RETRIES, connect_timeout=5, read_timeout=40)  # type: ignore[arg-type]


# Refresh assumed credentials this long before they expire.
CREDENTIAL_REFRESH_MARGIN_SECONDS = 300
ASSUMED_SESSION_SECONDS = 3600


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expires_at: float

    def fresh(self) -> bool:
        return time.time() < self.expires_at - CREDENTIAL_REFRESH_MARGIN_SECONDS

    def as_client_kwargs(self) -> dict[str, str]:
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "aws_session_token": self.session_token,
        }


def _credentials(response: Mapping[str, Any]) -> Credentials:
    c = response["Credentials"]
    return Credentials(
        c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], c["Expiration"].timestamp()
    )


def _assume_failure(role_arn: str, exc: Exception) -> AccessDeniedError:
    return AccessDeniedError(
        f"cannot assume {role_arn}: {exc}; check that the role exists and trusts the central "
        "account (re-run `meshctl onboard-producer` for that account)"
    )


class AsyncAws:
    """aiobotocore clients for one worker process."""

    def __init__(self, settings: MeshSettings, stack: AsyncExitStack, session_name: str) -> None:
        self._settings = settings
        self._stack = stack
        # Services are chosen at run time, so the per-service stub overloads do not apply.
        from aiobotocore.session import get_session

        self._session: Any = get_session()
        self._session_name = session_name
        self._central: dict[str, Any] = {}
        self._assumed: dict[tuple[str, str], tuple[Credentials, Any]] = {}
        self._credentials: dict[str, Credentials] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._retired: list[Any] = []

    def _kwargs(self) -> dict[str, Any]:
        return {
            "region_name": self._settings.region,
            "endpoint_url": self._settings.endpoint_url,
            "config": client_config(),
        }

    @overload
    async def client(self, service: Literal["glue"]) -> GlueClient: ...
    @overload
    async def client(self, service: Literal["lakeformation"]) -> LakeFormationClient: ...
    @overload
    async def client(self, service: Literal["ram"]) -> RAMClient: ...
    @overload
    async def client(self, service: Literal["sqs"]) -> SQSClient: ...
    @overload
    async def client(self, service: Literal["kms"]) -> KMSClient: ...
    @overload
    async def client(self, service: Literal["dynamodb"]) -> DynamoDBClient: ...
    @overload
    async def client(self, service: Literal["cloudwatch"]) -> CloudWatchClient: ...
    @overload
    async def client(self, service: Literal["sts"]) -> STSClient: ...
    @overload
    async def client(self, service: str) -> Any: ...

    async def client(self, service: str) -> Any:
        """A central-account client, created once and closed with the process; as the role
        `MESHCORE_RUN_AS_ROLE` names when set (STS keeps the process's own credentials)."""
        if service not in self._central:
            kwargs = self._kwargs()
            if self._settings.run_as_role and service != "sts":
                role = self._settings.central_role_arn(self._settings.run_as_role)
                kwargs |= (await self.assume(role)).as_client_kwargs()
            creator = self._session.create_client(service, **kwargs)
            self._central[service] = await self._stack.enter_async_context(creator)
        return self._central[service]

    async def assume(self, role_arn: str) -> Credentials:
        async with self._lock(role_arn):
            return await self._assume(role_arn)

    async def _assume(self, role_arn: str) -> Credentials:
        cached = self._credentials.get(role_arn)
        if cached and cached.fresh():
            return cached
        sts = await self.client("sts")
        try:
            with aws_errors(f"sts:AssumeRole {role_arn}"):
                response = await sts.assume_role(
                    RoleArn=role_arn,
                    RoleSessionName=self._session_name,
                    DurationSeconds=ASSUMED_SESSION_SECONDS,
                    # Member roles that require it (consumers' admin roles) check it.
                    ExternalId=self._settings.external_id(),
                )
        except (AccessDeniedError, NotFoundError) as exc:
            raise _assume_failure(role_arn, exc) from exc
        creds = _credentials(response)
        self._credentials[role_arn] = creds
        return creds

    def _lock(self, role_arn: str) -> asyncio.Lock:
        return self._locks.setdefault(role_arn, asyncio.Lock())

    @overload
    async def assumed_client(self, service: Literal["glue"], role_arn: str) -> GlueClient: ...
    @overload
    async def assumed_client(
        self, service: Literal["lakeformation"], role_arn: str
    ) -> LakeFormationClient: ...
    @overload
    async def assumed_client(self, service: Literal["ram"], role_arn: str) -> RAMClient: ...
    @overload
    async def assumed_client(self, service: Literal["s3"], role_arn: str) -> S3Client: ...
    @overload
    async def assumed_client(self, service: str, role_arn: str) -> Any: ...

    async def assumed_client(self, service: str, role_arn: str) -> Any:
        """A client acting as `role_arn`, replaced when its credentials are refreshed.

        One client per role and service at a time (concurrent callers share it); a replaced
        client may still be in use, so it is closed with the process, not at once.
        """
        async with self._lock(role_arn):
            creds = await self._assume(role_arn)
            key = (service, role_arn)
            current = self._assumed.get(key)
            if current and current[0] is creds:
                return current[1]
            if current:
                self._retired.append(current[1])
            creator = self._session.create_client(
                service, **self._kwargs(), **creds.as_client_kwargs()
            )
            client = await creator.__aenter__()
            self._assumed[key] = (creds, client)
            return client

    def on_close(self, callback: Callable[[], Awaitable[object]]) -> None:
        """Run `callback` when the process's clients close (another client's session)."""
        self._stack.push_async_callback(callback)

    async def aclose(self) -> None:
        for client in [*self._retired, *(c for _creds, c in self._assumed.values())]:
            await client.__aexit__(None, None, None)
        self._assumed.clear()
        self._retired.clear()


class SyncAws:
    """boto3 clients for meshctl and provisioning (short-lived, sequential work)."""

    def __init__(self, settings: MeshSettings, session: boto3.Session | None = None) -> None:
        import boto3

        self._settings = settings
        self._session: Any = session or boto3.Session()

    def client(self, service: str) -> Any:
        return self._session.client(
            service,
            region_name=self._settings.region,
            endpoint_url=self._settings.endpoint_url,
            config=client_config(),
        )

    def assumed(self, role_arn: str, session_name: str = "meshctl") -> SyncAws:
        """The same settings acting as `role_arn`."""
        try:
            with aws_errors(f"sts:AssumeRole {role_arn}"):
                response = self.client("sts").assume_role(
                    RoleArn=role_arn,
                    RoleSessionName=session_name,
                    ExternalId=self._settings.external_id(),
                )
        except (AccessDeniedError, NotFoundError) as exc:
            raise _assume_failure(role_arn, exc) from exc
        creds = _credentials(response)
        import boto3

        session = boto3.Session(**creds.as_client_kwargs())  # type: ignore[arg-type]
        return SyncAws(self._settings, session)

    def account_id(self) -> str:
        with aws_errors("sts:GetCallerIdentity"):
            return str(self.client("sts").get_caller_identity()["Account"])
