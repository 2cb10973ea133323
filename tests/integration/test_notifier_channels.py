"""The notifier's channels against real servers: mail through a local SMTP server (aiosmtpd)
and through the embedded AWS's SES, webhook bodies held to the JSON description of what Slack
and Teams accept; people's preferences and digests in the state table; meshctl notify prefs."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from moto.ses.models import ses_backends
from pydantic import SecretStr

from meshcore.aws.clients import AsyncAws, SyncAws
from meshcore.aws.notifications import DynamoNotificationStore
from meshcore.cli.main import main as meshctl
from meshcore.domain.errors import PermanentError, RetryableError
from meshcore.domain.notifications import Notice, NotificationPreferences
from meshcore.provisioning.central import ensure_tables
from meshcore.provisioning.result import Provisioned
from meshcore.settings import MeshSettings, NotifierSettings, Webhook
from meshcore_devstack.processes import free_port
from meshcore_emulator import EmbeddedAws
from notifier.channels import SesMail, SmtpMail, WebhookPoster
from notifier.render import Message, slack_body, teams_body

from ..chat_webhook import ChatWebhook, Kind, violations
from ..mailbox import Mailbox, tls_certificate

MESSAGE = Message(
    "analyst@consumer.example.com",
    "Your access request req-1 was granted",
    ["Request: req-1", "Tables: ar__receivables.invoices", "Reason: <!channel> & co"],
)


def smtp(port: int, **more: Any) -> SmtpMail:
    return SmtpMail(
        NotifierSettings(
            email="smtp",
            smtp_host="127.0.0.1",
            smtp_port=port,
            from_address="meshcore@central.example.com",
            **more,
        )
    )


# -- SMTP ---------------------------------------------------------------------------------------


async def test_smtp_mail_reaches_the_server_with_subject_and_lines() -> None:
    with Mailbox() as box:
        await smtp(box.port).send("analyst@consumer.example.com", MESSAGE)
    (mail,) = box.mails
    assert mail.sender == "meshcore@central.example.com"
    assert mail.recipients == ["analyst@consumer.example.com"]
    assert mail.subject == MESSAGE.subject
    assert mail.message["From"] == "meshcore@central.example.com"
    assert "Tables: ar__receivables.invoices" in mail.body


async def test_smtp_logs_in_only_over_starttls_with_a_verified_certificate(
    tmp_path: Path,
) -> None:
    cert, key = tls_certificate(tmp_path)
    login = {"smtp_username": "meshcore", "smtp_password": SecretStr("s3cret")}
    with pytest.raises(ValueError, match="SMTP_STARTTLS"):
        smtp(1, **login)  # a password in clear is refused before anything is sent
    with Mailbox(login=("meshcore", "s3cret"), tls=(cert, key)) as box:
        await smtp(box.port, smtp_starttls=True, smtp_ca_file=cert, **login).send(
            "a@example.com", MESSAGE
        )
        # A certificate the notifier cannot verify: nothing is sent, the login never happens.
        with pytest.raises(RetryableError, match="CERTIFICATE_VERIFY_FAILED"):
            await smtp(box.port, smtp_starttls=True, **login).send("b@example.com", MESSAGE)
        with pytest.raises(PermanentError, match="smtp: 5"):
            await smtp(box.port).send("c@example.com", MESSAGE)  # no login: refused
    assert box.logins == ["meshcore"] and [m.recipients for m in box.mails] == [["a@example.com"]]


async def test_a_refused_recipient_is_permanent_and_a_server_down_is_retried() -> None:
    with (
        Mailbox(refuse="gone@example.com") as box,
        pytest.raises(PermanentError, match=r"gone@example\.com refused"),
    ):
        await smtp(box.port).send("gone@example.com", MESSAGE)
    with pytest.raises(RetryableError, match=r"smtp 127\.0\.0\.1"):
        await smtp(free_port(), smtp_timeout_seconds=2).send("a@example.com", MESSAGE)


# -- SES ----------------------------------------------------------------------------------------


async def test_ses_mail_is_sent_from_the_verified_address(aws: EmbeddedAws) -> None:
    settings = MeshSettings(endpoint_url=aws.endpoint_url)
    SyncAws(settings).client("ses").verify_email_identity(
        EmailAddress="meshcore@central.example.com"
    )
    async with AsyncExitStack() as stack:
        clients = AsyncAws(settings, stack, "ses-test")
        stack.push_async_callback(clients.aclose)
        ses = await clients.client("ses")
        await SesMail(ses, "meshcore@central.example.com").send("a@example.com", MESSAGE)
        with pytest.raises(Exception, match="not verified"):
            await SesMail(ses, "nobody@central.example.com").send("a@example.com", MESSAGE)
    (sent,) = ses_backends[settings.central_account_id][settings.region].sent_messages
    assert sent.source == "meshcore@central.example.com"
    assert sent.destinations["ToAddresses"] == ["a@example.com"]
    assert sent.subject == MESSAGE.subject and "Request: req-1" in sent.body


# -- webhooks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["slack", "teams"])
async def test_webhook_bodies_are_what_slack_and_teams_accept(kind: Kind) -> None:
    with ChatWebhook(kind) as hook:
        async with aiohttp.ClientSession() as session:
            poster = WebhookPoster(session, "people", Webhook(kind=kind, url=hook.url))
            await poster.post(MESSAGE)
            long = Message("p", "s" * 200, [f"line {i} " + "x" * 100 for i in range(60)])
            await poster.post(long)
    assert hook.refused == [] and len(hook.accepted) == 2
    body = json.dumps(hook.accepted[0])
    assert "req-1" in body and "analyst@consumer.example.com" in body
    if kind == "slack":
        # Slack markup in what people wrote is escaped, never a ping.
        assert "<!channel>" not in body and "&lt;!channel&gt;" in body


def test_the_descriptions_refuse_what_the_services_would() -> None:
    assert violations("slack", slack_body(MESSAGE)) == []
    assert violations("teams", teams_body(MESSAGE)) == []
    assert violations("slack", {"blocks": []})  # no text, empty blocks
    assert violations("slack", {"text": "t", "blocks": [{"type": "section", "text": "x"}]})
    assert violations("teams", {"type": "message", "attachments": [{"contentType": "x"}]})
    card = teams_body(MESSAGE)
    card["attachments"][0]["content"]["version"] = "2.0"
    assert violations("teams", card)


async def test_a_refused_body_is_permanent_and_a_busy_service_is_retried() -> None:
    with ChatWebhook("slack") as slack, ChatWebhook("slack", status=503) as busy:
        async with aiohttp.ClientSession() as session:
            # A Teams body posted to a Slack webhook: the description refuses it.
            wrong = WebhookPoster(session, "wrong", Webhook(kind="teams", url=slack.url))
            with pytest.raises(PermanentError, match="HTTP 400"):
                await wrong.post(MESSAGE)
            retried = WebhookPoster(session, "busy", Webhook(kind="slack", url=busy.url))
            with pytest.raises(RetryableError, match="HTTP 503"):
                await retried.post(MESSAGE)
    assert len(slack.refused) == 1


# -- the state table ----------------------------------------------------------------------------


@pytest.fixture
async def store(settings: MeshSettings) -> AsyncIterator[DynamoNotificationStore]:
    ensure_tables(SyncAws(settings).client("dynamodb"), settings, Provisioned())
    async with AsyncExitStack() as stack:
        clients = AsyncAws(settings, stack, "notify-store")
        stack.push_async_callback(clients.aclose)
        yield DynamoNotificationStore(await clients.client("dynamodb"), settings.state_table)


async def test_preferences_and_digests_in_the_state_table(store: DynamoNotificationStore) -> None:
    prefs = NotificationPreferences(person="a@example.com", channels=["analysts"], digest=True)
    assert await store.get_preferences("a@example.com") is None
    await store.put_preferences(prefs)
    assert await store.get_preferences("a@example.com") == prefs
    first, second = (
        Notice(person="a@example.com", role="requester", event=e, about="req-1", subject=e)
        for e in ("routed", "granted")
    )
    for notice in (second, first, first):  # a redelivery keeps one copy
        await store.add_to_digest(notice)
    assert await store.digest_people() == ["a@example.com"]
    assert [n.event for n in await store.digest_of("a@example.com")] == ["routed", "granted"]
    await store.clear_digest("a@example.com", [first])
    assert await store.digest_people() == ["a@example.com"]  # the second is still kept
    await store.clear_digest("a@example.com", [second])
    assert await store.digest_people() == [] and await store.digest_of("a@example.com") == []


# -- meshctl notify prefs -----------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = meshctl(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def central(aws: EmbeddedAws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESHCORE_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setenv(
        "MESHCORE_NOTIFIER__WEBHOOKS",
        json.dumps({"analysts": {"kind": "slack", "url": "https://hooks.example.com/x"}}),
    )
    assert run("bootstrap")[0] == 0


def test_meshctl_sets_and_shows_preferences(central: None) -> None:
    code, out, _ = run("notify", "prefs", "show", "bob@example.com")
    assert code == 0 and "no preferences stored" in out and "channels: email" in out
    person = "analyst@consumer.example.com"
    assert (
        run("notify", "prefs", "set", person, "--channel", "email", "--channel", "analysts")[0] == 0
    )
    assert run("notify", "prefs", "set", person, "--digest")[0] == 0  # the channels stay
    code, out, _ = run("--json", "notify", "prefs", "show", person)
    shown = json.loads(out)
    assert code == 0 and shown["stored"] is True
    assert (shown["channels"], shown["digest"], shown["address"]) == (
        ["email", "analysts"],
        True,
        person,
    )
    code, out, _ = run("notify", "prefs", "show", person)
    assert "delivery: daily digest" in out and "channels: email, analysts" in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--email", "not-an-address"], "is not an e-mail address"),
        (["--channel", "Bad Name"], "bad channel name 'Bad Name'"),
    ],
)
def test_meshctl_prefs_mistakes_exit_2_with_one_line(
    central: None, args: list[str], says: str
) -> None:
    code, out, err = run("notify", "prefs", "set", "bob@example.com", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and says in err, err
    code, _, err = run("--json", "notify", "prefs", "set", "bob@example.com", *args)
    assert code == 2 and json.loads(err)["exit_status"] == 2
    # Nothing was stored by a mistake.
    assert "no preferences stored" in run("notify", "prefs", "show", "bob@example.com")[1]


def test_meshctl_takes_a_webhook_its_own_shell_does_not_configure(
    central: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An operator's shell has no MESHCORE_NOTIFIER__WEBHOOKS: the notifier's do count.
    monkeypatch.delenv("MESHCORE_NOTIFIER__WEBHOOKS")
    code, _, err = run("notify", "prefs", "set", "bob@example.com", "--channel", "owners-teams")
    assert code == 0, err
    assert "channels: owners-teams" in run("notify", "prefs", "show", "bob@example.com")[1]


def test_meshctl_refuses_email_for_a_name_that_is_no_address(central: None) -> None:
    code, _, err = run("notify", "prefs", "set", "ada", "--channel", "email")
    assert code == 2 and "give --email ADDRESS" in err
    assert run("notify", "prefs", "set", "ada", "--email", "ada@example.com")[0] == 0
    code, _, err = run("notify", "prefs", "set", "ada", "--verb-that-is-not")
    assert code == 2 and err.count("\n") == 1
