"""One status per practice: a level and the reasons for it.

The dashboard (rows, header counts, summary line), the detail screen, `list`,
`status`, `check` and `metrics` all read :func:`practice_status`, so they cannot
disagree. It reads only the repository's public metadata and imports only the
standard library and the translation helpers: the scripted commands stay fast.

Levels, most urgent first:

- DAMAGED: the practice's metadata in the repository cannot be read (the reason says
  what is wrong); nothing is known of its certificate. The other practices are not
  affected.
- EXPIRED: the certificate has expired; COV and declarations fail now.
- CRITICAL: it expires within ``critical_days`` (default 14).
- WARNING: renewal is due (within ``warning_days``, or the renew-from date has
  passed, or the renewal window runs into a quarter start), or something that COV
  needs is wrong now: a personal certificate is active, the last test call failed,
  the practice software still has the old certificate (a deploy target does not
  hold the active one: it calls VECOZO with the old one until that expires).
- NO CERTIFICATE: nothing imported yet.
- ATTENTION: it works, but something is not in order: no verified backup of the
  active certificate, the active certificate was never tested, its kind is unclear.
- OK: nothing to do.

The level is that of the most urgent reason; no reasons is OK. ``[monitoring]``
switches reasons off for every front alike (``warn_missing_backup``,
``warn_failed_test_call``, ``warn_never_tested``): what is switched off is not a
reason anywhere, so the dashboard and ``check`` still agree.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from vecozo_tui.expiry import (
    ExpiryThresholds,
    days_until,
    local_day,
    renewal_state,
    renewal_window,
)
from vecozo_tui.i18n import N_, _
from vecozo_tui.textfmt import local_time, relative_days, short_date

if TYPE_CHECKING:
    from vecozo_tui.config import MonitoringSettings
    from vecozo_tui.deploy import TargetState
    from vecozo_tui.repository import PracticeEvents, StoredCertificate


class Level(enum.Enum):
    """Ordered from most to least urgent; the value is the stable code (JSON, metrics,
    ``check``), :attr:`word` the word shown to people in their language."""

    DAMAGED = "DAMAGED"
    EXPIRED = "EXPIRED"
    CRITICAL = "CRITICAL"
    WARNING = "WARNING"
    NO_CERTIFICATE = "NO CERTIFICATE"  # untranslated: the stable code; LEVEL_WORDS is shown
    ATTENTION = "ATTENTION"
    OK = "OK"

    @property
    def urgency(self) -> int:
        return _URGENCY[self]

    @property
    def word(self) -> str:
        """The level as people read it: 'EXPIRED' ('VERLOPEN' in Dutch)."""
        return _(LEVEL_WORDS[self])


_URGENCY = {level: index for index, level in enumerate(Level)}
# the words on screen; the values of Level stay the same in every language
LEVEL_WORDS = {
    Level.DAMAGED: N_("DAMAGED"), Level.EXPIRED: N_("EXPIRED"),
    Level.CRITICAL: N_("CRITICAL"), Level.WARNING: N_("WARNING"),
    Level.NO_CERTIFICATE: N_("NO CERTIFICATE"), Level.ATTENTION: N_("ATTENTION"),
    Level.OK: N_("OK"),
}


class Reason(NamedTuple):
    """One short sentence why a practice is not OK; ``code`` is the stable key for
    scripts (JSON), ``text`` the words for people (dates in the server's zone)."""

    code: str
    level: Level
    text: str

    @property
    def headline(self) -> str:
        """The reason without its detail, for a crowded line: 'expires in 5 days'."""
        return headline(self.text)

    def to_dict(self) -> dict:
        return {"code": self.code, "level": self.level.value, "text": self.text}


def headline(text: str) -> str:
    """A sentence without its detail (in parentheses or after a colon)."""
    return text.split(" (", 1)[0].split(": ", 1)[0]


class PracticeStatus(NamedTuple):
    level: Level
    reasons: tuple[Reason, ...]

    @property
    def first_reason(self) -> str | None:
        return self.reasons[0].text if self.reasons else None

    def has(self, code: str) -> bool:
        return any(reason.code == code for reason in self.reasons)


class ExpiryFacts(NamedTuple):
    """The dates of the active certificate as the person reading sees them."""

    days_left: int
    expiry_day: date
    renew_from: date
    quarter_in_window: date | None


def expiry_facts(not_after: datetime, now: datetime, thresholds: ExpiryThresholds
                 ) -> ExpiryFacts:
    expiry_day = local_day(not_after, now)
    renew_from, quarter = renewal_window(expiry_day, thresholds)
    return ExpiryFacts(days_left=days_until(expiry_day, now), expiry_day=expiry_day,
                       renew_from=renew_from, quarter_in_window=quarter)


def damaged_status(problem: str) -> PracticeStatus:
    """A practice whose metadata cannot be read: ``problem`` is the repository's message."""
    return _status([Reason("metadata-damaged", Level.DAMAGED, problem)])


def practice_status(active: StoredCertificate | None, events: PracticeEvents, *,
                    now: datetime, thresholds: ExpiryThresholds,
                    monitoring: MonitoringSettings | None = None,
                    facts: ExpiryFacts | None = None,
                    deploy_states: tuple[TargetState, ...] = ()) -> PracticeStatus:
    """The level and the reasons of one practice, most urgent first. ``facts``: the
    active certificate's expiry_facts when the caller has them already (1,000 rows);
    ``deploy_states``: its deploy targets against the active certificate
    (:func:`vecozo_tui.deploy.target_states`)."""
    if active is None:
        return _status([Reason("no-certificate", Level.NO_CERTIFICATE,
                               _("no certificate imported yet: COV calls are not "
                                 "possible"))])
    info = active.info
    facts = facts or expiry_facts(info.not_after, now, thresholds)
    reasons = _expiry_reasons(info.not_after, facts, now, thresholds)
    if info.kind == "personal":
        reasons.append(Reason("personal-certificate", Level.WARNING,
                              _("personal certificate active: COV and billing need the "
                                "practice's system certificate")))
    elif info.kind == "unclear":
        reasons.append(Reason("kind-unclear", Level.ATTENTION,
                              _("certificate kind unclear: no person's or practice's name "
                                "in it; check that it is the system certificate")))
    reasons += _event_reasons(active, events, now, monitoring)
    reasons += _deploy_reasons(deploy_states)
    return _status(reasons)


def _status(reasons: list[Reason]) -> PracticeStatus:
    if not reasons:
        return _NOTHING_TO_DO
    # stable: within a level the order above (expiry first) is kept
    ordered = tuple(sorted(reasons, key=_urgency)) if len(reasons) > 1 else tuple(reasons)
    return PracticeStatus(ordered[0].level, ordered)


def _urgency(reason: Reason) -> int:
    return _URGENCY[reason.level]


_NOTHING_TO_DO = PracticeStatus(Level.OK, ())


def _expiry_reasons(not_after: datetime, facts: ExpiryFacts, now: datetime,
                    thresholds: ExpiryThresholds) -> list[Reason]:
    left = facts.days_left
    if not_after <= now:
        # 'today', 'yesterday', '3 days ago'
        when = relative_days(min(left, 0))
        # an expired certificate cannot be renewed any more (seed 001): reinstall
        return [Reason("expired", Level.EXPIRED,
                       _("expired {when} ({day}): reinstall it at VECOZO with the user "
                         "number and PIN").format(when=when,
                                                  day=short_date(facts.expiry_day)))]
    found = []
    if left < thresholds.critical_days or left < thresholds.warning_days:
        level = Level.CRITICAL if left < thresholds.critical_days else Level.WARNING
        # 'today', 'tomorrow', 'in 23 days'
        found.append(Reason("expires-soon", level, _("expires {when} ({day})").format(
            when=relative_days(left), day=short_date(facts.expiry_day))))
    state = renewal_state(facts.renew_from, now.date())
    if state == "overdue":
        found.append(Reason("renewal-overdue", Level.WARNING,
                            _("renewal overdue since {day}").format(
                                day=short_date(facts.renew_from))))
    elif state == "now":
        found.append(Reason("renewal-due", Level.WARNING, _("renewal due from today")))
    if state is not None and facts.quarter_in_window is not None:
        found.append(Reason("quarter-start", Level.WARNING,
                            _("renewal window runs into the quarter start {day}: renew "
                              "before it").format(day=short_date(facts.quarter_in_window))))
    return found


def _event_reasons(active: StoredCertificate, events: PracticeEvents, now: datetime,
                   monitoring: MonitoringSettings | None) -> list[Reason]:
    sha256 = active.info.sha256
    # a test call counts only when it was of the active certificate
    test = events.last_test_call if events.last_test_call is not None and \
        events.last_test_call.sha256 == sha256 else None
    tested = test is not None
    found = []
    if test is not None and not test.ok and _on(monitoring, "warn_failed_test_call"):
        found.append(Reason("test-call-failed", Level.WARNING,
                            _("last test call failed ({at}): {summary}").format(
                                at=local_time(test.at, now), summary=test.summary_words())))
    if not tested and _on(monitoring, "warn_never_tested"):
        found.append(Reason("never-tested", Level.ATTENTION,
                            _("active certificate never tested: make a test call")))
    if backup_missing(active, events) and _on(monitoring, "warn_missing_backup"):
        found.append(Reason("no-backup", Level.ATTENTION,
                            _("no verified backup of the active certificate")))
    return found


def _deploy_reasons(deploy_states: tuple[TargetState, ...]) -> list[Reason]:
    if not deploy_states:
        return []
    from vecozo_tui.deploy import behind_text

    text = behind_text(deploy_states)
    return [Reason("software-old-certificate", Level.WARNING, text)] if text else []


def backup_missing(active: StoredCertificate | None, events: PracticeEvents) -> bool:
    """No verified backup of the active certificate (seed 001: back up right after
    install)."""
    if active is None:
        return False
    backup = events.last_backup
    return backup is None or not backup.verified or backup.sha256 != active.info.sha256


def _on(monitoring: MonitoringSettings | None, switch: str) -> bool:
    return monitoring is None or getattr(monitoring, switch)
