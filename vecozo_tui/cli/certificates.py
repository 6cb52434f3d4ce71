"""The CLI's repository commands: init, list, status, show, history, import, inspect, purge.

Imported only when one of them runs. The TUI commands import Textual inside
their own function, never at module level.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vecozo_tui.cli.common import (
    find_practice,
    load_config_and_repository,
    machine_language,
    print_json,
)
from vecozo_tui.cli.deploy import deploy_after_change
from vecozo_tui.cli.output import (
    certificate_lines,
    certificate_width,
    field,
    file_contents_lines,
    finding_lines,
)
from vecozo_tui.cli.prompts import (
    confirmed,
    open_pkcs12_contents,
    password_available,
    read_new_password,
    with_password_retries,
)
from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import _, ngettext
from vecozo_tui.textfmt import fingerprint, local_date

if TYPE_CHECKING:
    from vecozo_tui.certificates import Finding
    from vecozo_tui.cli.main import Invocation


# --- shared plumbing ------------------------------------------------------------------


# --- commands -----------------------------------------------------------------------


def run_init(invocation: Invocation) -> int:
    from vecozo_tui.config import find_config_path, load_config, write_new_config
    from vecozo_tui.repository import Actor, Repository

    args = invocation.args
    given = args.config or invocation.env.get("VECOZO_TUI_CONFIG")
    given_missing = given is not None and not Path(given).expanduser().exists()
    path = None if given_missing else find_config_path(args.config, invocation.env)
    if path is None:
        if args.repository and Path(args.repository).expanduser().exists() \
                and not Path(args.repository).expanduser().is_dir():
            raise VecozoError(_("{path} exists and is not a directory; choose another "
                                "--repository. Nothing was written.").format(
                path=args.repository))
        if not args.repository:
            raise VecozoError(_(
                "No configuration file yet: give --repository PATH (and optionally --inbox "
                "PATH) to write one, or copy config.example.toml."
            ))
        path = write_new_config(args.config, invocation.env, repository=Path(args.repository),
                                inbox=Path(args.inbox) if args.inbox else None)
        invocation.out(_("Wrote configuration {path}").format(path=path))
    if args.inbox and not Path(args.inbox).expanduser().exists():
        from vecozo_tui.fsutil import ensure_private_dir

        ensure_private_dir(Path(args.inbox).expanduser())
        invocation.out(_("Created inbox {path} (mode 0700).").format(path=args.inbox))
    config = load_config(path, invocation.env, check_repository=False)
    invocation.use_config_language(config)
    if config.repository.exists():
        problems = Repository(config.repository, clock=invocation.clock).problems()
        if problems:
            raise VecozoError("\n".join(problems))
        invocation.out(_("Repository {path} already exists and looks fine.").format(
            path=config.repository))
        return 0
    Repository.init(config.repository, clock=invocation.clock, actor=Actor.current(invocation.env))
    invocation.out(_("Created repository {path} (mode 0700).").format(path=config.repository))
    return 0


def run_inspect(invocation: Invocation) -> int:
    from vecozo_tui.certificates import AmbiguousChoice, check_for_import

    contents, _password = open_pkcs12_contents(invocation, invocation.args.file)
    now = invocation.clock.now()
    try:
        shown = [contents.choose()]
    except AmbiguousChoice:
        shown = list(contents.pairs)  # nothing to choose for: show each
    if invocation.args.json:
        with machine_language():
            print_json(invocation, {
                "certificate": shown[0].info.to_dict(),
                "certificates": [pair.info.to_dict() for pair in contents.pairs],
                "findings": [f._asdict() for f in check_for_import(shown[0], now=now)]})
        return 0
    for line in file_contents_lines(contents, shown[0] if len(shown) == 1 else None):
        invocation.out(line)
    for number, loaded in enumerate(shown):
        if number:
            invocation.out("")
        for line in certificate_lines(loaded.info, now):
            invocation.out(line)
        for line in finding_lines(check_for_import(loaded, now=now)):
            invocation.out(line)
    return 0


def run_import(invocation: Invocation) -> int:
    from vecozo_tui.certificates import AmbiguousChoice, check_for_import
    from vecozo_tui.cli.exit_codes import EXIT_REFUSED
    from vecozo_tui.repository import Actor

    args = invocation.args
    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, args.practice)
    from vecozo_tui.inbox import resolve

    file = str(resolve(args.file, config.inbox))  # a bare name: from the inbox
    contents, password = open_pkcs12_contents(invocation, file)
    try:
        loaded = contents.choose(practice_agb=practice.agb, pick=args.pick)
    except AmbiguousChoice as error:
        invocation.err(_("Import refused: {error}\nRe-run with --pick SHA256-START to say "
                         "which; nothing was changed.").format(error=error))
        return EXIT_REFUSED
    now = invocation.clock.now()
    active = repository.active(practice.id)
    findings = check_for_import(loaded, now=now, practice_agb=practice.agb,
                                active=active.info if active else None)
    out = invocation.out
    out(_("Import into {name} ({practice}, AGB {agb})").format(
        name=practice.name, practice=practice.id, agb=practice.agb))
    for line in file_contents_lines(contents, loaded):
        out(line)
    for line in certificate_lines(loaded.info, now):
        out(f"  {line}")
    if active and active.info.sha256 != loaded.info.sha256:
        out("  " + field(_("Replaces"), _("the active certificate valid until {date} (kept "
                                          "in history)").format(
            date=local_date(active.info.not_after, now)), certificate_width()))
    for line in finding_lines(findings):
        out(line)
    owners = [p for p in config.with_agb(loaded.info.agb_code) if p.id != practice.id]
    if len(owners) == 1:
        out(_("This certificate is of {name} ({practice}): vecozo-tui import {practice} "
              "{file}").format(name=owners[0].name, practice=owners[0].id, file=file))
    if any(f.blocking for f in findings):
        invocation.err(_("Import refused: fix the problems marked BLOCKED and export again."))
        return EXIT_REFUSED
    if not _confirmed_findings(invocation, findings):
        return EXIT_REFUSED
    # a file exported without a password (macOS Keychain, GnuTLS): the stored copy is
    # never unprotected, so it gets a new one, chosen the way `backup --new-password` is
    storage_password = password if loaded.password_protected else read_new_password(
        invocation, purpose=_("for the stored copy"))
    stored = repository.import_certificate(
        practice.id, loaded, storage_password, actor=Actor.current(invocation.env),
        expected_active=active.info.sha256 if active else None)
    out(_("Stored and activated {fingerprint}… for {practice}.").format(
        fingerprint=fingerprint(stored.info.sha256)[:23], practice=practice.id))
    if active:
        out(_("The previous certificate is kept in history."))
    # the deployed file gets the stored copy's password: never an unprotected one
    deployed = deploy_after_change(invocation, config, repository, practice, loaded=loaded,
                                   password=storage_password)
    out(_("Next steps:"))
    out(_("  1. prove it works:    vecozo-tui test-cov {practice}").format(practice=practice.id))
    out(_("  2. back it up:        vecozo-tui backup {practice} --to /media/usb  (another "
          "medium)").format(practice=practice.id))
    out(_("  3. remove the old certificate from the browser it was exported from"))
    return deployed


def _confirmed_findings(invocation: Invocation, findings: list[Finding]) -> bool:
    """A finding with a question of its own (the kind is unclear) is asked as that
    question; the other warnings together as "Import anyway?". ``--yes`` answers both."""
    if invocation.args.yes:
        return True
    for finding in findings:
        if finding.question and not confirmed(
                invocation, finding.question,
                without_terminal=_("Import not done: the certificate's kind is unclear; "
                                   "check it and re-run with --yes to import it anyway."),
                declined=_("Import cancelled; nothing was changed.")):
            return False
    if [f for f in findings if not f.question] and not confirmed(
            invocation, _("Import anyway?"),
            without_terminal=_("Import not done: there are warnings; read them and re-run "
                               "with --yes to import anyway."),
            declined=_("Import cancelled; nothing was changed.")):
        return False
    return True


def run_activate(invocation: Invocation) -> int:
    from vecozo_tui.backup import open_stored
    from vecozo_tui.cli.exit_codes import EXIT_REFUSED
    from vecozo_tui.deploy import wants_automatic_deploy
    from vecozo_tui.repository import Actor

    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, invocation.args.practice)
    wanted = invocation.args.fingerprint.replace(":", "").upper()
    history = repository.history(practice.id)
    matches = [entry for entry in history if entry.info.sha256.startswith(wanted)] \
        if len(wanted) >= 4 else []
    if len(matches) != 1:
        text = (_("'{given}' matches no stored certificate of {practice} (give at least 4 "
                  "characters); see `vecozo-tui history {practice}`.") if not matches else
                _("'{given}' matches more than one stored certificate of {practice} (give "
                  "at least 4 characters); see `vecozo-tui history {practice}`."))
        raise VecozoError(text.format(given=invocation.args.fingerprint, practice=practice.id))
    chosen = matches[0]
    if chosen.active:
        invocation.out(_("That certificate is already the active one of {practice}.").format(
            practice=practice.id))
        return 0
    now = invocation.clock.now()
    invocation.out(_("Activate for {name} ({practice}):").format(name=practice.name,
                                                                  practice=practice.id))
    for line in certificate_lines(chosen.info, now):
        invocation.out(f"  {line}")
    if chosen.info.not_after <= now:
        invocation.err(_("Refused: that certificate has expired; it cannot be used any "
                         "more."))
        return EXIT_REFUSED
    if not invocation.args.yes:
        if not confirmed(invocation, _("Make this the active certificate?"),
                         without_terminal=_("Not activated: re-run with --yes to confirm."),
                         declined=_("Cancelled; nothing was changed.")):
            return EXIT_REFUSED
    loaded, password = None, None
    if wants_automatic_deploy(config.deploy.automatic, practice) and \
            password_available(invocation):
        # asked before activating: a wrong password then changes nothing
        loaded, password = with_password_retries(
            invocation, _("Password of that certificate (to deploy it to {practice}'s "
                          "practice software): ").format(practice=practice.id),
            lambda given: (open_stored(repository, practice.id, given, purpose="deploy",
                                       sha256=chosen.info.sha256), given))
    active = repository.active(practice.id)
    repository.activate(practice.id, chosen.info.sha256, actor=Actor.current(invocation.env))
    invocation.out(_("Activated; the certificate valid until {date} is kept in history. "
                     "Prove it works: vecozo-tui test-cov {practice}").format(
        date=local_date(active.info.not_after if active else None, now), practice=practice.id))
    return deploy_after_change(invocation, config, repository, practice, loaded=loaded,
                               password=password)


def run_purge(invocation: Invocation) -> int:
    from vecozo_tui.repository import Actor

    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, invocation.args.practice)
    removed = repository.purge_history(practice.id, actor=Actor.current(invocation.env),
                                       confirm=invocation.args.confirm)
    invocation.out(ngettext("Removed {count} earlier certificate of {practice}; the active "
                            "one is kept.",
                            "Removed {count} earlier certificates of {practice}; the active "
                            "one is kept.", removed).format(count=removed, practice=practice.id))
    return 0


