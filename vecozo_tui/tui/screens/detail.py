"""One practice: its active certificate in full, the history, the last backup and test call,
and whether the practice software has the active certificate (its deploy targets).

Everything shown comes from the repository's public metadata (no password needed).
The actions (import, test call, walkthrough, backup) open their own screens.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from vecozo_tui.certificate_info import kind_reason_words
from vecozo_tui.clock import zone_name
from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import N_, _
from vecozo_tui.overview import PracticeOverview, config_overview
from vecozo_tui.textfmt import (
    fingerprint,
    kind_words,
    local_date,
    local_time,
    relative_days,
    renew_from_text,
    short_date,
    short_fingerprint,
)
from vecozo_tui.tui.base import FEATURE_BINDINGS, PracticeScreen
from vecozo_tui.tui.context import AppContext
from vecozo_tui.tui.widgets import (
    KeysFooter,
    alarm_style,
    day_and_date,
    environment_word,
    status_style,
    status_text,
)

LABEL_WIDTH = 13
LABEL_WIDTH_MAX = 15
# the labels of the detail's tables: the label column is as wide as the longest one in
# the language shown (13 in English, at most 15)
LABELS = (N_("Kind"), N_("Subject"), N_("Person"), N_("AGB code"), N_("Issuer"),
          N_("Serial"), N_("Valid from"), N_("Valid until"), N_("Key"), N_("Friendly name"),
          N_("Chain"), N_("Level"), N_("Reasons"), N_("Today"), N_("Practice"),
          N_("Environment"), N_("Contact"), N_("Notes"), N_("Renew from"), N_("Walkthrough"),
          N_("Last backup"), N_("Last test"))


def label_width() -> int:
    return min(LABEL_WIDTH_MAX, max([LABEL_WIDTH] + [len(_(label)) for label in LABELS]))


def kv_table() -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(width=label_width(), style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    return table


def sha256_lines(hex_upper: str) -> str:
    """The 95-character SHA-256 with colons, as two lines of 16 bytes."""
    text = fingerprint(hex_upper)
    return f"{text[:47]}\n{text[48:]}" if len(text) > 48 else text


def when(moment, now) -> str:  # noqa: ANN001 - datetime | None
    """'2026-11-12 10:30 (10 days ago)' in the server's zone (named once, at the top):
    the same day counting as the dashboard."""
    from vecozo_tui.expiry import days_left

    if moment is None:
        return _("never")
    return f"{local_time(moment, now)} ({relative_days(days_left(moment, now))})"


def certificate_table(info, *, now) -> Table:  # noqa: ANN001 - CertificateInfo, datetime
    """Every field of a CertificateInfo, for the detail and the import preview."""
    from vecozo_tui.expiry import days_left

    table = kv_table()
    if info.kind == "unclear":  # the name itself, first, so the person can judge it
        table.add_row("CN", Text(f'"{info.common_name}"', style="bold"))
    kind = Text(kind_words(info.kind))
    if info.kind in ("personal", "not-client"):
        kind.stylize(alarm_style())
        if info.kind == "personal":
            kind.append(": " + _("cannot do COV or billing"), style=alarm_style())
    elif info.kind == "unclear":
        kind.stylize("bold yellow")  # untranslated: style
    if info.kind_reason:
        kind.append(f" ({kind_reason_words(info.kind_reason)})")
    table.add_row(_("Kind"), kind)
    table.add_row(_("Subject"), Text(info.subject))
    if info.person_name:
        table.add_row(_("Person"), Text(info.person_name))
    table.add_row(_("AGB code"), Text(info.agb_code or _("- (not in the certificate)")))
    table.add_row(_("Issuer"), Text(info.issuer))
    table.add_row(_("Serial"), Text(info.serial))
    table.add_row("SHA-256", Text(sha256_lines(info.sha256)))
    table.add_row("SHA-1", Text(f"{fingerprint(info.sha1)}"))
    table.add_row("", Text(_("(SHA-1 is the 'thumbprint' Windows shows)"), style="dim"))
    left = days_left(info.not_after, now)
    table.add_row(_("Valid from"), Text(local_time(info.not_before, now)))
    table.add_row(_("Valid until"), Text(f"{local_time(info.not_after, now)} "
                                         f"({relative_days(left)})"))
    table.add_row(_("Key"), Text(_("{type} {size} bits").format(type=info.key_type,
                                                               size=info.key_size)))
    if info.friendly_name:
        table.add_row(_("Friendly name"), Text(info.friendly_name))
    if info.chain:
        for number, entry in enumerate(info.chain, start=1):
            table.add_row(_("Chain") if number == 1 else "",
                          Text(_("{number}. {subject} (until {date})").format(
                              number=number, subject=entry.subject,
                              date=local_date(entry.not_after, now))))
    else:
        table.add_row(_("Chain"), Text(_("none in the file"),
                                       style="bold yellow"))  # untranslated: style
    return table


def deploy_target_style(state: str) -> str:
    from vecozo_tui.deploy import FAILED, UP_TO_DATE

    if state == UP_TO_DATE:
        return "green"
    return alarm_style() if state == FAILED else "bold yellow"  # untranslated: style


def deploy_targets_table(row: PracticeOverview, now) -> Table | Text:  # noqa: ANN001
    """Each target and its state: up to date / still the old certificate / failed at STEP
    / never deployed."""
    practice = row.practice
    if not practice.deploy:
        text = Text(_("none configured"), style="dim")
        if practice.deploy_target:
            text = Text(_("installed at {path} (a reminder: copied by hand)").format(
                path=practice.deploy_target))
        return text
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, width=2)
    table.add_column(overflow="fold")
    for state in row.deploy_targets or ():
        line = Text(str(state.target.path))
        line.append(f"  {state.target.format}")
        if state.target.command:
            line.append(", " + _("then {command}").format(
                command=" ".join(state.target.command)), style="dim")
        line.append("\n")
        line.append(state.text, style=deploy_target_style(state.state))
        record = state.record
        if record is not None:
            line.append("  " + _("(last deploy {when})").format(when=when(record.at, now)),
                        style="dim")
            if record.hook_output and not record.ok:
                line.append("\n" + "\n".join(f"| {out}" for out in record.hook_output[-3:]),
                            style="dim")
        table.add_row(Text(f"{state.number}."), line)
    if not row.deploy_targets:  # no active certificate yet
        for number, target in enumerate(practice.deploy, start=1):
            table.add_row(Text(f"{number}."), Text(str(target.path)))
    return table


# the certificate kinds in the history's one-line entries
KIND_SHORT = {"system": N_("system"), "personal": N_("personal"), "unclear": N_("unclear"),
              "not-client": N_("not-client")}


def _kind_short(kind: str) -> str:
    word = KIND_SHORT.get(kind)
    return _(word) if word else kind


class DetailScreen(PracticeScreen[bool]):
    """The certificate detail of one practice."""

    LIVE_REFRESH = True  # the app calls refresh_data when the repository changed

    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="detail.back"),  # untranslated: id
        *FEATURE_BINDINGS,
    ]

    def __init__(self, context: AppContext, practice_id: str) -> None:
        super().__init__(context, practice_id)
        self.practice_id: str = practice_id
        self._changed = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail-body"):
            yield Static(id="summary", classes="kv")
            yield Static(_("Active certificate"), classes="section-title")
            yield Static(id="certificate", classes="kv")
            yield Static(_("Backup and test call"), classes="section-title")
            yield Static(id="events", classes="kv")
            yield Static(_("Practice software (deploy targets)"), classes="section-title")
            yield Static(id="deploy-targets", classes="kv")
            yield Static(_("History (newest first)"), classes="section-title")
            yield Static(id="history", classes="kv")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#detail-body").focus()

    def refresh_data(self) -> None:
        context = self.context
        now = context.clock.now()
        practice = context.practice(self.practice_id)
        self.sub_title = f"{practice.name} ({practice.id})"
        try:
            row = config_overview(practice, context.config, context.repository, now)
        except VecozoError as error:  # damaged metadata: say what, show nothing half-read
            self.query_one("#summary", Static).update(Text(str(error), style="bold"))
            for part in ("#certificate", "#events", "#history"):
                self.query_one(part, Static).update("")
            return
        self.query_one("#summary", Static).update(self._summary(row))
        if row.active is None:
            self.query_one("#certificate", Static).update(Text(
                _("No certificate yet. Press i to import the .pfx/.p12 exported from the "
                  "browser, or w for the 'new certificate' walkthrough."), style="bold"))
        else:
            self.query_one("#certificate", Static).update(
                certificate_table(row.active.info, now=now))
        self.query_one("#events", Static).update(self._events(row, now))
        self.query_one("#deploy-targets", Static).update(deploy_targets_table(row, now))
        self.query_one("#history", Static).update(self._history(now))

    def _summary(self, row: PracticeOverview) -> Group:
        practice = row.practice
        table = kv_table()
        now = self.context.clock.now()
        heading = Text()
        heading.append_text(status_text(row.level))
        if row.days_left is not None:
            heading.append("  " + _("expires {date} ({relative})").format(
                date=local_date(row.not_after, now), relative=relative_days(row.days_left)))
        table.add_row(_("Level"), heading)
        # every reason of the status model, most urgent first (the dashboard shows one)
        for number, reason in enumerate(row.reasons):
            table.add_row(_("Reasons") if number == 0 else "",
                          Text(f"• {reason.text}", style=status_style(reason.level)))
        table.add_row(_("Today"), Text(_("{today}; times in {zone}").format(
            today=day_and_date(now), zone=zone_name(now)), style="dim"))
        table.add_row(_("Practice"), Text(_("{name}  (id {id})").format(name=practice.name,
                                                                       id=practice.id)))
        table.add_row(_("AGB code"), Text(practice.agb))
        table.add_row(_("Environment"), Text(environment_word(practice.environment)))
        if practice.contact:
            table.add_row(_("Contact"), Text(practice.contact))
        if practice.notes:
            table.add_row(_("Notes"), Text(practice.notes))
        if row.renew_from is not None:
            renew = Text(renew_from_text(row.renew_from, row.today))
            if row.renewal_state == "overdue":
                renew.stylize("bold")
                renew.append(" " + _("(since {date})").format(date=short_date(row.renew_from)))
            if row.quarter_in_window is not None:
                renew.append("  " + _("(early: quarter start {date} in the usual window)").format(
                    date=short_date(row.quarter_in_window)), style="bold")
            table.add_row(_("Renew from"), renew)
        from vecozo_tui.walkthroughs import progress_summary

        progress = progress_summary(self.context.repository, practice.id)
        if progress:
            table.add_row(_("Walkthrough"), Text(progress))
        return Group(table)

    def _events(self, row: PracticeOverview, now) -> Table:  # noqa: ANN001
        table = kv_table()
        backup = row.last_backup
        if backup is None:
            text = Text(_("no backup"),
                        style="bold yellow" if row.active else "")  # untranslated: style
        else:
            text = Text(when(backup.at, now))
            text.append("  " + _("to {path}").format(path=backup.target))
            if not backup.verified:
                text.append("  " + _("NOT VERIFIED"), style=alarm_style())
            if row.active is not None and backup.sha256 != row.active.info.sha256:
                text.append("  " + _("(of an earlier certificate: no backup of the active "
                                     "one)"), style="bold yellow")  # untranslated: style
        table.add_row(_("Last backup"), text)
        test = row.last_test_call
        if test is None:
            table.add_row(_("Last test"), Text(_("never")))
        else:
            result = Text(_("OK") if test.ok else _("FAILED"),
                          style="green" if test.ok else alarm_style())
            result.append(f"  {when(test.at, now)}, {environment_word(test.environment)}")
            if row.active is not None and test.sha256 != row.active.info.sha256:
                result.append("  " + _("(with an earlier certificate)"),
                              style="bold yellow")  # untranslated: style
            table.add_row(_("Last test"), result)
            table.add_row("", Text(test.summary_words()))
        return table

    def _history(self, now) -> Table | Text:  # noqa: ANN001
        history = self.context.repository.history(self.practice_id)
        if not history:
            return Text(_("nothing stored yet"), style="dim")
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True, width=7)
        table.add_column(overflow="fold")
        for stored in history:
            info = stored.info
            state = (Text(_("ACTIVE"), style="bold") if stored.active
                     else Text(_("old"), style="dim"))
            line = Text(f"{local_date(info.not_before, now)} → "
                        f"{local_date(info.not_after, now)}  {_kind_short(info.kind)}  "
                        f"SHA-256 {short_fingerprint(info.sha256)}\n")
            line.append(_("imported {when} by {user}").format(
                when=local_time(stored.imported_at, now), user=stored.imported_by), style="dim")
            table.add_row(state, line)
        return table

    # --- actions --------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(self._changed)

