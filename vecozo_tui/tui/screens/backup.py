"""A verified backup of a practice's active certificate, on another medium.

Thin front over :func:`vecozo_tui.backup.make_backup`: the form gathers the
target, the password and the options; the backup (decrypt, re-encrypt, write,
read back, compare, record) runs in a thread worker. Problems are shown under
the form and the fields keep their values, so a retry never means retyping the
target. The passwords are cleared from the form once the backup is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Checkbox, Header, Input, Label, Static

from vecozo_tui.errors import VecozoError, WrongPasswordError
from vecozo_tui.i18n import N_, _
from vecozo_tui.tui.base import PracticeScreen
from vecozo_tui.tui.messages import BackupWritten, post_outcome
from vecozo_tui.tui.widgets import KeysFooter

if TYPE_CHECKING:
    from vecozo_tui.backup import BackupResult
    from vecozo_tui.tui.context import AppContext

LEGACY_LABEL = N_("3DES for older Windows (Server 2016 and earlier)")


class WordCheckbox(Checkbox):
    """A one-line checkbox that shows its state as [x] / [ ], not only in colour
    (compact checkboxes show the same X for on and off: unreadable with NO_COLOR)."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.assemble("[", ("x" if self.value else " ", style), "]")


class BackupScreen(PracticeScreen[bool]):
    """Back up the active certificate of one practice."""

    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="backup.back",
                tooltip=N_("Back to where you came from")),
        Binding("f2", "write", N_("Write backup"), id="backup.write",
                tooltip=N_("Write, read back and verify the backup (Enter in a field too)")),
        Binding("a", "again", N_("Another backup"), id="backup.again",
                tooltip=N_("Back to the form for another backup")),
    ]

    def __init__(self, context: AppContext, practice_id: str) -> None:
        super().__init__(context, practice_id)
        self.practice = context.practice(practice_id)
        self.changed = False
        self.result: BackupResult | None = None
        self._busy = False
        self._has_certificate = True

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        target = self.context.config.backup_target
        yield Header(show_clock=False)
        yield Static("", id="bk-info")
        with Vertical(id="bk-form"):
            with Horizontal(classes="row"):
                yield Label(_("Target directory"))
                yield Input(value=str(target) if target else "", placeholder="/media/usb",
                            compact=True, id="bk-target")
            with Horizontal(classes="row"):
                yield Label(_("Password"))
                yield Input(password=True, compact=True, id="bk-password",
                            placeholder=_("the password given at the import"))
            yield WordCheckbox(_(LEGACY_LABEL), compact=True, id="bk-legacy")
            yield WordCheckbox(_("Also the earlier certificates (history)"), compact=True,
                               id="bk-history")
            yield WordCheckbox(_("Protect the backup with a new password"), compact=True,
                               id="bk-new")
            with Vertical(id="bk-new-passwords"):
                with Horizontal(classes="row"):
                    yield Label(_("New password"))
                    yield Input(password=True, compact=True, id="bk-new-password")
                with Horizontal(classes="row"):
                    yield Label(_("New, again"))
                    yield Input(password=True, compact=True, id="bk-new-password-again")
            with Horizontal(id="bk-buttons"):
                yield Button(_("Write backup"), id="bk-write", variant="primary",
                             compact=True)
        yield Static("", id="bk-status")
        yield Static("", id="bk-error")
        with VerticalScroll(id="bk-result"):
            yield Static("", id="bk-warning")
            yield Static("", id="bk-result-text")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.title = _("Backup")
        self.sub_title = f"{self.practice.name} ({self.practice.id})"
        self._show_info()
        field = "#bk-password" if self.query_one("#bk-target", Input).value else "#bk-target"
        self.query_one(field, Input).focus()

    def _show_info(self) -> None:
        from vecozo_tui.textfmt import ago, local_date, local_time, short_fingerprint

        repository = self.context.repository
        active = repository.active(self.practice.id)
        info = self.query_one("#bk-info", Static)
        if active is None:
            self._has_certificate = False
            info.update(Content.assemble(
                (_("No active certificate"), "bold"),
                ": " + _("import one for {id} first; there is nothing to back up.").format(
                    id=self.practice.id)))
            self.query_one("#bk-form").disabled = True
            self.refresh_bindings()
            return
        last = repository.events(self.practice.id).last_backup
        now = self.context.clock.now()
        if last is None:
            last_text: tuple[str, str] | str = (_("none yet"), "bold $warning")
        elif last.sha256 != active.info.sha256:
            last_text = (_("none of this certificate (only of an earlier one)"),
                         "bold $warning")
        else:
            names = {"time": local_time(last.at, now), "ago": ago(last.at, now),
                     "target": last.target}
            last_text = (_("{time} ({ago}) in {target}").format(**names) if last.verified
                         else _("{time} ({ago}) in {target}, NOT verified").format(**names))
        before, _date, after = _("Active certificate valid until {date}, SHA-256 "
                                 "{fingerprint}").partition("{date}")
        info.update(Content.assemble(
            before, (local_date(active.info.not_after, now), "bold"),
            after.format(fingerprint=short_fingerprint(active.info.sha256)), "\n",
            _("Last verified backup:") + " ", last_text, "\n",
            (_("Another medium: a USB stick, a network drive or another computer."),
             "italic")))

    # --- the form --------------------------------------------------------------------

    @on(Checkbox.Changed, "#bk-new")
    def _toggle_new(self, event: Checkbox.Changed) -> None:
        self.query_one("#bk-new-passwords").set_class(event.value, "shown")
        if event.value:
            self.query_one("#bk-new-password", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_write()

    @on(Button.Pressed, "#bk-write")
    def _pressed(self) -> None:
        self.action_write()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        showing_result = self.query_one("#bk-result").has_class("shown")
        if action == "write":
            if showing_result or not self._has_certificate:
                return False
            return not self._busy or None
        if action == "again":
            return showing_result
        return True

    def action_back(self) -> None:
        if self._busy:
            self.notify(_("The backup is still being written and verified; wait a moment."),
                        severity="warning")
            return
        self.dismiss(self.changed)

    def action_again(self) -> None:
        self.query_one("#bk-result").remove_class("shown")
        self.query_one("#bk-form").display = True
        self.query_one("#bk-status", Static).update("")
        self._show_info()
        self.query_one("#bk-password", Input).focus()
        self.refresh_bindings()

    def action_write(self) -> None:
        if self._busy or not self._has_certificate:
            return
        target = self.query_one("#bk-target", Input).value.strip()
        password = self.query_one("#bk-password", Input).value
        new_password: str | None = None
        if not target:
            self._error(_("Type the target directory: a USB stick or network drive, e.g. "
                          "/media/usb."), "#bk-target")
            return
        if not password:
            self._error(_("Type the password of the stored certificate (the one given at "
                          "the import)."), "#bk-password")
            return
        if self.query_one("#bk-new", Checkbox).value:
            new_password = self.query_one("#bk-new-password", Input).value
            again = self.query_one("#bk-new-password-again", Input).value
            if not new_password:
                self._error(_("Type the new password (twice), or untick '{option}'.").format(
                    option=_("Protect the backup with a new password")), "#bk-new-password")
                return
            if new_password != again:
                self.query_one("#bk-new-password-again", Input).value = ""
                self._error(_("The two new passwords differ; type the second one again."),
                            "#bk-new-password-again")
                return
        self._error(None)
        self._busy = True
        self.query_one("#bk-write", Button).disabled = True
        self.query_one("#bk-status", Static).update(
            _("Writing the backup, reading it back and comparing fingerprints..."))
        self.refresh_bindings()
        self._run_backup(target, password, new_password,
                         self.query_one("#bk-legacy", Checkbox).value,
                         self.query_one("#bk-history", Checkbox).value)

    def _error(self, text: str | None, focus: str | None = None) -> None:
        label = self.query_one("#bk-error", Static)
        label.update(Content.assemble((_("Problem:") + " ", "bold"), text) if text else "")
        label.set_class(bool(text), "shown")
        if focus:
            self.query_one(focus, Input).focus()

    # --- the work --------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="backup",
          description="write a verified backup")  # untranslated: a worker's name (log)
    def _run_backup(self, target: str, password: str, new_password: str | None, legacy: bool,
                    with_history: bool) -> None:
        from vecozo_tui.backup import make_backup

        post_outcome(self, BackupWritten, lambda: make_backup(
            self.context.repository, self.practice.id, Path(target).expanduser(), password,
            new_password=new_password, legacy=legacy, with_history=with_history,
            actor=self.context.actor, now=self.context.clock.now(), agb=self.practice.agb))

    @on(BackupWritten)
    def _backup_written(self, message: BackupWritten) -> None:
        self._busy = False
        self.query_one("#bk-write", Button).disabled = False
        self.query_one("#bk-status", Static).update("")
        if message.result is None:
            error = message.error
            if isinstance(error, WrongPasswordError):
                self.query_one("#bk-password", Input).value = ""
                self._error(str(error), "#bk-password")
            elif isinstance(error, VecozoError):
                self._error(_("{problem} Fix it and press Enter again; the form keeps what "
                              "you typed.").format(problem=error), "#bk-target")
            else:
                self._error(_("Unexpected problem ({kind}): {error}").format(
                    kind=type(error).__name__, error=error))
            self.refresh_bindings()
            return
        self.changed = True
        self._show_result(message.result)

    def _show_result(self, result: BackupResult) -> None:
        from vecozo_tui.textfmt import fingerprint, short_date

        self.result = result
        for field in ("#bk-password", "#bk-new-password", "#bk-new-password-again"):
            self.query_one(field, Input).value = ""
        new_password = self.query_one("#bk-new", Checkbox).value
        lines: list[Content | str | tuple[str, str]] = [
            (_("VERIFIED"), "bold $success"),
            ": " + _("written, read back and compared (certificate, chain and private key)."),
            "\n", _("Target: {target}").format(target=result.target), "\n"]
        for entry in result.entries:
            lines += ["\n", (entry.path.name, "bold"),
                      "  " + (_("(active)") if entry.active else _("(earlier)")), "\n",
                      "  " + _("valid until {date}").format(date=short_date(entry.not_after)),
                      "\n",
                      f"  SHA-256 {fingerprint(entry.sha256[:32])}", "\n",
                      f"          {fingerprint(entry.sha256[32:])}", "\n"]
        lines += ["\n", _("Encryption: {encryption}").format(encryption=result.encryption_words),
                  "\n",
                  _("Password: the new one you set; keep it apart from the file.")
                  if new_password else
                  _("Password: the same as the stored certificate's; keep it apart from the "
                    "file."), "\n"]
        others = [w for i, w in enumerate(result.warnings)
                  if not (result.same_device and i == 0)]
        for warning in others:
            lines += [(_("Note:") + " ", "bold $warning"), warning, "\n"]
        self.query_one("#bk-result-text", Static).update(Content.assemble(*lines))
        same_disk = self.query_one("#bk-warning", Static)
        if result.same_device and result.warnings:
            same_disk.update(Content.assemble((_("WARNING - SAME DISK:") + " ", "bold"),
                                              result.warnings[0]))
            same_disk.add_class("shown")
        else:
            same_disk.remove_class("shown")
        self.query_one("#bk-form").display = False
        self.query_one("#bk-result").add_class("shown")
        self.query_one("#bk-result", VerticalScroll).focus()
        self._show_info()
        self.refresh_bindings()
