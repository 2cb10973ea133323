"""The IAM actions AWS authorises an API call against.

Mostly `<service>:<operation>` (the SigV4 signing name is the IAM service prefix for every
service meshcore uses; CloudWatch's "monitoring" is already mapped to "cloudwatch"); the exceptions are those the Service Authorization
Reference documents (https://docs.aws.amazon.com/service-authorization/latest/reference/):

- S3 authorises most operations under other names: ListObjectsV2 and HeadBucket need
  s3:ListBucket, HeadObject needs s3:GetObject, ListBuckets needs s3:ListAllMyBuckets
  (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html, …/API_HeadObject.html).
- SQS batch operations need the single action's permission
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
- DynamoDB transactions have no action of their own: each item needs the action of its kind
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
- STS GetCallerIdentity needs no permission
  (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
"""

from __future__ import annotations

from .calls import AwsCall

_S3 = {
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "HeadBucket": "ListBucket",
    "HeadObject": "GetObject",
    "ListBuckets": "ListAllMyBuckets",
    "CopyObject": "PutObject",  # and s3:GetObject on the source, not visible here
    "DeleteObjects": "DeleteObject",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "ListMultipartUploads": "ListBucketMultipartUploads",
    "ListParts": "ListMultipartUploadParts",
}

_SQS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}

_DYNAMODB_TRANSACT_ITEM = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}

_NO_PERMISSION = {("sts", "GetCallerIdentity")}


def iam_actions(call: AwsCall) -> tuple[str, ...]:
    """The actions `call` is authorised against ("" operation: nothing known)."""
    if not call.operation or (call.service, call.operation) in _NO_PERMISSION:
        return ()
    if call.service == "s3":
        return (f"s3:{_S3.get(call.operation, call.operation)}",)
    if call.service == "sqs":
        return (f"sqs:{_SQS.get(call.operation, call.operation)}",)
    if call.service == "dynamodb" and call.operation in ("TransactWriteItems", "TransactGetItems"):
        return _transaction_actions(call)
    return (f"{call.service}:{call.operation}",)


def _transaction_actions(call: AwsCall) -> tuple[str, ...]:
    items = call.params.get("TransactItems")
    if not isinstance(items, list):
        return ()
    kinds = {kind for item in items if isinstance(item, dict) for kind in item}
    return tuple(
        sorted(
            f"dynamodb:{_DYNAMODB_TRANSACT_ITEM[k]}" for k in kinds & _DYNAMODB_TRANSACT_ITEM.keys()
        )
    )
