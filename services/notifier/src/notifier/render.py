"""What a message looks like on each channel, and a digest gathering many notices (pure).

Slack incoming webhooks take JSON `{"text": ..., "blocks": [...]}` (`text` is the fallback
shown in notifications, `blocks` the Block Kit layout). Teams incoming webhooks (and Teams
Workflows' "post to a channel when a webhook request is received") take a message whose one
attachment is an Adaptive Card (`application/vnd.microsoft.card.adaptive`). The shapes the
tests hold every body to are in tests/webhook_schemas/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from meshcore.domain.notifications import Notice

SLACK_TEXT_LIMIT = 3000  # a section block's text
# A Teams message is refused past about 28 KB; a card this long is unreadable well before.
TEAMS_LINE_LIMIT = 50
TEAMS_TEXT_LIMIT = 12000  # characters of the lines, all told


@dataclass(frozen=True)
class Message:
    """One message to one person, whatever the channel."""

    person: str
    subject: str
    lines: list[str]

    def text(self) -> str:
        return "\n".join([self.subject, "", *self.lines])


def single(notice: Notice) -> Message:
    return Message(notice.person, notice.subject, notice.lines)


def digest(person: str, notices: list[Notice]) -> Message | None:
    """Everything that gathered for `person`, oldest first, grouped by request; None when
    nothing did."""
    if not notices:
        return None
    ordered = sorted(notices, key=lambda n: (n.at, n.key()))
    requests: dict[str, list[Notice]] = {}
    for notice in ordered:
        requests.setdefault(notice.about, []).append(notice)
    count = len(ordered)
    subject = f"meshcore digest: {count} update{'' if count == 1 else 's'}"
    lines: list[str] = []
    for about, group in requests.items():
        lines.append(f"{about}:")
        lines.extend(f"- {n.at.strftime('%Y-%m-%d %H:%M')} {n.subject}" for n in group)
        reasons = [line for n in group for line in n.lines if line.startswith("Reason: ")]
        lines.extend(f"  {r}" for r in dict.fromkeys(reasons))
    return Message(person, subject, lines)


def _escape_slack(text: str) -> str:
    """Slack reads &, < and > as markup (`<!channel>` would ping everyone)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(message: Message) -> dict[str, Any]:
    body = _escape_slack("\n".join(message.lines))[:SLACK_TEXT_LIMIT]
    head = _escape_slack(f"{message.subject} (for {message.person})")
    return {
        "text": head,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{head}*"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": body or "-"}},
        ],
    }


def _teams_lines(lines: list[str]) -> list[str]:
    """As many lines as fit `TEAMS_LINE_LIMIT` and `TEAMS_TEXT_LIMIT`, then "… N more"."""
    kept: list[str] = []
    size = 0
    for line in lines:
        if len(kept) == TEAMS_LINE_LIMIT - 1 or size + len(line) > TEAMS_TEXT_LIMIT:
            break
        kept.append(line)
        size += len(line)
    if len(kept) == len(lines):
        return kept
    return [*kept, f"\u2026 {len(lines) - len(kept)} more"]


def teams_body(message: Message) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {
                            "type": "TextBlock",
                            "text": message.subject,
                            "weight": "Bolder",
                            "size": "Medium",
                            "wrap": True,
                        },
                        {
                            "type": "TextBlock",
                            "text": f"For {message.person}",
                            "isSubtle": True,
                            "wrap": True,
                        },
                        *(
                            {"type": "TextBlock", "text": line, "wrap": True}
                            for line in _teams_lines(message.lines)
                        ),
                    ],
                },
            }
        ],
    }
