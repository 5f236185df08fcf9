"""How figures read on the performance pages: nothing to count shows as an em dash, never as 0."""

from django import template

register = template.Library()

NOTHING = "—"


@register.filter
def duration(seconds) -> str:
    """363 -> "6 min 3 s"."""
    if seconds is None:
        return NOTHING
    total = round(float(seconds))
    minutes, rest = divmod(total, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


@register.filter
def percent(fraction, digits: int = 0) -> str:
    """0.725 -> "73%" (a 0-1 rate)."""
    if fraction is None:
        return NOTHING
    return f"{float(fraction) * 100:.{int(digits)}f}%"


@register.filter
def number(value, digits: int = 1) -> str:
    if value is None:
        return NOTHING
    return f"{float(value):.{int(digits)}f}"
