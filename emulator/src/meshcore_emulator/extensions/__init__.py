"""Extensions that make moto behave like AWS where meshcore relies on it.

Each module closes one gap and documents the AWS behaviour it reproduces. The speed modules
change no behaviour: they make moto answer in time independent of how much it holds, and can be
left out (``install_all(speed=False)``) so that the benchmark can measure what they gain.
"""

from __future__ import annotations

import threading

from . import (
    cloudwatch_alarm_history,
    cloudwatch_alarms,
    cloudwatch_metric_identity,
    dynamodb_isolation,
    dynamodb_transaction_rollback,
    event_envelope,
    eventbridge_schedules,
    events_input_paths,
    glue_catalog_events,
    glue_column_filtering,
    glue_paging,
    glue_request_body,
    glue_resource_links,
    glue_table_version_ids,
    glue_table_versions,
    http_keep_alive,
    kms_key_policy,
    kms_verify_signature,
    lakeformation_batch_grant_option,
    lakeformation_column_tags,
    lakeformation_cross_account,
    lakeformation_drop,
    lakeformation_grant_authority,
    lakeformation_locations,
    lakeformation_query_engines,
    lakeformation_resource_tags,
    lakeformation_settings,
    lakeformation_tag_targets,
    moto_dispatch,
    ram_invitations,
    sns_http_subscriptions,
    sqs_cloudwatch_metrics,
    sqs_depth,
    sqs_sender_id,
    sts_external_id,
    sts_session_tags,
)

_MODULES = (
    cloudwatch_alarm_history,
    cloudwatch_metric_identity,
    dynamodb_isolation,
    event_envelope,
    eventbridge_schedules,
    glue_catalog_events,
    glue_paging,
    glue_table_version_ids,
    glue_table_versions,
    ram_invitations,
    sqs_sender_id,
    sqs_cloudwatch_metrics,
    kms_verify_signature,
    lakeformation_cross_account,
    lakeformation_batch_grant_option,
    lakeformation_resource_tags,
    lakeformation_column_tags,
    lakeformation_tag_targets,
    # Lake Formation enforcement: installed after the extensions above, so that the checks wrap
    # them (a refused grant makes no RAM share).
    sts_session_tags,
    sts_external_id,
    lakeformation_settings,
    lakeformation_grant_authority,
    lakeformation_drop,
    lakeformation_locations,
    lakeformation_query_engines,
    glue_resource_links,
    glue_column_filtering,
    kms_key_policy,
    # After cloudwatch_alarm_history, whose history the evaluation writes to.
    cloudwatch_alarms,
    sns_http_subscriptions,
)
_SPEED = (
    moto_dispatch,
    sqs_depth,
    glue_request_body,
    events_input_paths,
    http_keep_alive,
    dynamodb_transaction_rollback,
)
_lock = threading.Lock()


def install_all(speed: bool = True) -> None:
    """Install every extension; safe to call any number of times.

    ``speed=False`` leaves the speed modules out; they patch moto for the whole process, so
    once installed they stay (the benchmark runs the slow variant in a process of its own).
    """
    with _lock:
        for module in (*_MODULES, *(_SPEED if speed else ())):
            module.install()
