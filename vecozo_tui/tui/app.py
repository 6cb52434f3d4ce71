"""The Textual application: one context, one stylesheet, the dashboard as home screen.

Screens gather input, call the core (in workers where it blocks) and show the result.
The app wires the keys every screen shares (``q`` quit, ``?`` help, ``p`` practices),
opens the feature screens by name (lazily, so a missing one is a notification, not a
crash) and offers every key binding of the current screen in the command palette.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from vecozo_tui.i18n import N_, _
from vecozo_tui.textfmt import ascii_terminal
from vecozo_tui.tui import widgets
from vecozo_tui.tui.base import feature_screen
from vecozo_tui.tui.bindings import known_binding_ids, user_bindings
from vecozo_tui.tui.context import AppContext
from vecozo_tui.tui.translated import TranslatedBindings

if TYPE_CHECKING:
    from vecozo_tui.clock import Clock
    from vecozo_tui.config import Config
    from vecozo_tui.demo import Demo
    from vecozo_tui.overview import FirstReading
    from vecozo_tui.repository import Repository

# the cycle collector waits at most this long for the dashboard's rows (see on_load)
STARTUP_COLLECTOR_PAUSE_SECONDS = 10.0

# command palette titles where the footer's word is too short to search for
PALETTE_TITLES = {
    "open_detail": N_("Open certificate detail"),
    "focus_filter": N_("Filter practices"),
    "test_call": N_("Test call (COV)"),
    "next_test_call": N_("Test call (COV)"),
    "walkthrough": N_("Walkthrough (renew, new, recover, backup)"),
    "backup": N_("Backup"),
    "deploy": N_("Deploy to the practice software"),
    "next_deploy": N_("Deploy to the practice software"),
    "run_deploy": N_("Deploy to the practice software"),
    "select_practice": N_("Choose practice"),
    "reload": N_("Reload the repository"),
    "store": N_("Store the certificate"),
    "type_path": N_("Type a path"),
}

# Textual's own commands in the palette (App.get_system_commands), for the catalog
TEXTUAL_COMMAND_TEXTS = (
    N_("Theme"), N_("Change the current theme"),
    N_("Quit the application as soon as possible"),
    N_("Keys"), N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"), N_("Minimize the widget and restore to normal size"),
    N_("Maximize"), N_("Maximize the focused widget"),
    N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"),
)


class VecozoApp(TranslatedBindings, App[int]):
    """The console. ``context`` holds config, repository, clock, actor and the demo."""

    TITLE = "vecozo-tui"
    CSS_PATH = "app.tcss"  # untranslated: file name
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", N_("Quit"), tooltip=N_("Leave vecozo-tui"),
                id="app.quit"),  # untranslated: id
        Binding("question_mark", "help", N_("Help"), key_display="?",
                tooltip=N_("All keys of this screen"), id="app.help"),  # untranslated: id
        Binding("p", "select_practice", N_("Practices"), id="app.practices",  # untranslated: id
                tooltip=N_("Search the practices and choose the current one")),
        # handled by the app itself, in order: when keys arrive in one burst (a laggy SSH
        # link, type-ahead), Textual would otherwise hand the keys after a Tab to the
        # field that had focus before it, e.g. a BSN typed after the password into the
        # password field
        Binding("tab", "focus_next", show=False, priority=True),
        Binding("shift+tab", "focus_previous", show=False, priority=True),
    ]

    # how often the screens look for changes made elsewhere (the CLI, another session)
    live_check_seconds = 3.0

    @property
    def hangup_ends_process(self) -> bool:
        """Whether a hangup may end the whole process: in a terminal, not headless."""
        return not self.is_headless

    def __init__(self, context: AppContext, *, on_ready: Callable[[VecozoApp], None] | None = None,
                 collector_paused: bool = False):
        """``collector_paused``: the caller paused the cycle collector for the start-up
        (before importing Textual); the app resumes it as it would its own pause."""
        super().__init__()
        self.context = context
        self._stamps: tuple[object, object] | None = None
        # decided once: a plain terminal (TERM, locale) or the config's [ui] ascii
        self.ascii = ascii_terminal(os.environ, forced=context.config.ui.ascii)
        if self.ascii:
            self._filters.append(widgets.AsciiFilter())
            self.add_class("-ascii")  # app.tcss: what has no ASCII form is left out
        self.current_practice_id: str | None = None
        self._on_ready = on_ready
        self._collector_paused = collector_paused and not gc.isenabled()
        widgets.MONOCHROME = self.no_color
        if context.config.keymap:
            self.set_keymap(context.config.keymap)

    def on_load(self) -> None:
        # Start-up creates a great many objects and frees almost none (widgets, styles, a
        # row per practice): the cycle collector would walk all of them, more than once,
        # before the first screenful (a third of the console's own start-up time with a
        # thousand practices). It runs again once the dashboard has every row, or when
        # the app ends.
        if gc.isenabled():
            gc.disable()
            self._collector_paused = True
        if self._collector_paused:
            self.set_timer(STARTUP_COLLECTOR_PAUSE_SECONDS, self.start_up_done)
        # before the dashboard reads: a change made meanwhile is seen at the first look
        first = self.context.first_reading
        self._stamps = first.stamps if first is not None else self._change_stamps()

    def start_up_done(self) -> None:
        """The start-up is over (the dashboard has every row): collect as usual again."""
        if self._collector_paused:
            self._collector_paused = False
            gc.enable()

    def on_mount(self) -> None:
        # a dropped SSH connection sends SIGHUP: leave like `q` does, so that whoever ran
        # the app (the demo removes its directory) can clean up
        with contextlib.suppress(AttributeError, NotImplementedError, RuntimeError,
                                 ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hung_up)
            self._hangup_handler = True
        self.set_interval(self.live_check_seconds, self._check_for_changes)
        for problem in self.context.repository.problems():
            self.notify(problem, title=_("Repository"), severity="error", timeout=30)
        for warning in self.context.config.warnings:
            self.notify(warning, title=_("Configuration"), severity="warning", timeout=15)
        unknown = sorted(set(self.context.config.keymap) - known_binding_ids()) \
            if self.context.config.keymap else []
        if unknown:
            self.notify(_("[keymap] names no key of the console: {ids} (the ids are listed "
                          "in the README under Keys).").format(ids=", ".join(unknown)),
                        title=_("Configuration"), severity="warning", timeout=15)

    def _hung_up(self) -> None:
        """The terminal is gone. What the app writes while it ends (leaving the alternate
        screen, mouse mode off) goes to /dev/null: written to the closed terminal it
        could hang the exit for good, leaving the console running on the server."""
        if not self.hangup_ends_process:  # headless (a test's app): no terminal to lose
            self.exit()
            return
        with contextlib.suppress(OSError):
            nowhere = os.open(os.devnull, os.O_WRONLY)
            for stream in (1, 2):
                os.dup2(nowhere, stream)
            os.close(nowhere)
        # Textual's output thread may have died on the closed terminal already, and its
        # queue then never empties (seen when the connection drops while the dashboard
        # starts): whatever holds the exit, the process ends HANGUP_EXIT_SECONDS later.
        threading.Thread(target=_end_after_hangup, daemon=True,
                         name="vecozo-hangup").start()
        self.exit()

    def on_unmount(self) -> None:
        self.start_up_done()
        widgets.MONOCHROME = False
        if getattr(self, "_hangup_handler", False):
            with contextlib.suppress(AttributeError, NotImplementedError, RuntimeError,
                                     ValueError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    def get_key_display(self, binding: Binding) -> str:
        display = super().get_key_display(binding)
        return widgets.ascii_key_display(display) if self.ascii else display

    # --- screens --------------------------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification is plain text: a path, a practice name or a line of the
        configuration may hold '[' (Textual would read it as markup, or fail on it)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _fatal_error(self) -> None:
        """Textual's crash report, without the local variables it normally shows: a
        frame's locals may hold a password, a BSN or a decrypted key."""
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        report = Traceback(show_locals=False, width=None)
        self._exit_renderables.append(
            Segments(self.console.render(report, self.console.options)))
        self._close_messages_no_wait()

    def get_default_screen(self) -> Screen:
        from vecozo_tui.tui.screens.dashboard import DashboardScreen

        return DashboardScreen(self.context)

    def dashboard_ready(self) -> None:
        """Called by the dashboard once its table is filled (benchmarks hook in here)."""
        if self._on_ready is not None:
            callback, self._on_ready = self._on_ready, None
            callback(self)

    def set_current_practice(self, practice_id: str | None) -> None:
        self.current_practice_id = practice_id
        if practice_id is None:
            self.sub_title = ""
            return
        try:
            practice = self.context.practice(practice_id)
        except Exception:  # noqa: BLE001 - a practice removed from the config meanwhile
            self.sub_title = ""
            return
        self.sub_title = f"{practice.name} ({practice.id})"

    def open_feature(self, name: str, practice_id: str, **kwargs: object) -> None:
        """Push a feature screen for ``practice_id``; refresh everything when it changed data."""
        if self.quitting:
            return
        self.set_current_practice(practice_id)
        self.push_screen(feature_screen(name, self.context, practice_id, **kwargs),
                         callback=self._feature_done)

    def _feature_done(self, changed: bool | None) -> None:
        if changed:
            self.data_changed()

    def data_changed(self) -> None:
        """The repository or config changed: every screen that shows data re-reads it."""
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_data", None)
            if refresh is not None:
                refresh()

    def replace_config(self, config: Config) -> None:
        self.context.config = config
        self.data_changed()

    # --- live updates ---------------------------------------------------------------

    def _change_stamps(self) -> tuple[object, object]:
        from vecozo_tui.overview import change_stamps

        return change_stamps(self.context.config, self.context.repository)

    def _check_for_changes(self) -> None:
        """Something changed elsewhere (the CLI, a colleague's session, this app's own
        last write): the screens that show the repository read it again. They keep
        their cursor."""
        stamps = self._change_stamps()
        if stamps == self._stamps:
            return
        config_changed = self._stamps is not None and stamps[1] != self._stamps[1]
        self._stamps = stamps
        if config_changed and not self._reload_config():
            return
        for screen in self.screen_stack:
            if getattr(screen, "LIVE_REFRESH", False):
                screen.refresh_data()  # type: ignore[attr-defined]

    def _reload_config(self) -> bool:
        from vecozo_tui.config import load_config
        from vecozo_tui.errors import VecozoError

        try:
            config = load_config(self.context.config.path, {})
        except VecozoError as error:  # e.g. half-way through a colleague's edit
            self.notify(_("Not read again: {error}").format(error=error),
                        title=_("Configuration changed"), severity="warning", timeout=10)
            return False
        self.context.config = config
        return True

    # --- actions shared by every screen ---------------------------------------------

    @property
    def quitting(self) -> bool:
        """After `q`: keys typed ahead (a laggy SSH link, a paste) must not open screens
        on an app that is closing."""
        return self._exit

    def action_help(self) -> None:
        from vecozo_tui.tui.screens.help import HelpScreen

        if self.quitting:
            return
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_select_practice(self) -> None:
        from vecozo_tui.tui.screens.practices import PracticeSelectScreen

        if self.quitting:
            return
        if isinstance(self.screen, PracticeSelectScreen):
            return
        self.push_screen(PracticeSelectScreen(self.context, self.current_practice_id),
                         callback=self._practice_chosen)

    def _practice_chosen(self, practice_id: str | None) -> None:
        if practice_id is None:
            return
        self.set_current_practice(practice_id)
        # the choice shows on the dashboard (cursor) and opens the practice
        dashboard = self.screen_stack[0]
        select = getattr(dashboard, "select_practice", None)
        if select is not None:
            select(practice_id)
        from vecozo_tui.tui.screens.detail import DetailScreen

        if isinstance(self.screen, DetailScreen):  # one detail at a time: replace it
            if self.screen.practice_id == practice_id:
                return
            self.switch_screen(DetailScreen(self.context, practice_id))
            return
        self.open_feature("detail", practice_id)

    def action_add_practice(self) -> None:
        from vecozo_tui.tui.screens.practices import AddPracticeScreen

        if self.quitting:
            return
        self.push_screen(AddPracticeScreen(self.context), callback=self._practice_added)

    def _practice_added(self, practice_id: str | None) -> None:
        if practice_id:
            self.data_changed()
            self.set_current_practice(practice_id)
            self.notify(_("Practice {id} added to {path}.").format(
                id=practice_id, path=self.context.config.path), title=_("Practice added"))

    # --- command palette ------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every described key binding of the screen (and the app) is a command too."""
        seen: set[str] = set()
        for active in user_bindings(screen):
            binding = active.binding
            if not active.enabled or binding.description in seen:
                continue
            if binding.action in ("command_palette", "quit"):  # Textual lists Quit itself
                continue
            seen.add(binding.description)
            key = self.get_key_display(binding)
            palette_title = PALETTE_TITLES.get(binding.action)
            title = _(palette_title) if palette_title else binding.description
            help_text = binding.tooltip or binding.description
            yield SystemCommand(title, _("{help}  (key: {key})").format(help=help_text, key=key),
                                partial(self._run_from_palette, binding.action, active.node))
        if _("Add practice") not in seen:
            yield SystemCommand(_("Add practice"), _("Add a practice to the configuration file"),
                                self.action_add_practice)
        for command in super().get_system_commands(screen):  # Textual's own, translated
            yield command._replace(title=_(command.title), help=_(command.help))

    def action_command_palette(self) -> None:
        """The palette, with its search field's hint in the console's language."""
        from textual.command import CommandPalette

        from vecozo_tui.tui.palette import TranslatedPalette

        app: App[object] = self  # type: ignore[assignment]  # App[int] is an App
        if self.use_command_palette and not CommandPalette.is_open(app):
            self.push_screen(TranslatedPalette(id="--command-palette",
                                               placeholder=_("Search for commands…")))

    async def _run_from_palette(self, action: str, node: object) -> None:
        await self.run_action(action, node)  # type: ignore[arg-type]


# after the terminal hung up: the longest the app may take to end before it is ended
HANGUP_EXIT_SECONDS = 2.0


def _end_after_hangup() -> None:
    time.sleep(HANGUP_EXIT_SECONDS)
    os._exit(128 + signal.SIGHUP)  # the shell's code for "ended by SIGHUP"


def run_app(config: Config, repository: Repository, *, clock: Clock,
            demo: Demo | None = None, first_reading: FirstReading | None = None,
            collector_paused: bool = False,
            on_ready: Callable[[VecozoApp], None] | None = None,
            headless_size: tuple[int, int] | None = None) -> int:
    """Run the console until the user quits; the exit code for the CLI."""
    from vecozo_tui.repository import Actor

    context = AppContext(config=config, repository=repository, clock=clock,
                         actor=Actor.current(os.environ), demo=demo,
                         first_reading=first_reading)
    app = VecozoApp(context, on_ready=on_ready, collector_paused=collector_paused)
    result = app.run(headless=True, size=headless_size) if headless_size else app.run()
    if app.return_code not in (None, 0):
        return app.return_code
    return result or 0
