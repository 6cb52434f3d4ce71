"""Import a .pfx/.p12: pick the file, give its password, see every finding, then store.

Four steps on one screen: *pick* (a file browser on the inbox that shows only
certificate files, or a typed path), *password* (masked; decryption runs in a worker;
a wrong password is said plainly and can be retried without picking the file again),
*preview* (the certificate and every finding of ``check_for_import``; nothing written
yet; errors block, warnings need a ``y``; a file with several certificates lists them
all and another can be picked with the arrows and Enter; an unclear kind is asked
as its own question) and *done* (next steps: test call, backup). A file exported
without a password gets a new one for the stored copy first (typed twice).
With deploy targets and ``[deploy] automatic`` on, storing deploys right away (the
password is still in hand) and *done* shows the outcome; otherwise it offers ``d``.

The password lives only from a successful decryption until the store (the repository
encrypts the stored copy with it) or until the user goes back; the input field is
emptied as soon as it is read. It is never logged or shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import (
    ContentSwitcher,
    DirectoryTree,
    Header,
    Input,
    OptionList,
    Static,
)
from textual.widgets.option_list import Option

from vecozo_tui.errors import VecozoError, WrongPasswordError
from vecozo_tui.i18n import N_, _, ngettext
from vecozo_tui.textfmt import local_date, number, relative_days
from vecozo_tui.tui.base import PracticeScreen
from vecozo_tui.tui.context import AppContext
from vecozo_tui.tui.messages import (
    CertificateFileRead,
    CertificateOpened,
    CertificateStored,
    Deployed,
    post_outcome,
)
from vecozo_tui.tui.screens.detail import certificate_table
from vecozo_tui.tui.widgets import DemoBanner, KeysFooter, alarm_style

if TYPE_CHECKING:
    from vecozo_tui.certificates import CertificateInfo, Finding, LoadedPkcs12, Pkcs12Contents
    from vecozo_tui.config import Practice
    from vecozo_tui.tui.messages import OpenedCertificate

CERTIFICATE_SUFFIXES = (".pfx", ".p12")

PICK, PASSWORD, PREVIEW, NEW_PASSWORD, DONE = ("pick", "password-step", "preview",
                                               "new-password-step", "done")



def _problem_text(error: Exception | None) -> str:
    """What the screen says about a failed step: the message of a problem the user can
    fix, or that something unexpected happened (a bug, reported plainly)."""
    if isinstance(error, VecozoError):
        return str(error)
    return _("Unexpected problem ({kind}): {error}").format(kind=type(error).__name__,
                                                             error=error)


class CertificateTree(DirectoryTree):
    """Directories and .pfx/.p12 files only; no hidden entries; no emoji icons. The
    cursor starts on the file that most likely belongs to ``practice``."""

    ICON_NODE_EXPANDED = "▾ "
    ICON_NODE = "▸ "
    ICON_FILE = "  "

    def __init__(self, path: Path, *, practice: Practice | None = None, **kwargs) -> None:
        super().__init__(path, **kwargs)
        self.practice = practice

    def _populate_node(self, node, content) -> None:  # noqa: ANN001 - TreeNode, paths
        content = list(content)
        super()._populate_node(node, content)
        if node is self.root and self.practice is not None:
            from vecozo_tui.inbox import likely_file

            likely = likely_file(content, self.practice)
            for child in node.children:
                if child.data is not None and child.data.path == likely:
                    # after the refresh: the new lines get their numbers then
                    self.call_after_refresh(self.move_cursor, child)

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for path in paths:
            if path.name.startswith("."):
                continue
            if path.suffix.lower() in CERTIFICATE_SUFFIXES or self._safe_is_dir(path):
                yield path


def findings_text(findings: list[Finding]) -> Text:
    if not findings:
        return Text(_("No warnings: the certificate can be imported."),
                    style="bold green")  # untranslated: style
    error_word, warning_word = _("ERROR"), _("WARNING")
    width = max(len(error_word), len(warning_word)) + 2  # the messages start in one column
    text = Text()
    for index, finding in enumerate(findings):
        if index:
            text.append("\n")
        if finding.severity == "error":
            text.append(error_word.ljust(width), style=alarm_style())
        else:
            text.append(warning_word.ljust(width), style="bold yellow")  # untranslated: style
        text.append(finding.message)
    return text


class ImportScreen(PracticeScreen[bool]):
    """Dismisses with True when a certificate was stored."""

    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="import.back"),
        Binding("s", "store", N_("Store"), id="import.store",
                tooltip=N_("Store the certificate and make it the active one")),
        Binding("enter", "store", N_("Store"), show=False),
        Binding("slash", "type_path", N_("Type a path"), key_display="/",
                id="import.type_path"),
        Binding("t", "next_test_call", N_("Test call"),
                id="import.next_test_call",
                tooltip=N_("Test call to COV with the new certificate")),
        Binding("b", "next_backup", N_("Backup"), id="import.next_backup",
                tooltip=N_("Make a verified backup of the new certificate")),
        Binding("d", "next_deploy", N_("Deploy"), id="import.next_deploy",
                tooltip=N_("Put the new certificate where the practice software reads it")),
        Binding("o", "import_there", N_("Import there"),
                id="import.import_there",
                tooltip=N_("The certificate is of another configured practice: import it "
                           "there")),
    ]

    def __init__(self, context: AppContext, practice_id: str) -> None:
        super().__init__(context, practice_id)
        self.practice_id: str = practice_id
        self.practice = context.practice(practice_id)
        self.step = PICK
        self.stored = False
        self.storing = False  # a store once started finishes: Escape waits for it
        self.deploying = False  # so does the deploy right after it
        self._file: Path | None = None
        self._data: bytes | None = None
        self._password: str | None = None
        self._storage_password: str | None = None  # the stored copy's: the file's, or new
        self._loaded: LoadedPkcs12 | None = None
        self._contents: Pkcs12Contents | None = None
        self._active_info: CertificateInfo | None = None
        self._findings: list[Finding] = []
        self._previewed_active: str | None = None
        # the configured practice whose AGB code the certificate shows, when not this one
        self._owner: Practice | None = None
        # bumped whenever the user leaves a step: a worker that finishes afterwards finds
        # its attempt stale and its result (key, password) is dropped, not shown
        self._attempt = 0

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        inbox = self.context.config.inbox
        yield Header()
        yield DemoBanner(self.context)
        yield Static(Text(_("Import a certificate for {name} (AGB {agb})").format(
            name=self.practice.name, agb=self.practice.agb)), id="import-title",
                     classes="section-title first")  # untranslated: CSS classes
        with ContentSwitcher(initial=PICK, id="import-switcher"):
            with Vertical(id=PICK):
                yield Static(_("Pick a file and press Enter, or type a path (/). Only "
                               ".pfx/.p12 are shown."), classes="hint")
                yield Input(placeholder=_("path (absolute, or in the inbox), then Enter"),
                            id="path", classes="line")
                yield Static("", id="pick-error", classes="error")
                if inbox.is_dir():
                    yield CertificateTree(inbox, practice=self.practice, id="files")
                else:
                    yield Static(Text(_("The inbox {inbox} does not exist; type the path "
                                        "of the file, or set [import] inbox in the "
                                        "config.").format(inbox=inbox)),
                                 classes="hint")
            with Vertical(id=PASSWORD):
                yield Static("", id="file-label", classes="kv")
                yield Static(_("Password of the file (the one chosen when it was "
                               "exported):"), classes="hint")
                yield Input(password=True, placeholder=_("password, then Enter"),
                            id="password", classes="line")
                yield Static("", id="password-error", classes="error")
                yield Static(_("Escape: choose another file."), classes="hint")
            with Vertical(id=PREVIEW):
                with VerticalScroll(id="preview-body"):
                    yield Static("", id="preview-heading", classes="kv")
                    yield Static("", id="findings", classes="findings")
                    yield Static("", id="pairs-title", classes="section-title")
                    yield OptionList(id="pairs")
                    yield Static("", id="not-stored", classes="kv")
                    yield Static(_("Certificate in the file"), classes="section-title")
                    yield Static("", id="preview-certificate", classes="kv")
                yield Static("", id="preview-status", classes="kv")
            with Vertical(id=NEW_PASSWORD):
                yield Static(_("The file has no password. Choose a new one for the stored "
                               "copy (the practice software and backups use it); it is "
                               "asked twice and never shown."), classes="hint")
                yield Input(password=True, placeholder=_("new password, then Enter"),
                            id="new-password", classes="line")
                yield Input(password=True, placeholder=_("the same again, then Enter"),
                            id="new-password-again", classes="line")
                yield Static("", id="new-password-error", classes="error")
                yield Static(_("Escape: back to the preview."), classes="hint")
            with VerticalScroll(id=DONE):
                yield Static("", id="done-message", classes="kv")
                yield Static("", id="done-deploy", classes="kv")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Import: {name}").format(name=self.practice.name)
        files = self.query("#files")
        (files.first() if files else self.query_one("#path", Input)).focus()

    def _show(self, step: str) -> None:
        self.step = step
        self.query_one(ContentSwitcher).current = step
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "store":
            if self.step != PREVIEW or self.storing or self._loaded is None:
                return False
            # hidden, not dimmed: under NO_COLOR a dimmed key still looks usable
            return not any(f.blocking for f in self._findings)
        if action == "type_path":
            return self.step == PICK
        if action in ("next_test_call", "next_backup"):
            return self.step == DONE
        if action == "next_deploy":
            return self.step == DONE and bool(self.practice.deploy)
        if action == "import_there":
            return self.step == PREVIEW and self._owner is not None and not self.storing
        return True

    # --- step 1: the file -----------------------------------------------------------

    def action_type_path(self) -> None:
        path_input = self.query_one("#path", Input)
        if not path_input.has_focus:
            path_input.focus()
            if not path_input.value:
                path_input.insert_text_at_cursor("/")

    @on(DirectoryTree.FileSelected, "#files")
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.query_one("#path", Input).value = str(event.path)
        self._choose_file(Path(event.path))

    @on(Input.Submitted, "#path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        typed = event.value.strip()
        if not typed:
            self._pick_error(_("Type the path of a .pfx/.p12 file, or pick one below."))
            return
        path = Path(typed).expanduser()
        if not path.is_absolute():
            path = self.context.config.inbox / path
        if path.is_dir() and self.query("#files"):
            tree = self.query_one("#files", CertificateTree)
            tree.path = path
            tree.focus()
            self._pick_error("")
            return
        self._choose_file(path)

    def _pick_error(self, message: str) -> None:
        self.query_one("#pick-error", Static).update(Text(message))

    def _choose_file(self, path: Path) -> None:
        self._pick_error(_("Reading the file…"))
        self._read_file(path)

    # a hung network mount must not freeze the screen: the file is read in a worker
    @work(thread=True, exclusive=True, exit_on_error=False, group="import",
          description="read the certificate file")  # untranslated: a worker's name (log)
    def _read_file(self, path: Path) -> None:
        from vecozo_tui.certificates import check_pkcs12_structure, read_certificate_file

        def read_and_check() -> tuple[Path, bytes]:
            data = read_certificate_file(path)
            # what the file is tells itself: no password asked for a PEM or a cut copy
            check_pkcs12_structure(data, source=path.name)
            return path, data

        post_outcome(self, CertificateFileRead, read_and_check)

    @on(CertificateFileRead)
    def _file_read(self, message: CertificateFileRead) -> None:
        if self.step != PICK:  # the user moved on meanwhile
            return
        if message.result is None:
            self._pick_error(_problem_text(message.error))
            return
        path, data = message.result
        self._data = data
        self._pick_error("")
        self._file = path
        label = Text(_("File") + "  ", style="bold")
        label.append(path.name)
        label.append("  " + _("({size} bytes, in {folder})").format(
            size=number(len(self._data)), folder=path.parent), style="dim")
        self.query_one("#file-label", Static).update(label)
        self.query_one("#password-error", Static).update("")
        self._show(PASSWORD)
        self.query_one("#password", Input).focus()

    # --- step 2: the password -------------------------------------------------------

    @on(Input.Submitted, "#password")
    def _password_submitted(self, event: Input.Submitted) -> None:
        password_input = self.query_one("#password", Input)
        password = password_input.value
        password_input.value = ""  # not kept in the widget any longer than this
        if self._data is None or self._file is None:
            return
        password_input.disabled = True
        self.query_one("#password-error", Static).update(Text(_("Opening the file…"),
                                                              style="dim"))
        self._attempt += 1
        self._decrypt(self._attempt, self._data, password, self._file.name)

    # an explicit description: Textual's default one holds repr() of every argument, and
    # Textual logs it (devtools, TEXTUAL_LOG): it would show the password and the file
    @work(thread=True, exclusive=True, exit_on_error=False, group="import",
          description="open the PKCS#12 file")  # untranslated: a worker's name (log)
    def _decrypt(self, attempt: int, data: bytes, password: str, source: str) -> None:
        from vecozo_tui.certificates import AmbiguousChoice, read_pkcs12

        def open_file() -> OpenedCertificate:
            contents = read_pkcs12(data, password, source=source)
            active = self.context.repository.active(self.practice_id)
            try:
                loaded: LoadedPkcs12 | None = contents.choose(practice_agb=self.practice.agb)
            except AmbiguousChoice:
                loaded = None  # the person picks one from the list
            return contents, loaded, password, active

        post_outcome(self, CertificateOpened, open_file, attempt=attempt)

    @on(CertificateOpened)
    def _opened(self, message: CertificateOpened) -> None:
        if message.attempt != self._attempt:  # the user moved on meanwhile
            return
        if message.result is not None:
            self._decrypted(*message.result)
        elif isinstance(message.error, WrongPasswordError):
            self._wrong_password(str(message.error))
        else:
            self._bad_file(_problem_text(message.error))

    def _wrong_password(self, message: str) -> None:
        password_input = self.query_one("#password", Input)
        password_input.disabled = False
        password_input.focus()
        self.query_one("#password-error", Static).update(Text(_("{problem} Try again.").format(
            problem=message)))

    def _bad_file(self, message: str) -> None:
        self.query_one("#password", Input).disabled = False
        self._forget()
        self._pick_error(message)
        self._show(PICK)
        files = self.query("#files")
        (files.first() if files else self.query_one("#path", Input)).focus()

    # --- step 3: the preview --------------------------------------------------------

    def _decrypted(self, contents: Pkcs12Contents, loaded: LoadedPkcs12 | None,
                   password: str, active) -> None:  # noqa: ANN001 - StoredCertificate | None
        self.query_one("#password", Input).disabled = False
        self._contents, self._password = contents, password
        self._active_info = active.info if active else None
        # what the preview compared with: storing is refused if another admin changed it
        self._previewed_active = active.info.sha256 if active else None
        now = self.context.clock.now()
        # the file's name unstyled in a bold sentence
        before, _file, after = _("Preview of {file}: nothing has been written yet.").partition(
            "{file}")
        heading = Text(before, style="bold")
        heading.append(self._file.name if self._file else _("the file"))
        heading.append(after, style="bold")
        if active is not None:
            heading.append("\n" + _("Storing replaces the active certificate (valid until "
                                     "{date}); it stays in the history.").format(
                date=local_date(active.info.not_after, now)))
        self.query_one("#preview-heading", Static).update(heading)
        several = len(contents.pairs) > 1
        pairs = self.query_one("#pairs", OptionList)
        pairs.display = several
        self.query_one("#pairs-title", Static).display = several
        self._choose(loaded)
        self._show(PREVIEW)
        (pairs if several else self.query_one("#preview-body")).focus()

    def _choose(self, loaded: LoadedPkcs12 | None) -> None:
        """Show ``loaded`` (None: several fit equally, the person picks) with its
        findings, the list of what the file holds and what would not be stored."""
        from vecozo_tui.certificates import check_for_import

        contents = self._contents
        if contents is None:
            return
        now = self.context.clock.now()
        self._loaded = loaded
        self._findings = [] if loaded is None else check_for_import(
            loaded, now=now, practice_agb=self.practice.agb, active=self._active_info)
        if len(contents.pairs) > 1:
            count = len(contents.pairs)
            if loaded is not None:
                title = ngettext(
                    "The file holds {count} certificate with a private key: ↑↓ and Enter "
                    "pick another",
                    "The file holds {count} certificates with a private key: ↑↓ and Enter "
                    "pick another", count).format(count=count)
            else:
                title = ngettext(
                    "The file holds {count} certificate with a private key. They fit "
                    "equally well: pick one with ↑↓ and Enter",
                    "The file holds {count} certificates with a private key. They fit "
                    "equally well: pick one with ↑↓ and Enter", count).format(count=count)
            self.query_one("#pairs-title", Static).update(title)
            pairs = self.query_one("#pairs", OptionList)
            highlighted = pairs.highlighted
            pairs.clear_options()
            pairs.add_options([Option(self._pair_line(pair, pair is loaded), id=str(number))
                               for number, pair in enumerate(contents.pairs)])
            pairs.highlighted = highlighted if highlighted is not None else next(
                (n for n, pair in enumerate(contents.pairs) if pair is loaded), 0)
        self.query_one("#not-stored", Static).update(self._not_stored_text(loaded))
        self.query_one("#findings", Static).update(
            findings_text(self._findings) if loaded is not None else
            Text(_("Pick the certificate to import from the list below."), style="bold"))
        self.query_one("#preview-certificate", Static).update(
            certificate_table(loaded.info, now=now) if loaded is not None else Text("-"))
        # the AGB code names another configured practice: that one is offered (o)
        owners = [] if loaded is None else [
            p for p in self.context.config.with_agb(loaded.info.agb_code)
            if p.id != self.practice_id]
        self._owner = owners[0] if len(owners) == 1 else None
        self.query_one("#preview-status", Static).update(self._preview_status())
        self.refresh_bindings()

    def _pair_line(self, pair: LoadedPkcs12, chosen: bool) -> Text:
        from vecozo_tui.textfmt import kind_words

        info, now = pair.info, self.context.clock.now()
        line = Text("▶ " if chosen else "  ", style="bold")
        line.append(info.common_name, style="bold" if chosen else "")
        line.append(f"\n  {kind_words(info.kind)} · AGB {info.agb_code or '-'} · "
                    f"{local_date(info.not_before, now)} → {local_date(info.not_after, now)}")
        return line

    def _not_stored_text(self, loaded: LoadedPkcs12 | None) -> Text:
        from vecozo_tui.certificates import info_from_certificate

        contents = self._contents
        if contents is None or loaded is None:
            return Text("")
        with_key = {pair.info.sha256 for pair in contents.pairs}
        dropped = [info for info in map(info_from_certificate, contents.not_stored(loaded))
                   if info.sha256 not in with_key]
        text = Text()
        if dropped:
            text.append(_("Not stored (not in the chain of the one imported):") + "\n",
                        style="bold")
            text.append("\n".join(f"  {info.subject}" for info in dropped))
        if contents.unreadable_keys:
            count = contents.unreadable_keys
            text.append("\n" + ngettext(
                "{count} more private key in the file could not be read.",
                "{count} more private keys in the file could not be read.",
                count).format(count=count))
        return text

    @on(OptionList.OptionSelected, "#pairs")
    def _pair_picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self._contents is not None and event.option.id is not None:
            self._choose(self._contents.pairs[int(event.option.id)])

    def _preview_status(self) -> Text:
        if self._loaded is None:
            return Text(_("Pick a certificate (↑↓ Enter).   Escape: another file"),
                        style="bold")
        status = self._store_status()
        if self._owner is None:
            return status
        owner = self._owner
        text = Text(_("This certificate is of {name} ({id}, AGB {agb}).").format(
            name=owner.name, id=owner.id, agb=owner.agb) + " ", style="bold")
        text.append(_("o: import it for {id} instead").format(id=owner.id) + "\n",
                    style="bold")
        return text.append_text(status)

    def _store_status(self) -> Text:
        if any(f.blocking for f in self._findings):
            return Text(_("Cannot import: see ERROR above. Escape: pick another file."),
                        style=alarm_style())
        if self._findings:
            return Text(_("s: store (after confirming the warnings)   Escape: another file"),
                        style="bold")
        if self._contents is not None and len(self._contents.pairs) > 1:
            return Text(_("s: store the one marked ▶   Escape: another file"), style="bold")
        return Text(_("s or Enter: store and make it active   Escape: another file"),
                    style="bold")

    def action_store(self) -> None:
        if self.step != PREVIEW or self._loaded is None:
            return
        if any(f.blocking for f in self._findings):
            self.notify(_("This certificate cannot be imported; see the errors."),
                        severity="error")
            return
        from vecozo_tui.tui.screens.confirm import ConfirmScreen

        question = next((f for f in self._findings if f.question), None)
        if question is not None:
            # the kind could not be told: its own question, with the name to judge by
            body = Text(f'CN  "{self._loaded.info.common_name}"\n\n', style="bold")
            body.append(question.message, style="")
            self.app.push_screen(
                ConfirmScreen(question.question or "", body,
                              _("y: yes, it is the system certificate   n: no")),
                callback=lambda answer: self._ask_warnings() if answer else None)
            return
        self._ask_warnings()

    def _ask_warnings(self) -> None:
        warnings = [f for f in self._findings if not f.blocking and not f.question]
        if warnings:
            from vecozo_tui.tui.screens.confirm import ConfirmScreen

            self.app.push_screen(
                ConfirmScreen(ngettext("{count} warning", "{count} warnings",
                                       len(warnings)).format(count=len(warnings)),
                              findings_text(warnings),
                              _("Import anyway?  y: yes, store it   n: no")),
                callback=self._confirmed)
            return
        self._confirmed(True)

    def action_import_there(self) -> None:
        """Check the same file again for the practice it belongs to (the password is
        still known); nothing is stored until the preview says so."""
        owner = self._owner
        if owner is None or self.step != PREVIEW or self._data is None \
                or self._password is None or self._file is None:
            return
        self.practice_id, self.practice, self._owner = owner.id, owner, None
        self.query_one("#import-title", Static).update(Text(
            _("Import a certificate for {name} (AGB {agb})").format(name=owner.name,
                                                                   agb=owner.agb)))
        self.sub_title = _("Import: {name}").format(name=owner.name)
        if self.console_app is not None:
            self.console_app.set_current_practice(owner.id)
        self.query_one("#preview-status", Static).update(Text(
            _("Checking the certificate for {id}…").format(id=owner.id), style="dim"))
        self.refresh_bindings()
        self._attempt += 1
        self._decrypt(self._attempt, self._data, self._password, self._file.name)

    def _confirmed(self, answer: bool | None) -> None:
        if not answer or self._loaded is None:
            return
        if not self._loaded.password_protected:
            # never stored unprotected: the stored copy gets a new password first
            for selector in ("#new-password", "#new-password-again"):
                self.query_one(selector, Input).value = ""
            self.query_one("#new-password-error", Static).update("")
            self._show(NEW_PASSWORD)
            self.query_one("#new-password", Input).focus()
            return
        self._start_store(self._password)

    @on(Input.Submitted, "#new-password")
    def _new_password_typed(self) -> None:
        self.query_one("#new-password-again", Input).focus()

    @on(Input.Submitted, "#new-password-again")
    def _new_password_repeated(self) -> None:
        first = self.query_one("#new-password", Input)
        again = self.query_one("#new-password-again", Input)
        chosen, repeated = first.value, again.value
        first.value = again.value = ""  # not kept in the widgets any longer than this
        error = self.query_one("#new-password-error", Static)
        if not chosen:
            error.update(Text(_("The new password is empty; type one.")))
        elif chosen != repeated:
            error.update(Text(_("The two passwords differ; type them again.")))
        else:
            error.update("")
            self._show(PREVIEW)
            self._start_store(chosen)
            return
        first.focus()

    def _start_store(self, storage_password: str | None) -> None:
        if self._loaded is None or storage_password is None:
            return
        self.query_one("#preview-status", Static).update(Text(_("Storing…"), style="dim"))
        self.storing = True
        self._storage_password = storage_password  # the deployed file gets it too
        self.refresh_bindings()
        self._store(self._attempt, self._loaded, storage_password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="import",
          description="store the certificate")  # untranslated: a worker's name (log)
    def _store(self, attempt: int, loaded: LoadedPkcs12, password: str) -> None:
        post_outcome(self, CertificateStored, lambda: self.context.repository.import_certificate(
            self.practice_id, loaded, password, actor=self.context.actor,
            expected_active=self._previewed_active), attempt=attempt)

    @on(CertificateStored)
    def _store_done(self, message: CertificateStored) -> None:
        if message.result is None:
            self._store_failed(_problem_text(message.error))
        else:
            self._stored(message.result)

    def _store_failed(self, message: str) -> None:
        self.storing = False
        self.refresh_bindings()
        self.query_one("#preview-status", Static).update(Text(message, style=alarm_style()))

    # --- step 4: done ---------------------------------------------------------------

    def _stored(self, stored) -> None:  # noqa: ANN001 - StoredCertificate
        from vecozo_tui.deploy import wants_automatic_deploy
        from vecozo_tui.expiry import days_left

        self.storing = False
        self.stored = True
        automatic = wants_automatic_deploy(self.context.config.deploy.automatic,
                                           self.practice)
        if automatic and self._loaded is not None and self._storage_password is not None:
            # the password is still in hand: the practice software gets it right away
            self.deploying = True
            self._deploy(self._loaded, self._storage_password)
        self._forget()

        info = stored.info
        left = days_left(info.not_after, self.context.clock.now())
        text = Text(_("Stored and active."), style="bold green")  # untranslated: style
        text.append(f"\n\n{info.common_name}\n")
        text.append(_("valid until {date} ({relative}). Earlier certificates are kept in "
                      "the history.").format(
            date=local_date(info.not_after, self.context.clock.now()),
            relative=relative_days(left)))
        text.append("\n\n" + _("Next steps:") + "\n", style="bold")
        if self.practice.deploy and not automatic:
            text.append("  d  ", style="bold")
            text.append(_("put it where the practice software reads it (deploy)") + "\n")
        text.append("  t  ", style="bold")
        text.append(_("test call to COV with the new certificate") + "\n")
        text.append("  b  ", style="bold")
        text.append(_("make a verified backup on another medium") + "\n")
        text.append("  Escape  ", style="bold")
        text.append(_("back"))
        self.query_one("#done-message", Static).update(Group(text))
        self.query_one("#done-deploy", Static).update(
            "\n" + _("Deploying to the practice software…") if self.deploying else "")
        self._show(DONE)

    @work(thread=True, exclusive=True, exit_on_error=False, group="import-deploy",
          description="deploy to the practice software")  # untranslated: a worker's name
    def _deploy(self, loaded: LoadedPkcs12, password: str) -> None:
        from vecozo_tui.deploy import deploy

        context = self.context
        post_outcome(self, Deployed, lambda: deploy(
            context.repository, self.practice, password, actor=context.actor,
            now=context.clock.now(), loaded=loaded))

    @on(Deployed)
    def _deploy_done(self, message: Deployed) -> None:
        from vecozo_tui.tui.screens.deploy import report_content

        self.deploying = False
        if message.result is None:  # a failed deploy is shown; the import stands
            content = Content.assemble(
                ("\n" + _("DEPLOY FAILED"), "bold $error"),
                ": " + _("{problem} Deploy again (d).").format(
                    problem=_problem_text(message.error)))
        else:
            content = Content.assemble("\n", report_content(message.result))
        self.query_one("#done-deploy", Static).update(content)
        self.refresh_bindings()

    def _forget(self) -> None:
        """Drop the password, the decrypted key and the file's bytes."""
        self._attempt += 1
        self._password = None
        self._storage_password = None
        self._loaded = None
        self._contents = None
        self._active_info = None
        self._findings = []
        self._data = None

    # --- navigation -----------------------------------------------------------------

    def action_back(self) -> None:
        if self.storing or self.deploying:
            self.notify(_("Storing the certificate; a moment.") if self.storing else
                        _("Deploying to the practice software; a moment."), timeout=2)
            return
        if self.step == NEW_PASSWORD:  # back to the preview; the typed fields are emptied
            for selector in ("#new-password", "#new-password-again"):
                self.query_one(selector, Input).value = ""
            self._show(PREVIEW)
            self.query_one("#preview-body").focus()
            return
        if self.step in (PASSWORD, PREVIEW):
            self._forget()  # a decryption still running is dropped when it ends
            password_input = self.query_one("#password", Input)
            password_input.value = ""
            password_input.disabled = False
            self._show(PICK)
            files = self.query("#files")
            (files.first() if files else self.query_one("#path", Input)).focus()
            return
        self._forget()
        self.dismiss(self.stored)

    def _leave_for(self, feature: str) -> None:
        """Back to where the import was opened from, then straight on to ``feature``."""
        if self.deploying:
            self.notify(_("Deploying to the practice software; a moment."), timeout=2)
            return
        app, console_app, practice_id = self.app, self.console_app, self.practice_id
        self.dismiss(self.stored)
        if console_app is not None:
            app.call_later(console_app.open_feature, feature, practice_id)

    def action_next_test_call(self) -> None:
        self._leave_for("test_call")

    def action_next_backup(self) -> None:
        self._leave_for("backup")

    def action_next_deploy(self) -> None:
        self._leave_for("deploy")
