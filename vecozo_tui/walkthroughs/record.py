"""The Markdown record of a walkthrough, and writing it as a new file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from vecozo_tui.errors import VecozoError
from vecozo_tui.textfmt import fingerprint
from vecozo_tui.walkthroughs.progress import backup_warning, load
from vecozo_tui.walkthroughs.render import when_text
from vecozo_tui.walkthroughs.steps import (
    CHECK_DEPLOYED,
    CHECK_TEST_CALL,
    CHECK_VERIFIED_BACKUP,
    get_walkthrough,
)

if TYPE_CHECKING:
    from vecozo_tui.config import Practice
    from vecozo_tui.expiry import ExpiryThresholds
    from vecozo_tui.repository import Repository


# --- the record ----------------------------------------------------------------------------


def _evidence(repository: Repository, practice: Practice, check: str) -> list[str]:
    """What the repository knows about an automatically checked step, for the record."""
    practice_id = practice.id
    events = repository.events(practice_id)
    if check == CHECK_DEPLOYED:
        from vecozo_tui.deploy import target_states

        states = target_states(practice.deploy, repository.active(practice_id), events)
        return [f"{state.target.path}: {state.text}"
                + (f" ({when_text(state.record.at)})" if state.record else "")
                for state in states]
    if check == CHECK_TEST_CALL and events.last_test_call is not None:
        test = events.last_test_call
        return [f"last test call {when_text(test.at)} ({test.environment}): "
                f"{'OK' if test.ok else 'FAILED'}, {test.summary}"]
    if check == CHECK_VERIFIED_BACKUP and events.last_backup is not None:
        backup = events.last_backup
        found = [f"last backup {when_text(backup.at)} in {backup.target}"
                 + (", verified" if backup.verified else ", NOT verified")]
        warning = backup_warning(repository, practice_id)
        if warning:
            found.append(f"WARNING: {warning}")
        return found
    return []


def export_record(repository: Repository, practice: Practice, kind: str, now: datetime, *,
                  thresholds: ExpiryThresholds | None = None) -> str:
    """A short Markdown record of the walkthrough: who did which step when, the
    notes, the certificate fingerprints before and after, and when the next
    renewal is due."""
    from vecozo_tui.expiry import ExpiryThresholds, renewal_start

    walkthrough = get_walkthrough(kind)
    progress = load(repository, practice.id, kind)
    if progress is None:
        raise VecozoError(f"The {kind} walkthrough of {practice.id} was never started.")
    active = repository.active(practice.id)
    lines = [
        f"# {walkthrough.title}: {practice.name} ({practice.id})",
        "",
        f"- AGB code: {practice.agb}",
        f"- Environment: {practice.environment}",
        f"- Started: {when_text(progress.started_at)} by {progress.started_by}",
        f"- Finished: {when_text(progress.finished_at) if progress.finished_at else 'not yet'}"
        f" ({progress.done_count} of {progress.total} steps done)",
    ]
    if progress.baseline_sha256:
        before_until = (progress.baseline_not_after.date().isoformat()
                        if progress.baseline_not_after else "-")
        lines.append(f"- Certificate before: SHA-256 {fingerprint(progress.baseline_sha256)}"
                     f", valid until {before_until}")
    else:
        lines.append("- Certificate before: none")
    if active is not None and active.info.sha256 != progress.baseline_sha256:
        lines.append(f"- Certificate after: SHA-256 {fingerprint(active.info.sha256)}, "
                     f"valid until {active.info.not_after.date().isoformat()}")
    elif active is not None:
        lines.append("- Certificate after: unchanged")
    if active is not None:
        start_on = renewal_start(active.info.not_after, thresholds or ExpiryThresholds())
        lines.append(f"- Next renewal: start on {start_on.isoformat()} (expires "
                     f"{active.info.not_after.date().isoformat()})")
    lines += ["", "## Steps", ""]
    for number, step in enumerate(walkthrough.steps, 1):
        state = progress.state(step.key)
        mark = "x" if state.done else " "
        line = f"{number}. [{mark}] {step.title}"
        if state.done and state.automatic:
            line += f": {when_text(state.at)} (checked automatically)"
        elif state.done:
            line += f": {when_text(state.at)}, {state.by or '?'}"
        lines.append(line)
        if state.done and step.check:
            lines += [f"   - {text}" for text in _evidence(repository, practice, step.check)]
        if state.note:
            for note_line in state.note.splitlines():
                lines.append(f"   > {note_line}")
    lines += ["", f"_Exported {when_text(now)} by vecozo-tui._", ""]
    return "\n".join(lines)


def write_record(directory: Path, practice_id: str, kind: str, now: datetime,
                 record: str) -> Path:
    """Write ``record`` as a new file in ``directory``; never over an existing one."""
    from vecozo_tui.fsutil import write_new_file

    stem = f"{practice_id}-{kind}-walkthrough-{now:%Y%m%d-%H%M}"
    for attempt in range(1, 100):
        path = directory / (f"{stem}.md" if attempt == 1 else f"{stem}-{attempt}.md")
        if path.exists():
            continue
        try:
            write_new_file(path, record.encode("utf-8"))
        except VecozoError:
            if path.exists():  # written by someone else just now: take the next name
                continue
            raise
        return path
    raise VecozoError(f"Too many walkthrough records named {stem}* in {directory}.")
