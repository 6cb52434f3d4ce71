"""Step-by-step walkthroughs: renew, new, recover, backup.

The screen is thin: the steps, their texts, the automatic checks and the stored
progress all live in :mod:`vecozo_tui.walkthroughs`. Every repository access
(start, tick, automatic checks, export) runs in a thread worker, serialised by
one lock, so a busy repository never freezes the screen.

Layout at 80x24: the steps as a list on top (one line each), the current step's
text below it (scrollable with PgUp/PgDn while the list has the focus), the keys
in the footer. Without a kind the screen first offers the four walkthroughs,
with the one that fits the practice's state highlighted.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from vecozo_tui import walkthroughs as wt
from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import N_, _, pgettext
from vecozo_tui.textfmt import local_time, short_date
from vecozo_tui.tui.base import PracticeScreen
from vecozo_tui.tui.messages import (
    WalkthroughChoices,
    WalkthroughExported,
    WalkthroughLoaded,
    WalkthroughView,
    post_outcome,
)
from vecozo_tui.tui.translated import TranslatedBindings
from vecozo_tui.tui.widgets import KeysFooter

if TYPE_CHECKING:
    from vecozo_tui.tui.context import AppContext

POLL_SECONDS = 15
def kind_label(kind: str) -> str:
    """What the walkthrough of ``kind`` is called on the screen (a context of its own:
    the timeline's "Renew" row is shorter in Dutch)."""
    return {"renew": pgettext("walkthrough kind", "Renew"),
            "new": pgettext("walkthrough kind", "New certificate"),
            "recover": pgettext("walkthrough kind", "Expired or lost"),
            "backup": pgettext("walkthrough kind", "Backup / move")}[kind]
CHECK_HINTS = {
    wt.CHECK_IMPORTED_NEWER: N_("ticks itself once a newer certificate is imported"),
    wt.CHECK_TEST_CALL: N_("ticks itself after a successful test call with the new "
                           "certificate"),
    wt.CHECK_VERIFIED_BACKUP: N_("ticks itself once a verified backup is recorded"),
    wt.CHECK_DEPLOYED: N_("ticks itself once every deploy target holds the new certificate"),
}


class NoteScreen(TranslatedBindings, ModalScreen[str | None]):
    """One line of note for a step; Enter saves (empty removes), Escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="walkthrough.note.cancel",
                tooltip=N_("Close without changing the note")),
    ]

    def __init__(self, step_title: str, note: str | None) -> None:
        super().__init__()
        self._step_title = step_title
        self._note = note or ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(_("Note for: {step}").format(step=self._step_title)))
            yield Label(_("Enter saves; an empty note removes it. Never a password or PIN."),
                        classes="hint")
            yield Input(value=self._note, placeholder=_("e.g. PIN letter with dr. Mulder"),
                        id="note-input")

    @on(Input.Submitted)
    def _save(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class WalkthroughScreen(PracticeScreen[bool]):
    """A walkthrough for one practice; ``kind=None`` asks which one first."""

    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="walkthrough.back",
                tooltip=N_("Back to where you came from; progress is kept")),
        Binding("space", "tick", N_("Done"), id="walkthrough.tick",
                tooltip=N_("Mark the highlighted step done, or not done")),
        Binding("x", "tick", N_("Done"), show=False, id="walkthrough.tick_x",
                tooltip=N_("Same as space: mark the step done, or not done")),
        Binding("n", "note", N_("Note"), id="walkthrough.note",
                tooltip=N_("A note for the highlighted step (kept in the record)")),
        Binding("b", "backup", N_("Back up"), id="walkthrough.backup",
                tooltip=N_("Make the verified backup of this step now")),
        Binding("t", "test_call", N_("Test call"), id="walkthrough.test_call",
                tooltip=N_("Make the test COV call of this step now")),
        Binding("i", "import", N_("Import"), id="walkthrough.import",
                tooltip=N_("Import the exported file for this step now")),
        Binding("d", "deploy", N_("Deploy"), id="walkthrough.deploy",
                tooltip=N_("Put the certificate where the practice software reads it, now")),
        Binding("z", "zoom", N_("Zoom"), id="walkthrough.zoom",
                tooltip=N_("The step's text on the whole screen, or back to the list")),
        Binding("e", "export", N_("Export"), id="walkthrough.export",
                tooltip=N_("Write the record of this walkthrough to a Markdown file")),
        Binding("R", "restart", N_("Start again"), show=False,
                id="walkthrough.restart",
                tooltip=N_("Start this walkthrough afresh (the record so far is kept in the "
                           "repository)")),
        Binding("o", "choose", N_("Other"), id="walkthrough.choose",
                tooltip=N_("Choose another walkthrough")),
        Binding("pagedown", "scroll_text(1)", N_("Text down"), show=False, priority=True,
                id="walkthrough.text_down",
                tooltip=N_("Scroll the step's text down (the list keeps the focus)")),
        Binding("pageup", "scroll_text(-1)", N_("Text up"), show=False, priority=True,
                id="walkthrough.text_up",
                tooltip=N_("Scroll the step's text up")),
    ]

    def __init__(self, context: AppContext, practice_id: str, kind: str | None = None) -> None:
        super().__init__(context, practice_id)
        self.practice = context.practice(practice_id)
        if kind is not None:
            wt.get_walkthrough(kind)  # an unknown kind is a bug of the caller: fail early
        self.kind: str | None = kind
        self.progress: wt.Progress | None = None
        self.render_context: wt.RenderContext | None = None
        self.backup_warning: str | None = None
        self.changed = False
        self.last_export: Path | None = None
        self._lock = threading.Lock()
        self._host: str | None = None
        self._selected_key: str | None = None

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with ContentSwitcher(initial="wt-choose", id="wt-switcher"):
            with Vertical(id="wt-choose"):
                yield Static("", id="wt-choose-why")
                yield OptionList(id="wt-choose-list", markup=False)
                yield Static(_("Up/Down to choose, Enter to open it. Progress is kept per "
                               "practice; you can switch and come back."),
                             id="wt-choose-hint")
            with Vertical(id="wt-checklist"):
                yield Static("", id="wt-status")
                yield Static("", id="wt-error")
                yield OptionList(id="wt-steps", markup=False)
                with VerticalScroll(id="wt-text", can_focus=True):
                    yield Static("", id="wt-body")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.title = _("Walkthrough")
        self.sub_title = f"{self.practice.name} ({self.practice.id})"
        if self.kind is None:
            self._show_chooser()
        else:
            self._open(self.kind)
        # another SSH session may tick steps or import meanwhile: look again now and then
        self.set_interval(POLL_SECONDS, self._poll)

    def _poll(self) -> None:
        if self.is_current and self.kind is not None and self.progress is not None \
                and not any(w.node is self and w.is_running for w in self.app.workers):
            self._load(self.kind, start=False)

    def on_screen_resume(self) -> None:
        # back from a backup, test call or import: the automatic steps may tick now
        if self.kind is not None and self.progress is not None:
            self._load(self.kind, start=False)

    # --- choosing --------------------------------------------------------------------

    def _show_chooser(self) -> None:
        self.kind = None
        self.progress = None
        self.query_one(ContentSwitcher).current = "wt-choose"
        self.title = _("Walkthrough: choose one")
        self._fill_chooser()
        self.refresh_bindings()

    @work(thread=True, exclusive=True, exit_on_error=False, group="walkthrough-choose",
          description="suggest a walkthrough")  # untranslated: a worker's name (log)
    def _fill_chooser(self) -> None:
        def choices() -> tuple[str, str, dict[str, wt.Progress | None]]:
            with self._lock:
                suggested, why = wt.suggest(self.context.repository, self.practice.id,
                                            self.context.clock.now(),
                                            self.context.config.thresholds)
                existing: dict[str, wt.Progress | None] = {
                    kind: wt.load(self.context.repository, self.practice.id, kind)
                    for kind in wt.KINDS}
            return suggested, why, existing

        post_outcome(self, WalkthroughChoices, choices)

    @on(WalkthroughChoices)
    def _chooser_loaded(self, message: WalkthroughChoices) -> None:
        if message.result is None:
            self._work_failed(message.error)
            return
        suggested, why, existing = message.result
        self.query_one("#wt-choose-why", Static).update(
            Content.assemble((_("Suggested:") + " ", "bold"),
                             (kind_label(suggested), "bold"), ": ", why))
        options: list[Option | None] = []
        for kind in wt.KINDS:
            walkthrough = wt.get_walkthrough(kind)
            progress = existing.get(kind)
            if progress is None:
                state = _("not started")
            elif progress.finished:
                state = _("finished {date}").format(date=short_date(progress.finished_at)) \
                    if progress.finished_at else _("finished")
            elif progress.done_count == 0:
                state = _("opened, no step done yet")
            else:
                state = _("in progress, {done} of {total} done").format(
                    done=progress.done_count, total=progress.total)
            marker = "  " + _("(suggested)") if kind == suggested else ""
            prompt = Content.assemble(
                (f"{kind_label(kind)}: {walkthrough.title}", "bold"), marker, "\n",
                f"  {walkthrough.summary}", "\n", (f"  {state}", "italic"))
            if options:
                options.append(None)  # a separator line
            options.append(Option(prompt, id=kind))
        chooser = self.query_one("#wt-choose-list", OptionList)
        chooser.set_options(options)
        chooser.highlighted = chooser.get_option_index(suggested)
        chooser.focus()

    @on(OptionList.OptionSelected, "#wt-choose-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._open(event.option.id)

    def _open(self, kind: str) -> None:
        self.kind = kind
        self._selected_key = None
        self.query_one(ContentSwitcher).current = "wt-checklist"
        self.title = wt.get_walkthrough(kind).title
        self.query_one("#wt-status", Static).update(_("Loading..."))
        self.query_one("#wt-steps", OptionList).focus()
        self._load(kind, start=True)
        self.refresh_bindings()

    # --- loading, ticking ------------------------------------------------------------

    def _host_name(self) -> str:
        # socket.getfqdn() may ask DNS: only ever called in a worker, and only once
        if self._host is None:
            import os
            import socket

            self._host = os.environ.get(wt.HOST_ENV) or socket.getfqdn()
        return self._host

    def _loaded(self, progress: wt.Progress) -> WalkthroughView:
        return WalkthroughView(progress, self._render_context(progress),
                       wt.backup_warning(self.context.repository, self.practice.id))

    def _render_context(self, progress: wt.Progress) -> wt.RenderContext:
        config = self.context.config
        return wt.make_context(self.practice, self.context.repository, inbox=config.inbox,
                               thresholds=config.thresholds, host=self._host_name(),
                               user=self.context.actor.user, progress=progress)

    @work(thread=True, exit_on_error=False, group="walkthrough-load",
          description="load walkthrough")  # untranslated: a worker's name (log)
    def _load(self, kind: str, *, start: bool) -> None:
        post_outcome(self, WalkthroughLoaded, lambda: self._open_progress(kind, start=start))

    def _open_progress(self, kind: str, *, start: bool) -> WalkthroughView:
        repository = self.context.repository
        now = self.context.clock.now()
        with self._lock:
            if start:
                before = wt.load(repository, self.practice.id, kind)
                progress = wt.start(repository, self.practice.id, kind,
                                    actor=self.context.actor, now=now)
                if before is None or before.started_at != progress.started_at:
                    self.changed = True
            else:
                # None: restarted elsewhere meanwhile
                progress = wt.load(repository, self.practice.id, kind) or wt.start(
                    repository, self.practice.id, kind, actor=self.context.actor, now=now)
            refreshed = wt.refresh_automatic(repository, self.practice.id, kind, now,
                                             actor=self.context.actor,
                                             deploy_targets=self.practice.deploy)
            if refreshed is not None:
                if refreshed.done_count != progress.done_count:
                    self.changed = True
                progress = refreshed
            return self._loaded(progress)

    @work(thread=True, exit_on_error=False, group="walkthrough-tick",
          description="tick a walkthrough step")  # untranslated: a worker's name (log)
    def _tick(self, kind: str, step_key: str, done: bool | None, note: str | None) -> None:
        """Tick (``done``) or change the note (``done=None``) of a step."""
        post_outcome(self, WalkthroughLoaded,
                     lambda: self._tick_step(kind, step_key, done, note))

    def _tick_step(self, kind: str, step_key: str, done: bool | None,
                   note: str | None) -> WalkthroughView:
        repository = self.context.repository
        now = self.context.clock.now()
        actor = self.context.actor
        with self._lock:
            if done is None:
                progress = wt.set_note(repository, self.practice.id, kind, step_key,
                                       note or "", actor=actor, now=now)
            else:
                progress = wt.tick(repository, self.practice.id, kind, step_key, done=done,
                                   actor=actor, now=now)
            self.changed = True
            progress = wt.refresh_automatic(repository, self.practice.id, kind, now,
                                            actor=actor,
                                            deploy_targets=self.practice.deploy) or progress
            return self._loaded(progress)

    @work(thread=True, exit_on_error=False, group="walkthrough-export",
          description="export walkthrough record")  # untranslated: a worker's name (log)
    def _export(self, kind: str) -> None:
        def export() -> Path:
            with self._lock:
                now = self.context.clock.now()
                record = wt.export_record(self.context.repository, self.practice, kind, now,
                                          thresholds=self.context.config.thresholds)
                return wt.write_record(self._export_directory(), self.practice.id, kind, now,
                                       record)

        post_outcome(self, WalkthroughExported, export)

    def _export_directory(self) -> Path:
        """The inbox: on this server, where the admin already copies files to and from.
        The backup target when there is no inbox directory."""
        config = self.context.config
        for candidate in (config.inbox, config.backup_target):
            if candidate is not None and Path(candidate).is_dir():
                return Path(candidate)
        raise VecozoError(_("Cannot write the record: the inbox {inbox} does not exist. "
                            "Create it (mkdir -p) and export again.").format(
            inbox=config.inbox))

    def _work_failed(self, error: Exception | None) -> None:
        text = str(error) if isinstance(error, VecozoError | OSError) else \
            _("Unexpected problem ({kind}): {error}").format(kind=type(error).__name__,
                                                           error=error)
        self._show_error(text)

    @on(WalkthroughExported)
    def _exported(self, message: WalkthroughExported) -> None:
        if message.result is None:
            self._work_failed(message.error)
            return
        self.last_export = message.result
        self._show_error(None)
        context = self.render_context
        host = context.host if context else "this-server"
        where = wt.remote_path(str(message.result), context.home if context else "")
        # a toast would break the path over lines: the command is in the status line, whole
        self.notify(_("Record written: {name}").format(name=message.result.name),
                    title=_("Exported"), timeout=5)
        self._show_status(extra=_("Record written to {path}. To fetch it:").format(
            path=message.result) + f"\nscp {self.context.actor.user}@{host}:{where} .")

    @on(WalkthroughLoaded)
    def _walkthrough_loaded(self, message: WalkthroughLoaded) -> None:
        if message.result is None:
            self._work_failed(message.error)
            return
        loaded = message.result
        if loaded.progress.kind == self.kind:
            self._show_error(None)
            self._show(loaded)

    def _show_error(self, text: str | None) -> None:
        label = self.query_one("#wt-error", Static)
        label.update(Content.assemble((_("Problem:") + " ", "bold"), text) if text else "")
        label.set_class(bool(text), "shown")

    # --- showing ---------------------------------------------------------------------

    def _show(self, loaded: WalkthroughView) -> None:
        previous = self.progress
        if (previous is not None and previous.kind == loaded.progress.kind
                and previous.to_dict() == loaded.progress.to_dict()
                and self.backup_warning == loaded.backup_warning
                and self.render_context == loaded.render):
            return  # nothing new (a poll, a resume): keep the reader's place in the text
        self.progress = loaded.progress
        self.render_context = loaded.render
        self.backup_warning = loaded.backup_warning
        steps = self.query_one("#wt-steps", OptionList)
        walkthrough = loaded.progress.walkthrough
        keep = self._selected_key
        options = [Option(self._step_prompt(number, step), id=step.key)
                   for number, step in enumerate(walkthrough.steps, 1)]
        steps.set_options(options)
        progress = loaded.progress
        if keep is None or keep not in walkthrough_keys(walkthrough):
            # first show: the first open step (or the last one when all are done)
            following = progress.next_step
            keep = following.key if following else walkthrough.steps[-1].key
        elif previous is not None and not previous.is_done(keep) and progress.is_done(keep):
            # the highlighted step just got done: on to the next open one after it
            keep = next_open_after(progress, keep) or keep
        steps.highlighted = walkthrough.index(keep)
        self._selected_key = keep
        self._show_status()
        self._show_text()
        self.refresh_bindings()

    def _step_prompt(self, number: int, step: wt.Step) -> Content:
        assert self.progress is not None
        state = self.progress.state(step.key)
        mark = ("[x]", "bold $success") if state.done else ("[ ]", "")
        tail = []
        if step.check:
            tail.append(_("auto"))
        if state.note:
            tail.append(_("note"))
        if step.check == wt.CHECK_VERIFIED_BACKUP and state.done and self.backup_warning:
            tail.append(_("SAME DISK"))
        suffix = f"  ({', '.join(tail)})" if tail else ""
        return Content.assemble(mark, f" {number:>2}. ", step.title, (suffix, "italic"))

    def _show_status(self, extra: str | None = None) -> None:
        progress = self.progress
        if progress is None:
            return
        kind, done, total = kind_label(progress.kind), progress.done_count, progress.total
        if progress.finished_at:
            text = _("{kind}: {done} of {total} done, finished {date} - press e to "
                     "export").format(kind=kind, done=done, total=total,
                                      date=short_date(progress.finished_at))
        else:
            text = _("{kind}: {done} of {total} done; {state}").format(
                kind=kind, done=done, total=total,
                state=wt.state_text(progress).split(",")[0])
        if extra:
            text = extra
        self.query_one("#wt-status", Static).update(Content(text))

    def _current_step(self) -> wt.Step | None:
        if self.progress is None or self._selected_key is None:
            return None
        return self.progress.walkthrough.step(self._selected_key)

    def _show_text(self) -> None:
        step = self._current_step()
        body = self.query_one("#wt-body", Static)
        if step is None or self.progress is None or self.render_context is None:
            body.update("")
            return
        walkthrough = self.progress.walkthrough
        number = walkthrough.index(step.key) + 1
        state = self.progress.state(step.key)
        container = self.query_one("#wt-text", VerticalScroll)
        if container.content_region.width <= 0:  # not laid out yet: once it is
            self.call_after_refresh(self._show_text)
            return
        # leave room for the scroll bar, which appears only once the text is long
        width = max(30, container.content_region.width
                    - container.styles.scrollbar_size_vertical - 1)
        parts: list[Content | str | tuple[str, str]] = [
            (_("Step {number} of {total}: {title}").format(
                number=number, total=len(walkthrough.steps), title=step.title), "bold"), "\n"]
        if state.done:
            who = _("checked automatically") if state.automatic else _("by {user}").format(
                user=state.by or "?")
            when = local_time(state.at, self.context.clock.now()) if state.at else ""
            parts += [(_("DONE"), "bold $success"), f" {when} {who}", "\n"]
        elif step.check:
            parts += [(_("OPEN"), "bold $warning"),
                      " - " + _("{hint} (or press space)").format(hint=_(CHECK_HINTS[step.check])),
                      "\n"]
        else:
            parts += [(_("OPEN"), "bold $warning"), " - " + _("press space when it is done"),
                      "\n"]
        # the body does not wrap (commands must not): these lines are flowed here
        if step.check == wt.CHECK_VERIFIED_BACKUP and state.done and self.backup_warning:
            label = _("WARNING:") + " "
            parts += [(label, "bold $warning"),
                      _flowed(self.backup_warning, width, len(label)), "\n"]
        if state.note:
            label = pgettext("the user's note on a step", "Note:") + " "
            parts += [(label, "bold"), _flowed(state.note, width, len(label)), "\n"]
        parts += ["\n", wt.render_step(step, self.render_context, width=width)]
        body.update(Content.assemble(*parts))
        self.query_one("#wt-text", VerticalScroll).scroll_home(animate=False)

    def on_resize(self) -> None:
        self._show_text()

    @on(OptionList.OptionHighlighted, "#wt-steps")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self._selected_key:
            self._selected_key = event.option.id
            self._show_text()
            self.refresh_bindings()

    # --- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        checklist = self.kind is not None and self.progress is not None
        if action in ("tick", "note", "export", "choose", "scroll_text", "zoom"):
            return checklist
        if action == "restart":
            return checklist
        step = self._current_step()
        if action == "backup":
            return checklist and step is not None and step.check == wt.CHECK_VERIFIED_BACKUP
        if action == "test_call":
            return checklist and step is not None and step.check == wt.CHECK_TEST_CALL
        if action == "import":
            return checklist and step is not None and step.check == wt.CHECK_IMPORTED_NEWER
        if action == "deploy":
            return checklist and step is not None and step.check == wt.CHECK_DEPLOYED
        return True

    def action_back(self) -> None:
        self.dismiss(self.changed)

    def action_choose(self) -> None:
        self._zoom(False)
        self._show_chooser()

    def action_zoom(self) -> None:
        self._zoom(not self.has_class("-zoomed"))

    def _zoom(self, on: bool) -> None:
        """The step's text on the whole screen (Up/Down scroll it), or the list back."""
        self.set_class(on, "-zoomed")
        if self.kind is not None:
            self.query_one("#wt-text" if on else "#wt-steps").focus()
        self.call_after_refresh(self._show_text)

    def action_tick(self) -> None:
        step = self._current_step()
        if step is None or self.progress is None or self.kind is None:
            return
        if any(w.group == "walkthrough-tick" and w.is_running for w in self.workers):
            return  # a second quick press would read the state before the first one's tick
        self._tick(self.kind, step.key, not self.progress.is_done(step.key), None)

    def action_note(self) -> None:
        step = self._current_step()
        if step is None or self.progress is None or self.kind is None:
            return
        kind, progress = self.kind, self.progress

        def save(note: str | None) -> None:
            if note is not None and note != (progress.state(step.key).note or ""):
                self._tick(kind, step.key, None, note)

        self.app.push_screen(NoteScreen(step.title, self.progress.state(step.key).note), save)

    def action_export(self) -> None:
        if self.kind is not None:
            self._export(self.kind)

    def action_restart(self) -> None:
        if self.kind is None or self.progress is None:
            return
        kind, progress = self.kind, self.progress

        def answered(yes: bool | None) -> None:
            if yes:
                self._restart(kind)

        from vecozo_tui.tui.screens.confirm import ConfirmScreen

        names = {"title": progress.walkthrough.title, "done": progress.done_count,
                 "total": progress.total}
        if progress.finished_at:
            body = _("{title}: {done} of {total} steps done (finished {date}). Its record "
                     "stays in the repository; the new one starts with no step done.").format(
                date=short_date(progress.finished_at), **names)
        else:
            body = _("{title}: {done} of {total} steps done. Its record stays in the "
                     "repository; the new one starts with no step done.").format(**names)
        self.app.push_screen(ConfirmScreen(
            _("Start this walkthrough again?"), body,
            _("y: start again   n: keep it as it is")), answered)

    @work(thread=True, exit_on_error=False, group="walkthrough-load",
          description="restart walkthrough")  # untranslated: a worker's name (log)
    def _restart(self, kind: str) -> WalkthroughView:
        with self._lock:
            progress = wt.start(self.context.repository, self.practice.id, kind,
                                actor=self.context.actor, now=self.context.clock.now(),
                                restart=True)
            self.changed = True
            return self._loaded(progress)

    def action_scroll_text(self, direction: int) -> None:
        text = self.query_one("#wt-text", VerticalScroll)
        if direction > 0:
            text.scroll_page_down()
        else:
            text.scroll_page_up()

    def refresh_data(self) -> None:
        """Called by the app after another screen changed the repository."""
        if self.kind is not None and self.progress is not None:
            self._load(self.kind, start=False)
        elif self.kind is None:
            self._fill_chooser()


def _flowed(text: str, width: int, first_indent: int) -> str:
    """``text`` wrapped to ``width`` columns, its first line after a label of
    ``first_indent`` columns."""
    import textwrap

    lines = textwrap.wrap(" " * first_indent + text, width, break_on_hyphens=False)
    return "\n".join(lines)[first_indent:] if lines else ""


def walkthrough_keys(walkthrough: wt.Walkthrough) -> list[str]:
    return [step.key for step in walkthrough.steps]


def next_open_after(progress: wt.Progress, key: str) -> str | None:
    """The first open step after ``key``, else the first open one; None when all are done."""
    keys = walkthrough_keys(progress.walkthrough)
    index = keys.index(key)
    for candidate in keys[index + 1:] + keys[:index]:
        if not progress.is_done(candidate):
            return candidate
    return None


