"""A queue in memory (port: `meshcore.aws.ports.Sender`): what was sent, in order."""

from __future__ import annotations

from pydantic import BaseModel


class FakeSender:
    def __init__(self, name: str = "meshcore-notifications") -> None:
        self.name = name
        self.sent: list[BaseModel] = []

    async def send(self, message: BaseModel) -> str:
        self.sent.append(message.model_copy(deep=True))
        return f"message-{len(self.sent)}"
