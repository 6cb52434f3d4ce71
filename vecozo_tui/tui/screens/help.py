"""`?`: the keys of the screen below, the keys every screen has, and what the words mean."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from vecozo_tui.status import Level
from vecozo_tui.tui.translated import TranslatedBindings
from vecozo_tui.tui.widgets import ascii_key_display, status_text

STATUS_MEANING = {
    Level.EXPIRED: "the certificate has expired: COV and declarations fail now",
    Level.CRITICAL: "expires within the critical threshold (default 14 days)",
    Level.WARNING: "renewal is due (warning threshold, or the renew-from date passed), "
                   "or COV fails now: a personal certificate, a failed test call",
    Level.NO_CERTIFICATE: "no certificate imported for this practice yet",
    Level.ATTENTION: "works, but not in order: no verified backup, never tested, "
                     "kind unclear",
    Level.OK: "nothing to do yet",
}

GENERAL = [
    ("?", "this help"),
    ("ctrl+p", "command palette: every action by name"),
    ("p", "practices: search and choose the current practice (a: add one)"),
    ("escape", "back to the previous screen"),
    ("q", "quit (ctrl+q always quits)"),
    ("tab / shift+tab", "next / previous field"),
]


class HelpScreen(TranslatedBindings, Screen[None]):
    BINDINGS = [
        Binding("escape", "close", "Back", id="help.back"),
        Binding("question_mark", "close", "Back", key_display="?", show=False),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under_title = under.__class__.__name__.removesuffix("Screen") or "Screen"
        self.under_keys: list[tuple[str, str]] = []
        seen: set[str] = set()
        from vecozo_tui.tui.bindings import user_bindings

        for active in user_bindings(under):
            binding = active.binding
            key = under.app.get_key_display(binding)
            if key in seen:
                continue
            seen.add(key)
            self.under_keys.append((key, binding.tooltip or binding.description))
        # keys of the screen's widgets that are no binding of the screen (e.g. a table's)
        plain_keys = getattr(under.app, "ascii", False)
        self.under_keys += [(ascii_key_display(key) if plain_keys else key, text)
                            for key, text in getattr(under, "HELP_KEYS", [])]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help-body"):
            yield Static(f"Keys on this screen ({self.under_title})",
                         classes="section-title first")
            yield Static(_key_table(self.under_keys), classes="kv")
            yield Static("Keys everywhere", classes="section-title")
            yield Static(_key_table(GENERAL), classes="kv")
            yield Static("Levels (the most urgent reason decides; Enter shows them all)",
                         classes="section-title")
            statuses = Table.grid(padding=(0, 2))
            statuses.add_column(width=14)
            statuses.add_column()
            for status, meaning in STATUS_MEANING.items():
                statuses.add_row(status_text(status), meaning)
            statuses.add_row(Text("Renew from", style="bold"),
                             "'overdue' once the date has passed, 'now' on the day, else "
                             "the date to start renewing")
            yield Static(statuses, classes="kv")
            yield Static("Timeline", classes="section-title")
            yield Static(
                "The next 24 months, one column of three characters per month. 'Expire' "
                "counts the certificates that expire in that month, 'Renew' the ones whose "
                "renewal should start then. ┃ marks a quarter start (1 Jan, 1 Apr, 1 Jul, "
                "1 Oct): VECOZO's busiest days. A renewal window that runs into one starts "
                "earlier; such renew-from dates are shown in bold. Expired certificates and "
                "overdue renewals count in the current month; ++ means more than 99.",
                classes="kv")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)


def _key_table(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(width=19, style="bold")  # "Right Left End Home" on a plain terminal
    table.add_column()
    for key, text in rows:
        table.add_row(Text(key), Text(text))
    return table
