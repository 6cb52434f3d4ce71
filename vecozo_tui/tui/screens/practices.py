"""Practice selection (search, choose the current practice) and the add-practice form."""

from __future__ import annotations

import contextlib

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Select, Static
from textual.widgets.data_table import ColumnKey

from vecozo_tui.config import ENVIRONMENTS, Practice
from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import N_, _
from vecozo_tui.tui.base import console_of, focus_now
from vecozo_tui.tui.context import AppContext
from vecozo_tui.tui.translated import TranslatedBindings
from vecozo_tui.tui.widgets import (
    ENVIRONMENT_SHORT,
    KeysFooter,
    SearchInput,
    environment_word,
    plain,
    row_status_text,
    truncate,
    truncate_middle,
)

AGB_WIDTH, ID_WIDTH, ENV_WIDTH = 8, 16, 4
NAME_WIDTH_MIN, NAME_WIDTH_MAX = 17, 40


def practice_matches(practice: Practice, needle: str) -> bool:
    return (not needle or needle in practice.name.casefold()
            or needle in practice.id.casefold() or needle in practice.agb)


# keys in words: they read the same on a plain (ASCII) terminal
LIST_HINT = N_("Type to search, Up/Down move, Enter chooses, a or F2 adds a practice.")
SEARCH_HINT = N_("Down: to the list, Enter chooses, F2 adds a practice, Esc back.")


class PracticeSelectScreen(TranslatedBindings, Screen[str | None]):
    """Dismisses with the chosen practice id, or None on Escape.

    Focus starts on the list, so that its keys (``a`` adds) work at once; a letter that
    is no key of the screen starts the search with it."""

    AUTO_FOCUS = "#practice-list"
    LIVE_REFRESH = True  # the app calls refresh_data when the repository changed
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="practices.back"),  # untranslated: id
        Binding("enter", "choose", N_("Choose"), priority=True,
                tooltip=N_("Make the highlighted practice the current one and open it"),
                id="practices.choose"),  # untranslated: id
        Binding("a", "add", N_("Add practice"), id="practices.add",  # untranslated: id
                tooltip=N_("Add a practice to the configuration file")),
        Binding("f2", "add", N_("Add practice"), show=False,
                tooltip=N_("Add a practice (also while typing in the search field)"),
                id="practices.add_f2"),  # untranslated: id
        Binding("slash", "search", N_("Search"), key_display="/", show=False,
                id="practices.search"),  # untranslated: id
        Binding("down", "to_list", N_("To list"), show=False),
    ]

    def __init__(self, context: AppContext, current: str | None = None) -> None:
        super().__init__()
        self.context = context
        self.current = current
        self.shown: list[Practice] = []
        self._levels: dict[str, Text] = {}
        self._name_width = NAME_WIDTH_MIN

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_(LIST_HINT), id="select-hint", classes="hint")
        # not select_on_focus: the letter that moved the focus here is kept, not replaced
        yield SearchInput(placeholder=_("search by name, AGB code or id"), id="search",
                          classes="line", select_on_focus=False)
        table: DataTable = DataTable(id="practice-list", cursor_type="row", zebra_stripes=True)
        table.add_column(_("Status"), width=len(_("Status")), key="status")
        table.add_column(_("Practice"), width=NAME_WIDTH_MIN, key="name")
        table.add_column(_("AGB"), width=AGB_WIDTH, key="agb")
        table.add_column(_("Id"), width=ID_WIDTH, key="id")
        table.add_column(_("Env"), width=ENV_WIDTH, key="env")
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Practices")
        self.refresh_data()
        if self.current:
            self._move_to(self.current)

    def refresh_data(self) -> None:
        """Read the levels again (the same words as the dashboard) and show the list."""
        from vecozo_tui.overview import build_overview

        try:
            rows = build_overview(self.context.config, self.context.repository,
                                  self.context.clock.now())
        except VecozoError:  # a damaged practice: the dashboard names it, this list is for choosing
            rows = []
        self._levels = {row.practice.id: row_status_text(row) for row in rows}
        self._layout()
        self._show_matches()

    def _layout(self) -> None:
        """The status as wide as its longest word, the name gets what 80 columns leave."""
        table = self.query_one("#practice-list", DataTable)
        status_width = max([len(_("Status"))] + [len(level.plain)
                                              for level in self._levels.values()])
        table.columns[ColumnKey("status")].width = status_width
        others = sum(width + 2 for width in (status_width, AGB_WIDTH, ID_WIDTH, ENV_WIDTH))
        self._name_width = max(NAME_WIDTH_MIN, min(NAME_WIDTH_MAX,
                                                   self.app.size.width - 1 - others - 2))
        table.columns[ColumnKey("name")].width = self._name_width

    def on_resize(self) -> None:
        if self.is_mounted and self._levels:
            self._layout()
            self._show_matches()

    def _show_matches(self) -> None:
        needle = self.query_one("#search", Input).value.strip().casefold()
        self.shown = [p for p in self.context.config.practices if practice_matches(p, needle)]
        table = self.query_one("#practice-list", DataTable)
        keep = self._highlighted_id()
        table.clear()
        for practice in self.shown:
            table.add_row(self._levels.get(practice.id, plain("")),
                          plain(truncate_middle(practice.name, self._name_width)),
                          plain(practice.agb), plain(truncate(practice.id, ID_WIDTH)),
                          plain(ENVIRONMENT_SHORT.get(practice.environment,
                                                      practice.environment)),
                          key=practice.id)
        if keep:
            self._move_to(keep)
        self.refresh_bindings()

    def _highlighted_id(self) -> str | None:
        table = self.query_one("#practice-list", DataTable)
        if table.row_count == 0:
            return None
        with contextlib.suppress(Exception):  # no valid cursor
            return table.coordinate_to_cell_key(table.cursor_coordinate)[0].value
        return None

    def _move_to(self, practice_id: str) -> None:
        table = self.query_one("#practice-list", DataTable)
        with contextlib.suppress(Exception):  # not shown (filtered out)
            table.move_cursor(row=table.get_row_index(practice_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":
            return bool(self.shown) or None
        return True

    def on_key(self, event: events.Key) -> None:
        """On the list, a letter that is no key of this screen starts the search.

        A letter only gets here from the list (the search field takes its letters), also
        when the focus moved to the search field meanwhile: in one burst of keys the
        letters after the first were handed to the list before it moved the focus."""
        if not (event.is_printable and event.character):
            return
        if event.key in self.active_bindings:
            return
        event.stop()
        search = self.query_one("#search", Input)
        search.insert_text_at_cursor(event.character)
        focus_now(search)

    def on_descendant_focus(self) -> None:
        """The hint and the footer say what the keys do where the focus is: in the search
        field 'a' is a letter."""
        in_search = self.query_one("#search", Input).has_focus
        self.query_one("#select-hint", Static).update(_(SEARCH_HINT if in_search else LIST_HINT))
        self.refresh_bindings()

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        self._show_matches()

    def action_search(self) -> None:
        focus_now(self.query_one("#search", Input))

    def action_to_list(self) -> None:
        focus_now(self.query_one("#practice-list", DataTable))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_choose(self) -> None:
        table = self.query_one("#practice-list", DataTable)
        if not self.shown:
            return
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        self.dismiss(key.value)

    def action_add(self) -> None:
        self.app.push_screen(AddPracticeScreen(self.context), callback=self._added)

    def _added(self, practice_id: str | None) -> None:
        if practice_id:
            console_app = console_of(self.app)
            if console_app is not None:
                console_app.data_changed()
            self.query_one("#search", Input).value = ""
            self.refresh_data()
            self._move_to(practice_id)
            self.query_one("#practice-list", DataTable).focus()
            self.notify(_("Practice {id} added to {path}.").format(
                id=practice_id, path=self.context.config.path), title=_("Practice added"))


class AddPracticeScreen(TranslatedBindings, ModalScreen[str | None]):
    """A form; on success the config file is written and the context's config replaced."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="add_practice.cancel"),  # untranslated: id
        Binding("f2", "save", N_("Add"), id="add_practice.save",  # untranslated: id
                tooltip=N_("Write the practice to the config")),
    ]

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        with Vertical(id="add-form"):
            yield Label(_("Add a practice"), classes="section-title first")  # untranslated: CSS
            yield Static(_("Written to {path}").format(path=self.context.config.path),
                         classes="hint")
            for field_id, label, placeholder, digits_only in (
                ("id", _("Id"), _("e.g. hap-delinde (lower case, digits, - . _)"), False),
                ("name", _("Name"), _("e.g. Huisartsenpraktijk De Linde"), False),
                ("agb", _("AGB code"), _("8 digits"), True),
            ):
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input(placeholder=placeholder, id=f"add-{field_id}", classes="line",
                                max_length=8 if digits_only else 0,
                                restrict=r"[0-9]*" if digits_only else None)
            with Horizontal(classes="field"):
                yield Label(_("Environment"), classes="field-label")
                yield Select([(environment_word(env), env) for env in ENVIRONMENTS],
                             value="production",
                             allow_blank=False, id="add-environment", compact=True)
            with Horizontal(classes="field"):
                yield Label(_("Contact"), classes="field-label")
                yield Input(placeholder=_("optional: contact person"), id="add-contact",
                            classes="line")
            yield Static("", id="add-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(_("Add"), id="add-save", variant="primary", compact=True)
                yield Button(_("Cancel"), id="add-cancel", compact=True)
            yield Static(_("Enter/Tab: next field   F2 or Enter on the last: add   Escape: "
                           "cancel"), classes="hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#add-id", Input).focus()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "add-contact":
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#add-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#add-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        from vecozo_tui.config import add_practice, as_environment

        def value(field_id: str) -> str:
            return self.query_one(f"#add-{field_id}", Input).value.strip()

        error = self.query_one("#add-error", Static)
        try:
            environment = as_environment(str(self.query_one("#add-environment", Select).value))
            practice = Practice(id=value("id"), name=value("name"), agb=value("agb"),
                                environment=environment, contact=value("contact") or None)
            new_config = add_practice(self.context.config, practice)
        except VecozoError as problem:
            message = str(problem)
            error.update(Text(message))
            # to the first bad field (the field names in the message are config keys, the
            # same in every language)
            if any(known.id == value("id") for known in self.context.config.practices):
                self.query_one("#add-id").focus()
                return
            for field_id in ("id", "name", "agb", "environment"):
                if f"{field_id}: " in message:
                    self.query_one(f"#add-{field_id}").focus()
                    break
            return
        error.update("")
        self.context.config = new_config
        self.dismiss(practice.id)
