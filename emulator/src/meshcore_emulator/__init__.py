"""Embedded AWS for meshcore development and tests: moto plus the AWS behaviours meshcore relies on.

Usage::

    from meshcore_emulator import EmbeddedAws

    aws = EmbeddedAws.start(host="127.0.0.1", port=0)
    aws.endpoint_url
    aws.faults.add(service="glue", operation="GetTable", kind="throttle", rate=1.0, count=1)
    aws.reset()
    aws.stop()
"""

from .embedded import EmbeddedAws
from .faults import Fault, FaultInjector
from .limits import Violation

__all__ = ["EmbeddedAws", "Fault", "FaultInjector", "Violation"]
