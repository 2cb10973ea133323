"""meshctl notify prefs: how a person hears from the notifier."""

from __future__ import annotations

import argparse

from meshcore.actions.context import Central
from meshcore.aws.notifications import DynamoNotificationStore
from meshcore.cli.common import AddCommand, UsageError, on_central
from meshcore.cli.output import emit_json
from meshcore.domain.notifications import CHANNEL_NAME, EMAIL_CHANNEL, NotificationPreferences
from meshcore.settings import MeshSettings


async def _store(c: Central) -> DynamoNotificationStore:
    return DynamoNotificationStore(await c.aws.client("dynamodb"), c.settings.state_table)


def _check_channels(channels: list[str]) -> None:
    """Names by their syntax only: the webhooks are configured on the notifier (which logs a
    channel it does not know), not in the shell meshctl runs in."""
    for channel in channels:
        if not CHANNEL_NAME.fullmatch(channel):
            raise UsageError(
                f"bad channel name {channel!r}: 'email' or the name of a webhook operators "
                "configured on the notifier (lower-case letters, digits, '-' and '_')"
            )


def _prefs_set(args: argparse.Namespace, settings: MeshSettings) -> NotificationPreferences:
    if args.channel is not None:
        _check_channels(args.channel)

    async def act(c: Central) -> NotificationPreferences:
        store = await _store(c)
        current = await store.get_preferences(args.person) or NotificationPreferences(
            person=args.person, channels=settings.notifier.default_channels
        )
        changes: dict[str, object] = {}
        if args.channel is not None:
            changes["channels"] = args.channel
        if args.no_channels:
            changes["channels"] = []
        if args.email is not None:
            changes["email"] = args.email or None
        if args.digest is not None:
            changes["digest"] = args.digest
        # Validated as a whole (an address, channel names), so a mistake changes nothing.
        updated = NotificationPreferences.model_validate(
            {**current.model_dump(exclude={"updated_at"}), **changes}
        )
        if EMAIL_CHANNEL in updated.channels and updated.address() is None:
            raise UsageError(
                f"{args.person!r} is not an e-mail address: give --email ADDRESS for the "
                "email channel"
            )
        await store.put_preferences(updated)
        return updated

    return on_central(settings, act)


def _prefs_show(
    args: argparse.Namespace, settings: MeshSettings
) -> tuple[NotificationPreferences, bool]:
    async def act(c: Central) -> NotificationPreferences | None:
        return await (await _store(c)).get_preferences(args.person)

    found = on_central(settings, act)
    if found is None:
        return NotificationPreferences(
            person=args.person, channels=settings.notifier.default_channels
        ), False
    return found, True


def cmd_notify(args: argparse.Namespace, settings: MeshSettings) -> int:
    if args.verb == "set":
        prefs, stored = _prefs_set(args, settings), True
    else:
        prefs, stored = _prefs_show(args, settings)
    if args.json:
        emit_json({**prefs.model_dump(mode="json"), "address": prefs.address(), "stored": stored})
        return 0
    print(f"person:   {prefs.person}{'' if stored else ' (no preferences stored: the defaults)'}")
    print(f"channels: {', '.join(prefs.channels) or 'none (hears nothing)'}")
    print(f"email:    {prefs.address() or '-'}")
    print(f"delivery: {'daily digest' if prefs.digest else 'one message per event'}")
    return 0


def register(add: AddCommand) -> None:
    p = add("notify", cmd_notify, "notification preferences: `notify prefs set|show PERSON`")
    p.add_argument("area", choices=["prefs"])
    p.add_argument("verb", choices=["set", "show"])
    p.add_argument("person", help="who (as requests and owners name them: an e-mail address)")
    p.add_argument(
        "--channel",
        action="append",
        metavar="CHANNEL",
        help="'email' or a webhook operators configured (repeatable; replaces the channels)",
    )
    p.add_argument("--no-channels", action="store_true", help="hear nothing")
    p.add_argument("--email", metavar="ADDRESS", help="where mail goes (default: the person)")
    p.add_argument(
        "--digest",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="one digest per interval instead of one message per event",
    )
