"""Trend charts for the account summary, as data for Chart.js (passed with json_script, drawn by portal/summary.js)."""

from __future__ import annotations

from qa.lib.periods import WEEK, Period
from qa.portal.selectors import Trend
from recordings.models import Client


def period_label(period: Period, kind: str) -> str:
    return f"{period.first.day} {period.first:%b}" if kind == WEEK else f"{period.first:%b %Y}"


def _scaled(values: list[float | None], factor: float, digits: int) -> list[float | None]:
    return [None if v is None else round(v * factor, digits) for v in values]


def trend_charts(trend: Trend, client: Client) -> list[dict]:
    """One chart per figure; each line against the client's target, with the side that is better."""
    labels = [period_label(p, trend.kind) for p in trend.periods]

    def line(key: str, title: str, unit: str, factor: float, digits: int, target, better: str) -> dict:
        return {
            "id": f"chart-{key}", "title": title, "kind": "line", "unit": unit, "labels": labels,
            "datasets": [{"label": title, "data": _scaled(trend.series(key), factor, digits)}],
            "target": round(float(target) * factor, digits), "better": better,
        }

    return [
        {
            "id": "chart-calls", "title": "Calls answered and abandoned", "kind": "stacked", "unit": "calls",
            "labels": labels,
            "datasets": [
                {"label": "Answered", "data": trend.series("calls_answered")},
                {"label": "Abandoned", "data": trend.series("calls_abandoned")},
            ],
        },
        line("service_level", "Service level", "%", 100, 1, client.service_level_target, "higher"),
        line("abandonment_rate", "Abandonment", "%", 100, 1, client.abandonment_target, "lower"),
        line("aht_seconds", "Average handle time", "min", 1 / 60, 2, client.aht_target_seconds, "lower"),
        line("fcr_rate", "First-contact resolution", "%", 100, 1, client.fcr_target, "higher"),
        line("qa_average_score", "Average QA score", "%", 1, 1, client.qa_target, "higher"),
        line("csat_average", "CSAT", "of 5", 1, 2, client.csat_target, "higher"),
    ]
