"""Small reusable widgets and the wording/styling helpers the screens share.

Status is always a word; colour is only added on top of it (NO_COLOR removes the
colour, the word stays).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.color import Color
from textual.filter import LineFilter
from textual.strip import Strip
from textual.widgets import DataTable, Footer, Input, Static
from textual.widgets._footer import FooterKey

from vecozo_tui.expiry import QUARTER_START_MONTHS
from vecozo_tui.i18n import N_, _, ngettext, pgettext
from vecozo_tui.status import Level
from vecozo_tui.textfmt import month_letter, number, relative_days, short_date, to_ascii
from vecozo_tui.textfmt import truncate_middle as truncate_middle  # one rule for both fronts
from vecozo_tui.tui.translated import TranslatedBindings

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.coordinate import Coordinate
    from textual.screen import Screen
    from textual.widgets.data_table import RowKey

STATUS_STYLES: dict[Level, str] = {
    Level.DAMAGED: "bold red",  # untranslated: style
    Level.EXPIRED: "bold red",  # untranslated: style
    Level.CRITICAL: "bold red",  # untranslated: style
    Level.WARNING: "bold yellow",  # untranslated: style
    Level.NO_CERTIFICATE: "bold magenta",  # untranslated: style
    Level.ATTENTION: "bold cyan",  # untranslated: style
    Level.OK: "green",
}

ENVIRONMENT_SHORT = {"production": "prod", "acceptance": "acc", "test": "test"}
# what the configuration's environment names are called on screen
ENVIRONMENT_WORDS = {"production": N_("production"), "acceptance": N_("acceptance"),
                     "test": N_("test")}
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def environment_word(environment: str) -> str:
    """'production', 'productie': an environment as people read it."""
    word = ENVIRONMENT_WORDS.get(environment)
    return _(word) if word else environment


def day_and_date(moment: datetime) -> str:
    """'Wed 2026-12-02', 'wo 02-12-2026': today, where a person looks first."""
    return f"{_(WEEKDAYS[moment.weekday()])} {short_date(moment)}"


def level_count_word(level: Level) -> str:
    """The level in the dashboard's count line, where every column counts: a shorter
    word where the language's own is long ('WAARSCH.')."""
    if level is Level.WARNING:
        return pgettext("count line", "WARNING")
    if level is Level.NO_CERTIFICATE:
        return pgettext("count line", "NO CERTIFICATE")
    return level.word


# Under NO_COLOR Textual greys colours by brightness: red becomes near-invisible grey on
# the dark background, so the most urgent words would be the hardest to read. The app
# sets this from its own no_color, and alarms are then shown in reverse video.
MONOCHROME = False

MONOCHROME_STATUS_STYLES: dict[Level, str] = {
    Level.DAMAGED: "bold reverse",  # untranslated: style
    Level.EXPIRED: "bold reverse",  # untranslated: style
    Level.CRITICAL: "bold reverse",  # untranslated: style
    Level.WARNING: "bold",
    Level.NO_CERTIFICATE: "bold reverse",  # untranslated: style
    Level.ATTENTION: "bold",
    Level.OK: "",
}


def _worst_style(status: Level | None) -> str:
    return status_style(status) if status is not None else "dim"


def status_style(status: Level) -> str:
    return (MONOCHROME_STATUS_STYLES if MONOCHROME else STATUS_STYLES)[status]


def alarm_style() -> str:
    """For FAILED, ERROR, NOT VERIFIED and the like."""
    return "bold reverse" if MONOCHROME else "bold red"  # untranslated: style


def status_text(status: Level) -> Text:
    return Text(status.word, style=status_style(status))


def row_status_text(row) -> Text:  # noqa: ANN001 - overview.PracticeOverview
    """A practice's level word as the dashboard and the practice list show it."""
    return status_text(row.level)


def truncate(value: str, width: int) -> str:
    return value if len(value) <= width else value[: max(width - 1, 0)] + "…"


def plain(value: object) -> Text:
    """A table cell that is never parsed as markup (practice names may hold '[')."""
    return Text("" if value is None else str(value))


def expiry_wording(days: int | None, not_after: datetime | None) -> str:
    """'2026-12-15 (in 23 days)' or '-'."""
    if not_after is None:
        return "-"
    return f"{short_date(not_after)} ({relative_days(days)})"


class AsciiFilter(LineFilter):
    """Replaces every character a plain terminal cannot draw (box drawing of borders,
    scrollbar blocks, arrows, '…', Textual's own icons) by ASCII of the same width, on
    every line of every widget as it goes to the terminal: one place for all glyphs,
    the app's own and Textual's."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [segment if segment.control or segment.text.isascii()
                else Segment(to_ascii(segment.text), segment.style, segment.control)
                for segment in segments]


# the key names a footer shows with a glyph, in words for a plain terminal
KEY_WORDS = {"⏎": "Enter", "↓": "Down", "↑": "Up", "→": "Right", "←": "Left", "⇥": "Tab"}


def ascii_key_display(display: str) -> str:
    for glyph, word in KEY_WORDS.items():
        display = display.replace(glyph, word)
    return to_ascii(display)


class SearchInput(TranslatedBindings, Input):
    """A search field where ``?`` opens the help, as everywhere else: no practice name,
    AGB code or id has a question mark, and a help key that types itself into the
    field (after the footer promised help) is a trap."""

    BINDINGS = [Binding("question_mark", "app.help",  # untranslated: action
                        N_("Help"), key_display="?", show=False, priority=True)]

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # not consumed: the footer keeps showing "? Help" while the field has focus
        return character != "?" and super().check_consume_key(key, character)


class FooterEntry(NamedTuple):
    """One key as the footer shows it."""

    key: str
    key_display: str
    description: str
    disabled: bool
    tooltip: str


class FooterKeys(FooterKey):
    """The footer's keys (all but the palette's) in one widget, drawn as Textual draws a
    row of its FooterKey widgets: each key's text and styles are FooterKey's (the CSS
    is FooterKey's, so the colours are the same), a disabled key dim.

    A widget per key cost more than the rest of the footer: each is styled twice
    (component classes too), laid out, measured and rendered, a tenth of the
    dashboard's start-up. The mouse works as on Textual's keys: a click presses the
    key under the pointer (a bell when it is disabled) and the tooltip is that key's;
    only the hover highlight is not drawn (a keyboard console)."""

    DEFAULT_CSS = """
    FooterKeys:hover { color: $footer-foreground; background: $footer-item-background; }
    """  # untranslated: CSS

    def __init__(self, entries: list[FooterEntry]) -> None:
        super().__init__("", "", "", "")
        self.entries = entries
        self._spans: list[tuple[int, int, FooterEntry]] = []

    def render(self) -> Text:
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        key_padding = self.get_component_styles("footer-key--key").padding
        description_padding = self.get_component_styles("footer-key--description").padding
        line = Text()
        self._spans = []
        for entry in self.entries:  # as FooterKey.render draws one key
            if entry.description:
                text = Text.assemble(
                    (" " * key_padding.left + entry.key_display + " " * key_padding.right,
                     key_style),
                    (" " * description_padding.left + entry.description
                     + " " * description_padding.right, description_style))
            else:
                text = Text.assemble((entry.key_display, key_style))
            # a disabled FooterKey's own style is its text-style: dim on top of the rest
            text.stylize_before(self.rich_style + Style(dim=True) if entry.disabled
                                else self.rich_style)
            self._spans.append((len(line), len(line) + len(text), entry))
            line.append_text(text)
        return line

    def _entry_at(self, x: int) -> FooterEntry | None:
        return next((entry for start, end, entry in self._spans if start <= x < end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:  # type: ignore[override]
        # not FooterKey's handler too: it would press this widget's own (empty) key
        event.prevent_default()
        entry = self._entry_at(event.x)
        if entry is None:
            return
        if entry.disabled:
            self.app.bell()
        else:
            self.app.simulate_key(entry.key)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        entry = self._entry_at(event.x)
        tooltip = entry.tooltip if entry is not None and entry.tooltip else None
        if tooltip != self.tooltip:  # each change redraws the tooltip
            self.tooltip = tooltip


class KeysFooter(Footer):
    """Textual's footer, with its keys from the first paint, rebuilt only when the keys
    it shows change, and its keys in one widget (FooterKeys).

    Textual's footer starts empty and then removes and mounts every key again on each
    binding change (the focus moving, a ``check_action`` answering otherwise), once per
    change: two or three rebuilds at the dashboard's start, each a refresh after the
    first paint and together a tenth of the start-up. This one is built with the keys
    (so a screen's ``check_action`` must answer once its widgets are composed) and is
    rebuilt once for any number of changes before the next refresh, and only when what
    it would show differs from what it shows."""

    _rebuild_pending = False
    _shown: tuple[tuple[Binding, bool, str, str], ...] = ()

    def compose(self) -> ComposeResult:
        self.set_reactive(Footer._bindings_ready, True)  # Textual's waits for a change
        self._shown = self._keys_shown()
        if self.compact or any(binding.group is not None for binding, _, _, _ in self._shown):
            # key groups or the compact style (the console has neither): Textual's keys
            for widget in super().compose():
                yield self._start_compact(widget) if isinstance(widget, FooterKey) else widget
            return
        # Textual's own keys (8.2: FooterKey and its _disabled), drawn by FooterKeys
        keys = [key for key in super().compose() if isinstance(key, FooterKey)]
        entries = [FooterEntry(key.key, key.key_display, key.description, key._disabled,
                               str(key.tooltip or ""))
                   for key in keys if not key.has_class("-command-palette")]
        if entries:
            yield self._start_compact(FooterKeys(entries))
        # the palette's key is docked at the right with a border: Textual's own widget
        yield from (self._start_compact(key) for key in keys
                    if key.has_class("-command-palette"))

    def _start_compact(self, widget: FooterKey) -> FooterKey:
        # a key starts in the footer's compact state, the one Textual binds it to:
        # otherwise it starts compact, then is told it is not, and restyles itself twice
        widget.set_reactive(FooterKey.compact, self.compact)
        widget.set_class(self.compact, "-compact", update=False)
        return widget

    def shown_descriptions(self) -> list[str]:
        """The descriptions of the keys shown, left to right (the palette's last)."""
        found = []
        for widget in self.query(FooterKey):
            if isinstance(widget, FooterKeys):
                found += [entry.description for entry in widget.entries]
            else:
                found.append(str(widget.description))
        return found

    def _keys_shown(self) -> tuple[tuple[Binding, bool, str, str], ...]:
        """The bindings the footer shows (and the palette's), with their state."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple((binding, enabled, tooltip, self.app.get_key_display(binding))
                     for key, (_, binding, enabled, tooltip)
                     in self.screen.active_bindings.items()
                     if binding.show or key == palette)

    def bindings_changed(self, screen: Screen) -> None:
        if self._rebuild_pending or not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False  # a change from here on asks for the next rebuild
        if self.is_attached and self._keys_shown() != self._shown:
            await self.recompose()


class DemoBanner(Static):
    """One line telling a demo user the password of the example files and where they are."""

    def __init__(self, context) -> None:  # noqa: ANN001 - AppContext
        demo = context.demo
        text = Text(no_wrap=True, overflow="ellipsis")
        if demo is not None:
            from vecozo_tui.demo import DEMO_PASSWORD

            text.append(" DEMO ", style="bold reverse")  # untranslated: style
            text.append("  " + _(".pfx password:") + " ")
            text.append(DEMO_PASSWORD, style="bold")
            text.append("  " + _("inbox: {path}").format(path=context.config.inbox))
        super().__init__(text, classes="demo-banner")
        self.display = demo is not None


class StatusCounts(Static):
    """'EXPIRED 1 CRITICAL 2 ...' across the top of the dashboard: how many practices
    have each level of the status model (vecozo_tui.status)."""

    DEFAULT_CSS = """
    StatusCounts { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """  # untranslated: CSS

    def show(self, counts: dict[Level, int], total: int, shown: int | None = None) -> None:
        self.update(self.render_counts(counts, total, shown))

    @staticmethod
    def render_counts(counts: dict[Level, int], total: int, shown: int | None = None) -> Text:
        if total == 0:
            return Text(_("No practices in the configuration yet: press p, then a, to add "
                          "one."), style="bold")
        text = Text()
        # one space between groups, the count in bold: six levels and the total fit 80
        # columns
        for level in Level:
            count = counts.get(level, 0)
            if level is Level.DAMAGED and not count:
                continue  # rare: named only when there is one (80 columns are full)
            text.append(level_count_word(level), style=status_style(level) if count else "dim")
            text.append(f" {number(count)} ", style="bold" if count else "dim")
        if shown is not None and shown != total:
            label = _("{shown} of {total} shown").format(shown=number(shown), total=number(total))
        else:
            label = ngettext("{count} practice", "{count} practices", total).format(
                count=number(total))
        text.append(" " + label, style="dim")
        return text


def _month_index(day: date, first: date) -> int:
    return (day.year - first.year) * 12 + day.month - first.month


class Timeline(Static):
    """The next 24 months across: expiries and renewal starts per month.

    Each month is three columns: a marker (``┃`` at a quarter start, when VECOZO is
    busiest) and a two-character count. Fits 80 columns with a 7-column label.
    """

    DEFAULT_CSS = """
    Timeline { height: 4; padding: 0 0 0 1; }
    """
    MONTHS = 24
    LABEL_WIDTH = 7

    def show(self, today: date,
             expiries: Iterable[tuple[date, Level]],
             renewals: Iterable[date]) -> None:
        self.update(self.render_timeline(today, expiries, renewals))

    @classmethod
    def render_timeline(cls, today: date, expiries: Iterable[tuple[date, Level]],
                        renewals: Iterable[date]) -> Text:
        first = today.replace(day=1)
        months = [(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1)
                  for i in range(cls.MONTHS)]
        expire_counts = [0] * cls.MONTHS
        worst: list[Level | None] = [None] * cls.MONTHS
        renew_counts = [0] * cls.MONTHS
        for day, status in expiries:
            index = max(_month_index(day, first), 0)  # already expired: this month
            if index < cls.MONTHS:
                expire_counts[index] += 1
                known = worst[index]
                if known is None or status.urgency < known.urgency:
                    worst[index] = status
        for day in renewals:
            index = max(_month_index(day, first), 0)  # overdue: this month
            if index < cls.MONTHS:
                renew_counts[index] += 1

        def marker(month: int) -> str:
            return "┃" if month in QUARTER_START_MONTHS else " "

        years = Text(" " * cls.LABEL_WIDTH)
        line = [" "] * (cls.MONTHS * 3)
        for i, (year, month) in enumerate(months):
            label = str(year)
            if month == 1 or (i == 0 and cls._room_for_first_year(months)):
                for j, char in enumerate(label):
                    if i * 3 + j < len(line):
                        line[i * 3 + j] = char
        years.append("".join(line).rstrip(), style="bold")

        letters = Text(_label(_("Month"), cls.LABEL_WIDTH), style="dim")
        for _year, month in months:
            letters.append(marker(month), style="bold")
            letters.append(" " + month_letter(month))

        # the legend, explained on the help screen: six letters at most
        expire_line = Text(_label(_("Expire"), cls.LABEL_WIDTH), style="dim")
        renew_line = Text(_label(_("Renew"), cls.LABEL_WIDTH), style="dim")
        for i, (_year, month) in enumerate(months):
            expire_line.append(marker(month), style="bold")
            expire_line.append(_count(expire_counts[i]),
                               style=_worst_style(worst[i]))
            renew_line.append(marker(month), style="bold")
            renew_line.append(_count(renew_counts[i]), style="bold" if renew_counts[i] else "dim")
        return Text("\n").join([years, letters, expire_line, renew_line])

    @staticmethod
    def _room_for_first_year(months: list[tuple[int, int]]) -> bool:
        # "2026" needs four columns plus a space before the next January's label
        return months[0][1] <= 11


def _label(word: str, width: int) -> str:
    """A legend word and at least one space, in ``width`` columns."""
    return word[: width - 1].ljust(width)


def _count(value: int) -> str:
    if value == 0:
        return " ·"
    if value > 99:
        return "++"
    return f"{value:>2}"


class FixedTable(DataTable):
    """A DataTable whose columns all have a fixed width and whose rows are one line.

    DataTable measures every new cell to size auto-width columns; with fixed widths
    that work changes nothing, and on 1,000 practices it is a fifth of a second at
    start-up and on every filter keystroke. So new rows skip it when every column has
    a width and no row has a label or an automatic height.

    DataTable also renders every cell of a line, the fixed columns twice (once fixed,
    once in the scrolling part, where they are cropped away), and then crops the line
    to the terminal: at 80 columns about half of the cells it renders are never seen,
    and rendering cells is most of the first paint's time. This table renders the
    cells the line shows and puts blanks of the same width in place of the others, so
    the cropped line is the same.

    Both rest on DataTable's private parts as Textual 8.2 has them (``_render_line_in_row``,
    ``_render_cell``, ``_row_render_cache``, ``_labelled_row_exists``, and that a line
    asks for its fixed columns first, then for every column): tests/tui/test_dashboard_layout
    compares every line with Textual's own at several scroll positions.
    """

    # the scrolling part's window (in its own columns) the cached row renders were made
    # for: DataTable's row cache does not know the scroll position
    _window: tuple[int, int] = (0, 0)
    # while a line of a row is rendered: the cells it has asked for so far, and where
    # each column starts in the scrolling part
    _cells_asked: int | None = None
    _column_starts: list[int] = []
    _row_height = 1

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        fixed_width = sum(column.get_render_width(self)
                          for column in self.ordered_columns[: self.fixed_columns])
        window = (x1 + fixed_width, x2)  # what DataTable crops the scrolling part to
        if window != self._window:
            self._window = window
            self._row_render_cache.clear()
        return super()._render_line(y, x1, x2, base_style)

    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style: Style,
                            cursor_location: Coordinate, hover_location: Coordinate
                            ) -> tuple[list[list[Segment]], list[list[Segment]]]:
        args = (row_key, line_no, base_style, cursor_location, hover_location)
        if self._labelled_row_exists:  # a label cell comes first: render everything
            return super()._render_line_in_row(*args)
        starts, start = [], 0
        for column in self.ordered_columns:
            starts.append(start)
            start += column.get_render_width(self)
        self._column_starts = starts
        row = self.rows.get(row_key)
        self._row_height = row.height if row is not None else self.header_height
        self._cells_asked = 0
        try:
            return super()._render_line_in_row(*args)
        finally:
            self._cells_asked = None

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        asked = self._cells_asked
        if asked is not None:
            self._cells_asked = asked + 1
            # the first cells a line asks for are the fixed columns, always shown; then
            # come the scrolling part's, every column from the first
            start = self._column_starts[column_index]
            left, right = self._window
            if asked >= self.fixed_columns and (start + width <= left or start >= right):
                return [[Segment(" " * width, base_style)]] * self._row_height
        return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)

    def _update_dimensions(self, new_rows) -> None:  # noqa: ANN001 - Iterable[RowKey]
        rows = list(new_rows)
        if all(not column.auto_width for column in self.columns.values()) and not any(
                (row := self.rows.get(key)) is not None and (row.label is not None
                                                              or row.auto_height)
                for key in rows):
            rows = []
        super()._update_dimensions(rows)
