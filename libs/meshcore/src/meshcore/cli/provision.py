"""meshctl bootstrap and onboarding."""

from __future__ import annotations

import argparse
from typing import Any

from meshcore.actions.onboarding import (
    ProducerOnboarding,
    onboard_consumer_account,
    onboard_producer_account,
)
from meshcore.aws.clients import SyncAws
from meshcore.cli.common import AddCommand
from meshcore.cli.output import emit_json
from meshcore.provisioning.alarms import webhook_protocol
from meshcore.provisioning.central import bootstrap_central
from meshcore.provisioning.result import Provisioned
from meshcore.settings import MeshSettings


def _report(args: argparse.Namespace, what: str, result: Provisioned, **extra: Any) -> int:
    if args.json:
        emit_json(
            {
                "changed": result.changed,
                "steps": [{"resource": r, "outcome": o} for r, o in result.steps],
                **extra,
            }
        )
        return 0
    for resource, outcome in result.steps:
        print(f"  {outcome:<8} {resource}")
    print(
        f"{what}: {'done' if result.changed else 'nothing to change, everything already in place'}"
    )
    return 0


def cmd_bootstrap(args: argparse.Namespace, settings: MeshSettings) -> int:
    result = bootstrap_central(
        SyncAws(settings),
        settings,
        alarm_emails=args.alarm_email,
        alarm_webhooks=args.alarm_webhook,
    )
    return _report(args, "bootstrap", result)


def _webhook(url: str) -> str:
    try:
        webhook_protocol(url)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return url


def cmd_onboard_producer(args: argparse.Namespace, settings: MeshSettings) -> int:
    onboarding = ProducerOnboarding(
        account=args.account,
        domain=args.domain,
        owners=args.owner,
        locations=args.location,
        allow_sampling=args.allow_sampling,
        via_role=args.via_role,
        rename_domain=args.rename_domain,
    )
    result, role_arn = onboard_producer_account(settings, onboarding)
    return _report(args, f"onboard-producer {args.account}", result, read_role_arn=role_arn)


def cmd_onboard_consumer(args: argparse.Namespace, settings: MeshSettings) -> int:
    result, role_arn = onboard_consumer_account(settings, args.account, args.via_role)
    return _report(args, f"onboard-consumer {args.account}", result, admin_role_arn=role_arn)


def _add_account_arguments(parser: argparse.ArgumentParser, kind: str) -> None:
    """The account to onboard and how meshctl reaches it."""
    parser.add_argument("account", help=f"{kind} AWS account id")
    parser.add_argument("--via-role", help=f"role in the {kind} account to assume for onboarding")


def register(add: AddCommand) -> None:
    p = add("bootstrap", cmd_bootstrap, "create everything the central account needs (idempotent)")
    p.add_argument(
        "--alarm-email",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="subscribe this address to the alarm topic (SNS mails a confirmation link; "
        "repeatable)",
    )
    p.add_argument(
        "--alarm-webhook",
        action="append",
        default=[],
        type=_webhook,
        metavar="URL",
        help="subscribe this http(s) endpoint to the alarm topic: it must confirm the "
        "SubscriptionConfirmation SNS POSTs first (repeatable)",
    )
    p = add(
        "onboard-producer",
        cmd_onboard_producer,
        "let the central account read a producer's catalog and receive its events",
    )
    _add_account_arguments(p, "producer")
    p.add_argument(
        "--domain",
        required=True,
        help="producer domain, the prefix of its central databases (e.g. ar)",
    )
    p.add_argument(
        "--owner",
        action="append",
        required=True,
        help="data owner who approves access (repeatable)",
    )
    p.add_argument(
        "--allow-sampling", action="store_true", help="let the classifier sample values from S3"
    )
    p.add_argument(
        "--location",
        action="append",
        default=[],
        help="an S3 prefix holding the producer's table data, registered with Lake Formation "
        "in hybrid access mode so that grants reach the data (repeatable)",
    )
    p.add_argument(
        "--rename-domain",
        action="store_true",
        help="move an onboarded producer to another --domain: its central databases are removed "
        "and synced again under the new name",
    )
    p = add(
        "onboard-consumer", cmd_onboard_consumer, "prepare a consumer account to receive shares"
    )
    _add_account_arguments(p, "consumer")
