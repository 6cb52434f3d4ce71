from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from vecozo_tui.expiry import (
    ExpiryThresholds,
    days_left,
    next_quarter_start,
    quarter_starts_between,
    renewal_start,
    window_crosses_quarter,
)

T = ExpiryThresholds(warning_days=60, critical_days=14, renewal_lead_days=42,
                     quarter_margin_days=14)
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def at(days: float) -> datetime:
    return NOW + timedelta(days=days)


def test_days_left_counts_calendar_days_either_side():
    # calendar days (the date people see), not 24-hour periods
    assert days_left(at(23.9), NOW) == 24
    assert days_left(at(-0.1), NOW) == 0
    assert days_left(at(-0.5), NOW) == -1  # 21:30 yesterday
    assert days_left(at(-9.4), NOW) == -10  # 23:54 on the 12th


def test_quarter_starts_between_spans_years():
    assert quarter_starts_between(date(2026, 11, 1), date(2027, 7, 1)) == [
        date(2027, 1, 1), date(2027, 4, 1), date(2027, 7, 1)]
    assert next_quarter_start(date(2026, 12, 31)) == date(2027, 1, 1)
    assert next_quarter_start(date(2027, 1, 1)) == date(2027, 4, 1)


def test_renewal_starts_lead_days_before_expiry_without_a_quarter_start():
    expiry = datetime(2027, 3, 1, tzinfo=UTC)  # window 18 Jan - 1 Mar: no quarter start
    assert window_crosses_quarter(expiry, T) is None
    assert renewal_start(expiry, T) == date(2027, 1, 18)


def test_renewal_window_over_a_quarter_start_moves_before_the_rush():
    expiry = datetime(2027, 1, 20, tzinfo=UTC)  # normal window 9 Dec - 20 Jan holds 1 Jan
    assert window_crosses_quarter(expiry, T) == date(2027, 1, 1)
    start = renewal_start(expiry, T)
    # the moved window ends quarter_margin_days before 1 January
    assert start + timedelta(days=T.renewal_lead_days) == date(2026, 12, 18)
    assert start < expiry.date() - timedelta(days=T.renewal_lead_days)
