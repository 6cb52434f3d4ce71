"""A step's text with its placeholders filled in, and the progress as text."""

from __future__ import annotations

import os
import re
import shlex
import socket
import textwrap
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from vecozo_tui.i18n import _, ngettext
from vecozo_tui.textfmt import short_date
from vecozo_tui.walkthroughs.steps import Step

if TYPE_CHECKING:
    from vecozo_tui.config import Practice
    from vecozo_tui.expiry import ExpiryThresholds
    from vecozo_tui.repository import Repository
    from vecozo_tui.walkthroughs.progress import Progress


HOST_ENV = "VECOZO_TUI_HOST"


# --- rendering ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderContext:
    """What a step's body text is filled with."""

    practice_id: str
    practice_name: str = ""
    agb: str = ""
    environment: str = "production"
    contact: str = ""
    host: str = "this-server"
    user: str = "admin"
    inbox: str = ""
    current_expiry: date | None = None
    expires: date | None = None
    renew_from: date | None = None
    deploy_targets: tuple[str, ...] = ()  # the paths of [[practices.deploy]]
    deploy_reminder: str = ""  # the free-text deploy_target
    quarter_in_window: date | None = None  # the quarter start the usual window holds
    home: str = ""  # the home directory of the user on this server

    @property
    def site(self) -> str:
        # acceptance and test: system certificates are installed on the acceptance site and
        # then also work on the test environment (seed 001)
        production = self.environment == "production"
        return "www.vecozo.nl" if production else "accwww.vecozo.nl"  # untranslated: hosts

    @property
    def export_name(self) -> str:
        return f"{self.practice_id}.pfx"

    def values(self) -> dict[str, str]:
        inbox = self.inbox or _("the inbox directory")
        inbox_dir = self.inbox.rstrip("/") + "/" if self.inbox else "INBOX/"
        # commands are copied: short enough for one line at 80 columns. scp takes a path
        # relative to the home directory, `vecozo-tui import` a file name in the inbox.
        remote_dir = remote_path(inbox_dir, self.home)
        note = ""
        if self.quarter_in_window is not None and self.renew_from is not None:
            note = " " + _("(moved earlier: the usual renewal period would run into the "
                           "quarter start of {date})").format(
                date=short_date(self.quarter_in_window))
        return {
            "practice_id": self.practice_id,
            "practice_name": self.practice_name or self.practice_id,
            "agb": self.agb or "-",
            "environment": self.environment,
            "contact": self.contact or _("name not in the configuration"),
            "host": self.host,
            "user": self.user,
            "inbox": inbox,
            "inbox_remote": shlex.quote(remote_dir),
            "inbox_file": shlex.quote(self.export_name),
            "export_name": self.export_name,
            "site": self.site,
            "current_expiry": _date_or(self.current_expiry, _("(no certificate yet)")),
            "expires": _date_or(self.expires, _("(known after the import)")),
            "renew_from": _date_or(self.renew_from, _("(known after the import)")),
            "deploy_targets": self._deploy_targets_text(),
            "renew_from_note": note,
        }

    def _deploy_targets_text(self) -> str:
        if self.deploy_targets:
            # each alone on its line, like a command: a long path is never wrapped
            return _("Its deploy targets (the files the software reads):") + "\n\n" + \
                "\n\n".join(f"  {path}" for path in self.deploy_targets)
        if self.deploy_reminder:
            return _("No deploy target is configured for this practice (the configuration "
                     "notes: {reminder}): copy the certificate there by hand and tick this "
                     "step, or add a [[practices.deploy]] block to the configuration so that "
                     "it is done, verified, for you.").format(reminder=self.deploy_reminder)
        return _("No deploy target is configured for this practice: copy the certificate "
                 "there by hand and tick this step, or add a [[practices.deploy]] block to "
                 "the configuration so that it is done, verified, for you.")


def remote_path(path: str, home: str) -> str:
    """``path`` as scp takes it on this server: relative to the home directory when it
    is in it (shorter, so the command fits one line), else as it is."""
    prefix = home.rstrip("/") + "/" if home else None
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def _date_or(value: date | None, missing: str) -> str:
    return short_date(value) if value else missing


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_step(step: Step, context: RenderContext, *, width: int | None = 76) -> str:
    """The step's body with the placeholders filled in, its paragraphs and list items
    re-flowed to ``width`` columns (keeping indents).

    A command (a line indented by two spaces, alone between blank lines) is never
    wrapped, so it can be copied as is. ``width=None``: one line per paragraph or
    list item, for a widget that wraps by itself.
    """
    text = step.body.format_map(_Values(context.values()))
    out: list[str] = []
    for indent, hanging, words, command in _logical_lines(text):
        if words is None:
            out.append("")
        elif command or width is None:
            out.append(indent + words)
        else:
            out.append(textwrap.fill(words, width, initial_indent=indent,
                                     subsequent_indent=hanging, break_on_hyphens=False,
                                     break_long_words=False))
    return "\n".join(out)


_ITEM = re.compile(r"^(\s*)((?:-|\d+\.)\s+)")


def _logical_lines(text: str) -> list[tuple[str, str, str | None, bool]]:
    """(indent, hanging indent, joined text or None for a blank line, is a command)."""
    lines = text.split("\n")
    result: list[tuple[str, str, str | None, bool]] = []
    for i, line in enumerate(lines):
        if not line.strip():
            result.append(("", "", None, False))
            continue
        stripped = line.lstrip(" ")
        indent = line[: len(line) - len(stripped)]
        alone = (i == 0 or not lines[i - 1].strip()) and (
            i == len(lines) - 1 or not lines[i + 1].strip())
        if alone and indent == "  ":
            result.append((indent, indent, stripped, True))
            continue
        item = _ITEM.match(line)
        previous = result[-1] if result else None
        if (item is None and previous is not None and previous[2] is not None
                and not previous[3] and len(indent) == len(previous[1])):
            result[-1] = (previous[0], previous[1], f"{previous[2]} {stripped}", False)
            continue
        hanging = indent + (" " * len(item.group(2)) if item else "")
        result.append((indent, hanging, stripped, False))
    return result


def make_context(practice: Practice, repository: Repository, *, inbox: str | os.PathLike | None,
                 thresholds: ExpiryThresholds | None = None, host: str | None = None,
                 user: str | None = None, progress: Progress | None = None,
                 env: dict[str, str] | None = None) -> RenderContext:
    """A context for ``practice``: this server's host name (``host``, else
    ``$VECOZO_TUI_HOST``, else ``socket.getfqdn()``), the SSH user, the inbox, and the
    dates of the active certificate."""
    from vecozo_tui.expiry import ExpiryThresholds, renewal_start, window_crosses_quarter

    environ = os.environ if env is None else env
    active = repository.active(practice.id)
    current = active.info.not_after if active else None
    # the "new" certificate is the active one once it differs from the starting point
    renewed = active is not None and (progress is None or progress.baseline_sha256 is None
                                      or active.info.sha256 != progress.baseline_sha256)
    current_expiry: date | None
    if progress is not None and progress.baseline_not_after is not None:
        current_expiry = progress.baseline_not_after.date()
    else:
        current_expiry = current.date() if current else None
    expires = current.date() if current is not None and renewed else None
    limits = thresholds or ExpiryThresholds()
    return RenderContext(
        practice_id=practice.id,
        practice_name=practice.name,
        agb=practice.agb,
        environment=practice.environment,
        contact=practice.contact or "",
        host=host or environ.get(HOST_ENV) or socket.getfqdn(),
        user=user or environ.get("USER") or environ.get("LOGNAME") or "admin",
        inbox=str(inbox) if inbox else "",
        current_expiry=current_expiry,
        expires=expires,
        renew_from=(renewal_start(current, limits)
                    if current is not None and renewed else None),
        deploy_targets=tuple(str(target.path) for target in practice.deploy),
        deploy_reminder=practice.deploy_target or "",
        quarter_in_window=(window_crosses_quarter(current, limits)
                           if current is not None and renewed else None),
        home=environ.get("HOME", ""),
    )




def format_progress(progress: Progress, context: RenderContext, *, show_all: bool = False) -> str:
    """The checklist as plain text: every step with its mark, the body of the next step
    (or of every step with ``show_all``)."""
    walkthrough = progress.walkthrough
    from vecozo_tui.walkthroughs.progress import state_text

    lines = [f"{walkthrough.title}: {context.practice_name} ({context.practice_id})",
             ngettext("{state}; {done} of {total} step done",
                      "{state}; {done} of {total} steps done", progress.total).format(
                 state=state_text(progress).capitalize(), done=progress.done_count,
                 total=progress.total), ""]
    next_step = progress.next_step
    for number, step in enumerate(walkthrough.steps, 1):
        state = progress.state(step.key)
        mark = "[x]" if state.done else "[ ]"
        if step.check:
            line = _("{mark} {number}. {title}  ({key}, checked automatically)")
        else:
            line = "{mark} {number}. {title}  ({key})"
        lines.append(line.format(mark=mark, number=number, title=step.title, key=step.key))
        if state.done:
            done = (_("done {when} (checked automatically)") if state.automatic
                    else _("done {when} by {who}"))
            lines.append("      " + done.format(when=when_text(state.at), who=state.by or "?"))
        if state.note:
            lines += ["      " + _("note: {text}").format(text=text)
                      for text in state.note.splitlines()]
        if show_all or step is next_step:
            lines.append("")
            lines += [f"      {text}".rstrip() for text in
                      render_step(step, context, width=72).splitlines()]
            lines.append("")
    if next_step is not None:
        lines.append(_("Next: {title}. When it is done:").format(title=next_step.title))
        lines.append(f"  vecozo-tui walkthrough {context.practice_id} {progress.kind} "
                     f"--tick {next_step.key} [--note TEXT]")  # untranslated: command
    else:
        lines.append(_("All steps done."))
    return "\n".join(lines)


def when_text(value: datetime | None) -> str:
    """'2026-11-22 10:30 UTC' ('22-11-2026 10:30 UTC' in Dutch)."""
    return f"{short_date(value)} {value:%H:%M %Z}".strip() if value else "-"
