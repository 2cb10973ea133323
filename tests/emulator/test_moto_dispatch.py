"""Requests reach the same moto backend and action with dispatch answered from a cache.

``extensions/moto_dispatch.py`` remembers which backend serves a host and which actions a
response class implements. What must not change: each service's requests, whatever their
protocol, reach that service (the SigV4 credential scope names it, as in AWS: "Elements of an
AWS API request signature",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html); an
action moto does not implement stays an error; an action added to moto later is found.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError
from moto.core.responses import ActionResult
from moto.sts.responses import TokenResponse

from .helpers import CENTRAL_ACCOUNT, ClientFactory


def test_each_protocol_reaches_its_service_again_and_again(client: ClientFactory) -> None:
    for _ in range(3):
        assert client("sts").get_caller_identity()["Account"] == CENTRAL_ACCOUNT  # query
        assert client("glue").get_databases()["DatabaseList"] == []  # json
        assert client("sqs").list_queues().get("QueueUrls") is None  # json (query-compatible)
        assert client("dynamodb").list_tables()["TableNames"] == []  # json, x-amz-target
        assert client("lakeformation").list_lf_tags()["LFTags"] == []  # rest-json
        assert client("s3").list_buckets()["Buckets"] == []  # rest-xml


def test_an_action_added_to_moto_later_is_found(
    client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    sts = client("sts")
    with pytest.raises((ClientError, ResponseParserError)):  # moto does not implement it
        sts.decode_authorization_message(EncodedMessage="abc")

    def decode_authorization_message(self: Any) -> ActionResult:
        return ActionResult({"DecodedMessage": "decoded"})

    monkeypatch.setattr(
        TokenResponse, "decode_authorization_message", decode_authorization_message, raising=False
    )
    answer = sts.decode_authorization_message(EncodedMessage="abc")
    assert answer["DecodedMessage"] == "decoded"
