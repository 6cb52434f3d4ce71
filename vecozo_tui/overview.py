"""One row per practice: what the dashboard, `list`, `status`, `check` and `metrics` show.

Reads only the repository's public metadata (no password, no PKCS#12 decryption)
so it stays fast on a thousand practices. The level and its reasons come from
:mod:`vecozo_tui.status`, the one rule for every front. A practice whose metadata
cannot be read is a DAMAGED row with the repository's message as its reason: one
damaged practice never hides the others.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from vecozo_tui.config import Config, MonitoringSettings, Practice
from vecozo_tui.errors import VecozoError
from vecozo_tui.expiry import ExpiryThresholds
from vecozo_tui.repository import (
    BackupRecord,
    Repository,
    StoredCertificate,
    Summary,
    TestCallRecord,
)
from vecozo_tui.status import (
    Level,
    PracticeStatus,
    Reason,
    backup_missing,
    damaged_status,
    expiry_facts,
    practice_status,
    renewal_state,
)

if TYPE_CHECKING:
    from vecozo_tui.deploy import TargetState


class PracticeOverview(NamedTuple):
    practice: Practice
    active: StoredCertificate | None
    level: Level
    reasons: tuple[Reason, ...]
    days_left: int | None
    renew_from: date | None
    quarter_in_window: date | None
    last_backup: BackupRecord | None
    last_test_call: TestCallRecord | None
    backup_missing: bool
    today: date
    deploy_targets: tuple[TargetState, ...] = ()  # per [[practices.deploy]], with an active

    @property
    def first_reason(self) -> str | None:
        return self.reasons[0].text if self.reasons else None

    @property
    def deployed_is_active(self) -> bool | None:
        """Every deploy target holds the active certificate; None without targets."""
        if not self.deploy_targets:
            return None
        return all(state.up_to_date for state in self.deploy_targets)

    @property
    def not_after(self) -> datetime | None:
        return self.active.info.not_after if self.active else None

    @property
    def renewal_state(self) -> str | None:
        """'overdue', 'now' or None (the renew-from date is still ahead)."""
        return renewal_state(self.renew_from, self.today)

    @property
    def test_call_failed(self) -> bool:
        return self.last_test_call is not None and not self.last_test_call.ok

    @property
    def personal_certificate(self) -> bool:
        return self.active is not None and self.active.info.kind == "personal"

    def to_dict(self) -> dict:
        info = self.active.info if self.active else None
        return {
            "practice": self.practice.id,
            "name": self.practice.name,
            "agb": self.practice.agb,
            "environment": self.practice.environment,
            "level": self.level.value,
            # the same word under its earlier key, for scripts written against it
            "status": self.level.value,
            "reasons": [reason.to_dict() for reason in self.reasons],
            "days_left": self.days_left,
            "not_after": info.not_after.isoformat() if info else None,
            "renew_from": self.renew_from.isoformat() if self.renew_from else None,
            "renewal": self.renewal_state,
            "quarter_in_window": (
                self.quarter_in_window.isoformat() if self.quarter_in_window else None
            ),
            "certificate": (
                {"sha256": info.sha256, "subject": info.subject, "kind": info.kind,
                 "serial": info.serial}
                if info else None
            ),
            "backup_missing": self.backup_missing,
            "last_backup": self.last_backup.at.isoformat() if self.last_backup else None,
            "last_test_call": (
                {"at": self.last_test_call.at.isoformat(), "ok": self.last_test_call.ok,
                 "summary": self.last_test_call.summary}
                if self.last_test_call else None
            ),
            "deployed_is_active": self.deployed_is_active,
            "deploy_targets": [state.to_dict() for state in self.deploy_targets],
        }


def practice_overview(practice: Practice, repository: Repository, now: datetime,
                      thresholds: ExpiryThresholds,
                      monitoring: MonitoringSettings, *,
                      summary: Summary | None = None) -> PracticeOverview:
    """``monitoring`` has no default on purpose: every front passes the configuration's
    switches, so none can show a reason another front leaves out. ``summary``: the
    repository's summary (:meth:`Repository.read_summary`), read once for many rows."""
    if summary is None:
        active, events = repository.active(practice.id), repository.events(practice.id)
    else:
        active, events = repository.practice_metadata(practice.id, summary)
    facts = expiry_facts(active.info.not_after, now, thresholds) if active else None
    deploy_states: tuple[TargetState, ...] = ()
    if practice.deploy:
        # deploy's module only for a practice that deploys (most of a thousand do not)
        from vecozo_tui.deploy import target_states

        deploy_states = target_states(practice.deploy, active, events)
    state: PracticeStatus = practice_status(active, events, now=now, thresholds=thresholds,
                                            monitoring=monitoring, facts=facts,
                                            deploy_states=deploy_states)
    return PracticeOverview(
        practice=practice,
        active=active,
        level=state.level,
        reasons=state.reasons,
        days_left=facts.days_left if facts else None,
        renew_from=facts.renew_from if facts else None,
        quarter_in_window=facts.quarter_in_window if facts else None,
        last_backup=events.last_backup,
        last_test_call=events.last_test_call,
        backup_missing=backup_missing(active, events),
        today=now.date(),
        deploy_targets=deploy_states,
    )


def config_overview(practice: Practice, config: Config, repository: Repository,
                    now: datetime, thresholds: ExpiryThresholds | None = None, *,
                    summary: Summary | None = None) -> PracticeOverview:
    """One practice with the configuration's thresholds and [monitoring] switches."""
    return practice_overview(practice, repository, now, thresholds or config.thresholds,
                             config.monitoring, summary=summary)


def damaged_overview(practice: Practice, problem: str, now: datetime) -> PracticeOverview:
    """The row of a practice whose metadata cannot be read (``problem`` says why)."""
    state = damaged_status(problem)
    return PracticeOverview(practice=practice, active=None, level=state.level,
                            reasons=state.reasons, days_left=None, renew_from=None,
                            quarter_in_window=None, last_backup=None, last_test_call=None,
                            backup_missing=False, today=now.date())


def sort_key(row: PracticeOverview) -> tuple:
    """Most urgent first: by level, then soonest expiry, then name."""
    return (row.level.urgency, row.days_left if row.days_left is not None else 10**6,
            row.practice.name.lower())


def build_overview(config: Config, repository: Repository, now: datetime) -> list[PracticeOverview]:
    rows = []
    summary = repository.read_summary()
    for practice in config.practices:
        try:
            rows.append(config_overview(practice, config, repository, now, summary=summary))
        except VecozoError as error:
            rows.append(damaged_overview(practice, str(error), now))
    rows.sort(key=sort_key)
    return rows


def level_counts(rows: list[PracticeOverview]) -> dict[Level, int]:
    counts = dict.fromkeys(Level, 0)
    for row in rows:
        counts[row.level] += 1
    return counts


def change_stamps(config: Config, repository: Repository) -> tuple[object, object]:
    """What changes when the repository or the configuration file changes, whoever
    changes it: two stats, no reading (the console compares them every few seconds)."""
    return repository.change_stamp(), file_stamp(config.path)


def file_stamp(path: str | os.PathLike[str] | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class FirstReading(NamedTuple):
    """The console's first reading: the configuration, the rows of its dashboard at
    ``now``, and the stamps taken just before (a change made while it was read is seen
    at the first look for changes)."""

    config: Config
    now: datetime
    rows: list[PracticeOverview]
    stamps: tuple[object, object]


def first_reading(config: Config, repository: Repository, now: datetime, *,
                  config_stamp: tuple[int, int] | None = None) -> FirstReading:
    """``config_stamp``: the configuration file's, taken before it was read (an edit
    made while it was read is then seen too)."""
    stamps = (repository.change_stamp(),
              config_stamp if config_stamp is not None else file_stamp(config.path))
    return FirstReading(config, now, build_overview(config, repository, now), stamps)
