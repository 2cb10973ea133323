"""A long message (a busy digest) stays within what Slack and Teams take: Slack's section text
is cut at 3000 characters, a Teams card keeps at most so many lines and characters and says
how many more there were."""

from __future__ import annotations

import json

from notifier.render import TEAMS_LINE_LIMIT, TEAMS_TEXT_LIMIT, Message, teams_body


def card_lines(body: dict[str, object]) -> list[str]:
    blocks = body["attachments"][0]["content"]["body"]  # type: ignore[index]
    return [b["text"] for b in blocks[2:]]


def test_a_card_with_many_lines_keeps_the_first_and_says_how_many_more() -> None:
    lines = [f"- update {i}" for i in range(500)]
    shown = card_lines(teams_body(Message("p", "s", lines)))
    assert len(shown) == TEAMS_LINE_LIMIT
    assert shown[:-1] == lines[: TEAMS_LINE_LIMIT - 1]
    assert shown[-1] == f"\u2026 {500 - TEAMS_LINE_LIMIT + 1} more"


def test_a_card_with_long_lines_is_capped_in_size() -> None:
    lines = ["x" * 5000 for _ in range(10)]
    body = teams_body(Message("p", "s", lines))
    shown = card_lines(body)
    assert sum(len(line) for line in shown[:-1]) <= TEAMS_TEXT_LIMIT
    assert shown[-1].endswith("more") and len(json.dumps(body)) < 20000


def test_a_short_card_is_whole() -> None:
    assert card_lines(teams_body(Message("p", "s", ["a", "b"]))) == ["a", "b"]
