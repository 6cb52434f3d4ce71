"""Verified backups of a practice's certificate on another medium.

VECOZO (seed 001): a certificate can be installed only once, so make a backup
right after the installation or renewal, and "Kopieer de back-up altijd naar een
ander opslagmedium dan de pc waarop het geïnstalleerd staat". A backup here is:

1. the stored PKCS#12 decrypted in memory with the user's password and
   re-encrypted in memory (modern AES-256, or 3DES for Windows Server 2016 and
   earlier), with the same or a new password; an unencrypted key never touches
   a disk;
2. written atomically as a new file (never over an existing one);
3. read back from the disk, decrypted again and compared: the certificate's
   SHA-256 fingerprint, the chain, and that the private key is the one of the
   certificate;
4. recorded in the repository (when and where), which the dashboard shows.

A failure at any point leaves nothing behind in the target directory: no temp
file and, for a backup of several certificates, none of the files of this run.

A backup killed half-way (an SSH drop, kill -9) is completed by running it again: a
file the crash left under the same name that verifies (same certificate, key and
chain, opened by the same password) is recorded as it is; one that does not is kept
and the backup goes to the next free name (``…_2.p12``). Temporary files the crash
left for these names are removed. A file is never overwritten.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from vecozo_tui.errors import VecozoError, WrongPasswordError
from vecozo_tui.fsutil import fsync_directory, read_regular_file, write_new_file
from vecozo_tui.i18n import N_, _
from vecozo_tui.textfmt import short_date

if TYPE_CHECKING:
    from vecozo_tui.certificates import LoadedPkcs12
    from vecozo_tui.repository import Actor, Repository, StoredCertificate

ENCRYPTION_MODERN = "AES-256-CBC (PBES2, PBKDF2-SHA256, HMAC-SHA256)"  # untranslated: names
# shown through _()
ENCRYPTION_LEGACY = N_("3DES (PBE-SHA1-3DES) for older Windows (Server 2016 and earlier)")

SEED_ANOTHER_MEDIUM = (
    "VECOZO: 'Kopieer de back-up altijd naar een ander opslagmedium dan de pc waarop het "
    "geïnstalleerd staat'"  # untranslated: VECOZO's own Dutch words
)


@dataclass(frozen=True)
class BackupFile:
    """One written and verified backup file."""

    path: Path
    sha256: str
    not_after: datetime
    active: bool

    def to_dict(self) -> dict:
        return {"path": str(self.path), "sha256": self.sha256,
                "not_after": self.not_after.isoformat(), "active": self.active}


@dataclass
class BackupResult:
    files: list[Path]
    verified: bool
    same_device: bool
    warnings: list[str]
    target: Path | None = None
    entries: list[BackupFile] = field(default_factory=list)
    encryption: str = ENCRYPTION_MODERN  # English: the JSON value

    @property
    def encryption_words(self) -> str:
        """The encryption in the chosen language, for people."""
        return _(self.encryption)

    def to_dict(self) -> dict:
        return {
            "target": str(self.target) if self.target else None,
            "files": [entry.to_dict() for entry in self.entries],
            "encryption": self.encryption,
            "verified": self.verified,
            "same_device": self.same_device,
            "warnings": list(self.warnings),
        }


# --- the target ------------------------------------------------------------------------

# what open_stored says without an active certificate, by its purpose
NO_ACTIVE = {
    "backup": N_("{practice_id} has no active certificate to back up; import one first."),
    "deploy": N_("{practice_id} has no active certificate to deploy; import one first."),
    "use": N_("{practice_id} has no active certificate; import one first."),
}


def check_target(target_dir: Path | str, repository_root: Path | str | None = None) -> Path:
    """The absolute target directory, or a VecozoError saying plainly what is wrong.

    Really tries to create (and at once drop) a nameless file there, because
    permission bits say little when running as root (a read-only or pseudo file
    system still refuses).
    """
    target = Path(target_dir).expanduser()
    try:
        target = target.resolve(strict=True)
    except FileNotFoundError:
        raise VecozoError(
            _("The backup target {target} does not exist. Mount the USB stick or network "
              "drive, or create the directory first.").format(target=target)
        ) from None
    except OSError as error:
        raise VecozoError(_("Cannot use the backup target {target}: {reason}.").format(
            target=target, reason=error.strerror)) from None
    if not target.is_dir():
        raise VecozoError(_("The backup target {target} is not a directory.").format(
            target=target))
    if repository_root is not None:
        root = Path(repository_root).resolve()
        if target == root or root in target.parents:
            raise VecozoError(
                _("The backup target {target} is inside the certificate repository {root}; "
                  "a backup belongs on another medium.").format(target=target, root=root)
            )
    try:
        with tempfile.TemporaryFile(dir=target, prefix=".vecozo-tui-probe-"):
            pass
    except OSError as error:
        raise VecozoError(_target_error(error, target)) from None
    return target


def _target_error(error: OSError, target: Path) -> str:
    import errno

    if error.errno in (errno.EACCES, errno.EPERM):
        return _("No permission to write in the backup target {target}.").format(target=target)
    if error.errno == errno.EROFS:
        return _("The backup target {target} is on a read-only medium.").format(target=target)
    if error.errno == errno.ENOSPC:
        return _("The backup target {target} is full; nothing was written.").format(
            target=target)
    return _("Cannot write in the backup target {target}: {reason}.").format(
        target=target, reason=error.strerror or error.__class__.__name__)


def same_device(target_dir: Path, repository_root: Path) -> bool:
    """True when both paths are on one device (file system): not 'another medium'."""
    return os.stat(target_dir).st_dev == os.stat(repository_root).st_dev


# --- file names ------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def backup_file_name(practice_id: str, agb: str | None, not_after: datetime, sha256: str,
                     *, legacy: bool = False) -> str:
    """``<practice>_<AGB>_<valid-until>_<sha256[:8]>.p12`` (``-3des`` before the suffix
    for a legacy file), safe on every file system."""
    parts = [_UNSAFE.sub("-", practice_id).strip("-.") or "practice",
             _UNSAFE.sub("-", agb or "no-agb"),
             not_after.date().isoformat(),
             sha256[:8].upper()]
    return "_".join(parts) + ("-3des" if legacy else "") + ".p12"


# --- the backup itself -----------------------------------------------------------------


def make_backup(repository: Repository, practice_id: str, target_dir: Path | str,
                password: str, *, new_password: str | None = None, legacy: bool = False,
                with_history: bool = False, actor: Actor, now: datetime,
                agb: str | None = None) -> BackupResult:
    """Write, verify and record a backup of ``practice_id``'s active certificate.

    ``password`` opens the stored certificate (the password given at import);
    the backup is protected with ``new_password`` when given, else the same one.
    ``legacy`` writes 3DES for Windows Server 2016 and earlier instead of AES-256.
    ``with_history`` adds every earlier certificate that opens with ``password``
    (one that does not is skipped with a warning). ``agb`` (the practice's AGB
    code from the configuration) names the files; the certificate's own AGB code
    is used when it is not given.

    Raises WrongPasswordError when ``password`` does not open the active
    certificate, VecozoError for a bad target, a full disk or a failed
    verification; nothing is left in ``target_dir`` then. An existing file is
    never overwritten (see the module doc).
    """
    from vecozo_tui.certificates import encrypt_pkcs12, load_stored_pkcs12
    from vecozo_tui.repository import BackupRecord

    if new_password is not None and new_password == "":
        raise VecozoError(_("The new password is empty; a backup must be protected by a "
                            "password."))
    target = check_target(target_dir, repository.root)
    active = repository.active(practice_id)
    if active is None:
        raise VecozoError(_(NO_ACTIVE["backup"]).format(practice_id=practice_id))
    warnings: list[str] = []
    entries: list[StoredCertificate] = [active]
    if with_history:
        entries += [entry for entry in repository.history(practice_id)
                    if entry.info.sha256 != active.info.sha256]

    encoding = "3des" if legacy else "modern"
    output_password = password if new_password is None else new_password
    planned: list[tuple[StoredCertificate, LoadedPkcs12, Path, bytes | None]] = []
    for entry in entries:
        data = repository.read_pkcs12(practice_id, entry.info.sha256)
        try:
            loaded = load_stored_pkcs12(data, password, practice_id=practice_id)
        except WrongPasswordError:
            if entry is active:
                raise
            warnings.append(
                _("Skipped the earlier certificate valid until {date} ({sha256}): it was "
                  "imported with another password.").format(
                    date=short_date(entry.info.not_after), sha256=entry.info.sha256[:8])
            )
            continue
        name = backup_file_name(practice_id, agb or entry.info.agb_code, entry.info.not_after,
                                entry.info.sha256, legacy=legacy)
        path, complete = _place_for(target, name, loaded, output_password)
        if complete:
            warnings.append(_("{name} was already there (left by an interrupted backup?) "
                              "and holds this certificate: it was verified and recorded, not "
                              "written again.").format(name=path.name))
        planned.append((entry, loaded, path, None if complete else
                        encrypt_pkcs12(loaded, output_password, encoding=encoding)))

    written: list[Path] = []
    results: list[BackupFile] = []
    try:
        for entry, loaded, path, encrypted in planned:
            if encrypted is not None:
                write_new_file(path, encrypted)
                written.append(path)
                _verify(path, loaded, output_password)
            results.append(BackupFile(path=path, sha256=entry.info.sha256,
                                      not_after=entry.info.not_after,
                                      active=entry.info.sha256 == active.info.sha256))
    except BaseException:
        _remove(written, target)
        raise

    on_same_device = same_device(target, repository.root)
    if on_same_device:
        warnings.insert(0, (
            _("{target} is on the same disk as the certificate repository: if that disk "
              "fails, both are lost. Copy the backup to another medium (a USB stick, a "
              "network drive, another computer). {seed_another_medium}.").format(
                target=target, seed_another_medium=SEED_ANOTHER_MEDIUM)
        ))
    try:
        repository.record_backup(
            practice_id,
            BackupRecord(at=now, sha256=active.info.sha256, target=str(target), verified=True),
            actor=actor,
        )
    except VecozoError as error:
        # the files are good backups: keep them, but say the dashboard does not know yet
        raise VecozoError(
            _("The backup was written and verified ({names} in {target}), but could not be "
              "recorded in the repository: {error} Run the backup again to record it.").format(
                names=", ".join(entry.path.name for entry in results), target=target,
                error=error)
        ) from error
    return BackupResult(files=[entry.path for entry in results], verified=True,
                        same_device=on_same_device,
                        warnings=warnings, target=target, entries=results,
                        encryption=ENCRYPTION_LEGACY if legacy else ENCRYPTION_MODERN)


MAX_BACKUP_BYTES = 1024 * 1024  # a certificate file is a few kB


def _place_for(target: Path, name: str, loaded: LoadedPkcs12, password: str
               ) -> tuple[Path, bool]:
    """Where this certificate's backup goes, and whether it is already complete there:
    ``name`` when free; the file of that name when it verifies (a crashed run wrote it);
    otherwise the next free ``<stem>_<n>.p12``. Temporary files a crash left for these
    names go first."""
    stem, _dot, suffix = name.rpartition(".")
    _remove_crash_temporaries(target, stem, suffix)
    for number in range(1, 100):
        path = target / (name if number == 1 else f"{stem}_{number}.{suffix}")
        if not os.path.lexists(path):
            return path, False
        if path.is_symlink():  # never read through a link placed in the target
            continue
        try:
            _verify(path, loaded, password)
        except VecozoError:
            continue  # another backup, or half of one: kept as it is
        return path, True
    raise VecozoError(_("{target} already holds 99 files named like {name}; move the old "
                        "backups away or choose another target. Nothing was written.").format(
        target=target, name=name))


def _remove_crash_temporaries(target: Path, stem: str, suffix: str) -> None:
    """write_new_file's temporary files (".<name>.<8 random>.tmp") for these names."""
    pattern = re.compile(rf"^\.{re.escape(stem)}(_\d+)?\.{re.escape(suffix)}"
                         r"\.[A-Za-z0-9_]{8}\.tmp$")
    with contextlib.suppress(OSError):
        for entry in os.scandir(target):
            if pattern.match(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _read_back(path: Path) -> bytes:
    """The file's bytes (a regular file of bounded size), asking the kernel to forget its
    cached copy first where it can, so the verification reads what is on the medium."""
    if hasattr(os, "posix_fadvise"):
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    return read_regular_file(path, MAX_BACKUP_BYTES, follow_symlinks=False)


def _verify(path: Path, original: LoadedPkcs12, password: str) -> None:
    problems = verification_problems(path, original, password)
    if problems:
        raise VecozoError(_("The backup {path} failed its verification ({problems}); the "
                            "medium may be faulty. It was removed.").format(
            path=path, problems="; ".join(problems)))


def verification_problems(path: Path, original: LoadedPkcs12, password: str) -> list[str]:
    """Read ``path`` back from the medium, decrypt it with ``password`` and compare it with
    what was meant to be written: the certificate's fingerprint, the chain and the private
    key. What differs, in plain words; empty when it is the same. Backups and deploys
    both use this one check."""
    return [_(text).format(**values)
            for text, values in verification_findings(path, original, password)]


def verification_findings(path: Path, original: LoadedPkcs12, password: str
                          ) -> list[tuple[str, dict[str, str]]]:
    """``verification_problems`` as (English text, its values): to be said in the chosen
    language and, for the audit log, in English, without reading the file twice."""
    from vecozo_tui.certificates import load_pkcs12, public_key_der, sha256_hex

    try:
        data = _read_back(path)
    except (OSError, VecozoError) as error:  # VecozoError: not a regular file, too large
        return [(N_("it could not be read back: {reason}"),
                 {"reason": str(getattr(error, "strerror", None) or error)})]
    try:
        back = load_pkcs12(data, password, source=path.name)
    except VecozoError:
        return [(N_("it could not be opened with the password after writing"), {})]
    problems: list[tuple[str, dict[str, str]]] = []
    if back.info.sha256 != original.info.sha256:
        problems.append((N_("the certificate's SHA-256 fingerprint differs"), {}))
    if back.private_key is None:
        problems.append((N_("it holds no private key"), {}))
    else:
        if public_key_der(back.private_key.public_key()) != public_key_der(
                back.certificate.public_key()):
            problems.append((N_("the private key does not match the certificate"), {}))
        if original.private_key is not None and public_key_der(back.private_key.public_key()) \
                != public_key_der(original.private_key.public_key()):
            problems.append((N_("the private key differs from the stored one"), {}))
    if [sha256_hex(c) for c in back.chain] != [sha256_hex(c) for c in original.chain]:
        problems.append((N_("the chain differs"), {}))
    return problems


def _remove(paths: list[Path], directory: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()
    if paths:
        with contextlib.suppress(OSError):
            fsync_directory(directory)




def check_opens(repository: Repository, practice_id: str, password: str) -> None:
    open_stored(repository, practice_id, password, purpose="backup")


def open_stored(repository: Repository, practice_id: str, password: str, *, purpose: str,
                sha256: str | None = None) -> LoadedPkcs12:
    """The practice's active certificate (or the stored one ``sha256``, e.g. about to be
    activated again), decrypted in memory with ``password``.

    WrongPasswordError (saying which password is meant) when it does not open it;
    VecozoError when there is no active certificate to ``purpose`` ("backup", "deploy").
    """
    from vecozo_tui.certificates import load_stored_pkcs12

    active = repository.active(practice_id)
    if sha256 is None:
        if active is None:
            raise VecozoError(_(NO_ACTIVE.get(purpose, NO_ACTIVE["use"])).format(
                practice_id=practice_id))
        sha256 = active.info.sha256
    is_active = active is not None and active.info.sha256 == sha256
    return load_stored_pkcs12(repository.read_pkcs12(practice_id, sha256), password,
                              practice_id=practice_id, active=is_active)
