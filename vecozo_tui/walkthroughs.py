"""Step-by-step walkthroughs (checklists) as data, and their progress per practice.

Four kinds, from the seeds: ``renew`` (verlengen), ``new`` (aanvragen en
installeren), ``recover`` (verlopen of verloren: opnieuw installeren) and
``backup`` (back-up maken / verplaatsen naar een andere computer).

A step may name an automatic check, evaluated against the repository by
:func:`refresh_automatic`:

- ``imported_newer``: a certificate newer than the one active when the
  walkthrough started was imported for the practice;
- ``test_call_ok_after_import``: the last test call succeeded, with the active
  certificate, after the last import;
- ``verified_backup``: the last backup was verified and is of the active
  certificate (in the backup walkthrough: made after the walkthrough started).

Progress lives in the repository (``state/walkthrough-<kind>.json``), written
under the repository lock, so it survives restarts and can be resumed from
another SSH session. Every tick is audited (kind, step, done); notes stay out of
the audit log because they may hold anything.

The step texts are English UI text; the Dutch words of VECOZO and of the browser
dialogs are quoted as the seeds have them. ``{placeholders}`` in a body are
filled by :func:`render_step` from a :class:`RenderContext`.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from vecozo_tui.errors import VecozoError

if TYPE_CHECKING:
    from vecozo_tui.cli import Invocation
    from vecozo_tui.config import Practice
    from vecozo_tui.expiry import ExpiryThresholds
    from vecozo_tui.repository import Actor, Repository

CHECK_IMPORTED_NEWER = "imported_newer"
CHECK_TEST_CALL = "test_call_ok_after_import"
CHECK_VERIFIED_BACKUP = "verified_backup"
CHECKS = (CHECK_IMPORTED_NEWER, CHECK_TEST_CALL, CHECK_VERIFIED_BACKUP)

STATE_PREFIX = "walkthrough-"
AUTOMATIC = "automatic"
HOST_ENV = "VECOZO_TUI_HOST"


# --- the steps ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    body: str
    check: str | None = None


@dataclass(frozen=True)
class Walkthrough:
    kind: str
    title: str
    summary: str
    steps: tuple[Step, ...]

    def step(self, key: str) -> Step:
        """A step by key, or by its 1-based number as typed on a command line."""
        for step in self.steps:
            if step.key == key:
                return step
        if key.isdigit() and 1 <= int(key) <= len(self.steps):
            return self.steps[int(key) - 1]
        raise VecozoError(f"The {self.kind} walkthrough has no step {key!r}; its steps are: "
                          + ", ".join(s.key for s in self.steps) + ".")

    def index(self, key: str) -> int:
        return [s.key for s in self.steps].index(key)


def _step(key: str, title: str, body: str, check: str | None = None) -> Step:
    return Step(key, title, body.strip("\n"), check)


_RENEW_PIN = _step("pin", "The contact person has the PIN at hand", """
Renewing a system certificate always asks for its PIN ('pincode'):
"Let op: bij het vernieuwen van een systeemcertificaat wordt altijd om de
pincode van het certificaat gevraagd; zorg dat u deze bij de hand hebt."

The PIN is kept by the practice's VECOZO contact person ('contactpersoon',
{contact}). For a system certificate the contact person enters the data, so
agree a moment with them before you start.
""")

_RENEW_AT_VECOZO = _step("renew", "Renew at VECOZO in a browser on a workstation", """
On a workstation of the practice (not on this server), open the link in
VECOZO's renewal e-mail (it comes one month before expiry) or go to
{site} and choose 'Certificaten installeren/vernieuwen'.
Renew the system certificate: the one without a person's name.

The active certificate is valid until {current_expiry}.
Renewing early loses nothing: the new term of two years counts from the
original expiry date ('geteld vanaf de oorspronkelijke verloopdatum').
Avoid the start of a quarter (1 January, 1 April, 1 July, 1 October):
VECOZO's waiting times rise then.

Already expired? Then use the recover walkthrough: reinstall with the user
number and PIN instead.
""")

_EXPORT = _step("export", "Export it from the browser, with the private key", """
Export the certificate to a .pfx/.p12 file with its private key, all
certificates in the certification path, and a password of your own (the
import needs it). Pick the system certificate: the one with the latest
'verloopdatum' and no person's name in it.

Chrome / Edge (Windows):
  1. Type 'internetopties' in the taskbar search; open 'Internetopties'.
  2. Tab 'Inhoud' -> 'Certificaten'.
  3. Select the system certificate -> 'Exporteren' -> 'Volgende'.
  4. Tick 'Ja, de persoonlijke sleutel exporteren' -> 'Volgende'.
  5. Tick 'Indien mogelijk exporteren met alle certificaten in het
     certificeringspad' and 'Alle uitgebreide eigenschappen exporteren'
     -> 'Volgende'.
  6. Type a password and confirm it -> 'Volgende'.
  7. 'Bladeren...': save as {export_name} -> 'Volgende' -> 'Voltooien'
     -> 'OK'.

Firefox:
  1. Menu (three lines) -> 'Instellingen' (older versions: 'Opties')
     -> 'Privacy & Beveiliging'.
  2. Scroll down to 'Beveiliging' -> 'Certificaten bekijken'.
  3. Tab 'Uw certificaten': select the system certificate ->
     'Reservekopie maken...'.
  4. Save as {export_name} (the name must end in .p12 or .pfx) ->
     'Opslaan'.
  5. Choose a password and confirm it -> 'OK'.

Safari (macOS):
  1. Command+space, type 'Sleutelhangertoegang' (Keychain Access), open it.
  2. Choose 'Certificaten' and select the system certificate.
  3. Open it with the arrow and trust it first.
  4. Right-click the key -> 'Exporteer'; save as {export_name} (ending in
     .p12 or .pfx) -> 'Bewaar'.
  5. Type a password to protect it, then the macOS password.

Remember the password, and keep it apart from the file.
""")

_COPY = _step("copy", "Copy the file to this server", """
From the workstation (PowerShell on Windows 10 and later, Terminal on macOS):

  scp {export_name} {user}@{host}:{inbox_remote}

(run it in the folder where you saved the file, e.g. Downloads).
Do not e-mail the file: it holds the private key, even if encrypted.
""")

_IMPORT = _step("import", "Import it into the repository", """
On this server:

  vecozo-tui import {practice_id} {inbox_file}

or, in the console, press i on this step. The import checks the password,
the private key, the chain, the AGB code ({agb}) and that the certificate
is newer than the active one; the old one is kept in history.
This step ticks itself once a newer certificate is imported.
""", CHECK_IMPORTED_NEWER)

_TEST_CALL = _step("test-call", "Prove it works: a test COV call", """
On this server:

  vecozo-tui test-cov {practice_id}

or, in the console, press t on this step. It shows step by step where a
problem is: name resolution, connection, TLS,
client certificate accepted, authorised for COV, COV answer. Only a system
certificate can do COV; a personal one cannot. Then check in the practice
software too: a COV from a patient record.
This step ticks itself after a successful test call with the new certificate.
""", CHECK_TEST_CALL)

_BACKUP = _step("backup", "Make a verified backup on another medium", """
A certificate can be installed only once ('slechts éénmaal'), so back it up
right away, on another medium: "Kopieer de back-up altijd naar een ander
opslagmedium dan de pc waarop het geïnstalleerd staat" (a USB stick, a
network drive, another computer).

  vecozo-tui backup {practice_id} --to /media/usb

or, in the console, press b on this step. Add --legacy (3DES) for Windows
Server 2016 and earlier, --new-password to protect the backup with a
password of its own. The backup is read back and checked.
This step ticks itself once a verified backup of the certificate is recorded.
""", CHECK_VERIFIED_BACKUP)

_REMOVE_OLD = _step("remove-old", "Remove the old certificate from the browser", """
In the browser the certificate was exported from (same place as the export:
'Certificaten', 'Uw certificaten' or 'Sleutelhangertoegang'), delete the old
certificate: "Als u het nieuwe certificaat opslaat kunt u ook gelijk de oude,
ongeldige certificaten verwijderen." Keep the new one: the next renewal
starts from it. A renewed-early old certificate stays valid until its own
expiry date, so remove it once nothing uses it any more.

Delete the exported file from the workstation (Downloads) and from
{inbox}: the repository and the backup hold it now.
""")

_CLEAN_UP = _step("clean-up", "Delete the exported file", """
Delete the exported file from the workstation (Downloads) and from
{inbox}: the repository and the backup hold it now. Keep the certificate
itself in the browser; the next renewal starts from it.
""")

_NEXT_RENEWAL = _step("next-renewal", "Note when the next renewal is due", """
The certificate is valid until {expires}. Start the next renewal on
{renew_from} (moved earlier when the renewal period would run into the
start of a quarter). Put it in the practice's agenda or ticket system.
VECOZO mails the contact person one month before expiry; the dashboard,
`vecozo-tui check` and `vecozo-tui metrics` warn as well.
""")

_NEW_AGB = _step("agb", "AGB code and VECOZO registration", """
Requesting a certificate needs an AGB code and a registration with VECOZO
('aangemeld zijn bij VECOZO'): a contract for the practice's AGB code
({agb}). Not registered yet? Register the AGB code with VECOZO's
'Aanmeldformulier voor zorgaanbieders'; once processed, the registered
contact person receives a personal VECOZO certificate.

The system certificate and the personal certificates must be issued under
the same AGB code: the practice's.
""")

_NEW_REQUEST = _step("request", "Request the system certificate", """
The VECOZO contact person of the practice requests it:
  - with an active personal certificate: online via 'Gebruikersbeheer';
  - otherwise: with the 'formulier voor het aanvragen of wijzigen van een
    certificaat' (print it and send it).

Fill in a physician ('arts') as contact person: "Let erop dat u bij
contactpersoon de naam van een arts invult anders wordt het verzoek
afgewezen." At 'motivatie' name the practice software. Ask for the
authorisations the software needs (COV, declaraties; Machtigingenportaal
when used): a system certificate is authorised per VECOZO service.
For the acceptance/test environment, say which in the 'opmerkingenveld'.

It normally takes 5 working days; around the start of a quarter longer.
""")

_NEW_CREDENTIALS = _step("credentials", "Receive the user number and the PIN", """
VECOZO sends them to the contact person ({contact}) separately:
  - the user number ('gebruikersnummer') by e-mail;
  - the PIN ('pincode') by post or in the 'VECOZO Berichtenbox'.
The installation needs both. Keep the PIN letter safe: every renewal of a
system certificate asks for the PIN again.
""")

_NEW_INSTALL = _step("install", "Install it in a browser within 60 days", """
On a workstation that meets VECOZO's 'systeemeisen', open {site} ->
'Certificaten installeren/vernieuwen' and install with the user number and
the PIN. For a system certificate the contact person enters them.

Do it within 60 days: "VECOZO-certificaten [worden] automatisch uit ons
systeem verwijderd indien deze niet binnen 60 dagen worden geïnstalleerd."
The certificate is valid two years from the day it is installed.
""")

_RECOVER_SITUATION = _step("situation", "Expired or lost: no new request needed", """
Too late with renewing, or the certificate lost (crashed or reinstalled PC,
lost browser profile)? "Bent u te laat met het vernieuwen, dan hoeft u géén
nieuw certificaat aan te vragen, maar kunt u het certificaat opnieuw
installeren met behulp van het gebruikersnummer en de pincode." (VECOZO:
'Verlopen of verloren certificaat'.)

Only lost, still valid, and a backup exists? Then import the backup instead:

  vecozo-tui import {practice_id} /media/usb/FILE.p12

and tick the steps up to the import with a note saying so.
""")

_RECOVER_CREDENTIALS = _step("credentials", "User number and PIN from the contact person", """
The contact person ({contact}) has the user number ('gebruikersnummer',
sent by e-mail) and the PIN ('pincode', sent by post or in the 'VECOZO
Berichtenbox'). Reinstalling needs both, entered by the contact person.
""")

_RECOVER_REINSTALL = _step("reinstall", "Reinstall at VECOZO ('opnieuw installeren')", """
On a workstation of the practice, open {site} -> 'Certificaten
installeren/vernieuwen' and install the certificate again with the user
number and the PIN. No new request is needed.
""")

_MOVE_PASSWORD = _step("password", "Keep the password apart from the file", """
The backup is only as safe as its password. Keep the password in the
practice's password manager or a sealed envelope in the safe; never on the
USB stick, never in the same bag or e-mail as the file.
Write in this step's note *where* it is kept, never the password itself.
""")

_MOVE_IMPORT = _step("import-elsewhere", "Import it on the other computer", """
Copy the .p12 to the other computer ("wilt u op een andere pc gebruik maken
van hetzelfde certificaat dan kunt u met behulp van het back-up bestand het
certificaat op de gewenste pc plaatsen"):
  - a server with vecozo-tui:  vecozo-tui import {practice_id} FILE.p12
  - Windows: double-click the file -> 'Wizard Certificaat importeren'
    (Windows Server 2016 and earlier: use a backup made with --legacy);
  - Firefox: 'Certificaten bekijken' -> 'Uw certificaten' -> 'Importeren...'.
""")

_MOVE_TEST = _step("test-elsewhere", "A test call on the other computer", """
Prove it works there: on a server with vecozo-tui

  vecozo-tui test-cov {practice_id}

or in the practice software: a COV from a patient record.
""")

_COMMON_TAIL = (_EXPORT, _COPY, _IMPORT, _TEST_CALL, _BACKUP)

WALKTHROUGHS: dict[str, Walkthrough] = {
    "renew": Walkthrough(
        "renew", "Renew the system certificate",
        "Renew at VECOZO, export, import here, test, back up.",
        (_RENEW_PIN, _RENEW_AT_VECOZO, *_COMMON_TAIL, _REMOVE_OLD, _NEXT_RENEWAL),
    ),
    "new": Walkthrough(
        "new", "Request and install a new system certificate",
        "Request at VECOZO, install in a browser, export, import here, test, back up.",
        (_NEW_AGB, _NEW_REQUEST, _NEW_CREDENTIALS, _NEW_INSTALL, *_COMMON_TAIL, _CLEAN_UP,
         _NEXT_RENEWAL),
    ),
    "recover": Walkthrough(
        "recover", "Recover an expired or lost certificate",
        "Reinstall with user number and PIN, export, import here, test, back up.",
        (_RECOVER_SITUATION, _RECOVER_CREDENTIALS, _RECOVER_REINSTALL, *_COMMON_TAIL,
         _REMOVE_OLD, _NEXT_RENEWAL),
    ),
    "backup": Walkthrough(
        "backup", "Back up, or move to another computer",
        "A verified backup on another medium, and how to use it elsewhere.",
        (_BACKUP, _MOVE_PASSWORD, _MOVE_IMPORT, _MOVE_TEST),
    ),
}
KINDS = tuple(WALKTHROUGHS)


def get_walkthrough(kind: str) -> Walkthrough:
    try:
        return WALKTHROUGHS[kind]
    except KeyError:
        raise VecozoError(f"Unknown walkthrough {kind!r}; choose one of: "
                          + ", ".join(KINDS) + ".") from None


# --- rendering ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderContext:
    """What a step's body text is filled with."""

    practice_id: str
    practice_name: str = ""
    agb: str = ""
    environment: str = "production"
    contact: str = ""
    host: str = "this-server"
    user: str = "admin"
    inbox: str = ""
    current_expiry: date | None = None
    expires: date | None = None
    renew_from: date | None = None

    @property
    def site(self) -> str:
        # acceptance and test: system certificates are installed on the acceptance site and
        # then also work on the test environment (seed 001)
        return "www.vecozo.nl" if self.environment == "production" else "accwww.vecozo.nl"

    @property
    def export_name(self) -> str:
        return f"{self.practice_id}.pfx"

    def values(self) -> dict[str, str]:
        inbox = self.inbox or "the inbox directory"
        inbox_dir = self.inbox.rstrip("/") + "/" if self.inbox else "INBOX/"
        return {
            "practice_id": self.practice_id,
            "practice_name": self.practice_name or self.practice_id,
            "agb": self.agb or "-",
            "environment": self.environment,
            "contact": self.contact or "name not in the configuration",
            "host": self.host,
            "user": self.user,
            "inbox": inbox,
            "inbox_remote": shlex.quote(inbox_dir),
            "inbox_file": shlex.quote(inbox_dir + self.export_name),
            "export_name": self.export_name,
            "site": self.site,
            "current_expiry": _date_or(self.current_expiry, "(no certificate yet)"),
            "expires": _date_or(self.expires, "(known after the import)"),
            "renew_from": _date_or(self.renew_from, "(known after the import)"),
        }


def _date_or(value: date | None, missing: str) -> str:
    return value.isoformat() if value else missing


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_step(step: Step, context: RenderContext, *, width: int | None = 76) -> str:
    """The step's body with the placeholders filled in, its paragraphs and list items
    re-flowed to ``width`` columns (keeping indents).

    A command (a line indented by two spaces, alone between blank lines) is never
    wrapped, so it can be copied as is. ``width=None``: one line per paragraph or
    list item, for a widget that wraps by itself.
    """
    text = step.body.format_map(_Values(context.values()))
    out: list[str] = []
    for indent, hanging, words, command in _logical_lines(text):
        if words is None:
            out.append("")
        elif command or width is None:
            out.append(indent + words)
        else:
            out.append(textwrap.fill(words, width, initial_indent=indent,
                                     subsequent_indent=hanging, break_on_hyphens=False,
                                     break_long_words=False))
    return "\n".join(out)


_ITEM = re.compile(r"^(\s*)((?:-|\d+\.)\s+)")


def _logical_lines(text: str) -> list[tuple[str, str, str | None, bool]]:
    """(indent, hanging indent, joined text or None for a blank line, is a command)."""
    lines = text.split("\n")
    result: list[tuple[str, str, str | None, bool]] = []
    for i, line in enumerate(lines):
        if not line.strip():
            result.append(("", "", None, False))
            continue
        stripped = line.lstrip(" ")
        indent = line[: len(line) - len(stripped)]
        alone = (i == 0 or not lines[i - 1].strip()) and (
            i == len(lines) - 1 or not lines[i + 1].strip())
        if alone and indent == "  ":
            result.append((indent, indent, stripped, True))
            continue
        item = _ITEM.match(line)
        previous = result[-1] if result else None
        if (item is None and previous is not None and previous[2] is not None
                and not previous[3] and len(indent) == len(previous[1])):
            result[-1] = (previous[0], previous[1], f"{previous[2]} {stripped}", False)
            continue
        hanging = indent + (" " * len(item.group(2)) if item else "")
        result.append((indent, hanging, stripped, False))
    return result


def make_context(practice: Practice, repository: Repository, *, inbox: str | os.PathLike | None,
                 thresholds: ExpiryThresholds | None = None, host: str | None = None,
                 user: str | None = None, progress: Progress | None = None,
                 env: dict[str, str] | None = None) -> RenderContext:
    """A context for ``practice``: this server's host name (``host``, else
    ``$VECOZO_TUI_HOST``, else ``socket.getfqdn()``), the SSH user, the inbox, and the
    dates of the active certificate."""
    from vecozo_tui.expiry import ExpiryThresholds, renewal_start

    environ = os.environ if env is None else env
    active = repository.active(practice.id)
    current = active.info.not_after if active else None
    # the "new" certificate is the active one once it differs from the starting point
    renewed = active is not None and (progress is None or progress.baseline_sha256 is None
                                      or active.info.sha256 != progress.baseline_sha256)
    if progress is not None and progress.baseline_not_after is not None:
        current_expiry = progress.baseline_not_after.date()
    else:
        current_expiry = current.date() if current else None
    expires = current.date() if current is not None and renewed else None
    return RenderContext(
        practice_id=practice.id,
        practice_name=practice.name,
        agb=practice.agb,
        environment=practice.environment,
        contact=practice.contact or "",
        host=host or environ.get(HOST_ENV) or socket.getfqdn(),
        user=user or environ.get("USER") or environ.get("LOGNAME") or "admin",
        inbox=str(inbox) if inbox else "",
        current_expiry=current_expiry,
        expires=expires,
        renew_from=(renewal_start(current, thresholds or ExpiryThresholds())
                    if current is not None and renewed else None),
    )


# --- progress ----------------------------------------------------------------------------


@dataclass
class StepState:
    done: bool = False
    at: datetime | None = None
    by: str | None = None
    note: str | None = None
    automatic: bool = False

    def to_dict(self) -> dict:
        return {"done": self.done, "at": self.at.isoformat() if self.at else None,
                "by": self.by, "note": self.note, "automatic": self.automatic}

    @classmethod
    def from_dict(cls, data: dict) -> StepState:
        return cls(done=bool(data.get("done")), at=_parse_time(data.get("at")),
                   by=data.get("by"), note=data.get("note"),
                   automatic=bool(data.get("automatic")))


@dataclass
class Progress:
    practice_id: str
    kind: str
    started_at: datetime
    started_by: str
    baseline_sha256: str | None
    baseline_not_after: datetime | None
    steps: dict[str, StepState] = field(default_factory=dict)
    finished_at: datetime | None = None

    @property
    def walkthrough(self) -> Walkthrough:
        return get_walkthrough(self.kind)

    def state(self, key: str) -> StepState:
        return self.steps.get(key) or StepState()

    def is_done(self, key: str) -> bool:
        return self.state(key).done

    @property
    def total(self) -> int:
        return len(self.walkthrough.steps)

    @property
    def done_count(self) -> int:
        return sum(1 for step in self.walkthrough.steps if self.is_done(step.key))

    @property
    def finished(self) -> bool:
        return self.done_count == self.total

    @property
    def next_step(self) -> Step | None:
        """The first step not done yet."""
        return next((s for s in self.walkthrough.steps if not self.is_done(s.key)), None)

    def summary(self) -> str:
        return f"{self.kind} {self.done_count}/{self.total}"

    def to_dict(self) -> dict:
        return {
            "version": 1,
            "kind": self.kind,
            "started_at": self.started_at.isoformat(),
            "started_by": self.started_by,
            "baseline_sha256": self.baseline_sha256,
            "baseline_not_after": (self.baseline_not_after.isoformat()
                                   if self.baseline_not_after else None),
            "steps": {key: state.to_dict() for key, state in self.steps.items()},
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }

    @classmethod
    def from_dict(cls, practice_id: str, kind: str, data: dict) -> Progress:
        return cls(
            practice_id=practice_id,
            kind=kind,
            started_at=_parse_time(data.get("started_at")) or datetime(1970, 1, 1, tzinfo=UTC),
            started_by=str(data.get("started_by") or "?"),
            baseline_sha256=data.get("baseline_sha256"),
            baseline_not_after=_parse_time(data.get("baseline_not_after")),
            steps={key: StepState.from_dict(value)
                   for key, value in (data.get("steps") or {}).items()
                   if isinstance(value, dict)},
            finished_at=_parse_time(data.get("finished_at")),
        )


def _parse_time(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def actor_label(actor: Actor) -> str:
    client = getattr(actor, "ssh_client", None)
    return f"{actor.user} from {client}" if client else str(actor.user)


def state_name(kind: str) -> str:
    return f"{STATE_PREFIX}{kind}"


def load(repository: Repository, practice_id: str, kind: str) -> Progress | None:
    get_walkthrough(kind)
    data = repository.read_state(practice_id, state_name(kind))
    if not data:
        return None
    return Progress.from_dict(practice_id, kind, data)


def _save(repository: Repository, progress: Progress, *, actor: Actor, action: str,
          details: dict) -> None:
    repository.write_state(progress.practice_id, state_name(progress.kind), progress.to_dict(),
                           actor=actor, action=action, details=details)


def start(repository: Repository, practice_id: str, kind: str, *, actor: Actor, now: datetime,
          restart: bool = False) -> Progress:
    """Start a walkthrough, or open the existing one, finished or not (unless ``restart``).

    A finished walkthrough is the practice's record of the work: it is never replaced
    by opening it. ``restart`` keeps it as ``walkthrough-<kind>-<started>`` and starts
    afresh. The active certificate at the start is the baseline that
    ``imported_newer`` compares with. Writes happen under the repository lock, so two
    sessions starting at once get one walkthrough.
    """
    walkthrough = get_walkthrough(kind)
    existing = load(repository, practice_id, kind)
    if existing is not None and not restart:
        return existing  # resuming only reads
    with repository.lock(actor):
        existing = load(repository, practice_id, kind)
        if existing is not None and not restart:
            return existing
        if existing is not None and existing.done_count:
            archive = f"{state_name(kind)}-{existing.started_at:%Y%m%dt%H%M%S}"
            repository.write_state(practice_id, archive, existing.to_dict(), actor=actor,
                                   action="walkthrough-archive", details={"kind": kind})
        active = repository.active(practice_id)
        progress = Progress(
            practice_id=practice_id,
            kind=kind,
            started_at=now,
            started_by=actor_label(actor),
            baseline_sha256=active.info.sha256 if active else None,
            baseline_not_after=active.info.not_after if active else None,
            steps={step.key: StepState() for step in walkthrough.steps},
        )
        _save(repository, progress, actor=actor, action="walkthrough-start",
              details={"kind": kind, "baseline": progress.baseline_sha256,
                       "restart": existing is not None})
    return progress


def tick(repository: Repository, practice_id: str, kind: str, step_key: str, *, done: bool = True,
         note: str | None = None, actor: Actor, now: datetime) -> Progress:
    """Mark a step done (or not done), with an optional note; starts the walkthrough
    when needed. ``note=None`` keeps an existing note; ``note=""`` removes it.

    Read, change and write happen under the repository lock: a tick from another
    SSH session at the same moment is never lost."""
    walkthrough = get_walkthrough(kind)
    step = walkthrough.step(step_key)
    with repository.lock(actor):
        progress = load(repository, practice_id, kind) or start(
            repository, practice_id, kind, actor=actor, now=now)
        old = progress.state(step.key)
        progress.steps[step.key] = StepState(
            done=done,
            at=now,
            by=actor_label(actor),
            note=old.note if note is None else (note or None),
            automatic=False,
        )
        _update_finished(progress, now)
        _save(repository, progress, actor=actor, action="walkthrough-tick",
              details={"kind": kind, "step": step.key, "done": done,
                       "note_changed": note is not None})
    return progress


def set_note(repository: Repository, practice_id: str, kind: str, step_key: str,
             note: str, *, actor: Actor, now: datetime) -> Progress:
    """Set (or, with ``""``, remove) the note of a step without changing whether, when
    or by whom it was done; an automatic tick stays automatic. Audited without the
    note's text."""
    walkthrough = get_walkthrough(kind)
    step = walkthrough.step(step_key)
    with repository.lock(actor):
        progress = load(repository, practice_id, kind) or start(
            repository, practice_id, kind, actor=actor, now=now)
        old = progress.state(step.key)
        progress.steps[step.key] = StepState(done=old.done, at=old.at, by=old.by,
                                             note=note.strip() or None,
                                             automatic=old.automatic)
        _save(repository, progress, actor=actor, action="walkthrough-note",
              details={"kind": kind, "step": step.key, "removed": not note.strip()})
    return progress


def _update_finished(progress: Progress, now: datetime) -> None:
    if progress.finished:
        progress.finished_at = progress.finished_at or now
    else:
        progress.finished_at = None


# --- automatic checks --------------------------------------------------------------------


def _imported_newer(progress: Progress, active) -> bool:
    if active is None:
        return False
    if progress.baseline_sha256 is None:
        return True
    return (active.info.sha256 != progress.baseline_sha256
            and (progress.baseline_not_after is None
                 or active.info.not_after > progress.baseline_not_after))


def evaluate_check(check: str, progress: Progress, active, events) -> datetime | None:
    """When the check was met (the time of the event that met it), or None.

    Checks about the active certificate also require the newer certificate when
    the walkthrough has an import step: a backup or test call of the old one does
    not finish a renewal.
    """
    has_import = any(s.check == CHECK_IMPORTED_NEWER for s in progress.walkthrough.steps)
    newer = _imported_newer(progress, active)
    if check == CHECK_IMPORTED_NEWER:
        if not newer:
            return None
        return events.last_import_at or active.imported_at
    if active is None or (has_import and not newer):
        return None
    if check == CHECK_TEST_CALL:
        test = events.last_test_call
        imported = events.last_import_at or active.imported_at
        if test is None or not test.ok or test.sha256 != active.info.sha256:
            return None
        if imported is not None and test.at < imported:
            return None
        return test.at
    if check == CHECK_VERIFIED_BACKUP:
        backup = events.last_backup
        if backup is None or not backup.verified or backup.sha256 != active.info.sha256:
            return None
        if not has_import and backup.at < progress.started_at:
            return None  # the backup walkthrough asks for a fresh one (tick by hand if not)
        return backup.at
    raise ValueError(f"unknown check {check!r}")


def _apply_automatic(repository: Repository, progress: Progress) -> list[str]:
    """Tick (in ``progress``) the open steps whose check is met; their keys."""
    active = repository.active(progress.practice_id)
    events = repository.events(progress.practice_id)
    ticked = []
    for step in progress.walkthrough.steps:
        if step.check is None or progress.is_done(step.key):
            continue
        met_at = evaluate_check(step.check, progress, active, events)
        if met_at is None:
            continue
        old = progress.state(step.key)
        progress.steps[step.key] = StepState(done=True, at=met_at, by=AUTOMATIC, note=old.note,
                                             automatic=True)
        ticked.append(step.key)
    return ticked


def refresh_automatic(repository: Repository, practice_id: str, kind: str, now: datetime, *,
                      actor: Actor | None = None) -> Progress | None:
    """Tick the steps whose automatic check is now met; each is audited once.

    Returns the progress (None when the walkthrough was never started). Steps
    already done are left alone, so a manual tick is never overwritten. Only reads
    when nothing is to tick (a screen may call it often); otherwise re-reads and
    writes under the repository lock.
    """
    from vecozo_tui.repository import Actor as ActorType

    progress = load(repository, practice_id, kind)
    if progress is None:
        return None
    if not _apply_automatic(repository, progress):
        return progress
    who = actor or ActorType.current(os.environ)
    with repository.lock(who):
        progress = load(repository, practice_id, kind)
        if progress is None:  # pragma: no cover - removed meanwhile
            return None
        ticked = _apply_automatic(repository, progress)
        if not ticked:  # another session ticked them meanwhile
            return progress
        _update_finished(progress, now)
        _save(repository, progress, actor=who, action="walkthrough-tick",
              details={"kind": kind, "steps": ticked, "done": True, "automatic": True})
    return progress


def backup_warning(repository: Repository, practice_id: str) -> str | None:
    """A warning when the last recorded backup lies on the same disk as the repository
    (the seeds insist on another medium). None when it does not, or when that cannot
    be told (no backup, or its medium is not mounted now: as it should be)."""
    events = repository.events(practice_id)
    backup = events.last_backup
    if backup is None or not backup.target:
        return None
    try:
        same = os.stat(backup.target).st_dev == os.stat(repository.root).st_dev
    except OSError:
        return None
    if not same:
        return None
    return (f"The last backup ({backup.target}) is on the same disk as the certificate "
            "repository: copy it to another medium (a USB stick, a network drive, another "
            "computer).")


def _last_activity(progress: Progress) -> datetime:
    return max([progress.started_at] + [state.at for state in progress.steps.values()
                                        if state.at is not None])


def suggest(repository: Repository, practice_id: str, now: datetime,
            thresholds: ExpiryThresholds | None = None) -> tuple[str, str]:
    """The walkthrough that fits the practice now, and why (one sentence).

    An unfinished walkthrough with a step done comes first (resuming is the common
    case; one only opened does not count; the most recently worked on wins).
    Otherwise: no certificate -> new; a personal certificate where COV needs a
    system certificate -> new; expired -> recover; anything else -> renew.
    """
    from vecozo_tui.expiry import ExpiryThresholds, Status, status_for

    unfinished = [progress for kind in KINDS
                  if (progress := load(repository, practice_id, kind)) is not None
                  and not progress.finished and progress.done_count]
    if unfinished:
        latest = max(unfinished, key=_last_activity)
        return latest.kind, (f"the {latest.kind} walkthrough is in progress "
                             f"({latest.done_count} of {latest.total} steps done).")
    active = repository.active(practice_id)
    if active is None:
        return "new", "no certificate yet: request and install one."
    if active.info.kind == "personal":
        return "new", ("the active certificate is a personal one; COV needs a system "
                       "certificate: request one.")
    until = active.info.not_after.date().isoformat()
    status = status_for(active.info.not_after, now, thresholds or ExpiryThresholds())
    if status is Status.EXPIRED:
        return "recover", f"the certificate expired on {until}: reinstall it."
    return "renew", f"the certificate is valid until {until} ({status.value})."


def progress_summary(repository: Repository, practice_id: str) -> str | None:
    """The unfinished walkthroughs of a practice for the dashboard, e.g. "renew 4/9".

    One only opened (no step done yet) is left out: looking is not progress."""
    parts = []
    for kind in KINDS:
        progress = load(repository, practice_id, kind)
        if progress is not None and not progress.finished and progress.done_count:
            parts.append(progress.summary())
    return ", ".join(parts) or None


# --- the record ----------------------------------------------------------------------------


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M %Z").strip() if value else "-"


def _fingerprint(hex_upper: str) -> str:
    from vecozo_tui.textfmt import fingerprint

    return fingerprint(hex_upper)


def _evidence(repository: Repository, practice_id: str, check: str) -> list[str]:
    """What the repository knows about an automatically checked step, for the record."""
    events = repository.events(practice_id)
    if check == CHECK_TEST_CALL and events.last_test_call is not None:
        test = events.last_test_call
        return [f"last test call {_when(test.at)} ({test.environment}): "
                f"{'OK' if test.ok else 'FAILED'}, {test.summary}"]
    if check == CHECK_VERIFIED_BACKUP and events.last_backup is not None:
        backup = events.last_backup
        found = [f"last backup {_when(backup.at)} in {backup.target}"
                 + (", verified" if backup.verified else ", NOT verified")]
        warning = backup_warning(repository, practice_id)
        if warning:
            found.append(f"WARNING: {warning}")
        return found
    return []


def export_record(repository: Repository, practice: Practice, kind: str, now: datetime, *,
                  thresholds: ExpiryThresholds | None = None) -> str:
    """A short Markdown record of the walkthrough: who did which step when, the
    notes, the certificate fingerprints before and after, and when the next
    renewal is due."""
    from vecozo_tui.expiry import ExpiryThresholds, renewal_start

    walkthrough = get_walkthrough(kind)
    progress = load(repository, practice.id, kind)
    if progress is None:
        raise VecozoError(f"The {kind} walkthrough of {practice.id} was never started.")
    active = repository.active(practice.id)
    lines = [
        f"# {walkthrough.title}: {practice.name} ({practice.id})",
        "",
        f"- AGB code: {practice.agb}",
        f"- Environment: {practice.environment}",
        f"- Started: {_when(progress.started_at)} by {progress.started_by}",
        f"- Finished: {_when(progress.finished_at) if progress.finished_at else 'not yet'}"
        f" ({progress.done_count} of {progress.total} steps done)",
    ]
    if progress.baseline_sha256:
        before_until = (progress.baseline_not_after.date().isoformat()
                        if progress.baseline_not_after else "-")
        lines.append(f"- Certificate before: SHA-256 {_fingerprint(progress.baseline_sha256)}"
                     f", valid until {before_until}")
    else:
        lines.append("- Certificate before: none")
    if active is not None and active.info.sha256 != progress.baseline_sha256:
        lines.append(f"- Certificate after: SHA-256 {_fingerprint(active.info.sha256)}, "
                     f"valid until {active.info.not_after.date().isoformat()}")
    elif active is not None:
        lines.append("- Certificate after: unchanged")
    if active is not None:
        start_on = renewal_start(active.info.not_after, thresholds or ExpiryThresholds())
        lines.append(f"- Next renewal: start on {start_on.isoformat()} (expires "
                     f"{active.info.not_after.date().isoformat()})")
    lines += ["", "## Steps", ""]
    for number, step in enumerate(walkthrough.steps, 1):
        state = progress.state(step.key)
        mark = "x" if state.done else " "
        line = f"{number}. [{mark}] {step.title}"
        if state.done and state.automatic:
            line += f": {_when(state.at)} (checked automatically)"
        elif state.done:
            line += f": {_when(state.at)}, {state.by or '?'}"
        lines.append(line)
        if state.done and step.check:
            lines += [f"   - {text}" for text in _evidence(repository, practice.id, step.check)]
        if state.note:
            for note_line in state.note.splitlines():
                lines.append(f"   > {note_line}")
    lines += ["", f"_Exported {_when(now)} by vecozo-tui._", ""]
    return "\n".join(lines)


# --- the CLI -------------------------------------------------------------------------------


def run_walkthrough(invocation: Invocation) -> int:
    """``vecozo-tui walkthrough PRACTICE KIND [--tick STEP | --untick STEP] [--note TEXT]
    [--all] [--restart] [--export FILE] [--host NAME] [--json]``.

    Showing a walkthrough starts it (the active certificate then is the baseline
    of the automatic import check) or resumes it; automatic steps are evaluated
    each time. STEP is a step key or its number.
    """
    from vecozo_tui.cli import EXIT_USAGE
    from vecozo_tui.commands import find_practice, load_config_and_repository, print_json
    from vecozo_tui.repository import Actor

    args = invocation.args
    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, args.practice)
    walkthrough = get_walkthrough(args.kind)
    now = invocation.clock.now()
    actor = Actor.current(invocation.env)
    tick_key = getattr(args, "tick", None)
    untick_key = getattr(args, "untick", None)
    note = getattr(args, "note", None)
    if tick_key and untick_key:
        invocation.err("vecozo-tui: use --tick or --untick, not both.")
        return EXIT_USAGE
    if note is not None and not (tick_key or untick_key):
        invocation.err("vecozo-tui: --note needs --tick STEP (or --untick STEP).")
        return EXIT_USAGE

    progress = start(repository, practice.id, walkthrough.kind, actor=actor, now=now,
                     restart=bool(getattr(args, "restart", False)))
    progress = refresh_automatic(repository, practice.id, walkthrough.kind, now,
                                 actor=actor) or progress
    if tick_key or untick_key:
        progress = tick(repository, practice.id, walkthrough.kind, tick_key or untick_key,
                        done=bool(tick_key), note=note, actor=actor, now=now)

    export = getattr(args, "export", None)
    if export:
        record = export_record(repository, practice, walkthrough.kind, now,
                               thresholds=config.thresholds)
        if export == "-":
            invocation.out(record)
            return 0
        from pathlib import Path

        from vecozo_tui.fsutil import write_new_file

        write_new_file(Path(export), record.encode("utf-8"))  # 0600: notes may hold anything
        invocation.out(f"Wrote the record of the {walkthrough.kind} walkthrough to {export}.")
        return 0

    context = make_context(practice, repository, inbox=config.inbox,
                           thresholds=config.thresholds, host=getattr(args, "host", None),
                           progress=progress, env=dict(invocation.env))
    if getattr(args, "json", False):
        data = progress.to_dict()
        data["practice"] = practice.id
        data["title"] = walkthrough.title
        data["steps"] = [
            {"key": step.key, "title": step.title, "check": step.check,
             "body": render_step(step, context), **progress.state(step.key).to_dict()}
            for step in walkthrough.steps
        ]
        print_json(invocation, data)
        return 0
    invocation.out(format_progress(progress, context, show_all=bool(getattr(args, "all", False))))
    if any(step.check == CHECK_VERIFIED_BACKUP for step in walkthrough.steps):
        warning = backup_warning(repository, practice.id)
        if warning:
            invocation.err(f"WARNING: {warning}")
    return 0


def format_progress(progress: Progress, context: RenderContext, *, show_all: bool = False) -> str:
    """The checklist as plain text: every step with its mark, the body of the next step
    (or of every step with ``show_all``)."""
    walkthrough = progress.walkthrough
    lines = [f"{walkthrough.title}: {context.practice_name} ({context.practice_id})",
             f"Started {_when(progress.started_at)} by {progress.started_by}; "
             f"{progress.done_count} of {progress.total} steps done"
             + (f", finished {_when(progress.finished_at)}" if progress.finished_at else ""),
             ""]
    next_step = progress.next_step
    for number, step in enumerate(walkthrough.steps, 1):
        state = progress.state(step.key)
        mark = "[x]" if state.done else "[ ]"
        line = f"{mark} {number}. {step.title}  ({step.key}"
        line += ", checked automatically)" if step.check else ")"
        lines.append(line)
        if state.done:
            lines.append(f"      done {_when(state.at)} "
                         + ("(checked automatically)" if state.automatic
                            else f"by {state.by or '?'}"))
        if state.note:
            lines += [f"      note: {text}" for text in state.note.splitlines()]
        if show_all or step is next_step:
            lines.append("")
            lines += [f"      {text}".rstrip() for text in
                      render_step(step, context, width=72).splitlines()]
            lines.append("")
    if next_step is not None:
        lines.append(f"Next: {next_step.title}. When it is done:")
        lines.append(f"  vecozo-tui walkthrough {context.practice_id} {progress.kind} "
                     f"--tick {next_step.key} [--note TEXT]")
    else:
        lines.append("All steps done.")
    return "\n".join(lines)

