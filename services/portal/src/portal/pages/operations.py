"""The facts of `meshctl status` at a glance, the last 24 hours of the CloudWatch metrics as
small charts, and what each alarm did meanwhile."""

from __future__ import annotations

from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import Response

from meshcore.actions.operations import status
from meshcore.actions.trends import TREND_HOURS, alarm_history, metric_trends
from meshcore.domain.errors import AccessDeniedError, MeshError
from portal.charts import bar_chart
from portal.pages.common import central_of, owns_or_operates, user_of
from portal.rendering import render

log = structlog.get_logger()


async def operations_page(request: Request) -> Response:
    user = user_of(request)
    if not await owns_or_operates(request, user):
        raise AccessDeniedError(
            f"{user} is neither an operator nor a producer's data owner: the operations page "
            "is theirs"
        )
    central = central_of(request)
    facts = await status(central)
    charts: list[tuple[str, Any]] = []
    history: dict[str, Any] = {}
    metrics_problem = ""
    try:
        trends = await metric_trends(central)
        charts = [
            (
                f"trend-{t.key.replace('_', '-')}",
                bar_chart(
                    t.title, t.points, trends.start, trends.period_seconds, trends.periods, t.unit
                ),
            )
            for t in trends.series
        ]
        history = await alarm_history(central, trends.start)
    except MeshError as exc:  # the facts above still stand without the metrics
        log.warning("portal.metrics_unavailable", reason=str(exc))
        metrics_problem = str(exc)
    return render(
        request,
        "operations.html",
        user=user,
        status=facts,
        charts=charts,
        history=history,
        hours=TREND_HOURS,
        metrics_problem=metrics_problem,
    )
