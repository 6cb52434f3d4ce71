"""The Markdown record of a walkthrough, and writing it as a new file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import _
from vecozo_tui.textfmt import fingerprint, short_date
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
        outcome = _("OK") if test.ok else _("FAILED")
        return [_("last test call {when} ({environment}): {outcome}, {summary}").format(
            when=when_text(test.at), environment=test.environment, outcome=outcome,
            summary=test.summary_words())]
    if check == CHECK_VERIFIED_BACKUP and events.last_backup is not None:
        backup = events.last_backup
        text = (_("last backup {when} in {target}, verified") if backup.verified
                else _("last backup {when} in {target}, NOT verified"))
        found = [text.format(when=when_text(backup.at), target=backup.target)]
        warning = backup_warning(repository, practice_id)
        if warning:
            found.append(_("WARNING: {warning}").format(warning=warning))
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
        raise VecozoError(_("The {kind} walkthrough of {practice} was never started.").format(
            kind=kind, practice=practice.id))
    active = repository.active(practice.id)
    lines = [
        f"# {walkthrough.title}: {practice.name} ({practice.id})",
        "",
        "- " + _("AGB code: {agb}").format(agb=practice.agb),
        "- " + _("Environment: {environment}").format(environment=practice.environment),
        "- " + _("Started: {when} by {who}").format(when=when_text(progress.started_at),
                                                    who=progress.started_by),
        "- " + _("Finished: {when} ({done} of {total} steps done)").format(
            when=when_text(progress.finished_at) if progress.finished_at else _("not yet"),
            done=progress.done_count, total=progress.total),
    ]
    if progress.baseline_sha256:
        before_until = short_date(progress.baseline_not_after)
        lines.append("- " + _("Certificate before: SHA-256 {fingerprint}, valid until "
                              "{date}").format(fingerprint=fingerprint(progress.baseline_sha256),
                                               date=before_until))
    else:
        lines.append("- " + _("Certificate before: none"))
    if active is not None and active.info.sha256 != progress.baseline_sha256:
        lines.append("- " + _("Certificate after: SHA-256 {fingerprint}, valid until "
                              "{date}").format(fingerprint=fingerprint(active.info.sha256),
                                               date=short_date(active.info.not_after)))
    elif active is not None:
        lines.append("- " + _("Certificate after: unchanged"))
    if active is not None:
        start_on = renewal_start(active.info.not_after, thresholds or ExpiryThresholds())
        lines.append("- " + _("Next renewal: start on {date} (expires {expires})").format(
            date=short_date(start_on), expires=short_date(active.info.not_after)))
    lines += ["", "## " + _("Steps"), ""]
    for number, step in enumerate(walkthrough.steps, 1):
        state = progress.state(step.key)
        mark = "x" if state.done else " "
        line = f"{number}. [{mark}] {step.title}"
        if state.done and state.automatic:
            line += ": " + _("{when} (checked automatically)").format(when=when_text(state.at))
        elif state.done:
            line += f": {when_text(state.at)}, {state.by or '?'}"
        lines.append(line)
        if state.done and step.check:
            lines += [f"   - {text}" for text in _evidence(repository, practice, step.check)]
        if state.note:
            for note_line in state.note.splitlines():
                lines.append(f"   > {note_line}")
    lines += ["", "_" + _("Exported {when} by vecozo-tui.").format(when=when_text(now)) + "_",
              ""]
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
    raise VecozoError(_("Too many walkthrough records named {stem}* in {directory}.").format(
        stem=stem, directory=directory))
