"""CloudWatch reads back exactly the metric asked for: its namespace, name and whole set of
dimensions.

"A metric is uniquely defined by a name, a namespace, and zero or more dimensions." "CloudWatch
treats each unique combination of dimensions as a separate metric. You can't retrieve
statistics using combinations of dimensions that you did not specifically publish."
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html;
GetMetricData: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html,
GetMetricStatistics: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .helpers import ClientFactory

WORKER = [{"Name": "Worker", "Value": "sync-worker"}]
PER_QUEUE = [*WORKER, {"Name": "Queue", "Value": "q"}]


def published(client: ClientFactory) -> tuple[Any, datetime]:
    cw = client("cloudwatch")
    at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    for namespace, dims, value in (
        ("meshcore", WORKER, 4.0),
        ("meshcore", PER_QUEUE, 70.0),  # the same name with one dimension more
        ("elsewhere", WORKER, 900.0),  # the same name and dimensions, another namespace
        ("meshcore", [], 50.0),  # no dimension at all
    ):
        cw.put_metric_data(
            Namespace=namespace,
            MetricData=[
                {"MetricName": "SyncLag", "Dimensions": dims, "Value": value, "Timestamp": at}
            ],
        )
    return cw, at


def maximum(cw: Any, at: datetime, namespace: str, dims: list[dict[str, str]]) -> list[float]:
    answer = cw.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "lag",
                "MetricStat": {
                    "Metric": {"Namespace": namespace, "MetricName": "SyncLag", "Dimensions": dims},
                    "Period": 3600,
                    "Stat": "Maximum",
                },
            }
        ],
        StartTime=at - timedelta(minutes=30),
        EndTime=at + timedelta(minutes=30),
    )
    values: list[float] = answer["MetricDataResults"][0]["Values"]
    return values


def test_get_metric_data_reads_only_the_metric_named(client: ClientFactory) -> None:
    cw, at = published(client)
    assert maximum(cw, at, "meshcore", WORKER) == [4.0]
    assert maximum(cw, at, "meshcore", PER_QUEUE) == [70.0]
    assert maximum(cw, at, "elsewhere", WORKER) == [900.0]
    assert maximum(cw, at, "meshcore", []) == [50.0]
    assert maximum(cw, at, "meshcore", [{"Name": "Queue", "Value": "q"}]) == []  # never published


def test_get_metric_data_periods_start_at_start_time(client: ClientFactory) -> None:
    cw, at = published(client)
    answer = cw.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "lag",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "meshcore",
                        "MetricName": "SyncLag",
                        "Dimensions": WORKER,
                    },
                    "Period": 60,
                    "Stat": "Sum",
                },
            }
        ],
        StartTime=at - timedelta(minutes=2),
        EndTime=at + timedelta(minutes=2),
        ScanBy="TimestampAscending",
    )
    result = answer["MetricDataResults"][0]
    assert [t.astimezone(UTC) for t in result["Timestamps"]] == [at] and result["Values"] == [4.0]


def test_get_metric_statistics_reads_only_the_metric_named(client: ClientFactory) -> None:
    cw, at = published(client)

    def stats(namespace: str, dims: list[dict[str, str]]) -> list[float]:
        points = cw.get_metric_statistics(
            Namespace=namespace,
            MetricName="SyncLag",
            Dimensions=dims,
            StartTime=at - timedelta(minutes=30),
            EndTime=at + timedelta(minutes=30),
            Period=3600,
            Statistics=["Maximum"],
        )["Datapoints"]
        return [p["Maximum"] for p in points]

    assert stats("meshcore", WORKER) == [4.0]
    assert stats("meshcore", []) == [50.0]
    assert stats("elsewhere", WORKER) == [900.0]


def test_list_metrics_lists_each_metric_once(client: ClientFactory) -> None:
    cw, _at = published(client)
    for _ in range(3):  # more datapoints of metrics already there
        cw.put_metric_data(
            Namespace="meshcore",
            MetricData=[{"MetricName": "SyncLag", "Dimensions": PER_QUEUE, "Value": 1.0}],
        )
    listed = cw.list_metrics(Namespace="meshcore", MetricName="SyncLag", Dimensions=WORKER)
    found = sorted(sorted(d["Name"] for d in m["Dimensions"]) for m in listed["Metrics"])
    assert found == [["Queue", "Worker"], ["Worker"]]  # holding Worker; each once
    everything = cw.list_metrics(Namespace="meshcore")["Metrics"]
    assert len(everything) == 3  # Worker, Worker and Queue, no dimension
