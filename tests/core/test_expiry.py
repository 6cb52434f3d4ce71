from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from vecozo_tui.expiry import (
    ExpiryThresholds,
    Status,
    days_left,
    next_quarter_start,
    quarter_starts_between,
    renewal_start,
    status_for,
    window_crosses_quarter,
)

T = ExpiryThresholds(warning_days=60, critical_days=14, renewal_lead_days=42,
                     quarter_margin_days=14)
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def at(days: float) -> datetime:
    return NOW + timedelta(days=days)


@pytest.mark.parametrize(
    ("not_after", "expected"),
    [
        (None, Status.NO_CERTIFICATE),
        (at(-1), Status.EXPIRED),
        (NOW, Status.EXPIRED),
        (at(0.5), Status.CRITICAL),
        (at(13.9), Status.CRITICAL),
        (at(14), Status.WARNING),
        (at(59), Status.WARNING),
        (at(200), Status.OK),
    ],
)
def test_status_by_days_left(not_after, expected):
    assert status_for(not_after, NOW, T) is expected


def test_status_words_and_urgency_order():
    assert [s.value for s in sorted(Status, key=lambda s: s.urgency)] == [
        "EXPIRED", "CRITICAL", "WARNING", "NO CERTIFICATE", "OK"]


def test_days_left_counts_whole_days_either_side():
    assert days_left(at(23.9), NOW) == 23
    assert days_left(at(-0.1), NOW) == 0
    assert days_left(at(-9.4), NOW) == -9


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


def test_a_far_certificate_turns_warning_once_its_renewal_start_is_reached():
    expiry = datetime(2027, 1, 30, tzinfo=UTC)  # 69 days left: beyond warning_days
    start = renewal_start(expiry, T)
    assert status_for(expiry, datetime.combine(start - timedelta(days=1),
                                               datetime.min.time(), UTC), T) is Status.OK
    assert status_for(expiry, datetime.combine(start, datetime.min.time(), UTC),
                      T) is Status.WARNING
