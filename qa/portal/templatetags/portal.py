"""How the portal writes figures: rates as percentages, times as minutes and seconds, nothing to count as a dash."""

from __future__ import annotations

from django import template

register = template.Library()

DASH = "–"


@register.filter
def figure_value(figure) -> str:
    return format_figure(figure.value, figure.unit)


@register.filter
def figure_target(figure) -> str:
    if figure.target is None:
        return ""
    sign = "≥" if figure.better == "higher" else "≤"
    return f"{sign} {format_figure(figure.target, figure.unit)}"


@register.filter
def seconds(value) -> str:
    return format_figure(value, "seconds")


def format_figure(value, unit: str) -> str:
    if value is None:
        return DASH
    value = float(value)
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "score":
        return f"{value:.1f}%"
    if unit == "seconds":
        minutes, secs = divmod(round(value), 60)
        return f"{minutes}:{secs:02d}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "nps":
        return f"{value:+.0f}"
    return f"{value:.2f}"  # csat, ces
