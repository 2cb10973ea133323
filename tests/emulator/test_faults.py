"""Injected faults look like the errors AWS returns, and botocore retries them.

AWS behaviour:
- Throttled requests fail with the service's throttling error, e.g. ThrottlingException
  (HTTP 400) in the JSON protocols and Throttling in the query protocol ("Common Errors",
  AWS Glue Web API Reference, https://docs.aws.amazon.com/glue/latest/webapi/CommonErrors.html;
  STS, https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html); SQS reports
  RequestThrottled (SendMessage Errors, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html),
  Lake Formation ThrottledException and RAM ThrottlingException with HTTP 429, Amazon S3
  SlowDown with HTTP 503 ("Error responses", Amazon S3 API Reference,
  https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
- Server-side failures are HTTP 500: InternalFailure in general, the service's own fault
  where it models one (Glue InternalServiceException, DynamoDB InternalServerError).
- "Retry behavior" (AWS SDKs and Tools Reference Guide,
  https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html) and
  "Retries" (Boto3 guide, https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html):
  SDKs retry throttling errors and transient 5xx errors.
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries.standard import (
    RetryContext,
    ThrottledRetryableChecker,
    TransientRetryableChecker,
)

from meshcore_emulator import EmbeddedAws, FaultInjector
from meshcore_emulator.calls import AwsCall

from .helpers import ClientFactory, call_control

# (service, a call that succeeds on an empty account, throttling code, HTTP status)
CALLS: list[tuple[str, str, dict[str, Any], str, int]] = [
    ("glue", "get_databases", {}, "ThrottlingException", 400),
    ("sts", "get_caller_identity", {}, "Throttling", 400),
    ("sqs", "list_queues", {}, "RequestThrottled", 400),
    ("lakeformation", "list_permissions", {}, "ThrottledException", 429),
    ("ram", "get_resource_shares", {"resourceOwner": "SELF"}, "ThrottlingException", 429),
    ("dynamodb", "list_tables", {}, "ThrottlingException", 400),
    ("events", "list_rules", {}, "ThrottlingException", 400),
    ("kms", "list_keys", {}, "ThrottlingException", 400),
    ("cloudwatch", "list_metrics", {}, "Throttling", 400),
    ("s3", "list_buckets", {}, "SlowDown", 503),
]


def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        call()
    return dict(raised.value.response)


def test_throttle_with_count_fails_once_then_succeeds(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    glue = client("glue")
    glue.create_database(DatabaseInput={"Name": "sales"})
    glue.create_table(DatabaseName="sales", TableInput={"Name": "orders"})
    aws.faults.add(service="glue", operation="GetTable", kind="throttle", rate=1.0, count=1)

    response = error_of(lambda: glue.get_table(DatabaseName="sales", Name="orders"))

    assert response["Error"]["Code"] == "ThrottlingException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert ThrottledRetryableChecker().is_retryable(RetryContext(1, parsed_response=response))
    assert glue.get_table(DatabaseName="sales", Name="orders")["Table"]["Name"] == "orders"
    assert [f.injected for f in aws.faults.list()] == [1]


@pytest.mark.parametrize(("service", "method", "params", "code", "status"), CALLS)
def test_throttling_uses_each_services_error(
    aws: EmbeddedAws,
    client: ClientFactory,
    service: str,
    method: str,
    params: dict[str, Any],
    code: str,
    status: int,
) -> None:
    aws.faults.add(service=service, kind="throttle", count=1)

    response = error_of(lambda: getattr(client(service), method)(**params))

    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert ThrottledRetryableChecker().is_retryable(RetryContext(1, parsed_response=response))


@pytest.mark.parametrize(
    ("service", "method", "params", "code"),
    [
        ("glue", "get_databases", {}, "InternalServiceException"),
        ("sts", "get_caller_identity", {}, "InternalFailure"),
        ("sqs", "list_queues", {}, "InternalFailure"),
        ("dynamodb", "list_tables", {}, "InternalServerError"),
        ("ram", "get_resource_shares", {"resourceOwner": "SELF"}, "ServerInternalException"),
    ],
)
def test_server_error_is_a_retryable_500(
    aws: EmbeddedAws,
    client: ClientFactory,
    service: str,
    method: str,
    params: dict[str, Any],
    code: str,
) -> None:
    aws.faults.add(service=service, operation="*", kind="server_error")

    response = error_of(lambda: getattr(client(service), method)(**params))

    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 500
    http = SimpleNamespace(status_code=500)
    assert TransientRetryableChecker().is_retryable(RetryContext(1, http_response=http))


def test_sdk_retries_through_a_throttle(aws: EmbeddedAws, client: ClientFactory) -> None:
    aws.faults.add(service="sts", operation="GetCallerIdentity", kind="throttle", count=1)
    sts = client("sts", config=Config(retries={"mode": "standard", "total_max_attempts": 3}))

    identity = sts.get_caller_identity()

    assert identity["ResponseMetadata"]["RetryAttempts"] == 1


def test_latency_delays_the_call(aws: EmbeddedAws, client: ClientFactory) -> None:
    aws.faults.add(service="sqs", operation="ListQueues", kind="latency", latency_ms=300)
    sqs = client("sqs")

    started = time.monotonic()
    sqs.list_queues()
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client("sts").get_caller_identity()  # another service is not delayed
    assert time.monotonic() - started < 0.3


def test_wildcards_select_services_and_operations(aws: EmbeddedAws, client: ClientFactory) -> None:
    aws.faults.add(service="glue", operation="*", kind="throttle")

    assert error_of(lambda: client("glue").get_databases())["Error"]["Code"] == (
        "ThrottlingException"
    )
    client("sqs").list_queues()

    aws.faults.clear()
    aws.faults.add(service="*", operation="ListQueues", kind="throttle")
    assert error_of(lambda: client("sqs").list_queues())["Error"]["Code"] == "RequestThrottled"
    client("glue").get_databases()

    aws.faults.clear()
    aws.faults.add(kind="server_error")  # service and operation default to "*"
    for service, method, params, _, _ in CALLS:
        call = getattr(client(service), method)
        assert error_of(lambda c=call, p=params: c(**p))["ResponseMetadata"]["HTTPStatusCode"] == (
            500
        )


def test_operation_names_match_case_insensitively_for_rest_services(
    aws: EmbeddedAws, client: ClientFactory
) -> None:
    aws.faults.add(service="ram", operation="GetResourceShares", kind="throttle")
    aws.faults.add(service="lakeformation", operation="listpermissions", kind="throttle")

    response = error_of(lambda: client("ram").get_resource_shares(resourceOwner="SELF"))
    assert response["Error"]["Code"] == "ThrottlingException"
    assert error_of(lambda: client("lakeformation").list_permissions())["Error"]["Code"] == (
        "ThrottledException"
    )
    client("lakeformation").list_lf_tags()


def test_rate_is_a_probability() -> None:
    faults = FaultInjector(seed=7)
    faults.add(service="glue", operation="GetTable", kind="throttle", rate=0.3)
    call = AwsCall("glue", "GetTable", "us-east-1", "json", False)

    hits = sum(faults.decide(call).error_kind == "throttle" for _ in range(4000))

    assert 0.27 < hits / 4000 < 0.33


def test_seeded_rate_over_http(aws: EmbeddedAws, client: ClientFactory) -> None:
    aws.faults.seed(1)
    aws.faults.add(service="sts", kind="throttle", rate=0.5)
    sts = client("sts")

    outcomes = []
    for _ in range(40):
        try:
            sts.get_caller_identity()
            outcomes.append(True)
        except ClientError:
            outcomes.append(False)

    assert 5 < outcomes.count(False) < 35


def test_invalid_fault_is_refused() -> None:
    faults = FaultInjector()
    with pytest.raises(ValueError, match="kind"):
        faults.add(kind="explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rate"):
        faults.add(rate=1.5)


def test_faults_can_be_driven_over_http(aws: EmbeddedAws, client: ClientFactory) -> None:
    spec = {"service": "glue", "operation": "GetDatabases", "kind": "throttle", "count": 1}
    status, created = call_control(aws.endpoint_url, "POST", "/_emulator/faults", spec)
    assert status == 201
    assert created["fault"]["service"] == "glue"

    response = error_of(lambda: client("glue").get_databases())
    assert response["Error"]["Code"] == "ThrottlingException"
    _, listed = call_control(aws.endpoint_url, "GET", "/_emulator/faults")
    assert listed["faults"][0]["injected"] == 1

    aws.faults.add(service="glue", kind="server_error")
    assert call_control(aws.endpoint_url, "DELETE", "/_emulator/faults") == (200, {"status": "ok"})
    client("glue").get_databases()

    status, refused = call_control(aws.endpoint_url, "POST", "/_emulator/faults", {"kind": "x"})
    assert status == 400
    assert "kind" in refused["error"]
