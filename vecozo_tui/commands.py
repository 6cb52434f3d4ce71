"""The CLI's repository commands: init, list, status, show, history, import, inspect, purge.

Imported only when one of them runs. The TUI commands import Textual inside
their own function, never at module level.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING

from vecozo_tui.errors import VecozoError, WrongPasswordError
from vecozo_tui.textfmt import ago, fingerprint, relative_days, short_date

if TYPE_CHECKING:
    from vecozo_tui.certificates import CertificateInfo, Finding, LoadedPkcs12
    from vecozo_tui.cli import Invocation
    from vecozo_tui.config import Config, Practice
    from vecozo_tui.repository import Repository

PASSWORD_ENV = "VECOZO_TUI_PASSWORD"  # noqa: S105 - the name of a variable
INTERACTIVE_PASSWORD_TRIES = 3


# --- shared plumbing ------------------------------------------------------------------


def load_config_and_repository(invocation: Invocation) -> tuple[Config, Repository]:
    from vecozo_tui.config import load_config
    from vecozo_tui.repository import Repository

    config = load_config(invocation.args.config, invocation.env)
    for warning in config.warnings:
        invocation.err(f"warning: {warning}")
    return config, Repository(config.repository, clock=invocation.clock)


def find_practice(config: Config, key: str) -> Practice:
    """A practice by id, or by AGB code when exactly one practice has it."""
    by_agb = [p for p in config.practices if p.agb == key]
    if len(by_agb) == 1 and not any(p.id == key for p in config.practices):
        return by_agb[0]
    return config.practice(key)


def print_json(invocation: Invocation, data: object) -> None:
    invocation.out(json.dumps(data, indent=2, ensure_ascii=False))


def read_password(invocation: Invocation, prompt: str) -> str:
    """From --password-file, $VECOZO_TUI_PASSWORD, or a no-echo prompt; never an argument."""
    password_file = getattr(invocation.args, "password_file", None)
    if password_file:
        try:
            # utf-8-sig: Windows Notepad starts its UTF-8 files with a byte-order mark
            with open(password_file, encoding="utf-8-sig") as handle:
                return handle.readline().rstrip("\r\n")
        except OSError as error:
            raise VecozoError(
                f"Cannot read the password file {password_file}: {error.strerror}."
            ) from None
        except UnicodeDecodeError:
            raise VecozoError(f"The password file {password_file} is not UTF-8 text.") from None
    if PASSWORD_ENV in invocation.env:
        return invocation.env[PASSWORD_ENV]
    if not password_prompt_allowed(invocation):
        raise VecozoError(
            "No password given: use --password-file FILE or set VECOZO_TUI_PASSWORD "
            "(a password is never accepted as a command-line argument)."
        )
    return getpass.getpass(prompt)


def password_prompt_allowed(invocation: Invocation) -> bool:
    """No password file or variable, and a terminal to ask at: then asking (and asking
    again after a wrong password) is allowed."""
    return getattr(invocation.args, "password_file", None) is None and \
        PASSWORD_ENV not in invocation.env and invocation.stdin.isatty()


def confirmed(invocation: Invocation, question: str, *, without_terminal: str,
              declined: str) -> bool:
    """A y/N question at the terminal; without one, the answer is no (say why)."""
    if not invocation.stdin.isatty():
        invocation.err(without_terminal)
        return False
    invocation.stdout.write(f"{question} [y/N] ")
    invocation.stdout.flush()
    if invocation.stdin.readline().strip().lower() in ("y", "yes", "j", "ja"):
        return True
    invocation.err(declined)
    return False


def open_pkcs12_file(invocation: Invocation, path: str) -> tuple[LoadedPkcs12, str]:
    """Read and decrypt a .pfx, re-asking the password at a terminal after a wrong one."""
    from vecozo_tui.certificates import load_pkcs12, read_certificate_file

    data = read_certificate_file(path)
    tries = INTERACTIVE_PASSWORD_TRIES if password_prompt_allowed(invocation) else 1
    for attempt in range(1, tries + 1):
        password = read_password(invocation, f"Password for {Path(path).name}: ")
        try:
            return load_pkcs12(data, password, source=Path(path).name), password
        except WrongPasswordError as error:
            if attempt == tries:
                raise
            invocation.err(f"{error} Try again ({tries - attempt} left).")
    raise AssertionError("unreachable")


def certificate_lines(info: CertificateInfo, now) -> list[str]:
    from vecozo_tui.expiry import days_left

    left = days_left(info.not_after, now)
    lines = [
        f"Subject        {info.subject}",
        f"Kind           {info.kind} certificate"
        + ("  (a personal certificate cannot do COV or billing)" if info.kind == "personal"
           else ""),
        f"AGB code       {info.agb_code or '-'}",
        f"Issuer         {info.issuer}",
        f"Serial         {info.serial}",
        f"SHA-256        {fingerprint(info.sha256)}",
        f"SHA-1          {fingerprint(info.sha1)}  (the Windows 'thumbprint')",
        f"Valid from     {short_date(info.not_before)}",
        f"Valid until    {short_date(info.not_after)}  ({'expired ' if left < 0 else ''}"
        f"{relative_days(left)})",
        f"Key            {info.key_type} {info.key_size} bits",
    ]
    if info.friendly_name:
        lines.append(f"Friendly name  {info.friendly_name}")
    if info.chain:
        lines.append("Chain")
        lines += [f"  {entry.subject}  (until {short_date(entry.not_after)})"
                  for entry in info.chain]
    else:
        lines.append("Chain          none included")
    return lines


def finding_lines(findings: list[Finding]) -> list[str]:
    marks = {"error": "BLOCKED", "warning": "WARNING"}
    return [f"{marks.get(f.severity, f.severity.upper())}: {f.message}" for f in findings]


# --- commands -----------------------------------------------------------------------


def run_init(invocation: Invocation) -> int:
    from vecozo_tui.config import find_config_path, load_config, write_new_config
    from vecozo_tui.repository import Actor, Repository

    args = invocation.args
    given = args.config or invocation.env.get("VECOZO_TUI_CONFIG")
    given_missing = bool(given) and not Path(given).expanduser().exists()
    path = None if given_missing else find_config_path(args.config, invocation.env)
    if path is None:
        if args.repository and Path(args.repository).expanduser().exists() \
                and not Path(args.repository).expanduser().is_dir():
            raise VecozoError(f"{args.repository} exists and is not a directory; choose "
                              "another --repository. Nothing was written.")
        if not args.repository:
            raise VecozoError(
                "No configuration file yet: give --repository PATH (and optionally --inbox "
                "PATH) to write one, or copy config.example.toml."
            )
        path = write_new_config(args.config, invocation.env, repository=Path(args.repository),
                                inbox=Path(args.inbox) if args.inbox else None)
        invocation.out(f"Wrote configuration {path}")
    if args.inbox and not Path(args.inbox).expanduser().exists():
        from vecozo_tui.fsutil import ensure_private_dir

        ensure_private_dir(Path(args.inbox).expanduser())
        invocation.out(f"Created inbox {args.inbox} (mode 0700).")
    config = load_config(path, invocation.env, check_repository=False)
    if config.repository.exists():
        problems = Repository(config.repository, clock=invocation.clock).problems()
        if problems:
            raise VecozoError("\n".join(problems))
        invocation.out(f"Repository {config.repository} already exists and looks fine.")
        return 0
    Repository.init(config.repository, clock=invocation.clock, actor=Actor.current(invocation.env))
    invocation.out(f"Created repository {config.repository} (mode 0700).")
    return 0


def run_list(invocation: Invocation) -> int:
    from vecozo_tui.overview import build_overview

    config, repository = load_config_and_repository(invocation)
    now = invocation.clock.now()
    rows = build_overview(config, repository, now)
    if invocation.args.json:
        print_json(invocation, [row.to_dict() for row in rows])
        return 0
    if not rows:
        invocation.out(f"No practices in {config.path}. Add one with [[practices]] or in the "
                       "console.")
        return 0
    table = [("PRACTICE", "NAME", "AGB", "ENV", "EXPIRES", "LEFT", "STATUS")]
    for row in rows:
        flags = []
        if row.personal_certificate:
            flags.append("personal cert")
        if row.backup_missing:
            flags.append("no backup")
        if row.test_call_failed:
            flags.append("test failed")
        status = row.status.value + (f" ({', '.join(flags)})" if flags else "")
        table.append((row.practice.id, row.practice.name, row.practice.agb,
                       _short_environment(row.practice.environment), short_date(row.not_after),
                       relative_days(row.days_left), status))
    invocation.out(_format_table(table, shrink_column=1))
    return 0


def _short_environment(environment: str) -> str:
    return {"production": "prod", "acceptance": "acc", "test": "test"}.get(environment,
                                                                            environment)


def _format_table(rows: list[tuple[str, ...]], *, shrink_column: int | None = None,
                  width: int = 100) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    if shrink_column is not None:
        # the name column gives way first so a row stays on one terminal line
        others = sum(widths) - widths[shrink_column] + 2 * (len(widths) - 1)
        widths[shrink_column] = max(12, min(widths[shrink_column], width - others))
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                cell = cell[: widths[i] - 1] + "…"
            cells.append(cell.ljust(widths[i]) if i < len(row) - 1 else cell)
        lines.append("  ".join(cells))
    return "\n".join(lines)


def run_status(invocation: Invocation) -> int:
    from vecozo_tui.overview import build_overview, status_counts

    config, repository = load_config_and_repository(invocation)
    now = invocation.clock.now()
    rows = build_overview(config, repository, now)
    counts = status_counts(rows)
    if invocation.args.json:
        print_json(invocation, {
            "generated_at": now.isoformat(),
            "config": str(config.path),
            "repository": str(config.repository),
            "counts": {status.value: count for status, count in counts.items()},
            "practices": [row.to_dict() for row in rows],
        })
        return 0
    summary = ", ".join(f"{count} {status.value}" for status, count in counts.items() if count)
    invocation.out(f"{len(rows)} practices: {summary or 'none'}")
    for row in rows[:5]:
        if row.status.value == "OK":
            break
        when = f" {relative_days(row.days_left)}" if row.days_left is not None else ""
        invocation.out(f"  {row.status.value:<14} {row.practice.id} ({row.practice.name})"
                       f"{when}")
    return 0


def run_show(invocation: Invocation) -> int:
    from vecozo_tui.overview import practice_overview

    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, invocation.args.practice)
    now = invocation.clock.now()
    row = practice_overview(practice, repository, now, config.thresholds)
    history = repository.history(practice.id)
    if invocation.args.json:
        data = row.to_dict()
        data["active_certificate"] = row.active.info.to_dict() if row.active else None
        data["history"] = [_stored_dict(entry) for entry in history]
        print_json(invocation, data)
        return 0
    out = invocation.out
    out(f"{practice.name}  ({practice.id}, AGB {practice.agb}, {practice.environment})")
    if practice.contact:
        out(f"Contact        {practice.contact}")
    out(f"Status         {row.status.value}")
    if row.active is None:
        out("No certificate imported yet: vecozo-tui import "
            f"{practice.id} FILE.pfx")
    else:
        out("")
        out("Active certificate")
        for line in certificate_lines(row.active.info, now):
            out(f"  {line}")
        out(f"  Imported       {short_date(row.active.imported_at)} by {row.active.imported_by}")
        out(f"  Renew from     {short_date(row.renew_from)}"
            + (f"  (before the quarter start {short_date(row.quarter_in_window)})"
               if row.quarter_in_window else ""))
    out("")
    backup = row.last_backup
    out(f"Last backup    {ago(backup.at, now) if backup else 'never'}"
        + (f" to {backup.target}" if backup else "")
        + ("  (not of the active certificate)" if backup and row.backup_missing else ""))
    test = row.last_test_call
    out(f"Last test call {ago(test.at, now) if test else 'never'}"
        + (f": {'OK' if test.ok else 'FAILED'} - {test.summary}" if test else ""))
    earlier = [entry for entry in history if not entry.active]
    if earlier:
        out("")
        out(f"History ({len(earlier)} earlier certificate{'s' if len(earlier) != 1 else ''})")
        out(_history_table(earlier))
    return 0


def _stored_dict(entry) -> dict:
    return {
        "sha256": entry.info.sha256,
        "subject": entry.info.subject,
        "serial": entry.info.serial,
        "not_before": entry.info.not_before.isoformat(),
        "not_after": entry.info.not_after.isoformat(),
        "kind": entry.info.kind,
        "imported_at": entry.imported_at.isoformat(),
        "imported_by": entry.imported_by,
        "active": entry.active,
    }


def _history_table(entries) -> str:
    table = [("", "IMPORTED", "VALID UNTIL", "KIND", "SHA-256")]
    for entry in entries:
        table.append(("*" if entry.active else " ", short_date(entry.imported_at),
                      short_date(entry.info.not_after), entry.info.kind,
                      fingerprint(entry.info.sha256)[:23] + "…"))
    return _format_table(table)


def run_history(invocation: Invocation) -> int:
    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, invocation.args.practice)
    history = repository.history(practice.id)
    if invocation.args.json:
        print_json(invocation, [_stored_dict(entry) for entry in history])
        return 0
    if not history:
        invocation.out(f"No certificates stored for {practice.id} yet.")
        return 0
    invocation.out(f"{practice.name} ({practice.id}): {len(history)} certificate(s), "
                   "* = active")
    invocation.out(_history_table(history))
    return 0


def run_inspect(invocation: Invocation) -> int:
    from vecozo_tui.certificates import check_for_import

    loaded, _password = open_pkcs12_file(invocation, invocation.args.file)
    now = invocation.clock.now()
    findings = check_for_import(loaded, now=now)
    if invocation.args.json:
        print_json(invocation, {"certificate": loaded.info.to_dict(),
                                "findings": [f.__dict__ for f in findings]})
        return 0
    for line in certificate_lines(loaded.info, now):
        invocation.out(line)
    for line in finding_lines(findings):
        invocation.out(line)
    return 0


def run_import(invocation: Invocation) -> int:
    from vecozo_tui.certificates import check_for_import
    from vecozo_tui.cli import EXIT_REFUSED
    from vecozo_tui.repository import Actor

    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, invocation.args.practice)
    loaded, password = open_pkcs12_file(invocation, invocation.args.file)
    now = invocation.clock.now()
    active = repository.active(practice.id)
    findings = check_for_import(loaded, now=now, practice_agb=practice.agb,
                                active=active.info if active else None)
    out = invocation.out
    out(f"Import into {practice.name} ({practice.id}, AGB {practice.agb})")
    for line in certificate_lines(loaded.info, now):
        out(f"  {line}")
    if active and active.info.sha256 != loaded.info.sha256:
        out(f"  Replaces       the active certificate valid until "
            f"{short_date(active.info.not_after)} (kept in history)")
    for line in finding_lines(findings):
        out(line)
    if any(f.severity == "error" for f in findings):
        invocation.err("Import refused: fix the problems marked BLOCKED and export again.")
        return EXIT_REFUSED
    if findings and not invocation.args.yes:
        if not confirmed(invocation, "Import anyway?",
                         without_terminal="Import not done: there are warnings; read them "
                                          "and re-run with --yes to import anyway.",
                         declined="Import cancelled; nothing was changed."):
            return EXIT_REFUSED
    stored = repository.import_certificate(
        practice.id, loaded, password, actor=Actor.current(invocation.env),
        expected_active=active.info.sha256 if active else None)
    out(f"Stored and activated {fingerprint(stored.info.sha256)[:23]}… for {practice.id}.")
    if active:
        out("The previous certificate is kept in history.")
    out("Next steps:")
    out(f"  1. prove it works:    vecozo-tui test-cov {practice.id}")
    out(f"  2. back it up:        vecozo-tui backup {practice.id} --to /media/usb  "
        "(another medium)")
    out("  3. remove the old certificate from the browser it was exported from")
    return 0


def run_activate(invocation: Invocation) -> int:
    from vecozo_tui.cli import EXIT_REFUSED
    from vecozo_tui.repository import Actor

    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, invocation.args.practice)
    wanted = invocation.args.fingerprint.replace(":", "").upper()
    history = repository.history(practice.id)
    matches = [entry for entry in history if entry.info.sha256.startswith(wanted)] \
        if len(wanted) >= 4 else []
    if len(matches) != 1:
        what = "matches no" if not matches else "matches more than one"
        raise VecozoError(f"'{invocation.args.fingerprint}' {what} stored certificate of "
                          f"{practice.id} (give at least 4 characters); see `vecozo-tui "
                          f"history {practice.id}`.")
    chosen = matches[0]
    if chosen.active:
        invocation.out(f"That certificate is already the active one of {practice.id}.")
        return 0
    now = invocation.clock.now()
    invocation.out(f"Activate for {practice.name} ({practice.id}):")
    for line in certificate_lines(chosen.info, now):
        invocation.out(f"  {line}")
    if chosen.info.not_after <= now:
        invocation.err("Refused: that certificate has expired; it cannot be used any more.")
        return EXIT_REFUSED
    if not invocation.args.yes:
        if not confirmed(invocation, "Make this the active certificate?",
                         without_terminal="Not activated: re-run with --yes to confirm.",
                         declined="Cancelled; nothing was changed."):
            return EXIT_REFUSED
    active = repository.active(practice.id)
    repository.activate(practice.id, chosen.info.sha256, actor=Actor.current(invocation.env))
    invocation.out(f"Activated; the certificate valid until "
                   f"{short_date(active.info.not_after) if active else '-'} is kept in "
                   f"history. Prove it works: vecozo-tui test-cov {practice.id}")
    return 0


def run_purge(invocation: Invocation) -> int:
    from vecozo_tui.repository import Actor

    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, invocation.args.practice)
    removed = repository.purge_history(practice.id, actor=Actor.current(invocation.env),
                                       confirm=invocation.args.confirm)
    invocation.out(f"Removed {removed} earlier certificate(s) of {practice.id}; the active one "
                   "is kept.")
    return 0


def run_tui(invocation: Invocation) -> int:
    from vecozo_tui.tui.app import run_app

    config, repository = load_config_and_repository(invocation)
    return run_app(config, repository, clock=invocation.clock)


def run_demo(invocation: Invocation) -> int:
    from vecozo_tui.demo import run_demo as run

    return run(invocation)
