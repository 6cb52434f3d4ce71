"""The four walkthroughs as data: their steps, texts and automatic checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import N_, _

WalkthroughKind = Literal["renew", "new", "recover", "backup"]

CHECK_IMPORTED_NEWER = "imported_newer"
CHECK_TEST_CALL = "test_call_ok_after_import"
CHECK_VERIFIED_BACKUP = "verified_backup"
CHECK_DEPLOYED = "deployed_to_software"
CHECKS = (CHECK_IMPORTED_NEWER, CHECK_TEST_CALL, CHECK_VERIFIED_BACKUP, CHECK_DEPLOYED)



# --- the steps ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A step; ``title_id`` and ``body_id`` are the English texts (the msgids, stable for
    --json), ``title`` and ``body`` the texts in the reader's language."""

    key: str
    title_id: str
    body_id: str
    check: str | None = None

    @property
    def title(self) -> str:
        return _(self.title_id)

    @property
    def body(self) -> str:
        return _(self.body_id).strip("\n")


@dataclass(frozen=True)
class Walkthrough:
    kind: WalkthroughKind
    title_id: str  # English, as Step.title_id
    summary_id: str
    steps: tuple[Step, ...]

    @property
    def title(self) -> str:
        return _(self.title_id)

    @property
    def summary(self) -> str:
        return _(self.summary_id)

    def step(self, key: str) -> Step:
        """A step by key, or by its 1-based number as typed on a command line."""
        for step in self.steps:
            if step.key == key:
                return step
        if key.isdigit() and 1 <= int(key) <= len(self.steps):
            return self.steps[int(key) - 1]
        raise VecozoError(_("The {kind} walkthrough has no step {key!r}; its steps are: "
                            "{steps}.").format(kind=self.kind, key=key,
                                               steps=", ".join(s.key for s in self.steps)))

    def index(self, key: str) -> int:
        return [s.key for s in self.steps].index(key)


def _step(key: str, title: str, body: str, check: str | None = None) -> Step:
    """``title`` and ``body`` marked with N_: translated where shown."""
    return Step(key, title, body, check)


_RENEW_PIN = _step("pin", N_("The contact person has the PIN at hand"), N_("""
Renewing a system certificate always asks for its PIN ('pincode'):
"Let op: bij het vernieuwen van een systeemcertificaat wordt altijd om de
pincode van het certificaat gevraagd; zorg dat u deze bij de hand hebt."

The PIN is kept by the practice's VECOZO contact person ('contactpersoon',
{contact}). For a system certificate the contact person enters the data, so
agree a moment with them before you start.
"""))

_RENEW_AT_VECOZO = _step("renew", N_("Renew at VECOZO in a browser on a workstation"), N_("""
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
"""))

_EXPORT = _step("export", N_("Export it from the browser, with the private key"), N_("""
Export the certificate to a .pfx/.p12 file with its private key, all
certificates in the certification path, and a password of your own (the
import needs it). Pick the system certificate: the one with the latest
'verloopdatum' and no person's name in it.

Chrome / Edge (Windows):
  1. Type 'internetopties' in the taskbar search; open 'Internetopties'.
  2. Tab 'Inhoud' -> 'Certificaten'.
  3. Select the system certificate -> 'Exporteren' -> 'Volgende'.
  4. Tick 'Ja, de persoonlijke sleutel exporteren' -> 'Volgende'.
  5. Tick 'Indien mogelijk alle certificaten in het certificeringspad
     opnemen' and 'Alle uitgebreide eigenschappen exporteren'
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
"""))

_COPY = _step("copy", N_("Copy the file to this server"), N_("""
From the workstation (PowerShell on Windows 10 and later, Terminal on macOS):

  scp {export_name} {user}@{host}:{inbox_remote}

(run it in the folder where you saved the file, e.g. Downloads).
Do not e-mail the file: it holds the private key, even if encrypted.
"""))

_IMPORT = _step("import", N_("Import it into the repository"), N_("""
On this server:

  vecozo-tui import {practice_id} {inbox_file}

or, in the console, press i on this step. The import checks the password,
the private key, the chain, the AGB code ({agb}) and that the certificate
is newer than the active one; the old one is kept in history.
This step ticks itself once a newer certificate is imported.
"""), CHECK_IMPORTED_NEWER)

_DEPLOY = _step("deploy", N_("Put it where the practice software reads it"), N_("""
The practice software (HIS, billing program) does not read the repository:
it reads a .pfx/.p12 of its own, and may need a restart to pick up the new
one. Until then it keeps calling VECOZO with the old certificate.

{deploy_targets}

  vecozo-tui deploy {practice_id}

or press d in the console. With '[deploy] automatic = true' (the default)
the import has done it already. The file gets the password given at the
import: if the program has its own copy of the password, change it there
too.
This step ticks itself once every deploy target holds the new certificate.
"""), CHECK_DEPLOYED)

_TEST_CALL = _step("test-call", N_("Prove it works: a test COV call"), N_("""
On this server:

  vecozo-tui test-cov {practice_id}

or, in the console, press t on this step. It shows step by step where a
problem is: name resolution, connection, TLS,
client certificate accepted, authorised for COV, COV answer. Only a system
certificate can do COV; a personal one cannot. Then check in the practice
software too: a COV from a patient record.
This step ticks itself after a successful test call with the new certificate.
"""), CHECK_TEST_CALL)

_BACKUP = _step("backup", N_("Make a verified backup on another medium"), N_("""
A certificate can be installed only once ('slechts éénmaal'), so back it up
right away, on another medium: "Kopieer de back-up altijd naar een ander
opslagmedium dan de pc waarop het geïnstalleerd staat" (a USB stick, a
network drive, another computer).

  vecozo-tui backup {practice_id} --to /media/usb

or, in the console, press b on this step. Add --legacy (3DES) for Windows
Server 2016 and earlier, --new-password to protect the backup with a
password of its own. The backup is read back and checked.
This step ticks itself once a verified backup of the certificate is recorded.
"""), CHECK_VERIFIED_BACKUP)

_REMOVE_OLD = _step("remove-old", N_("Remove the old certificate from the browser"), N_("""
In the browser the certificate was exported from (same place as the export:
'Certificaten', 'Uw certificaten' or 'Sleutelhangertoegang'), delete the old
certificate: "Als u het nieuwe certificaat opslaat kunt u ook gelijk de oude,
ongeldige certificaten verwijderen." Keep the new one: the next renewal
starts from it. A renewed-early old certificate stays valid until its own
expiry date, so remove it once nothing uses it any more.

Delete the exported file from the workstation (Downloads) and from
{inbox}: the repository and the backup hold it now.
"""))

_CLEAN_UP = _step("clean-up", N_("Delete the exported file"), N_("""
Delete the exported file from the workstation (Downloads) and from
{inbox}: the repository and the backup hold it now. Keep the certificate
itself in the browser; the next renewal starts from it.
"""))

_NEXT_RENEWAL = _step("next-renewal", N_("Note when the next renewal is due"), N_("""
The certificate is valid until {expires}. Start the next renewal on
{renew_from}{renew_from_note}. Put it in the practice's agenda or ticket system.
VECOZO mails the contact person one month before expiry; the dashboard,
`vecozo-tui check` and `vecozo-tui metrics` warn as well.
"""))

_NEW_AGB = _step("agb", N_("AGB code and VECOZO registration"), N_("""
Requesting a certificate needs an AGB code and a registration with VECOZO
('aangemeld zijn bij VECOZO'): a contract for the practice's AGB code
({agb}). Not registered yet? Register the AGB code with VECOZO's
'Aanmeldformulier voor zorgaanbieders'; once processed, the registered
contact person receives a personal VECOZO certificate.

The system certificate and the personal certificates must be issued under
the same AGB code: the practice's.
"""))

_NEW_REQUEST = _step("request", N_("Request the system certificate"), N_("""
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
"""))

_NEW_CREDENTIALS = _step("credentials", N_("Receive the user number and the PIN"), N_("""
VECOZO sends them to the contact person ({contact}) separately:
  - the user number ('gebruikersnummer') by e-mail;
  - the PIN ('pincode') by post or in the 'VECOZO Berichtenbox'.
The installation needs both. Keep the PIN letter safe: every renewal of a
system certificate asks for the PIN again.
"""))

_NEW_INSTALL = _step("install", N_("Install it in a browser within 60 days"), N_("""
On a workstation that meets VECOZO's 'systeemeisen', open {site} ->
'Certificaten installeren/vernieuwen' and install with the user number and
the PIN. For a system certificate the contact person enters them.

Do it within 60 days: "VECOZO-certificaten [worden] automatisch uit ons
systeem verwijderd indien deze niet binnen 60 dagen worden geïnstalleerd."
The certificate is valid two years from the day it is installed.
"""))

_RECOVER_SITUATION = _step("situation", N_("Expired or lost: no new request needed"), N_("""
Too late with renewing, or the certificate lost (crashed or reinstalled PC,
lost browser profile)? "Bent u te laat met het vernieuwen, dan hoeft u géén
nieuw certificaat aan te vragen, maar kunt u het certificaat opnieuw
installeren met behulp van het gebruikersnummer en de pincode." (VECOZO:
'Verlopen of verloren certificaat'.)

Only lost, still valid, and a backup exists? Then import the backup instead:

  vecozo-tui import {practice_id} /media/usb/FILE.p12

and tick the steps up to the import with a note saying so.
"""))

_RECOVER_CREDENTIALS = _step("credentials",
                             N_("User number and PIN from the contact person"), N_("""
The contact person ({contact}) has the user number ('gebruikersnummer',
sent by e-mail) and the PIN ('pincode', sent by post or in the 'VECOZO
Berichtenbox'). Reinstalling needs both, entered by the contact person.
"""))

_RECOVER_REINSTALL = _step("reinstall", N_("Reinstall at VECOZO ('opnieuw installeren')"), N_("""
On a workstation of the practice, open {site} -> 'Certificaten
installeren/vernieuwen' and install the certificate again with the user
number and the PIN. No new request is needed.
"""))

_MOVE_PASSWORD = _step("password", N_("Keep the password apart from the file"), N_("""
The backup is only as safe as its password. Keep the password in the
practice's password manager or a sealed envelope in the safe; never on the
USB stick, never in the same bag or e-mail as the file.
Write in this step's note *where* it is kept, never the password itself.
"""))

_MOVE_IMPORT = _step("import-elsewhere", N_("Import it on the other computer"), N_("""
Copy the .p12 to the other computer ("wilt u op een andere pc gebruik maken
van hetzelfde certificaat dan kunt u met behulp van het back-up bestand het
certificaat op de gewenste pc plaatsen"):
  - a server with vecozo-tui:  vecozo-tui import {practice_id} FILE.p12
  - Windows: double-click the file -> 'Wizard Certificaat importeren'
    (Windows Server 2016 and earlier: use a backup made with --legacy);
  - Firefox: 'Certificaten bekijken' -> 'Uw certificaten' -> 'Importeren...'.
"""))

_MOVE_TEST = _step("test-elsewhere", N_("A test call on the other computer"), N_("""
Prove it works there: on a server with vecozo-tui

  vecozo-tui test-cov {practice_id}

or in the practice software: a COV from a patient record.
"""))

_COMMON_TAIL = (_EXPORT, _COPY, _IMPORT, _DEPLOY, _TEST_CALL, _BACKUP)

WALKTHROUGHS: dict[WalkthroughKind, Walkthrough] = {
    "renew": Walkthrough(
        "renew", N_("Renew the system certificate"),
        N_("Renew at VECOZO, export, import here, test, back up."),
        (_RENEW_PIN, _RENEW_AT_VECOZO, *_COMMON_TAIL, _REMOVE_OLD, _NEXT_RENEWAL),
    ),
    "new": Walkthrough(
        "new", N_("Request and install a new system certificate"),
        N_("Request at VECOZO, install in a browser, export, import here, test, back up."),
        (_NEW_AGB, _NEW_REQUEST, _NEW_CREDENTIALS, _NEW_INSTALL, *_COMMON_TAIL, _CLEAN_UP,
         _NEXT_RENEWAL),
    ),
    "recover": Walkthrough(
        "recover", N_("Recover an expired or lost certificate"),
        N_("Reinstall with user number and PIN, export, import here, test, back up."),
        (_RECOVER_SITUATION, _RECOVER_CREDENTIALS, _RECOVER_REINSTALL, *_COMMON_TAIL,
         _REMOVE_OLD, _NEXT_RENEWAL),
    ),
    "backup": Walkthrough(
        "backup", N_("Back up, or move to another computer"),
        N_("A verified backup on another medium, and how to use it elsewhere."),
        (_BACKUP, _MOVE_PASSWORD, _MOVE_IMPORT, _MOVE_TEST),
    ),
}
KINDS: tuple[WalkthroughKind, ...] = get_args(WalkthroughKind)


def get_walkthrough(kind: str) -> Walkthrough:
    for walkthrough in WALKTHROUGHS.values():
        if walkthrough.kind == kind:
            return walkthrough
    raise VecozoError(_("Unknown walkthrough {kind!r}; choose one of: {kinds}.").format(
        kind=kind, kinds=", ".join(KINDS)))
