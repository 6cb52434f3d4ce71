"""Progress of a walkthrough per practice, kept in the repository under its lock;
the automatic checks that tick steps by themselves."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from vecozo_tui.i18n import _
from vecozo_tui.textfmt import short_date
from vecozo_tui.walkthroughs.steps import (
    CHECK_DEPLOYED,
    CHECK_IMPORTED_NEWER,
    CHECK_TEST_CALL,
    CHECK_VERIFIED_BACKUP,
    KINDS,
    Step,
    Walkthrough,
    get_walkthrough,
)

if TYPE_CHECKING:
    from vecozo_tui.config import DeployTarget
    from vecozo_tui.expiry import ExpiryThresholds
    from vecozo_tui.repository import Actor, Repository


STATE_PREFIX = "walkthrough-"
AUTOMATIC = "automatic"


# --- progress ----------------------------------------------------------------------------


@dataclass
class StepState:
    done: bool = False
    at: datetime | None = None
    by: str | None = None
    note: str | None = None
    automatic: bool = False

    def to_dict(self) -> dict:
        return {"done": self.done, "at": self.at.isoformat() if self.at else None,
                "by": self.by, "note": self.note, "automatic": self.automatic}

    @classmethod
    def from_dict(cls, data: dict) -> StepState:
        return cls(done=bool(data.get("done")), at=_parse_time(data.get("at")),
                   by=data.get("by"), note=data.get("note"),
                   automatic=bool(data.get("automatic")))


@dataclass
class Progress:
    practice_id: str
    kind: str
    started_at: datetime
    started_by: str
    baseline_sha256: str | None
    baseline_not_after: datetime | None
    steps: dict[str, StepState] = field(default_factory=dict)
    finished_at: datetime | None = None

    @property
    def walkthrough(self) -> Walkthrough:
        return get_walkthrough(self.kind)

    def state(self, key: str) -> StepState:
        return self.steps.get(key) or StepState()

    def is_done(self, key: str) -> bool:
        return self.state(key).done

    @property
    def total(self) -> int:
        return len(self.walkthrough.steps)

    @property
    def done_count(self) -> int:
        return sum(1 for step in self.walkthrough.steps if self.is_done(step.key))

    @property
    def finished(self) -> bool:
        # finished_at: a walkthrough finished before a step was added to its kind (the
        # deploy step) stays a finished record
        return self.all_done or self.finished_at is not None

    @property
    def all_done(self) -> bool:
        return self.done_count == self.total

    @property
    def next_step(self) -> Step | None:
        """The first step not done yet."""
        return next((s for s in self.walkthrough.steps if not self.is_done(s.key)), None)

    def summary(self) -> str:
        return f"{self.kind} {self.done_count}/{self.total}"

    def to_dict(self) -> dict:
        return {
            "version": 1,
            "kind": self.kind,
            "started_at": self.started_at.isoformat(),
            "started_by": self.started_by,
            "baseline_sha256": self.baseline_sha256,
            "baseline_not_after": (self.baseline_not_after.isoformat()
                                   if self.baseline_not_after else None),
            "steps": {key: state.to_dict() for key, state in self.steps.items()},
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }

    @classmethod
    def from_dict(cls, practice_id: str, kind: str, data: dict) -> Progress:
        return cls(
            practice_id=practice_id,
            kind=kind,
            started_at=_parse_time(data.get("started_at")) or datetime(1970, 1, 1, tzinfo=UTC),
            started_by=str(data.get("started_by") or "?"),
            baseline_sha256=data.get("baseline_sha256"),
            baseline_not_after=_parse_time(data.get("baseline_not_after")),
            steps={key: StepState.from_dict(value)
                   for key, value in (data.get("steps") or {}).items()
                   if isinstance(value, dict)},
            finished_at=_parse_time(data.get("finished_at")),
        )


def _parse_time(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def actor_label(actor: Actor) -> str:
    client = getattr(actor, "ssh_client", None)
    # stored with the progress: the same words in every language
    return f"{actor.user} from {client}" if client else str(actor.user)  # untranslated: stored


def state_name(kind: str) -> str:
    return f"{STATE_PREFIX}{kind}"


def load(repository: Repository, practice_id: str, kind: str) -> Progress | None:
    get_walkthrough(kind)
    data = repository.read_state(practice_id, state_name(kind))
    if not data:
        return None
    return Progress.from_dict(practice_id, kind, data)


def _save(repository: Repository, progress: Progress, *, actor: Actor, action: str,
          details: dict) -> None:
    repository.write_state(progress.practice_id, state_name(progress.kind), progress.to_dict(),
                           actor=actor, action=action, details=details)


def start(repository: Repository, practice_id: str, kind: str, *, actor: Actor, now: datetime,
          restart: bool = False) -> Progress:
    """Start a walkthrough, or open the existing one, finished or not (unless ``restart``).

    A finished walkthrough is the practice's record of the work: it is never replaced
    by opening it. ``restart`` keeps it as ``walkthrough-<kind>-<started>`` and starts
    afresh. The active certificate at the start is the baseline that
    ``imported_newer`` compares with. Writes happen under the repository lock, so two
    sessions starting at once get one walkthrough.
    """
    walkthrough = get_walkthrough(kind)
    existing = load(repository, practice_id, kind)
    if existing is not None and not restart:
        return existing  # resuming only reads
    with repository.lock(actor):
        existing = load(repository, practice_id, kind)
        if existing is not None and not restart:
            return existing
        if existing is not None and existing.done_count:
            archive = f"{state_name(kind)}-{existing.started_at:%Y%m%dt%H%M%S}"
            repository.write_state(practice_id, archive, existing.to_dict(), actor=actor,
                                   action="walkthrough-archive", details={"kind": kind})
        active = repository.active(practice_id)
        progress = Progress(
            practice_id=practice_id,
            kind=kind,
            started_at=now,
            started_by=actor_label(actor),
            baseline_sha256=active.info.sha256 if active else None,
            baseline_not_after=active.info.not_after if active else None,
            steps={step.key: StepState() for step in walkthrough.steps},
        )
        _save(repository, progress, actor=actor, action="walkthrough-start",
              details={"kind": kind, "baseline": progress.baseline_sha256,
                       "restart": existing is not None})
    return progress


def tick(repository: Repository, practice_id: str, kind: str, step_key: str, *, done: bool = True,
         note: str | None = None, actor: Actor, now: datetime) -> Progress:
    """Mark a step done (or not done), with an optional note; starts the walkthrough
    when needed. ``note=None`` keeps an existing note; ``note=""`` removes it.

    Read, change and write happen under the repository lock: a tick from another
    SSH session at the same moment is never lost."""
    walkthrough = get_walkthrough(kind)
    step = walkthrough.step(step_key)
    with repository.lock(actor):
        progress = load(repository, practice_id, kind) or start(
            repository, practice_id, kind, actor=actor, now=now)
        old = progress.state(step.key)
        progress.steps[step.key] = StepState(
            done=done,
            at=now,
            by=actor_label(actor),
            note=old.note if note is None else (note or None),
            automatic=False,
        )
        _update_finished(progress, now)
        _save(repository, progress, actor=actor, action="walkthrough-tick",
              details={"kind": kind, "step": step.key, "done": done,
                       "note_changed": note is not None})
    return progress


def set_note(repository: Repository, practice_id: str, kind: str, step_key: str,
             note: str, *, actor: Actor, now: datetime) -> Progress:
    """Set (or, with ``""``, remove) the note of a step without changing whether, when
    or by whom it was done; an automatic tick stays automatic. Audited without the
    note's text."""
    walkthrough = get_walkthrough(kind)
    step = walkthrough.step(step_key)
    with repository.lock(actor):
        progress = load(repository, practice_id, kind) or start(
            repository, practice_id, kind, actor=actor, now=now)
        old = progress.state(step.key)
        progress.steps[step.key] = StepState(done=old.done, at=old.at, by=old.by,
                                             note=note.strip() or None,
                                             automatic=old.automatic)
        _save(repository, progress, actor=actor, action="walkthrough-note",
              details={"kind": kind, "step": step.key, "removed": not note.strip()})
    return progress


def _update_finished(progress: Progress, now: datetime) -> None:
    if progress.all_done:
        progress.finished_at = progress.finished_at or now
    else:
        progress.finished_at = None


# --- automatic checks --------------------------------------------------------------------


def _imported_newer(progress: Progress, active) -> bool:
    if active is None:
        return False
    if progress.baseline_sha256 is None:
        return True
    return (active.info.sha256 != progress.baseline_sha256
            and (progress.baseline_not_after is None
                 or active.info.not_after > progress.baseline_not_after))


def evaluate_check(check: str, progress: Progress, active, events,
                   deploy_targets: tuple[DeployTarget, ...] = ()) -> datetime | None:
    """When the check was met (the time of the event that met it), or None.

    Checks about the active certificate also require the newer certificate when
    the walkthrough has an import step: a backup or test call of the old one does
    not finish a renewal. ``deploy_targets``: the practice's (without any, the deploy
    step is ticked by hand).
    """
    has_import = any(s.check == CHECK_IMPORTED_NEWER for s in progress.walkthrough.steps)
    newer = _imported_newer(progress, active)
    if check == CHECK_IMPORTED_NEWER:
        if not newer:
            return None
        return events.last_import_at or active.imported_at
    if active is None or (has_import and not newer):
        return None
    if check == CHECK_TEST_CALL:
        test = events.last_test_call
        imported = events.last_import_at or active.imported_at
        if test is None or not test.ok or test.sha256 != active.info.sha256:
            return None
        if imported is not None and test.at < imported:
            return None
        return test.at
    if check == CHECK_VERIFIED_BACKUP:
        backup = events.last_backup
        if backup is None or not backup.verified or backup.sha256 != active.info.sha256:
            return None
        if not has_import and backup.at < progress.started_at:
            return None  # the backup walkthrough asks for a fresh one (tick by hand if not)
        return backup.at
    if check == CHECK_DEPLOYED:
        from vecozo_tui.deploy import last_deployed_at, target_states

        if not deploy_targets:
            return None
        states = target_states(deploy_targets, active, events)
        if not all(state.up_to_date for state in states):
            return None
        return last_deployed_at(states)
    raise ValueError(f"unknown check {check!r}")  # untranslated: a programming error


def _apply_automatic(repository: Repository, progress: Progress,
                     deploy_targets: tuple[DeployTarget, ...]) -> list[str]:
    """Tick (in ``progress``) the open steps whose check is met; their keys."""
    active = repository.active(progress.practice_id)
    events = repository.events(progress.practice_id)
    ticked = []
    for step in progress.walkthrough.steps:
        if step.check is None or progress.is_done(step.key):
            continue
        met_at = evaluate_check(step.check, progress, active, events, deploy_targets)
        if met_at is None:
            continue
        old = progress.state(step.key)
        progress.steps[step.key] = StepState(done=True, at=met_at, by=AUTOMATIC, note=old.note,
                                             automatic=True)
        ticked.append(step.key)
    return ticked


def refresh_automatic(repository: Repository, practice_id: str, kind: str, now: datetime, *,
                      actor: Actor | None = None,
                      deploy_targets: tuple[DeployTarget, ...] = ()) -> Progress | None:
    """Tick the steps whose automatic check is now met; each is audited once.
    ``deploy_targets``: the practice's ``[[practices.deploy]]``, for the deploy step.

    Returns the progress (None when the walkthrough was never started). Steps
    already done are left alone, so a manual tick is never overwritten. Only reads
    when nothing is to tick (a screen may call it often); otherwise re-reads and
    writes under the repository lock.
    """
    from vecozo_tui.repository import Actor as ActorType

    progress = load(repository, practice_id, kind)
    if progress is None:
        return None
    if not _apply_automatic(repository, progress, deploy_targets):
        return progress
    who = actor or ActorType.current(os.environ)
    with repository.lock(who):
        progress = load(repository, practice_id, kind)
        if progress is None:  # pragma: no cover - removed meanwhile
            return None
        ticked = _apply_automatic(repository, progress, deploy_targets)
        if not ticked:  # another session ticked them meanwhile
            return progress
        _update_finished(progress, now)
        _save(repository, progress, actor=who, action="walkthrough-tick",
              details={"kind": kind, "steps": ticked, "done": True, "automatic": True})
    return progress


def backup_warning(repository: Repository, practice_id: str) -> str | None:
    """A warning when the last recorded backup lies on the same disk as the repository
    (the seeds insist on another medium). None when it does not, or when that cannot
    be told (no backup, or its medium is not mounted now: as it should be)."""
    events = repository.events(practice_id)
    backup = events.last_backup
    if backup is None or not backup.target:
        return None
    try:
        same = os.stat(backup.target).st_dev == os.stat(repository.root).st_dev
    except OSError:
        return None
    if not same:
        return None
    return _("The last backup ({target}) is on the same disk as the certificate "
             "repository: copy it to another medium (a USB stick, a network drive, another "
             "computer).").format(target=backup.target)


def _last_activity(progress: Progress) -> datetime:
    return max([progress.started_at] + [state.at for state in progress.steps.values()
                                        if state.at is not None])


def suggest(repository: Repository, practice_id: str, now: datetime,
            thresholds: ExpiryThresholds | None = None) -> tuple[str, str]:
    """The walkthrough that fits the practice now, and why (one sentence).

    An unfinished walkthrough with a step done comes first (resuming is the common
    case; one only opened does not count; the most recently worked on wins).
    Otherwise: no certificate -> new; a personal certificate where COV needs a
    system certificate -> new; expired -> recover; anything else -> renew.
    """
    from vecozo_tui.expiry import ExpiryThresholds
    from vecozo_tui.status import expiry_facts
    from vecozo_tui.textfmt import relative_days

    unfinished = [progress for kind in KINDS
                  if (progress := load(repository, practice_id, kind)) is not None
                  and not progress.finished and progress.done_count]
    if unfinished:
        latest = max(unfinished, key=_last_activity)
        return latest.kind, _("the {kind} walkthrough is in progress ({done} of {total} "
                              "steps done).").format(kind=latest.kind, done=latest.done_count,
                                                     total=latest.total)
    active = repository.active(practice_id)
    if active is None:
        return "new", _("no certificate yet: request and install one.")
    if active.info.kind == "personal":
        return "new", _("the active certificate is a personal one; COV needs a system "
                        "certificate: request one.")
    facts = expiry_facts(active.info.not_after, now, thresholds or ExpiryThresholds())
    until = short_date(facts.expiry_day)
    if active.info.not_after <= now:
        return "recover", _("the certificate expired on {date}: reinstall it.").format(
            date=until)
    return "renew", _("the certificate is valid until {date} ({when}).").format(
        date=until, when=relative_days(facts.days_left))


def progress_summary(repository: Repository, practice_id: str) -> str | None:
    """The walkthroughs of a practice for the dashboard, e.g. "renew 4/9, backup done".

    One only opened (no step done yet) is left out: looking is not progress."""
    parts = []
    for kind in KINDS:
        progress = load(repository, practice_id, kind)
        if progress is None or not progress.done_count:
            continue
        parts.append(_("{kind} done").format(kind=kind) if progress.finished
                     else progress.summary())
    return ", ".join(parts) or None


def state_text(progress: Progress) -> str:
    """How far a walkthrough is, in the same words on every screen and in the CLI:
    'opened 2026-11-22 by alice, no step done yet' (opening records what the active
    certificate was, but it is not a start), 'started 2026-11-23, 1 of 4 done' (the day
    of the first step done), 'finished 2026-11-30'."""
    if progress.finished:
        return _("finished {date}").format(
            date=short_date(progress.finished_at or _last_activity(progress)))
    done_at = [state.at for state in progress.steps.values() if state.done and state.at]
    if not done_at:
        return _("opened {date} by {who}, no step done yet").format(
            date=short_date(progress.started_at), who=progress.started_by)
    return _("started {date}, {done} of {total} done").format(
        date=short_date(min(done_at)), done=progress.done_count, total=progress.total)
