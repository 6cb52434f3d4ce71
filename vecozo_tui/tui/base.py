"""The base of every screen about a practice: its context, the typed app, and the
feature keys (import, test call, walkthrough, backup, deploy) written once.

Binding ids follow one rule, ``scope.action``: ``app.*`` for the app's own keys,
``practice.*`` for the feature keys below (the same on every screen that has them,
so one ``[keymap]`` line moves a key everywhere) and ``<screen>.*`` for a screen's
own keys. The ids are what the ``[keymap]`` table of the configuration names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

from textual.binding import Binding
from textual.screen import Screen

from vecozo_tui.i18n import N_, _
from vecozo_tui.tui.translated import TranslatedBindings

if TYPE_CHECKING:
    from textual.widget import Widget

    from vecozo_tui.tui.context import AppContext

ResultType = TypeVar("ResultType")

# the feature screens a practice screen can open: name -> (module, class)
FEATURE_SCREENS: dict[str, tuple[str, str]] = {
    "detail": ("vecozo_tui.tui.screens.detail", "DetailScreen"),  # untranslated: module
    "import": ("vecozo_tui.tui.screens.import_certificate", "ImportScreen"),  # untranslated: module
    "test_call": ("vecozo_tui.tui.screens.test_call", "TestCallScreen"),  # untranslated: module
    "walkthrough": ("vecozo_tui.tui.screens.walkthrough",  # untranslated: module
                    "WalkthroughScreen"),
    "backup": ("vecozo_tui.tui.screens.backup", "BackupScreen"),  # untranslated: module
    "deploy": ("vecozo_tui.tui.screens.deploy", "DeployScreen"),  # untranslated: module
}

FEATURE_BINDINGS = [
    Binding("i", "import", N_("Import"), id="practice.import",  # untranslated: id
            tooltip=N_("Import a .pfx/.p12 exported from a browser for the practice")),
    Binding("t", "test_call", N_("Test"), id="practice.test_call",  # untranslated: id
            tooltip=N_("Test call to COV with the practice's active certificate")),
    Binding("w", "walkthrough", N_("Walk"), id="practice.walkthrough",  # untranslated: id
            tooltip=N_("Step-by-step walkthrough (renew, new, recover, backup)")),
    Binding("b", "backup", N_("Backup"), id="practice.backup",  # untranslated: id
            tooltip=N_("Make a verified backup of the practice's active certificate")),
    Binding("d", "deploy", N_("Deploy"), id="practice.deploy",  # untranslated: id
            tooltip=N_("Put the certificate where the practice software reads it")),
]
FEATURE_ACTIONS = frozenset(binding.action for binding in FEATURE_BINDINGS)


@runtime_checkable
class FeatureOpener(Protocol):
    """What the console app offers its screens (a test's small app may not)."""

    def open_feature(self, name: str, practice_id: str, **kwargs: object) -> None: ...

    def data_changed(self) -> None: ...

    def set_current_practice(self, practice_id: str | None) -> None: ...


def console_of(app: object) -> FeatureOpener | None:
    """The console app, or None in a test's small app that only shows one screen."""
    return app if isinstance(app, FeatureOpener) else None


def focus_now(widget: Widget) -> None:
    """Give ``widget`` the focus before the next key is handled, for a key that moves the
    focus. ``Widget.focus()`` only queues the move behind the keys already waiting: keys
    that arrive in one burst (type-ahead, a laggy SSH link) went to the widget that had
    the focus before, so ``/zuid`` typed at once opened the import screen on its ``i``."""
    widget.refresh()
    widget.screen.set_focus(widget)


def feature_screen(name: str, context: AppContext, practice_id: str,
                   **kwargs: object) -> Screen[bool]:
    """A new feature screen; imported only when it is first opened (fast start-up)."""
    import importlib

    module_name, class_name = FEATURE_SCREENS[name]
    screen_class = getattr(importlib.import_module(module_name), class_name)
    screen: Screen[bool] = screen_class(context, practice_id, **kwargs)
    return screen


class PracticeScreen(TranslatedBindings, Screen[ResultType]):
    """A screen that acts on one practice: :meth:`target_practice_id` names it (the
    dashboard: the highlighted row)."""

    def __init__(self, context: AppContext, practice_id: str | None = None) -> None:
        super().__init__()
        self.context = context
        self.practice_id = practice_id

    @property
    def console_app(self) -> FeatureOpener | None:
        """The console app, or None in a test's small app that only shows this screen."""
        return console_of(self.app)

    def target_practice_id(self) -> str | None:
        return self.practice_id

    def open_feature(self, name: str) -> None:
        practice_id = self.target_practice_id()
        if practice_id is None:
            self.notify(_("No practice selected."), severity="warning")
            return
        console_app = self.console_app
        if console_app is not None:  # the app knows the screen stack and refreshes after
            console_app.open_feature(name, practice_id)
            return
        self.app.push_screen(feature_screen(name, self.context, practice_id))

    def data_changed(self) -> None:
        """Tell every screen that shows data to read it again."""
        if self.console_app is not None:
            self.console_app.data_changed()

    def action_import(self) -> None:
        self.open_feature("import")

    def action_test_call(self) -> None:
        self.open_feature("test_call")

    def action_walkthrough(self) -> None:
        self.open_feature("walkthrough")

    def action_backup(self) -> None:
        self.open_feature("backup")

    def action_deploy(self) -> None:
        self.open_feature("deploy")
