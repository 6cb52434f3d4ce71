"""The one status model: a level and reasons per practice (vecozo_tui.status)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from vecozo_tui.certificates import info_from_certificate
from vecozo_tui.config import MonitoringSettings
from vecozo_tui.expiry import ExpiryThresholds, days_left
from vecozo_tui.repository import BackupRecord, PracticeEvents, StoredCertificate, TestCallRecord
from vecozo_tui.status import Level, practice_status

THRESHOLDS = ExpiryThresholds()
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def stored(test_pki, now):
    """A stored system certificate expiring ``days`` (calendar days) from today, noon."""

    def make(days: float, *, personal: bool = False) -> StoredCertificate:
        expiry = datetime.combine(now.date() + timedelta(days=days), datetime.min.time(),
                                  UTC) + timedelta(hours=12)
        issued = (test_pki.personal() if personal else test_pki.system())
        info = info_from_certificate(issued.certificate, test_pki.chain)
        info = info._replace(not_after=expiry)
        return StoredCertificate(info=info, imported_at=now - timedelta(days=30),
                                 imported_by="tester", active=True)

    return make


def in_order(active: StoredCertificate, now) -> PracticeEvents:
    """A verified backup and a successful test call of the active certificate."""
    sha = active.info.sha256
    return PracticeEvents(
        last_backup=BackupRecord(now - timedelta(days=2), sha, "/media/usb", True),
        last_test_call=TestCallRecord(now - timedelta(days=1), sha, "production", True,
                                      "COV answered: insured person found"))


def status(active, events, now, monitoring=None):
    return practice_status(active, events, now=now, thresholds=THRESHOLDS,
                           monitoring=monitoring)


def codes(result) -> list[tuple[str, str]]:
    return [(reason.level.value, reason.code) for reason in result.reasons]


def test_no_certificate(now):
    result = status(None, PracticeEvents(), now)
    assert result.level is Level.NO_CERTIFICATE
    assert codes(result) == [("NO CERTIFICATE", "no-certificate")]


def test_everything_in_order_is_ok_without_reasons(stored, now):
    active = stored(400)
    result = status(active, in_order(active, now), now)
    assert result.level is Level.OK
    assert result.reasons == ()
    assert result.first_reason is None


def test_expired_names_the_day_and_what_to_do(stored, now):
    active = stored(-5)
    result = status(active, in_order(active, now), now)
    assert result.level is Level.EXPIRED
    assert result.first_reason == ("expired 5 days ago (2026-11-17): reinstall it at VECOZO "
                                   "with the user number and PIN")
    assert codes(result) == [("EXPIRED", "expired")]


def test_critical_expiry_and_overdue_renewal_are_both_reasons(stored, now):
    active = stored(5)
    result = status(active, in_order(active, now), now)
    assert result.level is Level.CRITICAL
    assert [r.text for r in result.reasons] == ["expires in 5 days (2026-11-27)",
                                                "renewal overdue since 2026-10-16"]


def test_a_renewal_window_over_a_quarter_start_is_a_reason_once_due(stored, now):
    active = stored(70)  # 2027-01-31: the usual window holds 1 January
    result = status(active, in_order(active, now), now)
    assert result.level is Level.WARNING
    assert [r.text for r in result.reasons] == [
        "renewal overdue since 2026-11-06",
        "renewal window runs into the quarter start 2027-01-01: renew before it"]


def test_renewal_due_today(stored, now):
    active = stored(42)  # 2027-01-03; the window holds 1 January: renew from 2026-11-06
    result = status(active, in_order(active, now), now)
    assert result.has("renewal-overdue")
    active = stored(100)  # 2027-03-02: renew from 42 days before = 2027-01-19
    later = now + timedelta(days=58)  # 2027-01-19
    result = status(active, in_order(active, later), later)
    assert [r.text for r in result.reasons] == ["expires in 42 days (2027-03-02)",
                                                "renewal due from today"]


def test_a_failed_test_call_is_a_warning_with_when_and_which_step(stored, now):
    # the case: the dashboard said OK where `check` said WARNING
    active = stored(400)
    events = in_order(active, now)
    events = PracticeEvents(last_backup=events.last_backup, last_test_call=TestCallRecord(
        datetime(2026, 11, 21, 8, 5, tzinfo=UTC), active.info.sha256, "production", False,
        "Authorised for COV: failed - not authorised (HTTP 403)"))
    result = status(active, events, now)
    assert result.level is Level.WARNING
    assert result.first_reason == ("last test call failed (2026-11-21 08:05): Authorised for "
                                   "COV: failed - not authorised (HTTP 403)")
    # shown in the server's zone
    local = status(active, events, now.astimezone(AMSTERDAM))
    assert local.first_reason.startswith("last test call failed (2026-11-21 09:05)")


def test_no_verified_backup_and_never_tested_need_attention(stored, now):
    active = stored(400)
    result = status(active, PracticeEvents(), now)
    assert result.level is Level.ATTENTION
    assert codes(result) == [("ATTENTION", "never-tested"), ("ATTENTION", "no-backup")]
    assert result.first_reason == "active certificate never tested: make a test call"


def test_a_backup_or_test_of_an_earlier_certificate_does_not_count(stored, now):
    earlier, active = stored(20), stored(400)
    result = status(active, in_order(earlier, now), now)
    assert codes(result) == [("ATTENTION", "never-tested"), ("ATTENTION", "no-backup")]


def test_an_unverified_backup_does_not_count(stored, now):
    active = stored(400)
    events = in_order(active, now)
    events = PracticeEvents(last_test_call=events.last_test_call, last_backup=BackupRecord(
        now, active.info.sha256, "/media/usb", False))
    assert codes(status(active, events, now)) == [("ATTENTION", "no-backup")]


def test_a_personal_certificate_is_a_warning_without_the_persons_name(stored, now):
    active = stored(400, personal=True)
    result = status(active, in_order(active, now), now)
    assert result.level is Level.WARNING
    assert codes(result) == [("WARNING", "personal-certificate")]
    assert "Vries" not in result.first_reason


def test_an_unclear_kind_needs_attention(stored, now):
    active = stored(400)
    active = StoredCertificate(info=active.info._replace(kind="unclear"),
                               imported_at=active.imported_at, imported_by="tester",
                               active=True)
    assert codes(status(active, in_order(active, now), now)) == [("ATTENTION",
                                                                   "kind-unclear")]


@pytest.mark.parametrize("switch, code", [
    ("warn_missing_backup", "no-backup"),
    ("warn_failed_test_call", "test-call-failed"),
    ("warn_never_tested", "never-tested"),
])
def test_monitoring_switches_take_a_reason_out_everywhere(stored, now, switch, code):
    active = stored(400)
    failed = PracticeEvents(last_test_call=TestCallRecord(now, active.info.sha256, "test",
                                                          False, "TLS handshake: failed"))
    events = failed if code == "test-call-failed" else PracticeEvents()
    assert status(active, events, now).has(code)
    off = MonitoringSettings(**{switch: False})
    assert not status(active, events, now, off).has(code)


def test_reasons_are_most_urgent_first(stored, now):
    active = stored(5)
    result = status(active, PracticeEvents(), now)
    assert [r.level for r in result.reasons] == sorted(
        (r.level for r in result.reasons), key=lambda level: level.urgency)
    assert result.level is Level.CRITICAL


def test_level_words_and_order():
    assert [level.value for level in sorted(Level, key=lambda level: level.urgency)] == [
        "DAMAGED", "EXPIRED", "CRITICAL", "WARNING", "NO CERTIFICATE", "ATTENTION", "OK"]


# --- one calendar-day count --------------------------------------------------------------


def test_days_left_counts_calendar_days_in_the_readers_zone():
    late = datetime(2026, 11, 22, 22, 50, tzinfo=UTC)  # 23:50 in Amsterdam
    expiry = datetime(2026, 11, 22, 23, 10, tzinfo=UTC)  # 00:10 on the 23rd there
    assert days_left(expiry, late) == 0  # the same UTC day
    assert days_left(expiry, late.astimezone(AMSTERDAM)) == 1  # tomorrow, for a Dutch reader
    assert days_left(datetime(2026, 11, 25, 0, 1, tzinfo=UTC),
                     datetime(2026, 11, 22, 23, 59, tzinfo=UTC)) == 3
    assert days_left(datetime(2026, 11, 20, 23, 59, tzinfo=UTC),
                     datetime(2026, 11, 22, 0, 1, tzinfo=UTC)) == -2


def test_an_expiry_later_today_is_critical_today_not_expired(stored, now):
    active = stored(0)  # noon today, it is 09:30
    result = status(active, in_order(active, now), now)
    assert result.level is Level.CRITICAL
    assert result.first_reason == "expires today (2026-11-22)"


@pytest.mark.parametrize("days, expected", [
    (-1, Level.EXPIRED), (13, Level.CRITICAL), (14, Level.WARNING), (59, Level.WARNING),
    (200, Level.OK),
])
def test_level_by_calendar_days_left(stored, now, days, expected):
    active = stored(days)
    assert status(active, in_order(active, now), now).level is expected


def test_a_far_certificate_turns_warning_once_its_renewal_start_is_reached(stored, now):
    from vecozo_tui.expiry import renewal_start

    active = stored(69)  # 2027-01-30: beyond warning_days
    start = renewal_start(active.info.not_after.date(), THRESHOLDS)
    before = datetime.combine(start - timedelta(days=1), datetime.min.time(), UTC)
    on = datetime.combine(start, datetime.min.time(), UTC)
    assert status(active, in_order(active, before), before).level is Level.OK
    assert status(active, in_order(active, on), on).level is Level.WARNING
