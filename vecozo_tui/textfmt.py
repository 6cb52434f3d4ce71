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


def local_date(moment: datetime | None, now: datetime) -> str:
    """The date of ``moment`` as the reader sees it: in the zone of ``now`` (the
    server's), '2026-11-22'."""
    from vecozo_tui.clock import in_zone_of

    return "-" if moment is None else in_zone_of(moment, now).date().isoformat()


def local_time(moment: datetime | None, now: datetime) -> str:
    """'2026-11-12 10:30' in the zone of ``now``; the zone is named once per screen."""
    from vecozo_tui.clock import in_zone_of

    return "-" if moment is None else in_zone_of(moment, now).strftime("%Y-%m-%d %H:%M")


def renew_from_text(renew_from: date | None, today: date) -> str:
    """'overdue' once the renew-from date has passed, 'now' on it, else the date."""
    from vecozo_tui.status import renewal_state

    return renewal_state(renew_from, today) or short_date(renew_from)


# what a certificate kind (certificates.classify_kind) is called on screen
KIND_WORDS = {"system": "system certificate", "personal": "personal certificate",
              "unclear": "kind unclear", "not-client": "not a client certificate"}


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, f"{kind} certificate")


def ago(moment: datetime | None, now: datetime) -> str:
    """'never', '3 hours ago', 'a month ago'."""
    if moment is None:
        return "never"
    import humanize  # only the commands that show it pay for the import

    try:
        return humanize.naturaltime(now - moment)
    except (OverflowError, ValueError):  # years away (a damaged record): the date says it
        return short_date(moment)


def fingerprint(hex_upper: str) -> str:
    return ":".join(hex_upper[i:i + 2] for i in range(0, len(hex_upper), 2))


def truncate_middle(value: str, width: int, ellipsis: str = "…") -> str:
    """'Huisarts…De Linde': practice names often share their start, so keep the end too."""
    if len(value) <= width:
        return value
    room = max(width - len(ellipsis), 0)
    head = room // 2
    return value[:head] + ellipsis + value[len(value) - (room - head):]
