"""`?`: the keys of the screen below, the keys every screen has, and what the words mean."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from vecozo_tui.i18n import N_, _
from vecozo_tui.status import Level
from vecozo_tui.tui.translated import TranslatedBindings
from vecozo_tui.tui.widgets import KeysFooter, ascii_key_display, status_text

STATUS_MEANING = {
    Level.EXPIRED: N_("the certificate has expired: COV and declarations fail now"),
    Level.CRITICAL: N_("expires within the critical threshold (default 14 days)"),
    Level.WARNING: N_("renewal is due (warning threshold, or the renew-from date passed), "
                      "or COV fails now: a personal certificate, a failed test call"),
    Level.NO_CERTIFICATE: N_("no certificate imported for this practice yet"),
    Level.ATTENTION: N_("works, but not in order: no verified backup, never tested, "
                        "kind unclear"),
    Level.OK: N_("nothing to do yet"),
}

GENERAL = [
    ("?", N_("this help")),
    ("ctrl+p", N_("command palette: every action by name")),
    ("p", N_("practices: search and choose the current practice (a: add one)")),
    ("escape", N_("back to the previous screen")),
    ("q", N_("quit (ctrl+q always quits)")),
    ("tab / shift+tab", N_("next / previous field")),
]

# the screens' names in the heading 'Keys on this screen (...)': the class names
SCREEN_NAMES = {name: name for name in (
    N_("Dashboard"), N_("Detail"), N_("PracticeSelect"), N_("AddPractice"), N_("Import"),
    N_("TestCall"), N_("Walkthrough"), N_("Backup"), N_("Deploy"), N_("Confirm"),
    N_("Note"))}


class HelpScreen(TranslatedBindings, Screen[None]):
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="help.back"),  # untranslated: id
        Binding("question_mark", "close", N_("Back"), key_display="?", show=False),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        name = under.__class__.__name__.removesuffix("Screen") or "Screen"
        self.under_title = _(SCREEN_NAMES[name]) if name in SCREEN_NAMES else name
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
        self.under_keys += [(ascii_key_display(key) if plain_keys else key, _(text))
                            for key, text in getattr(under, "HELP_KEYS", [])]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help-body"):
            yield Static(_("Keys on this screen ({screen})").format(screen=self.under_title),
                         classes="section-title first")  # untranslated: CSS
            yield Static(_key_table(self.under_keys), classes="kv")
            yield Static(_("Keys everywhere"), classes="section-title")
            yield Static(_key_table([(key, _(text)) for key, text in GENERAL]), classes="kv")
            yield Static(_("Levels (the most urgent reason decides; Enter shows them all)"),
                         classes="section-title")
            statuses = Table.grid(padding=(0, 2))
            words = [status_text(status) for status in STATUS_MEANING]
            statuses.add_column(width=max([14] + [len(word.plain) for word in words]))
            statuses.add_column()
            for word, meaning in zip(words, STATUS_MEANING.values(), strict=True):
                statuses.add_row(word, _(meaning))
            statuses.add_row(Text(_("Renew from"), style="bold"),
                             _("'overdue' once the date has passed, 'now' on the day, else "
                               "the date to start renewing"))
            yield Static(statuses, classes="kv")
            yield Static(_("Timeline"), classes="section-title")
            yield Static(
                _("The next 24 months, one column of three characters per month. 'Expire' "
                  "counts the certificates that expire in that month, 'Renew' the ones whose "
                  "renewal should start then. ┃ marks a quarter start (1 Jan, 1 Apr, 1 Jul, "
                  "1 Oct): VECOZO's busiest days. A renewal window that runs into one starts "
                  "earlier; such renew-from dates are shown in bold. Expired certificates and "
                  "overdue renewals count in the current month; ++ means more than 99."),
                classes="kv")
        yield KeysFooter()

    def action_close(self) -> None:
        self.dismiss(None)


def _key_table(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(width=19, style="bold")  # "Right Left End Home" on a plain terminal
    table.add_column()
    for key, text in rows:
        table.add_row(Text(key), Text(text))
    return table
