"""CloudWatch reads back exactly the metric it was asked for: namespace, name and the whole set
of dimensions it was published with.

"A metric is uniquely defined by a name, a namespace, and zero or more dimensions."
"CloudWatch treats each unique combination of dimensions as a separate metric. You can't
retrieve statistics using combinations of dimensions that you did not specifically publish."
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html
GetMetricData's MetricStat and GetMetricStatistics name one such metric
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html);
ListMetrics lists metrics, each once, those holding every dimension asked for
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html).

moto's GetMetricData ignores the namespace when the query has dimensions, answers a query
without dimensions with every metric of that name, and compares dimension lists with a broken
ordering; its GetMetricStatistics takes any metric holding the asked dimensions among others.
Both would chart data AWS never returns (say, a worker's total as the sum of its per-queue
metrics). Here a MetricStat query (and GetMetricStatistics) reads only the datapoints of the
exact metric: GetMetricData in periods from StartTime, as moto does, GetMetricStatistics in
moto's periods. Metric math and Metrics Insights queries are left to moto. moto's ListMetrics
lists a metric once per datapoint put (so a sum over the listed metrics counts each many
times), comparing each datapoint with every one listed before it; here each metric is listed
once, found in one pass. Belongs upstream.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from moto.cloudwatch.exceptions import InvalidParameterValue, ValidationError
from moto.cloudwatch.models import CloudWatchBackend, MetricDatumBase, Statistics

from ._patching import wrap_method

Identity = tuple[str, str, frozenset[tuple[str | None, str | None]]]


def install() -> None:
    wrap_method(CloudWatchBackend, "get_metric_data", _get_metric_data)
    wrap_method(CloudWatchBackend, "get_metric_statistics", _get_metric_statistics)
    wrap_method(CloudWatchBackend, "get_filtered_metrics", _get_filtered_metrics)


def _get_filtered_metrics(
    original: Any,
    backend: CloudWatchBackend,
    metric_name: str | None,
    namespace: str | None,
    dimensions: list[dict[str, str]] | None,
) -> list[MetricDatumBase]:
    listed: dict[Identity, MetricDatumBase] = {}
    for md in backend.get_all_metrics():
        if md.filter(namespace=namespace, name=metric_name, dimensions=dimensions or []):
            listed.setdefault(_of(md), md)  # the first datapoint of each metric stands for it
    return list(listed.values())


def _identity(namespace: str, name: str, dimensions: Any) -> Identity:
    return namespace, name, frozenset((d["Name"], d["Value"]) for d in dimensions or [])


def _of(datum: MetricDatumBase) -> Identity:
    dims = frozenset((d.name, d.value) for d in datum.dimensions)
    return datum.namespace, datum.name, dims


def _datums(
    backend: CloudWatchBackend, wanted: Identity, unit: str | None, start: datetime, end: datetime
) -> list[MetricDatumBase]:
    return [
        md
        for md in backend.get_all_metrics()
        if start <= md.timestamp < end and _of(md) == wanted and (not unit or md.unit == unit)
    ]


def _get_metric_data(
    original: Any,
    backend: CloudWatchBackend,
    queries: list[dict[str, Any]],
    start_time: datetime,
    end_time: datetime,
    scan_by: str = "TimestampAscending",
) -> list[dict[str, Any]]:
    if any("Expression" in q and not q["Expression"].startswith("SELECT") for q in queries):
        return list(original(backend, queries, start_time, end_time, scan_by))  # metric math
    others = [q for q in queries if "MetricStat" not in q]
    answered = {r["id"]: r for r in original(backend, others, start_time, end_time, scan_by)}
    start, end = start_time.replace(microsecond=0), end_time.replace(microsecond=0)
    for query in queries:
        if "MetricStat" not in query:
            continue
        stat = query["MetricStat"]
        metric = stat["Metric"]
        wanted = _identity(metric["Namespace"], metric["MetricName"], metric.get("Dimensions"))
        data = _datums(backend, wanted, stat.get("Unit"), start, end)
        period = timedelta(seconds=int(stat["Period"]))
        values: list[Any] = []
        stamps: list[datetime] = []
        at = start
        while at < end:
            inside = [md for md in data if at <= md.timestamp < at + period]
            if inside:
                stats = Statistics([stat["Stat"]], at)
                stats.metric_data = inside
                values.append(stats.get_statistics_for_type(stat["Stat"]))
                stamps.append(at)
            at += period
        if scan_by == "TimestampDescending":
            values.reverse()
            stamps.reverse()
        if query.get("ReturnData", True):
            answered[query["Id"]] = {
                "id": query["Id"],
                "label": query.get("Label") or f"{metric['MetricName']} {stat['Stat']}",
                "values": values,
                "timestamps": stamps,
                "status_code": "Complete",
            }
    return [answered[q["Id"]] for q in queries if q["Id"] in answered]


def _get_metric_statistics(
    original: Any,
    backend: CloudWatchBackend,
    namespace: str,
    metric_name: str,
    start_time: datetime,
    end_time: datetime,
    period: int,
    stats: list[str],
    dimensions: list[dict[str, str]],
    unit: str | None = None,
) -> list[Statistics]:
    start, end = start_time.replace(microsecond=0), end_time.replace(microsecond=0)
    if start >= end:
        raise InvalidParameterValue(
            "The parameter StartTime must be less than the parameter EndTime."
        )
    if period <= 0:
        raise ValidationError("The parameter Period must be greater than 0.")
    wanted = _identity(namespace, metric_name, dimensions)
    data = sorted(_datums(backend, wanted, unit, start, end), key=lambda md: md.timestamp)
    answer: list[Statistics] = []
    step = timedelta(seconds=period)
    for md in data:  # moto's periods: from the first datapoint on
        at = data[0].timestamp + step * ((md.timestamp - data[0].timestamp) // step)
        if not answer or answer[-1].timestamp != at:
            answer.append(Statistics(stats, at))
        answer[-1].metric_data.append(md)
        answer[-1].unit = md.unit
    return answer
