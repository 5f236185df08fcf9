"""The team dashboard as CSV, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

HEADER = [
    "agent_external_id", "agent_name", "team", "calls_handled", "aht_seconds", "fcr_rate", "fcr_pending_calls",
    "csat_average", "csat_responses", "nps", "nps_responses", "ces_average", "ces_responses", "qa_evaluations",
    "qa_average_score", "critical_fails", "monitoring_target", "under_monitored", "open_flags",
    # Automatic checks, apart from the QA score above.
    "auto_transcribed_calls", "auto_checked_calls", "auto_pass_rate",
]


def csv_safe(text: str) -> str:
    """Text that a spreadsheet shows as text: a leading formula character is escaped with a quote."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _num(value, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def dashboard_csv(rows: Iterable) -> str:
    """One line per agent (`selectors.AgentRow`); numbers as numbers, empty where there is nothing to count."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        calls, qa, monitoring = row.calls, row.qa, row.monitoring
        writer.writerow([
            csv_safe(row.agent.external_id), csv_safe(row.agent.name), csv_safe(row.agent.team.name if row.agent.team else ""),
            calls.calls_handled, _num(calls.aht_seconds, 1), _num(calls.fcr.rate, 4), calls.fcr.pending_calls,
            _num(calls.csat.average, 2), calls.csat.responses, _num(calls.nps.score, 1), calls.nps.responses,
            _num(calls.ces.average, 2), calls.ces.responses, qa.evaluations, _num(qa.average_score, 2), qa.critical_fails,
            "" if monitoring.target is None else monitoring.target, "yes" if monitoring.under_monitored else "no",
            csv_safe("; ".join(flag.get_rule_display() for flag in row.open_flags)),
            row.auto.transcribed_calls, row.auto.checked_calls, _num(row.auto.pass_rate, 4),
        ])
    return out.getvalue()
