"""Sending meshcore messages to a queue by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from meshcore.aws.errors import aws_errors
from meshcore.domain.errors import NotFoundError

if TYPE_CHECKING:
    from types_aiobotocore_sqs.client import SQSClient


class QueueSender:
    def __init__(self, sqs: SQSClient, url: str, name: str) -> None:
        self._sqs = sqs
        self._url = url
        self.name = name

    async def send(self, message: BaseModel) -> str:
        with aws_errors(f"sqs:SendMessage {self.name}"):
            response = await self._sqs.send_message(
                QueueUrl=self._url, MessageBody=message.model_dump_json()
            )
        return str(response["MessageId"])


async def queue_url(sqs: SQSClient, name: str) -> str:
    try:
        with aws_errors(f"sqs:GetQueueUrl {name}"):
            response = await sqs.get_queue_url(QueueName=name)
    except NotFoundError as exc:
        raise NotFoundError(f"queue {name} does not exist: run `meshctl bootstrap` first") from exc
    return str(response["QueueUrl"])
