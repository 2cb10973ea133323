"""SNS confirms HTTP/HTTPS (and email) subscriptions before delivering, and delivers as AWS does.

AWS ("Subscribing an HTTP/S endpoint to an Amazon SNS topic",
https://docs.aws.amazon.com/sns/latest/dg/sns-subscribe-https-s-endpoints-to-topic.html;
"HTTP/HTTPS subscription confirmation JSON format",
https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html;
"HTTP/HTTPS notification JSON format" and "Parsing message formats",
https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html): after Subscribe,
SNS POSTs a ``SubscriptionConfirmation`` (``Token``, ``SubscribeURL``, ``Message`` "You have
chosen to subscribe to the topic ...") to the endpoint, and "doesn't send notifications to this
endpoint until the subscription is confirmed", by ConfirmSubscription with the token or by
visiting the SubscribeURL. Until then the subscription's ``PendingConfirmation`` is ``true``.
Every POST carries ``x-amz-sns-message-type``, ``x-amz-sns-message-id``,
``x-amz-sns-topic-arn`` (and ``x-amz-sns-subscription-arn`` on notifications),
``Content-Type: text/plain; charset=UTF-8`` and the documented JSON body. A delivery that
fails (no connection, a status outside 2xx) is retried three times, 20 s apart (the default
HTTP/S delivery policy, "Amazon SNS message delivery retries"; ``RETRY_DELAY_SECONDS``).

moto marks every subscription confirmed at once, POSTs notifications to HTTP endpoints
synchronously without a confirmation and without the ``x-amz-sns-*`` headers, and its
ConfirmSubscription accepts any token. Here an HTTP/HTTPS, email or email-json subscription
starts pending (an email confirmation is never sent: such a subscription stays pending, as
one nobody confirms); HTTP/HTTPS subscribers get the confirmation POST from a background
thread; ConfirmSubscription needs the token that was sent (``InvalidParameter`` otherwise);
the SubscribeURL (``<emulator>/?Action=ConfirmSubscription&TopicArn=...&Token=...``) and the
notifications' UnsubscribeURL are served by the emulator without signature, as AWS serves
them; notifications to a pending subscription are dropped; deliveries run on background
threads, never inside the Publish call.

Signatures: messages are signed (SignatureVersion 2, SHA256withRSA) over the documented fields
with moto's per-subscription key, whose certificate moto serves at the SigningCertURL
(``https://sns.<region>.amazonaws.com/SimpleNotificationService-<id>.pem``) only to a client
that sends that host to the emulator; the certificate is self-signed, not Amazon's, so a
subscriber that checks the chain rejects it. Not reproduced: Subscribe returns the
subscription's ARN while it is pending (AWS answers ``pending confirmation`` unless
``ReturnSubscriptionArn``), delivery policies other than the default, raw message delivery to
HTTP endpoints, and the three-day expiry of an unconfirmed subscription.

Belongs upstream in moto (``moto/sns/models.py``, ``moto/sns/responses.py``).
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, urlencode

import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from moto.core.responses import ActionResult
from moto.core.utils import iso_8601_datetime_with_milliseconds
from moto.sns.exceptions import SNSInvalidParameter
from moto.sns.models import SNSBackend, Subscription, sns_backends
from moto.sns.responses import SNSResponse

from ._patching import wrap_method

log = logging.getLogger(__name__)

CONFIRMED_PROTOCOLS = ("http", "https", "email", "email-json")
HTTP_PROTOCOLS = ("http", "https")
RETRIES = 3
RETRY_DELAY_SECONDS = 20.0
USER_AGENT = "Amazon Simple Notification Service Agent"

_lock = threading.Lock()
_tokens: dict[str, Subscription] = {}
_endpoint = ["http://127.0.0.1"]


def set_endpoint(url: str) -> None:
    """Where the emulator is reached: the SubscribeURL and UnsubscribeURL point there."""
    _endpoint[0] = url.rstrip("/")


def forget() -> None:
    with _lock:
        _tokens.clear()


def install() -> None:
    wrap_method(SNSBackend, "subscribe", _pending_until_confirmed)
    wrap_method(Subscription, "publish", _deliver_when_confirmed)
    wrap_method(SNSResponse, "confirm_subscription", _confirm_with_token)


def pending(subscription: Subscription) -> bool:
    return subscription.attributes.get("PendingConfirmation") in (True, "true")


def _pending_until_confirmed(
    original: Any, backend: SNSBackend, topic_arn: str, endpoint: str, protocol: str
) -> Subscription:
    known = set(backend.subscriptions)
    subscription: Subscription = original(backend, topic_arn, endpoint, protocol)
    if subscription.arn in known or protocol not in CONFIRMED_PROTOCOLS:
        return subscription
    subscription.attributes["PendingConfirmation"] = "true"
    subscription.attributes["ConfirmationWasAuthenticated"] = "false"
    token = secrets.token_hex(64)
    with _lock:
        _tokens[token] = subscription
    if protocol in HTTP_PROTOCOLS:
        body, headers = confirmation(subscription, token)
        _send_later(subscription.endpoint, body, headers)
    return subscription


def confirmation(subscription: Subscription, token: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The SubscriptionConfirmation POST: its JSON body and headers."""
    topic = subscription.topic.arn
    query = urlencode({"Action": "ConfirmSubscription", "TopicArn": topic, "Token": token})
    body = {
        "Type": "SubscriptionConfirmation",
        "MessageId": str(uuid.uuid4()),
        "Token": token,
        "TopicArn": topic,
        "Message": f"You have chosen to subscribe to the topic {topic}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message.",
        "SubscribeURL": f"{_endpoint[0]}/?{query}",
        "Timestamp": iso_8601_datetime_with_milliseconds(),
    }
    _sign(
        subscription,
        body,
        ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    )
    return body, _headers(body, subscription=None)


def notification(
    subscription: Subscription, message: str, message_id: str, subject: str | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """A Notification POST: its JSON body and headers."""
    body: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": subscription.topic.arn,
        "Message": message,
        "Timestamp": iso_8601_datetime_with_milliseconds(),
    }
    if subject:
        body["Subject"] = subject
    _sign(subscription, body, ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"))
    query = urlencode({"Action": "Unsubscribe", "SubscriptionArn": subscription.arn})
    body["UnsubscribeURL"] = f"{_endpoint[0]}/?{query}"
    return body, _headers(body, subscription=subscription)


def _sign(subscription: Subscription, body: dict[str, Any], fields: Iterable[str]) -> None:
    # moto's post data carries a certificate of the subscription's key, served at its URL.
    cert_url = subscription.get_post_data("", "", None)["SigningCertURL"]
    text = "".join(f"{name}\n{body[name]}\n" for name in fields if name in body)
    signature = subscription.private_key().sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    body["SignatureVersion"] = "2"
    body["Signature"] = base64.b64encode(signature).decode()
    body["SigningCertURL"] = cert_url


def _headers(body: dict[str, Any], subscription: Subscription | None) -> dict[str, str]:
    headers = {
        "x-amz-sns-message-type": body["Type"],
        "x-amz-sns-message-id": body["MessageId"],
        "x-amz-sns-topic-arn": body["TopicArn"],
        "Content-Type": "text/plain; charset=UTF-8",
        "User-Agent": USER_AGENT,
    }
    if subscription is not None:
        headers["x-amz-sns-subscription-arn"] = subscription.arn
    return headers


def _deliver_when_confirmed(
    original: Any,
    subscription: Subscription,
    message: str,
    message_id: str,
    subject: str | None = None,
    *args: Any,
    **kw: Any,
) -> None:
    if subscription.protocol not in CONFIRMED_PROTOCOLS:
        return original(subscription, message, message_id, subject, *args, **kw)  # type: ignore[no-any-return]
    if pending(subscription):
        return None
    if subscription.protocol not in HTTP_PROTOCOLS:
        return original(subscription, message, message_id, subject, *args, **kw)  # type: ignore[no-any-return]
    if kw.get("message_structure") == "json":
        message = subscription._parse_message_structure(message, subscription.protocol)
    body, headers = notification(subscription, message, message_id, subject)
    _send_later(subscription.endpoint, body, headers)
    return None


def _send_later(url: str, body: dict[str, Any], headers: dict[str, str]) -> None:
    threading.Thread(
        target=_send, args=(url, json.dumps(body), headers), name="sns-http-delivery", daemon=True
    ).start()


def _send(
    url: str, data: str, headers: dict[str, str], sleep: Callable[[float], None] = time.sleep
) -> bool:
    for attempt in range(RETRIES + 1):
        if attempt:
            sleep(RETRY_DELAY_SECONDS)
        try:
            response = requests.post(url, data=data.encode(), headers=headers, timeout=15)
        except requests.RequestException as error:
            log.info("sns delivery to %s failed: %s", url, error)
            continue
        if 200 <= response.status_code < 300:
            return True
        log.info("sns delivery to %s answered %s", url, response.status_code)
    return False


def confirm(topic_arn: str, token: str) -> str:
    """Confirm the subscription `token` was sent for; returns its ARN."""
    with _lock:
        subscription = _tokens.get(token)
    if subscription is None or subscription.topic.arn != topic_arn:
        raise SNSInvalidParameter("Invalid token")
    subscription.attributes["PendingConfirmation"] = "false"
    subscription.attributes["ConfirmationWasAuthenticated"] = "true"
    subscription.confirmed = True
    return str(subscription.arn)


def _confirm_with_token(original: Any, response: SNSResponse) -> ActionResult:
    arn = confirm(response._get_param("TopicArn"), response._get_param("Token"))
    return ActionResult({"SubscriptionArn": arn})


StartResponse = Callable[..., Any]


def serve_link(environ: dict[str, Any], start_response: StartResponse) -> list[bytes] | None:
    """Answer a GET of a SubscribeURL or UnsubscribeURL (None: not one of those)."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_AUTHORIZATION"):
        return None
    if environ.get("PATH_INFO", "/") not in ("", "/"):
        return None
    query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    action = query.get("Action")
    if action == "ConfirmSubscription":
        try:
            arn = confirm(query.get("TopicArn", ""), query.get("Token", ""))
        except SNSInvalidParameter:
            return _xml(start_response, "400 Bad Request", _error("Invalid token"))
        body = (
            '<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
            f"<ConfirmSubscriptionResult><SubscriptionArn>{arn}</SubscriptionArn>"
            "</ConfirmSubscriptionResult></ConfirmSubscriptionResponse>"
        )
        return _xml(start_response, "200 OK", body)
    if action == "Unsubscribe" and "SubscriptionArn" in query:
        arn = query["SubscriptionArn"]
        for regions in list(sns_backends.values()):
            for backend in list(regions.values()):
                backend.subscriptions.pop(arn, None)
        body = (
            '<UnsubscribeResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
            "</UnsubscribeResponse>"
        )
        return _xml(start_response, "200 OK", body)
    return None


def _error(message: str) -> str:
    return (
        '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error>'
        f"<Type>Sender</Type><Code>InvalidParameter</Code><Message>{message}</Message>"
        "</Error></ErrorResponse>"
    )


def _xml(start_response: StartResponse, status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(data)))])
    return [data]
