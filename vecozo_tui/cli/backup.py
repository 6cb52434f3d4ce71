"""``vecozo-tui backup``: a verified backup of the active certificate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecozo_tui.backup import check_opens, check_target, make_backup
from vecozo_tui.cli.common import (
    find_practice,
    load_config_and_repository,
    machine_language,
    print_json,
)
from vecozo_tui.cli.output import field, label_width
from vecozo_tui.cli.prompts import read_new_password, with_password_retries
from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import N_, _

if TYPE_CHECKING:
    from vecozo_tui.backup import BackupResult
    from vecozo_tui.cli.main import Invocation


# the labels of the lines about each file written
ENTRY_LABELS = (N_("File"), N_("Valid until"))


def run_backup(invocation: Invocation) -> int:
    """``vecozo-tui backup PRACTICE [--to DIR] [--legacy] [--with-history] [--new-password]``.

    The target defaults to ``[backup] default_target``. The current password comes
    from ``--password-file`` (first line), ``$VECOZO_TUI_PASSWORD`` or a prompt; the
    new one (``--new-password``) as described in :func:`read_new_password`.
    """
    from vecozo_tui.repository import Actor
    from vecozo_tui.textfmt import fingerprint, local_date

    args = invocation.args
    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, args.practice)
    target_arg = args.target or config.backup_target
    if not target_arg:
        raise VecozoError(_("No backup target: use --to DIR (a USB stick or network drive) "
                            "or set default_target in the [backup] section of the "
                            "configuration."))
    target = check_target(target_arg, repository.root)
    if repository.active(practice.id) is None:
        raise VecozoError(_("{practice} has no active certificate to back up; import one "
                            "first.").format(practice=practice.id))

    actor = Actor.current(invocation.env)
    new_password: str | None = None

    def attempt(password: str) -> BackupResult:
        nonlocal new_password
        if args.new_password and new_password is None:
            check_opens(repository, practice.id, password)  # before asking the new one
            new_password = read_new_password(invocation)
        with machine_language(args.json):  # the JSON's warnings in English
            return make_backup(repository, practice.id, target, password,
                               new_password=new_password, legacy=args.legacy,
                               with_history=args.with_history, actor=actor,
                               now=invocation.clock.now(), agb=practice.agb)

    result = with_password_retries(
        invocation, _("Password of the stored certificate of {practice}: ").format(
            practice=practice.id), attempt)

    if args.json:
        data = result.to_dict()
        data["practice"] = practice.id
        print_json(invocation, data)
        report_warnings(invocation, result)
        return 0
    out = invocation.out
    out(_("Backup of {name} ({practice}) in {target}").format(
        name=practice.name, practice=practice.id, target=result.target))
    entry_width = label_width(*(_(label) for label in ENTRY_LABELS), least=13)
    for entry in result.entries:
        until = local_date(entry.not_after, invocation.clock.now())
        out("  " + field(_("File"), entry.path.name, entry_width))
        out("  " + field("SHA-256", fingerprint(entry.sha256), entry_width))
        out("  " + field(_("Valid until"),
                         _("{date}  (active certificate)").format(date=until) if entry.active
                         else _("{date}  (earlier certificate)").format(date=until),
                         entry_width))
    width = label_width(_("Encryption"), _("Password"))
    out(field(_("Encryption"), result.encryption_words, width))
    out(field(_("Password"), _("the new one you just set; keep it apart from the file")
              if new_password is not None else
              _("the same as the stored certificate's; keep it apart from the file"), width))
    out(_("verified: read back and fingerprints match (certificate, chain and private key)"))
    report_warnings(invocation, result)
    return 0


def report_warnings(invocation: Invocation, result: BackupResult) -> None:
    """Warnings on stderr; the same-device one framed so it is not missed."""
    import textwrap

    for index, warning in enumerate(result.warnings):
        loud = result.same_device and index == 0
        if loud:
            invocation.err("!" * 78)
        invocation.err(textwrap.fill(_("WARNING: {warning}").format(warning=warning), 78,
                                     subsequent_indent="  ",
                                     break_on_hyphens=False, break_long_words=False))
        if loud:
            invocation.err("!" * 78)
