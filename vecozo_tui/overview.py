"""One row per practice: what the dashboard, `list`, `status`, `check` and `metrics` show.

Reads only the repository's public metadata (no password, no PKCS#12 decryption)
so it stays fast on a thousand practices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from vecozo_tui.config import Config, Practice
from vecozo_tui.expiry import (
    ExpiryThresholds,
    Status,
    days_left,
    renewal_start,
    status_for,
    window_crosses_quarter,
)
from vecozo_tui.repository import BackupRecord, Repository, StoredCertificate, TestCallRecord


@dataclass(frozen=True)
class PracticeOverview:
    practice: Practice
    active: StoredCertificate | None
    status: Status
    days_left: int | None
    renew_from: date | None
    quarter_in_window: date | None
    last_backup: BackupRecord | None
    last_test_call: TestCallRecord | None

    @property
    def not_after(self) -> datetime | None:
        return self.active.info.not_after if self.active else None

    @property
    def backup_missing(self) -> bool:
        """No verified backup of the active certificate (seed 001: back up right after install)."""
        if self.active is None:
            return False
        backup = self.last_backup
        return backup is None or not backup.verified or backup.sha256 != self.active.info.sha256

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
            "status": self.status.value,
            "days_left": self.days_left,
            "not_after": info.not_after.isoformat() if info else None,
            "renew_from": self.renew_from.isoformat() if self.renew_from else None,
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
        }


def practice_overview(practice: Practice, repository: Repository, now: datetime,
                      thresholds: ExpiryThresholds) -> PracticeOverview:
    active = repository.active(practice.id)
    events = repository.events(practice.id)
    not_after = active.info.not_after if active else None
    return PracticeOverview(
        practice=practice,
        active=active,
        status=status_for(not_after, now, thresholds),
        days_left=days_left(not_after, now) if not_after else None,
        renew_from=renewal_start(not_after, thresholds) if not_after else None,
        quarter_in_window=window_crosses_quarter(not_after, thresholds) if not_after else None,
        last_backup=events.last_backup,
        last_test_call=events.last_test_call,
    )


def sort_key(row: PracticeOverview) -> tuple:
    """Most urgent first: by status, then soonest expiry, then name."""
    return (row.status.urgency, row.days_left if row.days_left is not None else 10**6,
            row.practice.name.lower())


def build_overview(config: Config, repository: Repository, now: datetime) -> list[PracticeOverview]:
    rows = [practice_overview(p, repository, now, config.thresholds) for p in config.practices]
    rows.sort(key=sort_key)
    return rows


def status_counts(rows: list[PracticeOverview]) -> dict[Status, int]:
    counts = dict.fromkeys(Status, 0)
    for row in rows:
        counts[row.status] += 1
    return counts
