"""Section 7's table and targets: the embedded AWS without ("moto") and with its speed
extensions ("meshcore"), measured in the same run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from report import fmt

Row = tuple[str, str, str, str]


def _variants(section: dict[str, Any] | None) -> dict[str, Any]:
    if not section or section.get("status") != "ok":
        return {}
    return dict(section["variants"])


def _send(variant: dict[str, Any], depth: int) -> dict[str, Any] | None:
    return next((s for s in variant.get("send", []) if s["depth"] == depth), None)


def _blocks_ratio(blocks: Sequence[float]) -> float | None:
    return max(blocks) / blocks[0] if len(blocks) > 1 and blocks[0] else None


def targets(section: dict[str, Any] | None) -> list[Row]:
    """(measure, target, measured, met?) of the emulator's speed targets."""
    variants = _variants(section)
    fast, slow = variants.get("meshcore"), variants.get("moto")
    if not fast or not slow:
        return []
    rows: list[Row] = []

    def met(ok: bool | None) -> str:
        return "-" if ok is None else "yes" if ok else "**no**"

    zero, deepest = _send(fast, 0), fast["send"][-1]
    # Too few calls can measure 0 ms of CPU (the clock ticks every 10 ms): no ratio then.
    if zero and zero["cpu_ms_per_call"] > 0 and deepest["depth"] > 0:
        ratio = deepest["cpu_ms_per_call"] / zero["cpu_ms_per_call"]
        rows.append(
            (
                f"emulator: SendMessage at depth {deepest['depth']:,} / at depth 0 (CPU per call)",
                "<= 1.20",
                f"{ratio:.2f} ({deepest['cpu_ms_per_call']} vs {zero['cpu_ms_per_call']} ms; "
                f"moto alone: {_moto_send(slow)})",
                met(ratio <= 1.2),
            )
        )
    blocks = fast.get("table_blocks_cpu_s", [])
    if (ratio := _blocks_ratio(blocks)) is not None:
        rows.append(
            (
                f"emulator: creating {section['tables']:,} tables, slowest / first "  # type: ignore[index]
                f"{section['block']}, CPU (events to SQS)",  # type: ignore[index]
                "<= 1.20",
                f"{ratio:.2f} (wall {fmt(_blocks_ratio(fast['table_blocks_s']))}; moto alone: "
                f"{fmt(_blocks_ratio(slow.get('table_blocks_cpu_s', [])))} over "
                f"{slow.get('tables', 0):,})",
                met(ratio <= 1.2),
            )
        )
    fast_cap, slow_cap = fast.get("pairs_per_cpu_s_median"), slow.get("pairs_per_cpu_s_median")
    if fast_cap and slow_cap:
        gain = fast_cap / slow_cap
        observed = fast["pairs_per_s_median"] / slow["pairs_per_s_median"]
        rows.append(
            (
                "emulator: GetTable + UpdateTable pairs per emulator CPU s, with / without "
                "the speed extensions",
                ">= 2.0",
                f"{gain:.2f} ({fmt(fast_cap, 1)} vs {fmt(slow_cap, 1)}; observed pairs/s "
                f"{fmt(fast['pairs_per_s_median'], 1)} vs {fmt(slow['pairs_per_s_median'], 1)}, "
                f"{observed:.2f}x, client-bound)",
                met(gain >= 2.0),
            )
        )
    return rows


def _moto_send(slow: dict[str, Any]) -> str:
    zero, deepest = _send(slow, 0), slow["send"][-1]
    if not zero or not zero["cpu_ms_per_call"]:
        return "-"
    ratio = deepest["cpu_ms_per_call"] / zero["cpu_ms_per_call"]
    return f"{ratio:.2f} at depth {deepest['depth']:,}"


def rows(section: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """One row per measure and variant."""
    headers = ["measure", "variant", "value", "detail"]
    out: list[list[Any]] = []
    for name, v in _variants(section).items():
        for s in v["send"]:
            out.append(
                [
                    f"SendMessage at depth {s['depth']:,}",
                    name,
                    f"{fmt(s['cpu_ms_per_call'], 3)} ms CPU",
                    f"p50 {fmt(s['wall_ms_p50'], 3)} ms wall, {s['calls']} calls; CPU rounds "
                    + ", ".join(fmt(c, 3) for c in s.get("cpu_ms_per_call_rounds", [])),
                ]
            )
        for label, blocks in (("s", v["table_blocks_s"]), ("CPU s", v.get("table_blocks_cpu_s"))):
            out.append(
                [
                    f"CreateTable x {v.get('tables', section['tables']):,}, {label} per "
                    f"{section['block']}",
                    name,
                    ", ".join(fmt(b) for b in blocks or []),
                    f"slowest / first {fmt(_blocks_ratio(blocks or []))}",
                ]
            )
        out.append(
            [
                f"GetTable + UpdateTable pairs/s ({section['pair_lanes']} async lanes)",
                name,
                fmt(v["pairs_per_s_median"], 1),
                "rounds " + ", ".join(fmt(p, 1) for p in v["pairs_per_s"]),
            ]
        )
        out.append(
            [
                "GetTable + UpdateTable pairs per emulator CPU s",
                name,
                fmt(v.get("pairs_per_cpu_s_median"), 1),
                "rounds " + ", ".join(fmt(p, 1) for p in v.get("pairs_per_cpu_s", [])),
            ]
        )
    return headers, sorted(out, key=lambda r: str(r[0]))


NOTE = (
    "Each variant runs in an emulator process of its own: moto = `--without-speed-extensions`, "
    "meshcore = as every other section runs it. CPU per call is the emulator process's CPU time "
    "over the measured calls (pairs per emulator CPU s likewise: the rate the emulator alone "
    "could serve; the observed pairs/s is bounded by the client too, which costs about as much "
    "CPU per call on the same shared cores); the moto variant's queue is filled less deep (filling it is "
    "quadratic; so is creating its tables, whose events fill a queue). Table creation routes Glue's events to an SQS queue nobody drains, as the mesh "
    "does."
)
