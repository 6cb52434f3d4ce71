"""Deploy: put the active certificate where the practice software reads it.

The practice software (HIS, billing program) does not read the repository: it reads
a ``.pfx``/``.p12`` of its own, often with the password configured in that program,
and may need a reload. A practice's deploy targets (``[[practices.deploy]]``) say
where, in which encoding, with which owner and mode, and which command (the hook,
modelled on certbot's deploy hooks) makes the software pick it up.

Deploying one target, in this order:

1. the active certificate, decrypted in memory with the user's password, is
   encrypted again in memory (AES-256, or 3DES for ``pkcs12-legacy``) with that same
   password: the one the practice software is configured with;
2. written to a temporary file in the target's own directory (mode 0600 while it is
   written), fsynced, given its owner, group and mode;
3. read back from the medium, decrypted and compared (certificate, chain, key) with
   the check the verified backup uses, *before* it is renamed over the target: the
   file the practice software reads is only ever the old one or a verified new one;
4. renamed into place, and the directory fsynced;
5. the hook runs (an argv list, no shell, with a timeout); it gets the practice and
   certificate in environment variables, never the password, which it can read on
   its standard input only when the target says ``password_on_stdin = true``;
6. the outcome is recorded in the practice's events (which the dashboard, ``check``
   and ``metrics`` read) and in the audit log: when, which certificate, verified,
   the hook's exit code and the last lines of its output, scrubbed.

A failed deploy never touches the repository's activation: it is shown as failed
and can be retried. A crash at any point leaves the previous file in place; what it
can leave behind is a temporary file (encrypted, mode 0600) that the next deploy to
that target removes.

The read side (:func:`target_states`) uses only the recorded events: no password,
no file access, so ``check`` stays fast and a hung share cannot stall it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import N_, _, in_english, ngettext

if TYPE_CHECKING:
    from collections.abc import Callable

    from vecozo_tui.certificates import LoadedPkcs12
    from vecozo_tui.config import DeployTarget, Practice
    from vecozo_tui.repository import (
        Actor,
        DeployRecord,
        PracticeEvents,
        Repository,
        StoredCertificate,
    )

STEP_WRITE = "write"
STEP_VERIFY = "verify"
STEP_HOOK = "hook"
STEP_WORDS = {STEP_WRITE: N_("write"), STEP_VERIFY: N_("verify"), STEP_HOOK: N_("hook")}
# what the record keeps, in English (JSON and everyone read it later); shown translated
WRITTEN = N_("written and verified")
HOOK_PENDING = N_("written and verified; the hook did not finish (still running, or "
                  "interrupted)")
HOOK_RAN = N_("written, verified, and the hook ran (exit {exit_code})")

DEFAULT_MODE = 0o600  # a new file, when the target names no mode
TEMP_SUFFIX = ".vecozo-tui-tmp"  # our temporary files, removed by the next deploy
HOOK_OUTPUT_LINES = 20
HOOK_LINE_CHARS = 200
HOOK_OUTPUT_BYTES = 64 * 1024  # what is kept of a hook's output while it runs
HOOK_KILL_GRACE_SECONDS = 2.0
# Passed on from our environment to the hook; nothing else (our own environment may hold
# $VECOZO_TUI_PASSWORD). HOME and SSH_AUTH_SOCK let an ssh/scp hook find its keys,
# KRB5CCNAME a Kerberos ticket for a share.
HOOK_ENV_PASSTHROUGH = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE",
                        "TZ", "TMPDIR", "SSH_AUTH_SOCK", "KRB5CCNAME", "XDG_RUNTIME_DIR",
                        "DBUS_SESSION_BUS_ADDRESS", "SYSTEMROOT", "COMSPEC", "PATHEXT")

# shown through _(): "legacy" is a word people read
FORMAT_TEXT = {"pkcs12": "PKCS#12, AES-256",
               "pkcs12-legacy": N_("PKCS#12, 3DES (legacy)")}


class _StepFailed(Exception):
    """A step failed; ``build`` makes its message (called twice: in the chosen language
    for people, in English for the audit log)."""

    def __init__(self, step: str, build: Callable[[], str]):
        self.message = build()
        super().__init__(self.message)
        self.step = step
        self.english = in_english(build)

    @classmethod
    def of(cls, step: str, error: VecozoError) -> _StepFailed:
        failed = cls(step, lambda: str(error))
        failed.english = getattr(error, "english", failed.english)
        return failed


def _failure(error: VecozoError, build: Callable[[], str] | None = None) -> VecozoError:
    """``error`` that also knows its English text (``english``), for the audit log."""
    error.english = in_english(build) if build else str(error)  # type: ignore[attr-defined]
    return error


# --- what a deploy did ------------------------------------------------------------------


class HookResult(NamedTuple):
    exit_code: int | None  # None: it did not run to its end (not found, timed out)
    output: tuple[str, ...]  # the last lines, scrubbed
    problem: str | None  # plain words when it failed; None when it exited 0
    problem_english: str | None = None  # the same in English: the record, JSON, the audit

    def to_dict(self) -> dict:
        return {"exit_code": self.exit_code, "output": list(self.output),
                "problem": self.problem_english or self.problem}


def _hook_failed(code: int | None, output: tuple[str, ...], template: str,
                 **values: object) -> HookResult:
    return HookResult(code, output, _(template).format(**values), template.format(**values))


class DeployOutcome(NamedTuple):
    number: int  # 1-based, as in ``deploy --target N``
    target: DeployTarget
    sha256: str
    failed_step: str | None  # STEP_WRITE, STEP_VERIFY, STEP_HOOK; None: all done
    message: str
    hook: HookResult | None = None
    recorded: bool = True

    @property
    def ok(self) -> bool:
        return self.failed_step is None

    @property
    def written(self) -> bool:
        """The target holds the certificate now (written and verified)."""
        return self.failed_step in (None, STEP_HOOK)

    def lines(self) -> list[str]:
        """The outcome as the CLI and the console show it."""
        word = _("OK") if self.ok else _("FAILED")
        lines = [f"{word:<6} {self.number}. {self.target.path}",
                 f"       {self.message}"]
        if self.hook is not None and self.hook.output:
            lines.append("       " + _("hook output (last lines):"))
            lines += [f"       | {line}" for line in self.hook.output]
        if not self.recorded:
            lines.append("       " + _("(not recorded in the repository: it was busy or not "
                                       "writable)"))
        return lines

    def to_dict(self) -> dict:
        return {"number": self.number, "path": str(self.target.path),
                "format": self.target.format, "sha256": self.sha256, "ok": self.ok,
                "written": self.written, "verified": self.written,
                "failed_step": self.failed_step, "message": self.message,
                "hook": self.hook.to_dict() if self.hook else None,
                "recorded": self.recorded}


class DeployReport(NamedTuple):
    practice_id: str
    sha256: str
    not_after: datetime
    outcomes: list[DeployOutcome]

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)

    def to_dict(self) -> dict:
        return {"practice": self.practice_id, "sha256": self.sha256,
                "not_after": self.not_after.isoformat(), "ok": self.ok,
                "targets": [outcome.to_dict() for outcome in self.outcomes]}


# --- which targets ----------------------------------------------------------------------


def select_targets(practice: Practice, number: int | None = None
                   ) -> list[tuple[int, DeployTarget]]:
    """The practice's targets as (number, target), or only target ``number`` (1-based)."""
    targets = list(enumerate(practice.deploy, start=1))
    if not targets:
        if practice.deploy_target:
            raise VecozoError(_(
                "{id} has no deploy targets (the config notes: {note}). Add a "
                "[[practices.deploy]] block with the path the practice software reads (see "
                "config.example.toml).").format(id=practice.id, note=practice.deploy_target))
        raise VecozoError(_(
            "{id} has no deploy targets. Add a [[practices.deploy]] block with the path the "
            "practice software reads (see config.example.toml).").format(id=practice.id))
    if number is None:
        return targets
    if not 1 <= number <= len(targets):
        raise VecozoError(ngettext(
            "{id} has {count} deploy target; --target takes 1.",
            "{id} has {count} deploy targets; --target takes 1 to {count}.",
            len(targets)).format(id=practice.id, count=len(targets)))
    return [targets[number - 1]]


def wants_automatic_deploy(automatic: bool, practice: Practice) -> bool:
    """Deploy right after an import or activate: the practice has targets and the
    ``[deploy] automatic`` switch is on. The one rule for the CLI and the TUI."""
    return automatic and bool(practice.deploy)


# --- deploying --------------------------------------------------------------------------


def deploy(repository: Repository, practice: Practice, password: str, *, actor: Actor,
           now: datetime, number: int | None = None,
           loaded: LoadedPkcs12 | None = None) -> DeployReport:
    """Deploy the practice's active certificate to its targets (or only ``number``).

    ``loaded``: the active certificate already decrypted (right after an import);
    otherwise it is opened with ``password``, and a WrongPasswordError comes before
    anything is written. Each target's failure is in its outcome, never raised: one
    unreachable share does not stop the others.
    """
    from vecozo_tui.backup import open_stored

    targets = select_targets(practice, number)
    if loaded is None:
        loaded = open_stored(repository, practice.id, password,
                             purpose="deploy")  # untranslated: a key
    report = DeployReport(practice.id, loaded.info.sha256, loaded.info.not_after, [])
    for target_number, target in targets:
        report.outcomes.append(_deploy_one(repository, practice, target_number, target,
                                           loaded, password, actor=actor, now=now))
    return report


def _deploy_one(repository: Repository, practice: Practice, number: int,
                target: DeployTarget, loaded: LoadedPkcs12, password: str, *, actor: Actor,
                now: datetime) -> DeployOutcome:
    from vecozo_tui.certificates import encrypt_pkcs12

    sha256 = loaded.info.sha256
    previous = repository.events(practice.id).deploys.get(str(target.path))
    details = {"target": str(target.path), "number": number, "format": target.format}
    try:
        data = encrypt_pkcs12(loaded, password, encoding=target.encoding)  # slow: no lock
        with repository.lock(actor):
            _refuse_inactive(repository, practice.id, sha256)
            write_verified(target, data, loaded, password)
            message = _(WRITTEN)
            # a crash while the hook runs must not read as a finished deploy
            pending = target.command is not None
            record = _record(target, now, sha256, STEP_HOOK if pending else None,
                             HOOK_PENDING if pending else WRITTEN, deployed=(sha256, now))
            recorded = _save(repository, practice.id, record, actor, "deploy",
                             {**details, "verified": True})
    except _StepFailed as failure:
        record = _record(target, now, sha256, failure.step, failure.english,
                         deployed=_kept(previous))
        recorded = _save(repository, practice.id, record, actor, "deploy",
                         {**details, "verified": False, "failed_step": failure.step,
                          "message": failure.english})
        return DeployOutcome(number, target, sha256, failure.step, failure.message,
                             recorded=recorded)
    except VecozoError as error:  # busy, changed meanwhile: nothing was written
        message = str(error)
        record = _record(target, now, sha256, STEP_WRITE, getattr(error, "english", message),
                         deployed=_kept(previous))
        recorded = _save(repository, practice.id, record, actor, "deploy",
                         {**details, "verified": False, "failed_step": STEP_WRITE,
                          "message": getattr(error, "english", message)})
        return DeployOutcome(number, target, sha256, STEP_WRITE, message, recorded=recorded)

    if target.command is None:
        return DeployOutcome(number, target, sha256, None, message, recorded=recorded)
    hook = run_hook(target, hook_environment(practice, loaded, target),
                    password if target.password_on_stdin else None)
    failed = STEP_HOOK if hook.problem else None
    message = hook.problem or _(HOOK_RAN).format(exit_code=hook.exit_code)
    record = _record(target, now, sha256, failed,
                     hook.problem_english or hook.problem or HOOK_RAN.format(
                         exit_code=hook.exit_code),
                     deployed=(sha256, now), hook=hook)
    recorded = _save(repository, practice.id, record, actor, "deploy-hook",
                     {**details, "program": os.path.basename(target.command[0]),
                      "exit_code": hook.exit_code, "ok": hook.problem is None,
                      "output": list(hook.output)}) and recorded
    return DeployOutcome(number, target, sha256, failed, message, hook=hook,
                         recorded=recorded)


def _refuse_inactive(repository: Repository, practice_id: str, sha256: str) -> None:
    active = repository.active(practice_id)
    if active is None or active.info.sha256 != sha256:
        def build() -> str:
            return _("The active certificate of {practice_id} was changed meanwhile (by "
                     "another admin?); nothing was deployed. Deploy again.").format(
                practice_id=practice_id)
        raise _failure(VecozoError(build()), build)


def _kept(previous: DeployRecord | None) -> tuple[str, datetime] | None:
    """What the target still holds after a failed attempt: what it held before."""
    if previous is None or previous.deployed_sha256 is None or previous.deployed_at is None:
        return None
    return previous.deployed_sha256, previous.deployed_at


def _record(target: DeployTarget, now: datetime, sha256: str, failed_step: str | None,
            message: str, *, deployed: tuple[str, datetime] | None,
            hook: HookResult | None = None) -> DeployRecord:
    from vecozo_tui.repository import DeployRecord

    return DeployRecord(path=str(target.path), at=now, sha256=sha256, failed_step=failed_step,
                        message=message, deployed_sha256=deployed[0] if deployed else None,
                        deployed_at=deployed[1] if deployed else None,
                        hook_exit_code=hook.exit_code if hook else None,
                        hook_output=hook.output if hook else ())


def _save(repository: Repository, practice_id: str, record: DeployRecord, actor: Actor,
          action: str, details: dict) -> bool:
    """Record the outcome; False (not raised) when the repository cannot take it: the
    deploy itself happened, and the caller says it is not recorded."""
    try:
        repository.record_deploy(practice_id, record, actor=actor, action=action,
                                 details=details)
    except VecozoError:
        return False
    return True


# --- writing the file -------------------------------------------------------------------


def write_verified(target: DeployTarget, data: bytes, original: LoadedPkcs12,
                   password: str) -> None:
    """Replace ``target.path`` atomically with ``data``, verified before it is visible.

    Raises _StepFailed(STEP_WRITE or STEP_VERIFY) with a plain message; the previous
    file is untouched then, and no temporary file is left."""
    from vecozo_tui import fsutil
    from vecozo_tui.backup import verification_findings
    from vecozo_tui.fsutil import replace_file

    path = target.path
    directory = _usable_directory(path)
    _remove_leftovers(path)
    try:
        uid, gid = _ids(target)
    except VecozoError as error:
        raise _StepFailed.of(STEP_WRITE, error) from None
    kept = _kept_from_existing(target)
    uid = kept.uid if target.owner is None else uid
    gid = kept.gid if target.group is None else gid
    mode = kept.mode if target.mode is None else target.mode
    tmp_name: str | None = None
    try:
        try:
            tmp_name = _write_temporary(path, data, uid, gid, mode)
        except OSError as error:
            raise _StepFailed(STEP_WRITE, partial(_write_error, error, path, target)) from None
        findings = verification_findings(Path(tmp_name), original, password)
        if findings:
            raise _StepFailed(STEP_VERIFY, lambda: _(
                "The file written for {path} failed its verification ({problems}); the medium "
                "may be faulty. It was removed; the previous file is unchanged.").format(
                    path=path, problems="; ".join(_(text).format(**values)
                                                  for text, values in findings)))
        try:
            replace_file(tmp_name, path)  # the moment the practice software sees it
        except OSError as error:
            raise _StepFailed(STEP_WRITE, partial(_write_error, error, path, target)) from None
        tmp_name = None
        # the new file is in place: a directory that cannot be synced (a share that
        # refuses it) makes the rename less durable, not undone
        with contextlib.suppress(OSError):
            fsutil.fsync_directory(directory)
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def _usable_directory(path: Path) -> Path:
    directory = path.parent
    try:
        if not directory.is_dir():
            if directory.exists():
                raise _StepFailed(STEP_WRITE, lambda: _(
                    "The directory {directory} is not a directory (a share not mounted?); "
                    "nothing was written to {path}.").format(directory=directory, path=path))
            raise _StepFailed(STEP_WRITE, lambda: _(
                "The directory {directory} does not exist (a share not mounted?); nothing "
                "was written to {path}.").format(directory=directory, path=path))
        if path.is_symlink():
            # another user who can write the directory could point it anywhere (a file
            # of root's, when root deploys): never write through it
            raise _StepFailed(STEP_WRITE, lambda: _(
                "{path} is a symbolic link; vecozo-tui does not write through links. Set "
                "the target's path to the real file, or remove the link. Nothing was "
                "written.").format(path=path))
        if path.exists() and not path.is_file():
            raise _StepFailed(STEP_WRITE, lambda: _(
                "{path} is not a regular file; nothing was written.").format(path=path))
    except OSError as error:
        reason = error.strerror or str(error)
        raise _StepFailed(STEP_WRITE, lambda: _("Cannot use {directory}: {reason}.").format(
            directory=directory, reason=reason)) from None
    return directory


def _remove_leftovers(path: Path) -> None:
    """Temporary files of an earlier deploy to this target that a crash left behind."""
    prefix = f".{path.name}."
    with contextlib.suppress(OSError):
        for name in os.listdir(path.parent):
            if name.startswith(prefix) and name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(path.parent / name)


class _Kept(NamedTuple):
    """What a deploy keeps of the file it replaces when the target does not say."""

    uid: int = -1  # -1: as the new file is created (this process's user)
    gid: int = -1
    mode: int = DEFAULT_MODE
    exists: bool = False


def _kept_from_existing(target: DeployTarget) -> _Kept:
    try:
        info = os.lstat(target.path)
    except OSError:
        return _Kept()
    return _Kept(uid=info.st_uid, gid=info.st_gid, mode=stat.S_IMODE(info.st_mode) & ~0o022,
                 exists=True)


def _ids(target: DeployTarget) -> tuple[int, int]:
    """(uid, gid) for os.fchown; -1 leaves that one as it is."""
    if target.owner is None and target.group is None:
        return -1, -1
    import grp
    import pwd

    try:
        uid = -1 if target.owner is None else (
            int(target.owner) if target.owner.isdigit() else pwd.getpwnam(target.owner).pw_uid)
        gid = -1 if target.group is None else (
            int(target.group) if target.group.isdigit() else grp.getgrnam(target.group).gr_gid)
    except KeyError:
        def build() -> str:
            return _("The owner {owner} or group {group} of {path} does not exist on this "
                     "server (any more); nothing was written.").format(
                owner=target.owner, group=target.group, path=target.path)
        raise _failure(VecozoError(build()), build) from None
    return uid, gid


def _write_temporary(path: Path, data: bytes, uid: int, gid: int, mode: int) -> str:
    import tempfile

    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX,
                                    dir=path.parent)  # created 0600: only we can read it
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_all(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
            if uid != -1 or gid != -1:
                os.fchown(handle.fileno(), uid, gid)
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)  # after chown, which may clear bits
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return tmp_name


def _write_all(handle, data: bytes) -> None:
    handle.write(data)


def _write_error(error: OSError, path: Path, target: DeployTarget) -> str:
    from vecozo_tui.fsutil import describe_os_error

    unchanged = " " + _("The practice software still reads the previous file.")
    if error.errno == errno.EPERM and (target.owner or target.group):
        if target.owner and target.group:
            who = _("No permission to give {path} the owner {owner} and group {group}: only "
                    "root can give a file to another user. Nothing was changed.")
        elif target.owner:
            who = _("No permission to give {path} the owner {owner}: only root can give a "
                    "file to another user. Nothing was changed.")
        else:
            who = _("No permission to give {path} the group {group}: only root can give a "
                    "file to another user. Nothing was changed.")
        return who.format(path=path, owner=target.owner, group=target.group) + unchanged
    if error.errno in (errno.EACCES, errno.EPERM):
        return _("No permission to write in {directory}. Nothing was changed.").format(
            directory=path.parent) + unchanged
    if error.errno == errno.ENOSPC:
        return _("The disk holding {directory} is full; nothing was changed. Free space and "
                 "deploy again.").format(directory=path.parent) + unchanged
    return describe_os_error(error, path) + unchanged


# --- the hook ---------------------------------------------------------------------------


def hook_environment(practice: Practice, loaded: LoadedPkcs12, target: DeployTarget
                     ) -> dict[str, str]:
    """What the hook is told: the practice, the certificate, the file. Never a password."""
    env = {name: os.environ[name] for name in HOOK_ENV_PASSTHROUGH if name in os.environ}
    env.update({
        "VECOZO_PRACTICE_ID": practice.id,
        "VECOZO_PRACTICE_AGB": practice.agb,
        "VECOZO_CERTIFICATE_SHA256": loaded.info.sha256,
        "VECOZO_CERTIFICATE_SHA1": loaded.info.sha1,  # the Windows "thumbprint"
        "VECOZO_CERTIFICATE_NOT_AFTER": loaded.info.not_after.isoformat(),
        "VECOZO_DEPLOY_PATH": str(target.path),
        "VECOZO_DEPLOY_FORMAT": target.format,
    })
    return env


def run_hook(target: DeployTarget, env: dict[str, str], password: str | None) -> HookResult:
    """Run ``target.command`` (no shell) with ``env``, the password on its standard input
    when given, within ``target.timeout_seconds``; its output is kept bounded."""
    import subprocess
    import threading

    assert target.command is not None
    command = list(target.command)
    program = command[0]
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE if password is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
            cwd=str(target.path.parent), close_fds=True,
            start_new_session=os.name != "nt")  # its own process group: a timeout stops all
    except FileNotFoundError:
        return _hook_failed(None, (), N_("The hook program {program} was not found; the file "
                                         "was written and verified, the hook did not run."),
                            program=program)
    except PermissionError:
        return _hook_failed(None, (), N_("The hook program {program} cannot be run (not "
                                         "executable?); the file was written and verified, "
                                         "the hook did not run."), program=program)
    except OSError as error:
        return _hook_failed(None, (), N_("The hook {program} could not be started: {reason}; "
                                         "the file was written and verified."),
                            program=program, reason=error.strerror or error)
    tail = _Tail(HOOK_OUTPUT_BYTES)
    reader = threading.Thread(target=tail.read_from, args=(process.stdout,), daemon=True,
                              name="deploy-hook-output")
    reader.start()
    if password is not None and process.stdin is not None:
        try:
            process.stdin.write(password.encode("utf-8") + b"\n")
        except OSError:
            pass  # a hook that does not read it may have exited already
        finally:
            with contextlib.suppress(OSError):
                process.stdin.close()
    timed_out = False
    try:
        exit_code = process.wait(timeout=target.timeout_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
        _stop(process)
        exit_code = None
    reader.join(HOOK_KILL_GRACE_SECONDS)  # a child it left behind may hold the pipe open
    output = scrub_output(tail.text(), password)
    if timed_out:
        return _hook_failed(None, output, N_(
            "The hook {program} did not finish within {timeout_seconds:g} seconds and was "
            "stopped; the file was written and verified, but the practice software may not "
            "have picked it up."), program=program, timeout_seconds=target.timeout_seconds)
    if exit_code != 0:
        return _hook_failed(exit_code, output, N_(
            "The hook {program} failed (exit {exit_code}); the file was written and verified, "
            "but the practice software may not have picked it up."),
            program=program, exit_code=exit_code)
    return HookResult(0, output, None)


def _stop(process) -> None:
    import signal
    import subprocess

    for sig in (signal.SIGTERM, getattr(signal, "SIGKILL", signal.SIGTERM)):
        with contextlib.suppress(OSError):
            if os.name == "nt":
                process.kill()
            else:
                os.killpg(process.pid, sig)
        try:
            process.wait(timeout=HOOK_KILL_GRACE_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue


class _Tail:
    """The last ``limit`` bytes of a stream; the rest is read and dropped."""

    def __init__(self, limit: int):
        self.limit = limit
        self.data = bytearray()

    def read_from(self, stream) -> None:
        with contextlib.suppress(OSError, ValueError):
            while chunk := stream.read1(4096):
                self.data += chunk
                if len(self.data) > self.limit:
                    del self.data[: len(self.data) - self.limit]

    def text(self) -> str:
        return bytes(self.data).decode("utf-8", errors="replace")


_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def scrub_output(text: str, password: str | None) -> tuple[str, ...]:
    """The last lines of a hook's output as they may be stored and shown: without the
    password, a private key, anything like a BSN, or terminal control characters."""
    if password:
        text = text.replace(password, "[password]")
    lines = []
    in_key = False
    for line in text.splitlines():
        if "PRIVATE KEY-----" in line:  # untranslated: a PEM marker
            in_key = "BEGIN" in line
            if in_key:
                lines.append(_("[a private key was printed here; left out]"))
            continue
        if in_key:
            continue
        line = _CONTROL.sub("", _NINE_DIGITS.sub("#########", line)).rstrip()
        if line:
            lines.append(line[:HOOK_LINE_CHARS])
    return tuple(lines[-HOOK_OUTPUT_LINES:])


# --- what would happen (--dry-run) ------------------------------------------------------


class TargetPlan(NamedTuple):
    number: int
    target: DeployTarget
    holds: str  # what the file holds now, in words
    problem: str | None  # why the deploy would fail, found without writing

    def _ownership(self) -> str:
        """Mode, owner and group as they will be, saying which are kept from the file
        that is there now."""
        target = self.target
        kept = _kept_from_existing(target)
        if target.mode is not None:
            parts = [_("mode {mode}").format(mode=f"{target.mode:04o}")]
        elif kept.exists:
            parts = [_("mode {mode} (kept)").format(mode=f"{kept.mode:04o}")]
        else:
            parts = [_("mode {mode}").format(mode=f"{kept.mode:04o}")]
        if target.owner:
            parts.append(_("owner {owner}").format(owner=target.owner))
        elif kept.exists:
            parts.append(_("owner {owner} (kept)").format(owner=kept.uid))
        if target.group:
            parts.append(_("group {group}").format(group=target.group))
        elif kept.exists:
            parts.append(_("group {group} (kept)").format(group=kept.gid))
        return ", ".join(parts)

    def lines(self) -> list[str]:
        target = self.target
        # the labels in a column as wide as the longest one in the language
        labels = {"write": _("would write"), "holds": _("now holds"), "run": _("then run"),
                  "problem": _("PROBLEM")}
        width = max(len(label) for label in labels.values()) + 2

        def line(key: str, value: str) -> str:
            return f"   {labels[key]:<{width}}{value}"

        lines = [f"{self.number}. {target.path}",
                 line("write", f"{_(FORMAT_TEXT[target.format])}, {self._ownership()}"),
                 line("holds", self.holds)]
        if target.command:
            if target.password_on_stdin:
                run = _("{command}  (timeout {seconds} s; the password on its standard "
                        "input)")
            else:
                run = _("{command}  (timeout {seconds} s)")
            lines.append(line("run", run.format(command=" ".join(target.command),
                                                seconds=f"{target.timeout_seconds:g}")))
        if self.problem:
            lines.append(line("problem", self.problem))
        return lines

    def to_dict(self) -> dict:
        target = self.target
        return {"number": self.number, "path": str(target.path), "format": target.format,
                "owner": target.owner, "group": target.group,
                "mode": None if target.mode is None else f"{target.mode:04o}",
                "command": list(target.command) if target.command else None,
                "timeout_seconds": target.timeout_seconds,
                "stdin": target.password_on_stdin, "now_holds": self.holds,
                "problem": self.problem}


def plan(repository: Repository, practice: Practice, number: int | None = None
         ) -> list[TargetPlan]:
    """What deploying would do, per target; writes nothing and needs no password."""
    active = repository.active(practice.id)
    if active is None:
        from vecozo_tui.backup import NO_ACTIVE

        raise VecozoError(_(NO_ACTIVE["deploy"]).format(practice_id=practice.id))
    states = {state.number: state for state in
              target_states(practice.deploy, active, repository.events(practice.id))}
    return [TargetPlan(target_number, target, states[target_number].text,
                       _foreseeable_problem(target))
            for target_number, target in select_targets(practice, number)]


def _foreseeable_problem(target: DeployTarget) -> str | None:
    directory = target.path.parent
    try:
        if not directory.is_dir():
            return _("the directory {directory} does not exist (a share not mounted?)").format(
                directory=directory)
        if target.path.is_symlink():
            return _("{path} is a symbolic link; it would not be written through").format(
                path=target.path)
        if not os.access(directory, os.W_OK | os.X_OK):
            return _("no permission to write in {directory}").format(directory=directory)
    except OSError as error:
        return _("cannot check {directory}: {reason}").format(
            directory=directory, reason=error.strerror or error)
    if target.command:
        import shutil

        if shutil.which(target.command[0]) is None:
            return _("the hook program {command} is not found").format(command=target.command[0])
    return None


# --- the read side: does each target hold the active certificate? -------------------------

UP_TO_DATE = "up-to-date"
OLD_CERTIFICATE = "old-certificate"
FAILED = "failed"
NEVER_DEPLOYED = "never-deployed"


class TargetState(NamedTuple):
    number: int
    target: DeployTarget
    state: str  # UP_TO_DATE, OLD_CERTIFICATE, FAILED, NEVER_DEPLOYED
    record: DeployRecord | None

    @property
    def up_to_date(self) -> bool:
        return self.state == UP_TO_DATE

    @property
    def text(self) -> str:
        """up to date / still the old certificate / failed at STEP / never deployed."""
        record = self.record
        if self.state == UP_TO_DATE:
            return _("up to date")
        if self.state == FAILED and record is not None:
            # the record is English: a fixed text is shown translated, a text with a path
            # or a program in it as it was written
            return _("failed at {failed_step}: {message}").format(
                failed_step=_step_words(record.failed_step), message=_(record.message))
        if self.state == OLD_CERTIFICATE:
            return _("still the old certificate")
        return _("never deployed")

    @property
    def label(self) -> str:
        """The state in a few words, for a narrow column."""
        if self.state == FAILED and self.record is not None:
            return _("failed at {failed_step}").format(
                failed_step=_step_words(self.record.failed_step))
        return {UP_TO_DATE: _("up to date"), OLD_CERTIFICATE: _("old certificate"),
                NEVER_DEPLOYED: _("never deployed")}.get(self.state, self.state)

    def to_dict(self) -> dict:
        record = self.record
        return {"number": self.number, "path": str(self.target.path),
                "format": self.target.format, "state": self.state,
                "failed_step": record.failed_step if record else None,
                "message": record.message if record else None,
                "deployed_sha256": record.deployed_sha256 if record else None,
                "deployed_at": (record.deployed_at.isoformat()
                                if record and record.deployed_at else None),
                "last_attempt_at": record.at.isoformat() if record else None,
                "hook_exit_code": record.hook_exit_code if record else None}


def _step_words(step: str | None) -> str:
    return _(STEP_WORDS[step]) if step in STEP_WORDS else (step or "-")


def target_state(number: int, target: DeployTarget, active: StoredCertificate,
                 events: PracticeEvents) -> TargetState:
    record = events.deploys.get(str(target.path))
    sha256 = active.info.sha256
    if record is None:
        state = NEVER_DEPLOYED
    elif record.sha256 == sha256 and record.failed_step is not None:
        state = FAILED  # the last attempt, with the active certificate, failed
    elif record.deployed_sha256 == sha256:
        state = UP_TO_DATE
    elif record.deployed_sha256 is None:
        state = NEVER_DEPLOYED  # only failed attempts, for an earlier certificate
    else:
        state = OLD_CERTIFICATE
    return TargetState(number, target, state, record)


def target_states(targets: tuple[DeployTarget, ...], active: StoredCertificate | None,
                  events: PracticeEvents) -> tuple[TargetState, ...]:
    """Each of a practice's deploy targets' state against its active certificate (none
    without one)."""
    if active is None:
        return ()
    return tuple(target_state(number, target, active, events)
                 for number, target in enumerate(targets, start=1))


def behind_text(states: tuple[TargetState, ...]) -> str | None:
    """The reason for the status model when a target does not hold the active certificate
    (None when every target does, or there are none)."""
    behind = [state for state in states if not state.up_to_date]
    if not behind:
        return None
    first = behind[0]
    # the file's name, not its path: the reason is one line on every front (the detail,
    # `show` and --json give the path)
    # "<what> (<where>)": the part before the parenthesis is the headline of a crowded line
    values = {"number": first.number, "name": first.target.path.name, "label": first.label,
              "count": len(behind) - 1}
    if len(behind) > 1:
        where = ngettext("target {number}, {name}: {label}, and {count} more target",
                         "target {number}, {name}: {label}, and {count} more targets",
                         len(behind) - 1).format(**values)
    else:
        where = _("target {number}, {name}: {label}").format(**values)
    record = first.record
    if first.state == OLD_CERTIFICATE:
        what = _("practice software still has the old certificate")
    elif first.state == FAILED and record is not None and record.deployed_sha256 == \
            record.sha256:
        what = _("practice software has the new certificate, but was not told")
    elif first.state == FAILED:
        what = _("the deploy to the practice software failed")
    else:
        what = _("the active certificate is not yet with the practice software")
    return f"{what} ({where})"


def last_deployed_at(states: tuple[TargetState, ...]) -> datetime | None:
    """When a file was last written and verified at one of the targets."""
    moments = [state.record.deployed_at for state in states
               if state.record is not None and state.record.deployed_at is not None]
    return max(moments) if moments else None
