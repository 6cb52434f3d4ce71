"""The test COV call of one practice: password, test person, and the checks lighting up.

A thin front over :func:`vecozo_tui.cov.testcall.run_test`: the form gathers the
certificate password and the person asked about (VECOZO's test person is filled in for
acceptance and test; production needs a real patient's BSN and date of birth, which are
masked, never stored, and cleared from the form after the call). The call runs in a
thread worker; every decided check is posted back as a typed message so the list
lights up while the call is under way. The outcome is recorded with the practice by
the core, so the dashboard shows it after Escape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Header, Input, Label, Static

from vecozo_tui.errors import VecozoError, WrongPasswordError
from vecozo_tui.i18n import N_, _
from vecozo_tui.textfmt import short_date
from vecozo_tui.tui.base import PracticeScreen
from vecozo_tui.tui.messages import TestCallDone, TestCallStepDecided, post_outcome
from vecozo_tui.tui.widgets import KeysFooter

if TYPE_CHECKING:
    from vecozo_tui.cov.deadline import Cancellation
    from vecozo_tui.cov.diagnosis import Diagnosis, Step, TestPerson
    from vecozo_tui.tui.context import AppContext

# (mark, style) per state; the words carry the meaning without colour (NO_COLOR)
MARKS = {
    "passed": (N_("PASS"), "bold $success"),
    "failed": (N_("FAIL"), "bold $error"),
    "not reached": ("----", "$text-muted"),  # untranslated: a state key
    "running": ("... ", "bold $warning"),
    "waiting": ("    ", ""),
}
# the environment as the screen names it (the config keeps the English key)
ENVIRONMENT_WORDS = {"production": N_("production"), "acceptance": N_("acceptance"),
                     "test": N_("test")}


def environment_word(environment: str) -> str:
    return _(ENVIRONMENT_WORDS[environment]) if environment in ENVIRONMENT_WORDS \
        else environment


def _written_date(text: str) -> str:
    """The configured test person's date of birth as this language writes dates
    (1962-03-15, 15-03-1962); as configured when it cannot be read."""
    from vecozo_tui.cov.testcall import parse_birth_date

    try:
        return short_date(parse_birth_date(text))
    except VecozoError:
        return text


class TestCallScreen(PracticeScreen[bool]):
    """Prove the practice's certificate works: a test COV call, step by step."""

    __test__ = False  # not a pytest test class

    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="test_call.back",
                tooltip=N_("Back to where you came from")),
        Binding("f5", "run", N_("Run test"), id="test_call.run",
                tooltip=N_("Make the test COV call (Enter in a field too)")),
    ]

    def __init__(self, context: AppContext, practice_id: str) -> None:
        super().__init__(context, practice_id)
        self.practice = context.practice(practice_id)
        self.changed = False
        self.diagnosis: Diagnosis | None = None
        self.progress: list[tuple[str, str]] = []  # (step, state) as they arrived
        self._busy = False
        self._has_certificate = True
        self._cancellation: Cancellation | None = None  # of the call under way

    @property
    def production(self) -> bool:
        from vecozo_tui.cov.testcall import needs_real_person

        return needs_real_person(self.practice)

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from vecozo_tui.cov.diagnosis import STEPS

        cov = self.context.config.cov
        production = self.production
        yield Header(show_clock=False)
        yield Static("", id="tc-info")
        with Vertical(id="tc-form"):
            with Horizontal(classes="row"):
                yield Label(_("Password"))
                yield Input(password=True, compact=True, id="tc-password",
                            placeholder=_("the password given at the import"))
            with Horizontal(classes="row"):
                yield Label("BSN")
                yield Input(value="" if production else cov.test_bsn, password=production,
                            compact=True, id="tc-bsn", max_length=9, restrict=r"[0-9]*",
                            placeholder=_("a patient's BSN (not stored)") if production
                            else "")
            with Horizontal(classes="row"):
                yield Label(_("Date of birth"))
                # DD-MM-YYYY or YYYY-MM-DD, in either language (cov.testcall.parse_birth_date)
                yield Input(value="" if production else _written_date(cov.test_birth_date),
                            compact=True,
                            id="tc-birth", max_length=10, placeholder=_("DD-MM-YYYY"))
            yield Static("", id="tc-hint")
        yield Static("", id="tc-error")
        with Vertical(id="tc-checks"):
            for key, _step_title in STEPS:
                yield Static("", id=f"tc-step-{key}", classes="check")
        with VerticalScroll(id="tc-result"):
            yield Static("", id="tc-result-text")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.title = _("Test COV call")
        self.sub_title = f"{self.practice.name} ({self.practice.id})"
        self._show_info()
        self._reset_checks()
        self.query_one("#tc-password", Input).focus()

    def _show_info(self) -> None:
        from vecozo_tui.cov.testcall import endpoint_for

        practice = self.practice
        info = self.query_one("#tc-info", Static)
        active = self.context.repository.active(practice.id)
        try:
            endpoint = endpoint_for(self.context.config, practice)
        except VecozoError as error:
            endpoint = str(error)
        parts: list[Content | str | tuple[str, str]] = [
            (environment_word(practice.environment), "bold"), f"  {endpoint}", "\n"]
        if active is None:
            self._has_certificate = False
            parts += [(_("No active certificate"), "bold $error"),
                      ": " + _("import one for {id} first (key i on the dashboard).").format(
                          id=practice.id)]
            self.query_one("#tc-form").disabled = True
        else:
            # the certificate's name in bold inside the sentence
            before, _name, after = _("Certificate {name}, valid until {date}").partition(
                "{name}")
            parts += [before, (active.info.common_name, "bold"),
                      after.format(date=short_date(active.info.not_after))]
            if active.info.kind == "personal":
                parts += ["\n", (_("Personal certificate:") + " ", "bold $warning"),
                          _("COV needs the practice's system certificate.")]
            elif active.info.not_after <= self.context.clock.now():
                parts += ["\n", (_("Expired:") + " ", "bold $warning"),
                          _("the server will refuse it.")]
        info.update(Content.assemble(*parts))
        hint = self.query_one("#tc-hint", Static)
        if self.production and self.context.demo is not None:
            from vecozo_tui.demo import DEMO_TEST_PERSON

            bsn, birth = DEMO_TEST_PERSON
            hint.update(_("Production (demo): the local COV server knows the test person "
                          "BSN {bsn}, born {birth}. Neither is stored or logged.").format(
                bsn=bsn, birth=birth))
        elif self.production:
            hint.update(_("Production: a real patient's BSN and date of birth are needed. "
                          "The BSN is masked; neither is stored or logged."))
        else:
            hint.update(_("{environment}: VECOZO's test person is filled in. Enter runs the "
                          "test.").format(
                environment=environment_word(practice.environment).capitalize()))
        self.refresh_bindings()

    # --- the check list --------------------------------------------------------------

    def _reset_checks(self, running: bool = False) -> None:
        from vecozo_tui.cov.diagnosis import STEPS

        for index, (key, title) in enumerate(STEPS):
            state = "running" if running and index == 0 else "waiting"
            self._show_check(key, title, state, "")
        self.query_one("#tc-result-text", Static).update("")

    def _show_check(self, key: str, title: str, state: str, detail: str) -> None:
        from vecozo_tui.cov.diagnosis import STEPS

        mark, style = MARKS[state]
        if state == "running":
            detail = _("checking...")
        elif state == "not reached":  # untranslated: a state key
            detail = _("not reached")
        # the details start in one column: after the longest title, in this language
        width = max(len(_(step_title)) for _key, step_title in STEPS) + 2
        self.query_one(f"#tc-step-{key}", Static).update(Content.assemble(
            (_(mark).ljust(4), style), "  ",
            (_(title).ljust(width), "bold" if state == "failed" else ""), detail))

    @on(TestCallStepDecided)
    def _step_decided(self, message: TestCallStepDecided) -> None:
        """A check was decided: it lights up, and the next one shows as running."""
        from vecozo_tui.cov.diagnosis import STEPS

        step = message.step
        self.progress.append((step.key, str(step.state)))
        self._show_check(step.key, step.title, str(step.state), step.detail)
        if str(step.state) == "passed":
            keys = [key for key, _title in STEPS]
            following = keys.index(step.key) + 1
            if following < len(keys):
                key = keys[following]
                decided = {k for k, _state in self.progress}
                if key not in decided:
                    self._show_check(key, dict(STEPS)[key], "running", "")

    # --- actions ---------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            if not self._has_certificate:
                return False
            return not self._busy or None
        return True

    def action_back(self) -> None:
        self._cancel_call()  # a hanging server must never keep the admin here
        self.dismiss(self.changed)

    def on_unmount(self) -> None:
        self._cancel_call()  # quitting: the call lets go of its connection at once

    def _cancel_call(self) -> None:
        if self._busy and self._cancellation is not None:
            self._cancellation.cancel()

    def action_run(self) -> None:
        from vecozo_tui.bsn import bsn_problem
        from vecozo_tui.cov.testcall import parse_birth_date, test_person

        if self._busy or not self._has_certificate:
            return
        password = self.query_one("#tc-password", Input).value
        bsn = self.query_one("#tc-bsn", Input).value.strip()
        birth = self.query_one("#tc-birth", Input).value.strip()
        if not password:
            self._error(_("Type the password of the stored certificate (the one given at "
                          "the import)."), "#tc-password")
            return
        if self.production:
            problem = bsn_problem(bsn)
            if problem:
                self._error(problem, "#tc-bsn")
                return
        try:
            parse_birth_date(birth) if birth or self.production else None
            person = test_person(self.context.config, self.practice, bsn=bsn or None,
                                 birth_date=birth or None)
        except VecozoError as error:
            self._error(str(error), "#tc-birth")
            return
        from vecozo_tui.cov.deadline import Cancellation

        self._error(None)
        self._busy = True
        self._cancellation = Cancellation()
        self.progress.clear()
        self._reset_checks(running=True)
        self.query_one("#tc-form").disabled = True
        self.refresh_bindings()
        self._run(password, person)

    def _error(self, text: str | None, focus: str | None = None) -> None:
        label = self.query_one("#tc-error", Static)
        label.update(Content.assemble((_("Problem:") + " ", "bold"), text) if text else "")
        label.set_class(bool(text), "shown")
        if focus:
            self.query_one(focus, Input).focus()

    # --- the work --------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="test-call",
          description="test COV call")  # untranslated: a worker's name (log)
    def _run(self, password: str, person: TestPerson) -> None:
        from vecozo_tui.cov.testcall import run_test

        context = self.context

        def on_step(step: Step) -> None:
            self.post_message(TestCallStepDecided(step))

        post_outcome(self, TestCallDone, lambda: run_test(
            context.config, context.repository, self.practice, password, person,
            clock=context.clock, actor=context.actor, on_step=on_step,
            cancellation=self._cancellation))

    @on(TestCallDone)
    def _test_call_done(self, message: TestCallDone) -> None:
        self._busy = False
        if not self.is_mounted:  # left with Escape while the call ran: nothing to show
            return
        form = self.query_one("#tc-form")
        form.disabled = False
        self.query_one("#tc-password", Input).value = ""
        if self.production:  # personal data leaves the form once used
            self.query_one("#tc-bsn", Input).value = ""
            self.query_one("#tc-birth", Input).value = ""
        if message.result is None:
            self._reset_checks()
            error = message.error
            if isinstance(error, WrongPasswordError):
                self._error(str(error), "#tc-password")
            elif isinstance(error, VecozoError):
                self._error(str(error), "#tc-password")
            else:
                self._error(_("Unexpected problem ({kind}): {error}").format(
                    kind=type(error).__name__, error=error), "#tc-password")
            self.refresh_bindings()
            return
        self.changed = True  # the outcome was recorded with the practice
        self._show_result(message.result)
        self.query_one("#tc-password", Input).focus()
        self.refresh_bindings()

    def _show_result(self, diagnosis: Diagnosis) -> None:
        from vecozo_tui.cov.diagnosis import answer_lines

        self.diagnosis = diagnosis
        for step in diagnosis.steps:  # the final word on every check
            self._show_check(step.key, step.title, str(step.state), step.detail)
        parts: list[Content | str | tuple[str, str]] = []
        if diagnosis.ok:
            parts += [(_("RESULT: OK"), "bold $success"), f"  {diagnosis.summary}"]
            if diagnosis.answer is not None:
                for line in answer_lines(diagnosis.answer):
                    parts += ["\n", f"  {line}"]
        else:
            failed = diagnosis.failed_step
            parts += [(_("RESULT: FAILED"), "bold $error"),
                      "  " + _("at {step}").format(step=_(failed.title) if failed else "?")]
            if failed is not None and failed.cause:
                parts += ["\n", (_("Cause:") + " ", "bold"), failed.cause]
            if failed is not None and failed.advice:
                parts += ["\n", (_("What to do:") + " ", "bold"), failed.advice]
        parts += ["\n", (_("Recorded with the practice (time and outcome; no personal data)."),
                         "italic $text-muted")]
        self.query_one("#tc-result-text", Static).update(Content.assemble(*parts))
