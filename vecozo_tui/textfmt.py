"""Wording shared by the CLI and the TUI, so both say the same thing."""

from __future__ import annotations

from datetime import date, datetime


def relative_days(days: int | None) -> str:
    """'in 23 days', 'tomorrow', 'today', 'yesterday', '3 days ago'."""
    if days is None:
        return "-"
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if days > 0:
        return f"in {days} days"
    return f"{-days} days ago"


def short_date(value: date | datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


def ago(moment: datetime | None, now: datetime) -> str:
    """'never', '3 hours ago', 'a month ago'."""
    if moment is None:
        return "never"
    import humanize  # only the commands that show it pay for the import

    return humanize.naturaltime(now - moment)


def fingerprint(hex_upper: str) -> str:
    return ":".join(hex_upper[i:i + 2] for i in range(0, len(hex_upper), 2))
