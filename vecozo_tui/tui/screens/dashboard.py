"""The home screen: every practice, most urgent first, with counts and a 24-month timeline.

The rows come from :func:`vecozo_tui.overview.build_overview`; this screen only words
and arranges them. Columns are ordered by priority so that what matters most stays
visible at 80 columns; the rest is a horizontal scroll away.
"""

from __future__ import annotations

import contextlib

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Static
from textual.widgets.data_table import ColumnKey

from vecozo_tui.expiry import local_day
from vecozo_tui.i18n import N_, _, ngettext
from vecozo_tui.overview import (
    PracticeOverview,
    build_overview,
    level_counts,
)
from vecozo_tui.textfmt import local_date, relative_days, renew_from_text, short_date
from vecozo_tui.tui.base import FEATURE_ACTIONS, FEATURE_BINDINGS, PracticeScreen, focus_now
from vecozo_tui.tui.context import AppContext
from vecozo_tui.tui.messages import WalkthroughSummaries, post_outcome
from vecozo_tui.tui.widgets import (
    ENVIRONMENT_SHORT,
    DemoBanner,
    FixedTable,
    KeysFooter,
    SearchInput,
    StatusCounts,
    Timeline,
    alarm_style,
    day_and_date,
    environment_word,
    plain,
    row_status_text,
    truncate_middle,
)

# up to this many practices the walkthrough column is read before the first paint
WALKTHROUGHS_INLINE = 200
# rows added before the first paint, beyond the terminal's height; the rest follow right
# after it (a thousand rows' cells and table rows are half of the start-up time)
FIRST_SCREENFUL_MARGIN = 10
# up to this many practices the filter runs on every keystroke; above, once typing pauses
FILTER_AT_ONCE = 300
FILTER_DELAY_SECONDS = 0.15

# the practice name: never narrower than this, never wider than the longest name (or MAX)
NAME_WIDTH_MIN = 17
NAME_WIDTH_MAX = 40

# (key, label, width), in order of priority: status, name, expiry and renew-from always
# fit 80 columns; what else fits whole follows, the rest is a sideways scroll away (and
# in the summary line under the list). Status and name widths are set by _layout.
COLUMNS = (
    ("status", N_("Status"), 6),
    ("practice", N_("Practice"), NAME_WIDTH_MIN),
    ("expires", N_("Expires"), 11),
    ("renew", N_("Renew from"), 10),
    ("backup", N_("Backup"), 10),
    ("test", N_("Test"), 6),
    ("software", N_("Software"), 9),  # do the deploy targets hold the active certificate?
    ("walkthrough", N_("Walkthrough"), 18),
    ("id", N_("Id"), 16),
    ("agb", N_("AGB"), 8),
    ("env", N_("Env"), 4),
    ("date", N_("Expiry date"), 11),
)
# the words a column's cells may hold besides dates (a longer language widens it)
CELL_WORDS = {
    "renew": (N_("overdue"), N_("now")),
    "backup": (N_("no backup"),),
    "test": (N_("never"), N_("OK"), N_("FAILED")),
    "software": (N_("deployed"), N_("FAILED"), N_("never"), N_("OLD")),
}
ALWAYS_SHOWN = 4
CELL_PADDING = 2  # DataTable's cell_padding, either side together


def language_widths() -> dict[str, int]:
    """Each column's width in the current language: at least the English width, and as
    wide as its heading and its words ('Verloopdatum', 'MISLUKT')."""
    return {key: max([column_width, len(_(label))]
                     + [len(_(word)) for word in CELL_WORDS.get(key, ())])
            for key, label, column_width in COLUMNS}


def column_widths(width: int, status_width: int, longest_name: int,
                  base: dict[str, int] | None = None) -> dict[str, int]:
    """Status and name widths for a terminal ``width`` columns wide: the name as wide as
    possible after the columns that always show (up to the longest name, at most
    NAME_WIDTH_MAX); then every further column that fits whole, and when one does not,
    what is left goes to the name, so that no column shows cut off."""
    available = width - 1  # the list's vertical scrollbar
    widths = dict(base) if base else {key: column_width for key, _label, column_width in COLUMNS}
    widths["status"] = status_width
    always = [key for key, _label, _width in COLUMNS[:ALWAYS_SHOWN] if key != "practice"]
    used = sum(widths[key] + CELL_PADDING for key in always) + CELL_PADDING
    name = max(NAME_WIDTH_MIN, min(longest_name, NAME_WIDTH_MAX, available - used))
    used += name
    for key, _label, _width in COLUMNS[ALWAYS_SHOWN:]:
        column_width = widths[key]
        if used + column_width + CELL_PADDING > available:
            # a column is left out: the name takes the rest of the line, so the next
            # column starts off the screen instead of showing cut off
            widths["practice"] = name + max(available - used, 0)
            return widths
        used += column_width + CELL_PADDING
    widths["practice"] = name  # every column fits: the room left stays at the right
    return widths


def row_matches(row: PracticeOverview, needle: str) -> bool:
    if not needle:
        return True
    practice = row.practice
    return (needle in practice.name.casefold() or needle in practice.id.casefold()
            or needle in practice.agb)


class DashboardScreen(PracticeScreen[None]):
    """All practices, most urgent first."""

    LIVE_REFRESH = True  # the app calls refresh_data when the repository changed

    AUTO_FOCUS = "#practices"
    BINDINGS = [
        Binding("enter", "open_detail", N_("Open"), priority=True,
                tooltip=N_("Open the certificate detail of the selected practice"),
                id="dashboard.open"),  # untranslated: id
        # the keys that move the focus between the list and the filter are handled first
        # (priority), before the keys after them are handed on: in one burst (type-ahead,
        # a laggy SSH link) `/zuid` would otherwise give `zuid` to the list (`i`: import),
        # and Esc `i` the `i` to the filter; check_action keeps each to where it applies
        Binding("slash", "focus_filter", N_("Filter"), key_display="/", show=False,
                priority=True, tooltip=N_("Type to filter by name, AGB code or id"),
                id="dashboard.filter"),  # untranslated: id
        *FEATURE_BINDINGS,
        Binding("r", "reload", N_("Reload"), id="dashboard.reload", show=False,  # untranslated: id
                tooltip=N_("Read the repository again")),
        Binding("escape", "clear_filter", N_("Clear filter"), priority=True,
                id="dashboard.clear_filter"),  # untranslated: id
        Binding("down", "to_table", N_("To list"), key_display="↓", priority=True,
                id="dashboard.to_list"),  # untranslated: id
        # on the list the keys that move its cursor come first too, in order: in one
        # burst `↓ ⏎` would otherwise open the practice the cursor was leaving (Enter,
        # a priority key, overtook the ↓ on its way to the list)
        *(Binding(key, f"move_cursor('{action}')", show=False, priority=True)
          for key, action in (("down", "cursor_down"), ("up", "cursor_up"),
                              ("pagedown", "page_down"), ("pageup", "page_up"))),
    ]

    # the table's own keys, for the help screen (it lists only the screen's bindings)
    HELP_KEYS = [
        ("↑ ↓ PgUp PgDn", N_("move through the practices")),  # untranslated: keys
        ("→ ← End Home",  # untranslated: keys
         N_("scroll the columns sideways (End: the last columns, Home: "
                            "back); the line under the list shows the highlighted practice "
                            "in full")),
    ]

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.rows: list[PracticeOverview] = []
        self.shown_rows: list[PracticeOverview] = []
        self._walkthroughs: dict[str, str | None] = {}
        self._cell_cache: dict[str, list[Text]] = {}
        self._filter_timer: Timer | None = None
        self._name_width = NAME_WIDTH_MIN
        self._now = context.clock.now()
        self._fill_number = 0  # which filling of the table the rows being added belong to
        self._walkthroughs_wanted = False
        self._widths = language_widths()
        self._row_widths_cache: tuple[int, dict[str, int], int] | None = None

    def compose(self) -> ComposeResult:
        # the rows before the widgets: the footer shows its keys from the first paint,
        # as check_action answers them for these rows
        self._read_data()
        self.shown_rows = list(self.rows)
        yield Header()
        yield DemoBanner(self.context)
        yield StatusCounts(id="counts")
        yield Timeline(id="timeline")
        yield SearchInput(placeholder=_("/ filter by name, AGB code or id"), id="filter",
                          classes="filter")
        # status and practice stay in view when the other columns scroll sideways
        table = FixedTable(id="practices", cursor_type="row", zebra_stripes=True,
                           fixed_columns=2)
        for key, label, _width in COLUMNS:
            table.add_column(Text(_(label)), width=self._widths[key], key=key)  # no markup
        yield table
        # what does not fit in the columns at 80x24, for the highlighted practice
        yield Static(id="selected-summary", classes="selected-summary")
        yield KeysFooter()

    def on_resize(self, event: events.Resize) -> None:
        if self._layout(event.size.width) and self.rows:
            self._apply_filter()

    def _row_widths(self) -> tuple[int, dict[str, int], int]:
        """What the column widths need from the rows: the status width, the widths with
        the longest day count, the longest name. Worked out once per reading of the
        rows: the terminal's width changes more often (three resizes at the start)."""
        if self._row_widths_cache is not None:
            return self._row_widths_cache
        one_of_each: dict[object, PracticeOverview] = {}  # one row per level word
        for row in self.rows:
            one_of_each.setdefault(row.level, row)
        status_width = max([len(_("Status"))] + [len(row_status_text(row).plain)
                                                 for row in one_of_each.values()])
        # the day counts as long as this language writes them ('over 23 dagen')
        base = dict(self._widths)
        base["expires"] = max([base["expires"]] + [len(relative_days(row.days_left))
                                                   for row in self.rows])
        longest = max((len(p.name) for p in self.context.config.practices), default=0)
        self._row_widths_cache = status_width, base, longest
        return self._row_widths_cache

    def _layout(self, width: int) -> bool:
        """Set the status and name widths for this terminal; True when they changed."""
        status_width, base, longest = self._row_widths()
        widths = column_widths(width, status_width, longest, base)
        table = self.query_one("#practices", DataTable)
        status_column = table.columns[ColumnKey("status")]
        expires_column = table.columns[ColumnKey("expires")]
        if (widths["practice"] == self._name_width and status_column.width == status_width
                and expires_column.width == widths["expires"]):
            return False
        self._name_width = widths["practice"]
        status_column.width = status_width
        expires_column.width = widths["expires"]
        table.columns[ColumnKey("practice")].width = self._name_width
        self._cell_cache = {}
        return True

    def on_mount(self) -> None:
        # first in line after the first paint: before the rest of the rows are added
        self.call_after_refresh(self._ready)
        self._show_data()

    def on_screen_resume(self) -> None:
        """Back from another screen: the keys act on the list again (not on the filter
        field, where the next letter would be typed), at the practice the user left."""
        self.query_one("#practices", DataTable).focus()

    def _ready(self) -> None:
        ready = getattr(self.app, "dashboard_ready", None)
        if ready is not None:
            ready()

    # --- data -----------------------------------------------------------------------

    def refresh_data(self) -> None:
        """Re-read config and repository (after an import, a backup, a new practice...)."""
        self._read_data()
        self._show_data()

    def _read_data(self) -> None:
        """The rows, from config and repository; no widget is touched."""
        context = self.context
        first = context.take_first_reading()
        if first is not None and first.config is context.config:
            now = self._now = first.now
            self.rows = first.rows
        else:
            now = self._now = context.clock.now()
            # a damaged practice is a DAMAGED row: it never hides the others
            self.rows = build_overview(context.config, context.repository, now)
        # today's date where a person looks first: "Renew from" reads against it
        self.app.title = f"vecozo-tui · {day_and_date(now)}"
        self._cell_cache = {}
        self._row_widths_cache = None
        if len(self.rows) <= WALKTHROUGHS_INLINE:
            from vecozo_tui.walkthroughs import progress_summary

            self._walkthroughs = {row.practice.id: progress_summary(context.repository,
                                                                     row.practice.id)
                                  for row in self.rows}
        else:  # a big fleet: the least urgent column follows once every row is shown
            self._walkthroughs = {}
            self._walkthroughs_wanted = True

    def _show_data(self) -> None:
        """The rows read into the widgets: the timeline, the counts and the table."""
        now = self._now
        self._layout(self.app.size.width)
        self.query_one(Timeline).show(
            now.date(),
            [(local_day(row.not_after, now), row.level) for row in self.rows
             if row.not_after],
            [row.renew_from for row in self.rows if row.renew_from],
        )
        self._apply_filter()

    def _apply_filter(self) -> None:
        needle = self.query_one("#filter", Input).value.strip().casefold()
        self.shown_rows = [row for row in self.rows if row_matches(row, needle)]
        self.query_one(StatusCounts).show(level_counts(self.rows), len(self.rows),
                                          len(self.shown_rows))
        table = self.query_one("#practices", DataTable)
        keep = self._selected_id() or getattr(self.app, "current_practice_id", None)
        table.clear()
        self._fill_number += 1
        # the first screenful now, the rest after the first paint; all at once when the
        # cursor goes further down (a refresh keeps it where the user left it)
        first = self.app.size.height + FIRST_SCREENFUL_MARGIN
        shown_ids = [row.practice.id for row in self.shown_rows]
        if keep in shown_ids[first:]:
            first = len(self.shown_rows)
        self._add_rows(self.shown_rows[:first])
        if keep:
            self.select_practice(keep)
        if not self.shown_rows:
            self._show_summary(None)
        self.refresh_bindings()
        if first < len(self.shown_rows):
            self.call_after_refresh(self._add_rest, self._fill_number, first)
        else:
            self._all_rows_shown()

    def _add_rows(self, rows: list[PracticeOverview]) -> None:
        table = self.query_one("#practices", DataTable)
        cache = self._cell_cache
        for row in rows:
            practice_id = row.practice.id
            cells = cache.get(practice_id)
            if cells is None:
                cells = cache[practice_id] = self._cells(row)
            table.add_row(*cells, key=practice_id)

    def _add_rest(self, fill_number: int, start: int) -> None:
        if fill_number != self._fill_number:  # filtered or read again meanwhile
            return
        self._add_rows(self.shown_rows[start:])
        self._all_rows_shown()

    def _all_rows_shown(self) -> None:
        done = getattr(self.app, "start_up_done", None)
        if done is not None:
            done()
        if self._walkthroughs_wanted:
            self._walkthroughs_wanted = False
            self._load_walkthroughs()

    def _cells(self, row: PracticeOverview) -> list[Text]:
        practice = row.practice
        if row.active is None:
            backup = Text("-", style="dim")
        elif row.backup_missing:
            backup = Text(_("no backup"), style="bold yellow")  # untranslated: style
        else:
            backup = Text(local_date(row.last_backup.at if row.last_backup else None, self._now))
        if row.last_test_call is None:
            test = Text(_("never"), style="dim")
        elif row.last_test_call.ok:
            test = Text(_("OK"), style="green")
        else:
            test = Text(_("FAILED"), style=alarm_style())
        # "overdue" / "now" / a date: a past date must not look like any other date
        renew = Text(renew_from_text(row.renew_from, row.today))
        if row.quarter_in_window is not None or row.renewal_state is not None:
            renew.stylize("bold")
        cells = {
            "status": row_status_text(row),
            "practice": plain(truncate_middle(practice.name, self._name_width)),
            "expires": plain(relative_days(row.days_left) if row.days_left is not None
                             else "-"),
            "renew": renew,
            "backup": backup,
            "test": test,
            "software": self._software_cell(row),
            "walkthrough": plain(self._walkthroughs.get(practice.id) or ""),
            "id": plain(practice.id),
            "agb": plain(practice.agb),
            "env": plain(ENVIRONMENT_SHORT.get(practice.environment, practice.environment)),
            "date": plain(local_date(row.not_after, self._now)),
        }
        return [cells[key] for key, _label, _width in COLUMNS]


    @staticmethod
    def _software_cell(row: PracticeOverview) -> Text:
        """'deployed' when every deploy target holds the active certificate."""
        if row.deployed_is_active is None:
            return Text("-", style="dim")
        if row.deployed_is_active:
            return Text(_("deployed"), style="green")
        # only for a practice with deploy targets (few): the module takes 10 ms to import
        from vecozo_tui.deploy import FAILED, NEVER_DEPLOYED

        states = {state.state for state in row.deploy_targets}
        if FAILED in states:
            return Text(_("FAILED"), style=alarm_style())
        if states == {NEVER_DEPLOYED}:
            return Text(_("never"), style="bold yellow")  # untranslated: style
        return Text(_("OLD"), style="bold yellow")  # untranslated: style

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard",
          description="load the dashboard")  # untranslated: for developers
    def _load_walkthroughs(self) -> None:
        from vecozo_tui.walkthroughs import progress_summary

        repository = self.context.repository

        def summaries() -> dict[str, str]:
            found = {}
            for row in list(self.rows):
                summary = progress_summary(repository, row.practice.id)
                if summary:
                    found[row.practice.id] = summary
            return found

        post_outcome(self, WalkthroughSummaries, summaries)

    @on(WalkthroughSummaries)
    def _show_walkthroughs(self, message: WalkthroughSummaries) -> None:
        found = message.result or {}  # unreadable progress: the column stays empty
        self._walkthroughs = dict(found)
        for practice_id in found:
            self._cell_cache.pop(practice_id, None)
        table = self.query_one("#practices", DataTable)
        for practice_id, summary in found.items():
            with contextlib.suppress(Exception):  # filtered out meanwhile
                table.update_cell(practice_id, "walkthrough", plain(summary))

    # --- selection ------------------------------------------------------------------

    def _selected_id(self) -> str | None:
        table = self.query_one("#practices", DataTable)
        if not self.shown_rows or table.row_count == 0:
            return None
        try:
            key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        except Exception:  # noqa: BLE001 - no valid cursor (empty table)
            return None
        return key.value

    def select_practice(self, practice_id: str) -> None:
        table = self.query_one("#practices", DataTable)
        try:
            index = table.get_row_index(practice_id)
        except Exception:  # noqa: BLE001 - filtered out or unknown
            return
        table.move_cursor(row=index)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_detail" or action in FEATURE_ACTIONS:
            return bool(self.shown_rows) or None  # shown dimmed when there is nothing to act on
        if action == "move_cursor":  # on the list only; in the filter ↓ goes to the list
            return self.query_one("#practices", DataTable).has_focus
        if action in ("focus_filter", "clear_filter", "to_table"):
            in_filter = self.query_one("#filter", Input).has_focus
            if action == "focus_filter":  # in the field a '/' is typed
                return not in_filter
            if action == "clear_filter":  # shown while there is a filter; Esc leaves the field
                return in_filter or bool(self.query_one("#filter", Input).value)
            return in_filter  # to_table: on the list, Down moves in it
        return True

    def target_practice_id(self) -> str | None:
        return self._selected_id()

    # --- actions --------------------------------------------------------------------

    def action_open_detail(self) -> None:
        self.open_feature("detail")

    def action_reload(self) -> None:
        self.refresh_data()
        self.notify(_("Repository read again."), timeout=2)

    def action_focus_filter(self) -> None:
        focus_now(self.query_one("#filter", Input))

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.value = ""
        focus_now(self.query_one("#practices", DataTable))

    def action_move_cursor(self, table_action: str) -> None:
        """One of the list's own cursor keys (DataTable's action of that name)."""
        getattr(self.query_one("#practices", DataTable), f"action_{table_action}")()

    def action_to_table(self) -> None:
        focus_now(self.query_one("#practices", DataTable))

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        if len(self.rows) <= FILTER_AT_ONCE:
            self._apply_filter()
            return
        # a big fleet: filter once the typing pauses, not on every keystroke
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY_SECONDS, self._apply_filter)

    @on(DataTable.RowHighlighted, "#practices")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            if self.console_app is not None:
                self.console_app.set_current_practice(event.row_key.value)
        self._show_summary(event.row_key.value)

    def _show_summary(self, practice_id: str | None) -> None:
        summary = self.query_one("#selected-summary", Static)
        row = next((r for r in self.shown_rows if r.practice.id == practice_id), None)
        if row is None:
            summary.update("")
            return
        practice = row.practice
        first = Text.assemble((practice.name, "bold"), f"  {practice.id} · AGB {practice.agb}"
                              f" · {environment_word(practice.environment)}")
        if practice.contact:
            first.append(f" · {practice.contact}")
        # the level word and the first reason (the status model's); the detail has all
        second = row_status_text(row)
        if row.reasons:
            second.append(f"  {row.reasons[0].text}")
            if len(row.reasons) > 1:
                more = len(row.reasons) - 1
                second.append(" " + ngettext("(+{count} more: Enter)", "(+{count} more: Enter)",
                                             more).format(count=more), style="dim")
        elif row.not_after is not None:
            if row.quarter_in_window:
                renew = _("renew from {date}, before the quarter start {quarter}").format(
                    date=short_date(row.renew_from), quarter=short_date(row.quarter_in_window))
            else:
                renew = _("renew from {date}").format(date=short_date(row.renew_from))
            second.append("  " + renew)
        walkthrough = self._walkthroughs.get(practice.id)
        if walkthrough:
            second.append(" · " + _("walkthrough {summary}").format(summary=walkthrough))
        summary.update(Text("\n").join([first, second]))
