"""Deploy the active certificate to the practice software: its deploy targets.

Thin front over :func:`vecozo_tui.deploy.deploy`: the screen shows what would be written
and run (:func:`vecozo_tui.deploy.plan`, no password needed), asks the password of the
stored certificate, and deploys in a thread worker. The outcome of each target (written
and verified, the hook's exit code and last lines) is shown below; the password field is
emptied as soon as it is read, so a retry means typing it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Header, Input, Label, Static

from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import N_, _, ngettext
from vecozo_tui.tui.base import PracticeScreen
from vecozo_tui.tui.messages import Deployed, post_outcome
from vecozo_tui.tui.widgets import KeysFooter

if TYPE_CHECKING:
    from vecozo_tui.deploy import DeployReport
    from vecozo_tui.tui.context import AppContext


def no_targets_text(practice) -> str:  # noqa: ANN001 - Practice
    if practice.deploy_target:
        return _("{id} has no deploy targets. The configuration notes: {noted}. Add a "
                 "[[practices.deploy]] block with the path the practice software reads "
                 "(config.example.toml shows how).").format(id=practice.id,
                                                           noted=practice.deploy_target)
    return _("{id} has no deploy targets. Add a [[practices.deploy]] block with the path the "
             "practice software reads (config.example.toml shows how).").format(
        id=practice.id)


class DeployScreen(PracticeScreen[bool]):
    """Deploy one practice's active certificate to its targets."""

    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="deploy.back",
                tooltip=N_("Back to where you came from")),
        Binding("f2", "run_deploy", N_("Deploy"), id="deploy.run",
                tooltip=N_("Write, verify and run the hook at every target (Enter in the "
                           "password field too)")),
    ]

    def __init__(self, context: AppContext, practice_id: str) -> None:
        super().__init__(context, practice_id)
        self.practice = context.practice(practice_id)
        self.changed = False
        self._busy = False
        self._possible = True

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="dp-body"):
            yield Static("", id="dp-plan")
            with Horizontal(id="dp-form"):
                yield Label(_("Password"))
                yield Input(password=True, compact=True, id="dp-password",
                            placeholder=_("of the stored certificate (given at the import)"))
            yield Static("", id="dp-error")
            yield Static("", id="dp-status")
            yield Static("", id="dp-result")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.title = _("Deploy")
        self.sub_title = f"{self.practice.name} ({self.practice.id})"
        self._show_plan()
        self.query_one("#dp-password", Input).focus()

    def refresh_data(self) -> None:
        self._show_plan()

    def _show_plan(self) -> None:
        from vecozo_tui.deploy import plan

        plan_text = self.query_one("#dp-plan", Static)
        if not self.practice.deploy:
            self._possible = False
            plan_text.update(Content(no_targets_text(self.practice)))
        else:
            try:
                plans = plan(self.context.repository, self.practice)
            except VecozoError as error:  # no active certificate
                self._possible = False
                plan_text.update(Content(str(error)))
            else:
                lines = [_("Put the active certificate where the practice software reads "
                           "it; the file gets the password of the stored certificate:"), ""]
                for entry in plans:
                    lines += entry.lines()
                plan_text.update(Content("\n".join(lines)))
        self.query_one("#dp-form").display = self._possible
        self.refresh_bindings()

    # --- the form --------------------------------------------------------------------

    @on(Input.Submitted, "#dp-password")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run_deploy()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run_deploy":
            if not self._possible:
                return False
            return not self._busy or None
        return True

    def action_back(self) -> None:
        if self._busy:
            self.notify(_("Still deploying; wait a moment."), severity="warning")
            return
        self.dismiss(self.changed)

    def action_run_deploy(self) -> None:
        if self._busy or not self._possible:
            return
        field = self.query_one("#dp-password", Input)
        password = field.value
        field.value = ""  # not kept in the widget any longer than this
        if not password:
            self._error(_("Type the password of the stored certificate (the one given at "
                          "the import)."))
            return
        self._error(None)
        self._busy = True
        field.disabled = True
        self.query_one("#dp-status", Static).update(
            _("Writing, reading back and verifying, then running the hooks..."))
        self.query_one("#dp-result", Static).update("")
        self.refresh_bindings()
        self._deploy(password)

    def _error(self, text: str | None) -> None:
        label = self.query_one("#dp-error", Static)
        label.update(Content.assemble((_("Problem:") + " ", "bold"), text) if text else "")
        label.set_class(bool(text), "shown")

    # --- the work --------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="deploy",
          description="deploy to the practice software")  # untranslated: a worker's name
    def _deploy(self, password: str) -> None:
        from vecozo_tui.deploy import deploy

        context = self.context
        post_outcome(self, Deployed, lambda: deploy(
            context.repository, self.practice, password, actor=context.actor,
            now=context.clock.now()))

    @on(Deployed)
    def _deployed(self, message: Deployed) -> None:
        self._busy = False
        field = self.query_one("#dp-password", Input)
        field.disabled = False
        self.query_one("#dp-status", Static).update("")
        if message.result is None:
            error = message.error
            if isinstance(error, VecozoError):  # a wrong password among them
                self._error(str(error))
            else:
                self._error(_("Unexpected problem ({kind}): {error}").format(
                    kind=type(error).__name__, error=error))
            field.focus()
            self.refresh_bindings()
            return
        self.changed = True
        self.query_one("#dp-result", Static).update(report_content(message.result))
        self._show_plan()
        self.refresh_bindings()


def report_content(report: DeployReport) -> Content:
    """The outcome of a deploy, one block per target, for the deploy and import screens."""
    parts: list[Content | str | tuple[str, str]] = []
    if report.ok:
        parts += [(_("DEPLOYED"), "bold $success"),
                  ": " + _("every target holds the certificate, verified."), "\n"]
    else:
        failed = sum(1 for outcome in report.outcomes if not outcome.ok)
        count = len(report.outcomes)
        parts += [(_("DEPLOY FAILED"), "bold $error"),
                  " " + ngettext("at {failed} of {count} target; the active certificate "
                                 "stays as it is. Fix it and deploy again (d).",
                                 "at {failed} of {count} targets; the active certificate "
                                 "stays as it is. Fix it and deploy again (d).",
                                 count).format(failed=failed, count=count), "\n"]
    for outcome in report.outcomes:
        lines = outcome.lines()
        parts += ["\n", (lines[0], "bold" if outcome.ok else "bold $error"), "\n",
                  "\n".join(lines[1:]), "\n"]
    return Content.assemble(*parts)
