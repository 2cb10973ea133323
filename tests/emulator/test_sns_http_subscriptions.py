"""SNS confirms an HTTP/HTTPS subscription before it delivers, and delivers as documented.

AWS: "Subscribing an HTTP/S endpoint to an Amazon SNS topic"
(https://docs.aws.amazon.com/sns/latest/dg/sns-subscribe-https-s-endpoints-to-topic.html),
"HTTP/HTTPS subscription confirmation JSON format"
(https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html) and
"Parsing message formats" (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html):
a SubscriptionConfirmation POST with Token and SubscribeURL first; no notification until the
subscription is confirmed (ConfirmSubscription with the token, or a GET of the SubscribeURL);
then Notification POSTs with the x-amz-sns-* headers and the documented JSON body.
"""

from __future__ import annotations

import base64
import time
import urllib.request
from collections.abc import Callable
from typing import TypeVar

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from tests.webhook import Delivery, Webhook

from .helpers import REGION, ClientFactory

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def attributes(client: ClientFactory, arn: str) -> dict[str, str]:
    found: dict[str, str] = client("sns").get_subscription_attributes(SubscriptionArn=arn)[
        "Attributes"
    ]
    return found


def verify(delivery: Delivery, fields: tuple[str, ...]) -> None:
    """The signature verifies with the certificate served at SigningCertURL (moto's store)."""
    body = delivery.body
    name = body["SigningCertURL"].rsplit("/", 1)[-1]
    pem = sns_backends[DEFAULT_ACCOUNT_ID][REGION]._message_public_keys[name]
    key = x509.load_pem_x509_certificate(pem).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    text = "".join(f"{f}\n{body[f]}\n" for f in fields if f in body)
    key.verify(
        base64.b64decode(body["Signature"]), text.encode(), padding.PKCS1v15(), hashes.SHA256()
    )


def test_nothing_is_delivered_until_the_subscription_is_confirmed_with_its_token(
    client: ClientFactory,
) -> None:
    sns = client("sns")
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    with Webhook(confirm=False) as hook:
        arn = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=hook.url)["SubscriptionArn"]
        (request,) = eventually(lambda: hook.of_type("SubscriptionConfirmation"), "confirmation")
        body = request.body
        assert request.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
        assert request.headers["x-amz-sns-topic-arn"] == topic
        assert request.headers["x-amz-sns-message-id"] == body["MessageId"]
        assert request.headers["content-type"] == "text/plain; charset=UTF-8"
        assert body["TopicArn"] == topic and body["Token"]
        assert body["Message"].startswith(f"You have chosen to subscribe to the topic {topic}.")
        assert "Action=ConfirmSubscription" in body["SubscribeURL"]
        verify(
            request,
            ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
        )
        assert attributes(client, arn)["PendingConfirmation"] == "true"

        sns.publish(TopicArn=topic, Message="before")  # dropped: not confirmed
        with pytest.raises(ClientError) as refused:
            sns.confirm_subscription(TopicArn=topic, Token="not-the-token")
        assert refused.value.response["Error"]["Code"] == "InvalidParameter"
        confirmed = sns.confirm_subscription(TopicArn=topic, Token=body["Token"])
        assert confirmed["SubscriptionArn"] == arn
        assert attributes(client, arn)["PendingConfirmation"] == "false"

        sns.publish(TopicArn=topic, Message="after", Subject="hello")
        (note,) = eventually(lambda: hook.of_type("Notification"), "the notification")
        assert [d.body["Message"] for d in hook.of_type("Notification")] == ["after"]
        assert note.headers["x-amz-sns-message-type"] == "Notification"
        assert note.headers["x-amz-sns-subscription-arn"] == arn
        assert note.headers["x-amz-sns-topic-arn"] == topic
        assert note.headers["x-amz-sns-message-id"] == note.body["MessageId"]
        assert note.body["Subject"] == "hello" and note.body["TopicArn"] == topic
        assert {"Timestamp", "SignatureVersion", "Signature", "SigningCertURL"} <= set(note.body)
        assert "Action=Unsubscribe" in note.body["UnsubscribeURL"]
        verify(note, ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"))


def test_visiting_the_subscribe_url_confirms(client: ClientFactory) -> None:
    sns = client("sns")
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    with Webhook(confirm=True) as hook:
        arn = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=hook.url)["SubscriptionArn"]
        (answer,) = eventually(lambda: hook.confirmed, "the subscriber's visit")
        assert f"<SubscriptionArn>{arn}</SubscriptionArn>" in answer
        assert attributes(client, arn)["PendingConfirmation"] == "false"
        sns.publish(TopicArn=topic, Message="hi")
        eventually(lambda: hook.of_type("Notification"), "the notification")
        # The UnsubscribeURL is served too.
        link = hook.of_type("Notification")[0].body["UnsubscribeURL"]
        with urllib.request.urlopen(link, timeout=10) as response:  # noqa: S310
            assert response.status == 200
        topics = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        assert topics == []


def test_an_unknown_token_in_the_subscribe_url_is_refused(client: ClientFactory) -> None:
    sns = client("sns")
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    with Webhook(confirm=False) as hook:
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=hook.url)
        (request,) = eventually(lambda: hook.of_type("SubscriptionConfirmation"), "confirmation")
        forged = request.body["SubscribeURL"].replace("Token=", "Token=x")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=10)  # noqa: S310
        assert refused.value.code == 400


def test_email_subscriptions_stay_pending_and_sqs_ones_need_no_confirmation(
    client: ClientFactory,
) -> None:
    sns, sqs = client("sns"), client("sqs")
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    email = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
    assert attributes(client, email["SubscriptionArn"])["PendingConfirmation"] == "true"
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    assert attributes(client, queue["SubscriptionArn"])["PendingConfirmation"] in ("false", "False")
