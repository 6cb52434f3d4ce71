"""Days left: one rule (vecozo_tui.expiry.days_left) for the dashboard, list, check's text
and perfdata, and metrics: calendar days in the zone of the clock (the server's), so the
count is rounded down, and an expired certificate is never "0 days left" the day after
(issue 13: check truncated toward zero, and said 0 twelve hours after expiry)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.monitoring_support import check, parse_plugin_output
from vecozo_tui.expiry import days_left

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("offset, expected", [
    (timedelta(days=-9.5), -10),   # expired 9.5 days ago, at 21:30 on the 12th
    (timedelta(hours=-12), -1),    # 12 hours after expiry: 21:30 yesterday
    (timedelta(hours=-1), 0),      # expired today, at 08:30
    (timedelta(hours=1), 0),       # expires today, at 10:30
    (timedelta(hours=15), 1),      # tomorrow, 00:30
    (timedelta(days=23.9), 24),    # 07:06 on 16 December
], ids=["9.5-days-ago", "12-hours-ago", "1-hour-ago", "in-1-hour", "tomorrow-night",
        "in-23.9-days"])
def test_days_left_are_calendar_days(offset, expected):
    assert days_left(NOW + offset, NOW) == expected


def test_days_are_counted_in_the_zone_of_the_clock():
    amsterdam_winter = timezone(timedelta(hours=1))
    expiry = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # 00:30 on the 22nd in Amsterdam
    assert days_left(expiry, NOW) == -1
    assert days_left(expiry, NOW.astimezone(amsterdam_winter)) == 0


def test_check_says_and_graphs_the_same_count(site, clock, capsys):
    # days_left=-10 in the site: expired 9.5 days ago
    site.practice("hap-zuid", days_left=-10)
    site.practice("fysio-oost", days_left=-1, agb="04011111")  # 12 hours ago
    site.practice("tand-west", days_left=1, agb="12022222")
    _, out = check(site, clock, capsys)
    _, text, summary, long_text, perf = parse_plugin_output(out)
    assert perf == {"hap-zuid": "'hap-zuid'=-10;60:;14:",
                    "fysio-oost": "'fysio-oost'=-1;60:;14:",
                    "tand-west": "'tand-west'=1;60:;14:"}
    assert "'fewest days left'=-10;60:;14:" in summary
    assert text.startswith("3 critical: hap-zuid expired 10 days ago, fysio-oost expired "
                           "yesterday, tand-west expires tomorrow")
    assert [line.split(" (")[0] for line in long_text] == [
        "CRITICAL: hap-zuid EXPIRED - expired 10 days ago",
        "CRITICAL: fysio-oost EXPIRED - expired yesterday",
        "CRITICAL: tand-west CRITICAL - expires tomorrow"]
    assert "(2026-11-12)" in long_text[0] and "(2026-11-21)" in long_text[1]
