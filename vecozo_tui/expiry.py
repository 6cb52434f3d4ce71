"""Expiry rules from the seeds, with ``now`` always passed in.

- A VECOZO certificate is valid two years; VECOZO mails one month before expiry.
- Renewing early loses nothing: the new term starts at the old expiry date.
- The start of a quarter (1 Jan, 1 Apr, 1 Jul, 1 Oct) is VECOZO's busiest time;
  a renewal window that runs into one should be started before it.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from typing import NamedTuple

from vecozo_tui.clock import in_zone_of

QUARTER_START_MONTHS = (1, 4, 7, 10)


class ExpiryThresholds(NamedTuple):
    warning_days: int = 60
    critical_days: int = 14
    # how long before expiry a renewal should start; VECOZO's own mail comes at 30 days
    renewal_lead_days: int = 42
    # how many days before a quarter start the renewal should be done by
    quarter_margin_days: int = 14


def _days_before(day: date, days: int) -> date:
    """``day`` minus ``days``, or the first day there is (a certificate "valid" until the
    year 1 must not break the arithmetic)."""
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return date.min


def quarter_starts_between(start: date, end: date) -> list[date]:
    """Quarter-start dates ``d`` with ``start <= d <= end``."""
    found = []
    year = start.year
    # up to the last year there is: 9999-12-31 is RFC 5280's "no expiry"
    while year <= date.max.year and date(year, 1, 1) <= end:
        for month in QUARTER_START_MONTHS:
            day = date(year, month, 1)
            if start <= day <= end:
                found.append(day)
        year += 1
    return found


def next_quarter_start(after: date) -> date:
    """The first quarter start strictly after ``after``."""
    return quarter_starts_between(after + timedelta(days=1), after + timedelta(days=93))[0]


def renewal_start(not_after: datetime | date, thresholds: ExpiryThresholds) -> date:
    """The date to start renewing: ``renewal_lead_days`` before expiry; when that window
    runs into a quarter start, the window moves to end ``quarter_margin_days`` before it."""
    expiry_day = not_after.date() if isinstance(not_after, datetime) else not_after
    return renewal_window(expiry_day, thresholds)[0]


def window_crosses_quarter(not_after: datetime | date, thresholds: ExpiryThresholds) -> date | None:
    """The quarter start inside the normal renewal window, if any."""
    expiry_day = not_after.date() if isinstance(not_after, datetime) else not_after
    return renewal_window(expiry_day, thresholds)[1]


@functools.lru_cache(maxsize=4096)  # the dashboard and `check` ask it for 1,000 practices
def renewal_window(expiry_day: date, thresholds: ExpiryThresholds) -> tuple[date, date | None]:
    """(renewal_start, window_crosses_quarter) of a certificate that expires on
    ``expiry_day``, both from the one quarter start in the normal window."""
    start = _days_before(expiry_day, thresholds.renewal_lead_days)
    crossed = quarter_starts_between(start, expiry_day)
    if not crossed:
        return start, None
    # move the whole window before the rush, so it ends quarter_margin_days before it
    return _days_before(crossed[0], thresholds.quarter_margin_days
                        + thresholds.renewal_lead_days), crossed[0]


def local_day(moment: datetime, now: datetime) -> date:
    """The calendar date of ``moment`` where the person reading is: the zone of ``now``."""
    return in_zone_of(moment, now).date()


def days_left(not_after: datetime, now: datetime) -> int:
    """Calendar days from today until the expiry date, in the zone of ``now`` (the
    server's): 0 is "today", 1 "tomorrow", -3 "3 days ago". The dashboard, the detail,
    `list`, `check` (also its perfdata) and `metrics` all count this way."""
    return days_until(local_day(not_after, now), now)


def days_until(day: date, now: datetime) -> int:
    """Calendar days from today (in the zone of ``now``) until ``day``: see days_left."""
    return (day - now.date()).days


def renewal_state(renew_from: date | None, today: date) -> str | None:
    """'overdue' (the renew-from date has passed), 'now' (it is today), or None."""
    if renew_from is None or renew_from > today:
        return None
    return "overdue" if renew_from < today else "now"
