"""A webhook URL is a secret and a destination operators chose: https (http only to this
machine), never followed elsewhere by a redirect, and never repeated in an error."""

from __future__ import annotations

import socket

import aiohttp
import pytest
from aiohttp import web
from pydantic import ValidationError

from meshcore.domain.errors import PermanentError, RetryableError
from meshcore.settings import MeshSettings, Webhook
from notifier.channels import WebhookPoster
from notifier.render import Message

MESSAGE = Message("p", "s", ["a line"])


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/secret-token",
        "ftp://hooks.example.com/x",
        "https:///no-host",
        "http://10.0.0.5/x",
    ],
)
def test_a_webhook_url_is_https_or_loopback_and_not_repeated(url: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Webhook(kind="slack", url=url)
    assert "secret-token" not in str(refused.value) and "hooks.example.com" not in str(
        refused.value
    )


@pytest.mark.parametrize(
    "url", ["https://hooks.example.com/x", "http://127.0.0.1:8000/hook", "http://localhost/h"]
)
def test_https_and_loopback_webhooks_are_taken(url: str) -> None:
    assert Webhook(kind="teams", url=url).url == url


async def test_a_redirect_is_not_followed(unused_tcp_port: int) -> None:
    elsewhere: list[str] = []

    async def hook(_request: web.Request) -> web.Response:
        raise web.HTTPFound("/elsewhere")

    async def other(request: web.Request) -> web.Response:
        elsewhere.append(await request.text())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    app.router.add_route("*", "/elsewhere", other)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        url = f"http://127.0.0.1:{unused_tcp_port}/hook"
        async with aiohttp.ClientSession() as session:
            poster = WebhookPoster(session, "people", Webhook(kind="slack", url=url))
            with pytest.raises(PermanentError) as refused:
                await poster.post(MESSAGE)
    finally:
        await runner.cleanup()
    assert elsewhere == [] and "HTTP 302" in str(refused.value)


async def test_a_failing_webhook_error_names_it_but_not_its_url() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/secret-token"
    async with aiohttp.ClientSession() as session:
        poster = WebhookPoster(session, "people", Webhook(kind="slack", url=url))
        with pytest.raises(RetryableError) as failed:
            await poster.post(MESSAGE)
    assert str(failed.value) == "webhook people: ClientConnectorError"
    assert failed.value.__cause__ is None


def test_a_bad_webhook_in_the_settings_is_not_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "MESHCORE_NOTIFIER__WEBHOOKS",
        '{"people": {"kind": "slack", "url": "http://hooks.example.com/secret-token"}}',
    )
    with pytest.raises(ValidationError) as refused:
        MeshSettings()
    assert "secret-token" not in str(refused.value)
