"""What the CLI asks the person at the terminal: passwords (never an argument), y/N."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from vecozo_tui.errors import VecozoError, WrongPasswordError
from vecozo_tui.i18n import _, ngettext

if TYPE_CHECKING:
    from vecozo_tui.certificates import LoadedPkcs12, Pkcs12Contents
    from vecozo_tui.cli.main import Invocation

NEW_PASSWORD_ENV = "VECOZO_TUI_NEW_PASSWORD"  # noqa: S105 - the name of a variable
T = TypeVar("T")


PASSWORD_ENV = "VECOZO_TUI_PASSWORD"  # noqa: S105 - the name of a variable


INTERACTIVE_PASSWORD_TRIES = 3
# the answers that mean yes, in both languages ("j" and "ja" in English too: a Dutch
# person at an English terminal)
YES = ("y", "yes", "j", "ja")
MAX_PASSWORD_FILE_BYTES = 64 * 1024  # two lines of password


def password_file_lines(path: str) -> list[str]:
    """The lines of a password file: the first is the password, the second (``backup
    --new-password``) the new one."""
    from vecozo_tui.fsutil import read_regular_file

    try:
        # a regular file only: /dev/zero would fill the memory, a FIFO could hang for ever
        data = read_regular_file(path, MAX_PASSWORD_FILE_BYTES, what=_("the password file"))
        # utf-8-sig: Windows Notepad starts its UTF-8 files with a byte-order mark
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise VecozoError(_("Cannot read the password file {path}: it does not exist.").format(
            path=path)) from None
    except UnicodeDecodeError:
        raise VecozoError(_("The password file {path} is not UTF-8 text.").format(
            path=path)) from None
    # split on newlines only: a password may hold any other character
    return [line.rstrip("\r") for line in text.split("\n")]


def read_password(invocation: Invocation, prompt: str) -> str:
    """From --password-file, $VECOZO_TUI_PASSWORD, or a no-echo prompt; never an argument."""
    password_file = getattr(invocation.args, "password_file", None)
    if password_file:
        lines = password_file_lines(password_file)
        return lines[0] if lines else ""
    if PASSWORD_ENV in invocation.env:
        return invocation.env[PASSWORD_ENV]
    if not password_prompt_allowed(invocation):
        raise VecozoError(_(
            "No password given: use --password-file FILE or set VECOZO_TUI_PASSWORD "
            "(a password is never accepted as a command-line argument)."
        ))
    return getpass.getpass(prompt)


def password_available(invocation: Invocation) -> bool:
    """A password can be had without an error: from a file, the variable, or a prompt."""
    return getattr(invocation.args, "password_file", None) is not None or \
        PASSWORD_ENV in invocation.env or invocation.stdin.isatty()


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
    # TRANSLATORS: the keys of the answer: yes in capitals is not the default
    invocation.stdout.write(_("{question} [y/N] ").format(question=question))
    invocation.stdout.flush()
    if invocation.stdin.readline().strip().lower() in YES:
        return True
    invocation.err(declined)
    return False


def with_password_retries(invocation: Invocation, prompt: str,
                          attempt: Callable[[str], T]) -> T:
    """``attempt(password)``, asking again at a terminal after a wrong password (three
    tries); from a password file or variable there is one try."""
    tries = INTERACTIVE_PASSWORD_TRIES if password_prompt_allowed(invocation) else 1
    for left in range(tries - 1, -1, -1):
        password = read_password(invocation, prompt)
        try:
            return attempt(password)
        except WrongPasswordError as error:
            if not left:
                raise
            invocation.err(ngettext("{error} Try again ({count} left).",
                                    "{error} Try again ({count} left).", left).format(
                error=error, count=left))
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def open_pkcs12_file(invocation: Invocation, path: str) -> tuple[LoadedPkcs12, str]:
    """Read and decrypt a .pfx, re-asking the password at a terminal after a wrong one."""
    from vecozo_tui.certificates import load_pkcs12, read_certificate_file

    data = read_certificate_file(path)
    return with_password_retries(
        invocation, _("Password for {file}: ").format(file=Path(path).name),
        lambda password: (load_pkcs12(data, password, source=Path(path).name), password))


def open_pkcs12_contents(invocation: Invocation, path: str) -> tuple[Pkcs12Contents, str]:
    """Every certificate and key of a .pfx, re-asking the password at a terminal after a
    wrong one."""
    from vecozo_tui.certificates import (
        check_pkcs12_structure,
        read_certificate_file,
        read_pkcs12,
    )

    data = read_certificate_file(path)
    check_pkcs12_structure(data, source=Path(path).name)  # before asking any password
    return with_password_retries(
        invocation, _("Password for {file}: ").format(file=Path(path).name),
        lambda password: (read_pkcs12(data, password, source=Path(path).name), password))


def read_new_password(invocation: Invocation, *, purpose: str | None = None) -> str:
    """A new password (``backup --new-password``; the stored copy of a file exported
    without one), from (in this order):

    1. the second line of ``--password-file`` (the first line is the current one);
    2. ``$VECOZO_TUI_NEW_PASSWORD``;
    3. asked twice without echo at a terminal (three tries to type it the same twice).

    Never a command-line argument. Empty passwords are refused. ``purpose`` ends the
    prompt: "for the backup" unless said otherwise.
    """
    password_file = getattr(invocation.args, "password_file", None)
    if password_file:
        lines = password_file_lines(password_file)
        if len(lines) >= 2 and lines[1]:
            return lines[1]
    if invocation.env.get(NEW_PASSWORD_ENV):
        return invocation.env[NEW_PASSWORD_ENV]
    if not invocation.stdin.isatty():
        raise VecozoError(_(
            "No new password given: put it on the second line of --password-file or set "
            "{variable} (a password is never accepted as a command-line argument)."
        ).format(variable=NEW_PASSWORD_ENV))
    prompt = _("New password {purpose}: ").format(
        purpose=purpose if purpose is not None else _("for the backup"))
    for attempt in range(3):
        first = getpass.getpass(prompt)
        if not first:
            invocation.err(_("The new password is empty; type one."))
            continue
        if getpass.getpass(_("The new password again: ")) == first:
            return first
        invocation.err(_("The two passwords differ. Try again.") if attempt < 2
                       else _("The two passwords differ."))
    raise VecozoError(_("No new password set; nothing was written."))
