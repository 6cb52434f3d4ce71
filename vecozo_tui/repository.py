"""The central certificate repository on disk.

```
<root>/
  .lock                              held (flock) while anything is written; holder as JSON
  audit.log                          JSON lines, append-only: when, who, what, fingerprint
  practices/<id>/practice.json       the index: which certificate is active, the history
  practices/<id>/certificates/<SHA-256>.<stamp>/
      certificate.p12                AES-256 PKCS#12 with the user's own password
      chain.pem                      certificate + chain, public
  practices/<id>/events.json         last verified backup, last test call, last deploys
  practices/<id>/state/<name>.json   walkthrough progress
```

An import writes the new certificate's directory under a temporary name, with
a marker file (``.unfinished-import``) in it, renames it into place, and then
replaces ``practice.json`` in one atomic rename: that rename is the activation;
the marker is removed after it. A crash before the activation leaves the old
index, which does not name the new directory; a crash after it leaves the new
state. Nothing else is ever half-visible.

The next write to the practice (or a purge) removes what a crash left: staging
directories, certificate directories that carry the marker and that the index
does not name (an unfinished import, also of a first certificate), stale markers
and temporary files. A directory *without* the marker that the index does not
name was activated once: it is never removed, and with an empty index it means
the index was lost (restored from a backup, deleted by hand), so an import is
refused until it is restored.

The repository never stores a password, and a private key only ever reaches the
disk inside an encrypted PKCS#12.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from vecozo_tui.bsn import holds_bsn, scrub
from vecozo_tui.certificate_info import (
    VALUE_DEFAULTS,
    VALUE_FIELDS,
    CertificateInfo,
    ChainEntry,
    stored_text,
)
from vecozo_tui.clock import SYSTEM_CLOCK, Clock, aware_datetime
from vecozo_tui.errors import BusyError, VecozoError
from vecozo_tui.fsutil import (
    PRIVATE_FILE_MODE,
    atomic_write_bytes,
    atomic_write_text,
    describe_os_error,
    ensure_private_dir,
    fsync_directory,
    owned_by_someone_else,
    read_regular_file,
    symlink_problem,
    user_name,
)
from vecozo_tui.i18n import DEFAULT_LANGUAGE, _, current_language, ngettext

if TYPE_CHECKING:
    from vecozo_tui.certificates import LoadedPkcs12

INDEX_FILE = "practice.json"  # untranslated: a file name
EVENTS_FILE = "events.json"  # untranslated: a file name
AUDIT_FILE = "audit.log"  # untranslated: a file name
LOCK_FILE = ".lock"
# what list, status, check, metrics and the dashboard need of every practice, in one file
# (see "the summary" below); never trusted: each entry is checked against the files
SUMMARY_FILE = "summary.json"
SUMMARY_FORMAT = 1
MAX_SUMMARY_BYTES = 64 * 1024 * 1024  # 1,000 practices take about 1 MB
# in a certificate directory from before its rename into place until practice.json names it
UNFINISHED_MARKER = ".unfinished-import"
DEFAULT_LOCK_WAIT_SECONDS = 10.0
MAX_SUMMARY_CHARS = 300  # of a test call's one-line summary
# practice.json with a long history is tens of kB; events.json and state files less
MAX_METADATA_BYTES = 8 * 1024 * 1024
MAX_STORED_PKCS12_BYTES = 1024 * 1024  # as certificates.MAX_FILE_BYTES: a few kB in practice
ANY = object()  # import_certificate: no expectation about the active certificate

_PRACTICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_STATE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_SHA256 = re.compile(r"^[0-9A-F]{64}$")
# <SHA-256>.<stamp>.<random>, as import_certificate names it; no dots or slashes to follow
_CERTIFICATE_DIR = re.compile(r"^[0-9A-F]{64}\.[0-9A-Za-z]{1,32}\.[0-9a-f]{1,32}$")
# the temporary files of fsutil's atomic writes (mkstemp: ".<name>.<8 random>.tmp")
_CRASH_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")
# Words that must never be audit detail keys: the audit trail holds no secrets.
_SECRET_WORDS = ("password", "passphrase", "pin", "bsn", "key_pem", "private")


class Actor(NamedTuple):
    """Who does something: the login user and, over SSH, the client's address."""

    user: str
    ssh_client: str | None = None

    @classmethod
    def current(cls, env: Mapping[str, str] = os.environ) -> Actor:
        user = env.get("SUDO_USER") or env.get("USER") or env.get("LOGNAME")
        if not user:
            try:
                import getpass

                user = getpass.getuser()
            except (OSError, KeyError):
                user = "unknown"
        ssh = env.get("SSH_CLIENT") or env.get("SSH_CONNECTION") or ""
        return cls(user=user, ssh_client=ssh.split()[0] if ssh.split() else None)

    def label(self) -> str:
        return f"{self.user} from {self.ssh_client}" if self.ssh_client else self.user


class StoredCertificate(NamedTuple):
    info: CertificateInfo
    imported_at: datetime
    imported_by: str
    active: bool


class BackupRecord(NamedTuple):
    at: datetime
    sha256: str
    target: str
    verified: bool

    def to_dict(self) -> dict:
        return {"at": self.at.isoformat(), "sha256": self.sha256, "target": self.target,
                "verified": self.verified}

    @classmethod
    def from_dict(cls, data: dict) -> BackupRecord:
        return cls(at=aware_datetime(data["at"]), sha256=stored_text(data["sha256"]),
                   target=stored_text(data["target"]), verified=_flag(data["verified"]))


class TestCallRecord(NamedTuple):
    """The outcome of a test COV call; never the BSN or anything of the person."""

    at: datetime
    sha256: str
    environment: str
    ok: bool
    summary: str  # English, as everyone reads the record later (and the audit log)
    # the failed diagnosis step's English title, so people read it in their language
    failed_step: str | None = None

    def to_dict(self) -> dict:
        data = {"at": self.at.isoformat(), "sha256": self.sha256,
                "environment": self.environment, "ok": self.ok, "summary": self.summary}
        if self.failed_step is not None:
            data["failed_step"] = self.failed_step
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TestCallRecord:
        step = data.get("failed_step")
        return cls(at=aware_datetime(data["at"]), sha256=stored_text(data["sha256"]),
                   environment=stored_text(data["environment"]), ok=_flag(data["ok"]),
                   summary=stored_text(data["summary"]),
                   failed_step=None if step is None else stored_text(step))

    def summary_words(self) -> str:
        """The call's line in the reader's language. The English summary holds the
        server's own words; in another language a failed call names its step."""
        if self.ok or self.failed_step is None or current_language() == DEFAULT_LANGUAGE:
            return self.summary
        return _("failed at: {step}").format(step=_(self.failed_step))


TestCallRecord.__test__ = False  # type: ignore[attr-defined]  # not a pytest test class


def _flag(value: object) -> bool:
    if not isinstance(value, bool):  # "false" would be true
        raise TypeError("not true or false")  # untranslated: caught, never shown
    return value


class DeployRecord(NamedTuple):
    """The last deploy to one target (the file the practice software reads).

    ``sha256``/``at``: the certificate and time of the last attempt; ``failed_step``
    where it failed ("write", "verify", "hook"), None when everything succeeded.
    ``deployed_sha256``/``deployed_at``: the certificate the file is known to hold
    (written and verified), kept when a later attempt fails before the write.
    ``hook_output``: the last lines of the hook's output, scrubbed; no secrets.
    """

    path: str
    at: datetime
    sha256: str
    failed_step: str | None
    message: str
    deployed_sha256: str | None
    deployed_at: datetime | None
    hook_exit_code: int | None = None
    hook_output: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.failed_step is None

    def to_dict(self) -> dict:
        return {"path": self.path, "at": self.at.isoformat(), "sha256": self.sha256,
                "failed_step": self.failed_step, "message": self.message,
                "deployed_sha256": self.deployed_sha256,
                "deployed_at": self.deployed_at.isoformat() if self.deployed_at else None,
                "hook_exit_code": self.hook_exit_code, "hook_output": list(self.hook_output)}

    @classmethod
    def from_dict(cls, data: dict) -> DeployRecord:
        deployed_at = data.get("deployed_at")
        return cls(path=str(data["path"]), at=datetime.fromisoformat(data["at"]),
                   sha256=data["sha256"], failed_step=data.get("failed_step"),
                   message=str(data.get("message") or ""),
                   deployed_sha256=data.get("deployed_sha256"),
                   deployed_at=datetime.fromisoformat(deployed_at) if deployed_at else None,
                   hook_exit_code=data.get("hook_exit_code"),
                   hook_output=tuple(str(line) for line in data.get("hook_output") or ()))


# read-only, as every mapping in a record (the default is shared by every instance)
_NO_DEPLOYS: Mapping[str, DeployRecord] = MappingProxyType({})


class PracticeEvents(NamedTuple):
    last_backup: BackupRecord | None = None
    last_test_call: TestCallRecord | None = None
    # when a certificate was last imported or re-activated; None: see the active one's
    last_import_at: datetime | None = None
    # the last deploy per target, by the target's path
    deploys: Mapping[str, DeployRecord] = _NO_DEPLOYS


class Summary:
    """summary.json as read (see Repository.read_summary): the entries by practice id, the
    table of chains, the practices whose directory is a real one and the names in the
    practices directory."""

    __slots__ = ("entries", "real_dirs", "listed", "_chains", "_read_chains")

    def __init__(self, entries: dict, chains: list, real_dirs: set[str],
                 listed: set[str] | None):
        self.entries = entries
        self.real_dirs = real_dirs
        self.listed = listed  # every name in practices/ (None: not known)
        self._chains = chains
        self._read_chains: dict[int, tuple[ChainEntry, ...]] = {}

    def chain(self, number: int) -> tuple[ChainEntry, ...]:
        """Chain ``number`` of the table, read (and checked) once for every certificate
        that has it; KeyError, TypeError or ValueError when it is not what was written."""
        found = self._read_chains.get(number)
        if found is None:
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise TypeError("not a chain number")  # untranslated: caught, never shown
            entries = self._chains[number]
            if not isinstance(entries, list):
                raise TypeError("chain is not a list")  # untranslated: caught, never shown
            found = self._read_chains[number] = tuple(ChainEntry.from_dict(entry)
                                                      for entry in entries)
        return found


def _identity(path: str) -> list[int] | None:
    """What tells a version of a file from the next (an atomic replace is a new inode; an
    edit in place changes the times); None when there is no file. A symlink or anything
    but a regular file has no identity the summary could have recorded."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return [-1]
    return [info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


# the kind of a problem that `init` repairs itself (it makes the directory private)
WRITABLE_BY_OTHERS = "writable-by-others"


class Problem(str):
    """A problem's text in the chosen language, with its ``kind``: code decides by the
    kind, never by the words."""

    kind: str | None

    def __new__(cls, text: str, kind: str | None = None) -> Problem:
        problem = super().__new__(cls, text)
        problem.kind = kind
        return problem


class Repository:
    def __init__(self, root: Path | str, *, clock: Clock = SYSTEM_CLOCK,
                 lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS):
        self.root = Path(root)
        # the practices' directory as text: paths of a thousand practices are built from it
        self._practices_text = os.path.join(self.root, "practices")
        self.clock = clock
        self.lock_wait_seconds = lock_wait_seconds
        self._lock_guard = threading.RLock()
        self._lock_depth = 0
        self._audit_handle: int | None = None
        self._lock_owner: int | None = None
        self._practices_not_linked = False  # checked on the first read (see _read_json)

    # --- set-up and health ------------------------------------------------------------

    @classmethod
    def init(cls, root: Path | str, *, clock: Clock = SYSTEM_CLOCK,
             actor: Actor | None = None) -> Repository:
        root = Path(root)
        repository = cls(root, clock=clock)
        if root.exists():  # never take over (chmod, fill) a directory of someone else's
            # by its kind, never by its words (they are in the chosen language)
            problems = [p for p in repository.problems()
                        if getattr(p, "kind", None) != WRITABLE_BY_OTHERS]
            if problems:
                raise VecozoError("\n".join(problems))
        ensure_private_dir(root)
        ensure_private_dir(root / "practices")
        repository.audit("init", actor=actor or Actor.current())
        return repository

    def problems(self) -> list[str]:
        """What is wrong with the repository directory, in plain words (empty: fine)."""
        if not self.root.exists():
            return [_("The repository {root} does not exist; create it with "
                      "`vecozo-tui init`.").format(root=self.root)]
        if not self.root.is_dir():
            return [_("The repository {root} is not a directory.").format(root=self.root)]
        found = [problem for problem in (
            self._part_problem(self.root, directory=True, follow=True),
            self._part_problem(self.root / "practices", directory=True),
            self._part_problem(self.root / LOCK_FILE, directory=False),
        ) if problem]
        audit_problem = self._part_problem(self.root / AUDIT_FILE, directory=False)
        if audit_problem:
            found.append(_("{audit_problem} Nothing was changed: every change must be in the "
                           "audit log.").format(audit_problem=audit_problem))
        if not os.access(self.root, os.W_OK | os.X_OK):
            found.append(_("No permission to write in the repository {root}.").format(
                root=self.root))
        return found

    def _part_problem(self, path: Path, *, directory: bool, follow: bool = False
                      ) -> str | None:
        """What makes ``path`` (a part of the repository) unsafe to write, if anything: a
        symlink (only the root itself may be one), the wrong kind, another owner, or a
        directory other users can write."""
        try:
            info = os.stat(path) if follow else os.lstat(path)
        except FileNotFoundError:
            return None
        except OSError as error:
            return _("Cannot check {path}: {reason}.").format(path=path, reason=error.strerror)
        if stat.S_ISLNK(info.st_mode):
            return symlink_problem(path)
        if directory and not stat.S_ISDIR(info.st_mode):
            return _("{path} in the repository is not a directory.").format(path=path)
        if not directory and not stat.S_ISREG(info.st_mode):
            return _("{path} in the repository is not a regular file.").format(path=path)
        if owned_by_someone_else(info):
            owner, me = user_name(info.st_uid), user_name(os.geteuid())
            return (_("{path} belongs to another user ({owner}, uid {st_uid}), not to "
                      "{me} who runs vecozo-tui; whoever owns a part of the repository could "
                      "make vecozo-tui write anywhere. Run vecozo-tui as {owner} (sudo -u "
                      "{owner} vecozo-tui ...), or, if the repository is {me}'s: "
                      "chown -R {me} {root}").format(
                path=path, owner=owner, st_uid=info.st_uid, me=me, root=self.root))
        if directory and info.st_mode & 0o022 and os.name != "nt":
            return Problem(_("{path} in the repository can be written by other users; fix it "
                             "with: chmod 700 {path}").format(path=path), WRITABLE_BY_OTHERS)
        return None

    def _refuse_unsafe_practice(self, practice_id: str) -> None:
        """Before writing for a practice: its directories and files must be safe too."""
        practice_dir = self._practice_dir(practice_id)
        problems = [problem for problem in (
            self._part_problem(practice_dir, directory=True),
            self._part_problem(practice_dir / "certificates", directory=True),
            self._part_problem(practice_dir / "state", directory=True),
            self._part_problem(practice_dir / INDEX_FILE, directory=False),
            self._part_problem(practice_dir / EVENTS_FILE, directory=False),
        ) if problem]
        if problems:
            raise VecozoError("\n".join([*problems, _("Nothing was changed.")]))

    def change_stamp(self) -> tuple[int, int] | None:
        """A value that changes whenever the repository changes, whoever changed it: every
        change (import, activation, backup, test call, walkthrough) is appended to the
        audit log after it is made. One stat, cheap enough to ask every few seconds."""
        try:
            info = os.stat(self.root / AUDIT_FILE)
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size

    # --- reading (no lock, no password: every file is replaced atomically) ----------

    def _practice_dir(self, practice_id: str) -> Path:
        return Path(self._practice_file(practice_id, ""))

    def _practice_file(self, practice_id: str, name: str) -> str:
        """A practice's file as a plain string path: the dashboard, `list` and `check`
        open two files for each of a thousand practices, and building them with pathlib
        took longer than reading them."""
        if not _PRACTICE_ID.match(practice_id) or ".." in practice_id:
            raise VecozoError(_("'{practice_id}' is not a valid practice id.").format(
                practice_id=practice_id))
        return f"{self._practices_text}{os.sep}{practice_id}{os.sep}{name}"

    def _read_json(self, path: Path | str) -> dict | None:
        # no symlink, on the way (the directories) or at the end (O_NOFOLLOW); plain
        # os.path on strings, and practices/ once: `check` reads a thousand practices
        name = str(path)
        parent = os.path.dirname(name)
        grandparent = os.path.dirname(parent)
        if os.path.islink(parent):
            raise VecozoError(symlink_problem(parent))
        if grandparent == str(self.root / "practices"):
            self._refuse_linked_practices()
        elif os.path.islink(grandparent):
            raise VecozoError(symlink_problem(grandparent))
        try:
            raw = read_regular_file(name, MAX_METADATA_BYTES, follow_symlinks=False)
        except FileNotFoundError:
            return None
        return _json_object(raw, path)

    def _refuse_linked_practices(self) -> None:
        if not self._practices_not_linked:
            practices = self.root / "practices"
            if os.path.islink(practices):
                raise VecozoError(symlink_problem(practices))
            self._practices_not_linked = True

    def _index(self, practice_id: str) -> dict:
        path = self._practice_file(practice_id, INDEX_FILE)
        return _checked_index(self._read_json(path), path)
    def _stored(self, practice_id: str, sha256: str, entry: dict,
                active: str | None, *, chain: tuple[ChainEntry, ...] | None = None
                ) -> StoredCertificate:
        try:
            info = CertificateInfo.from_dict(entry["info"], chain)
            if info.sha256 != sha256:
                raise ValueError("filed under another fingerprint")  # untranslated: caught
            return StoredCertificate(info=info,
                                     imported_at=aware_datetime(entry["imported_at"]),
                                     imported_by=stored_text(entry["imported_by"]),
                                     active=sha256 == active)
        except (KeyError, TypeError, ValueError, AttributeError):
            path = self._practice_dir(practice_id) / INDEX_FILE
            raise VecozoError(_("{path} is damaged (the entry of certificate {sha256}… is "
                                "incomplete); restore it from a backup of the server.").format(
                path=path, sha256=sha256[:16])) from None

    def active(self, practice_id: str) -> StoredCertificate | None:
        index = self._index(practice_id)
        sha256 = index.get("active")
        if not sha256:
            return None
        return self._stored(practice_id, sha256, index["certificates"][sha256], sha256)

    def history(self, practice_id: str) -> list[StoredCertificate]:
        """Every stored certificate of the practice, the active one flagged; newest first."""
        index = self._index(practice_id)
        entries = [self._stored(practice_id, sha, entry, index.get("active"))
                   for sha, entry in index["certificates"].items()]
        entries.sort(key=lambda e: (e.imported_at, e.info.not_after), reverse=True)
        return entries

    def _certificate_dir(self, practice_id: str, sha256: str) -> Path:
        entry = self._index(practice_id)["certificates"].get(sha256)
        if entry is None:
            raise VecozoError(_("No stored certificate {sha256}… for {practice_id}.").format(
                sha256=sha256[:16], practice_id=practice_id))
        name = entry.get("dir") if isinstance(entry, dict) else None
        # a name, never a path: a damaged index must not lead out of the repository
        if not isinstance(name, str) or not _CERTIFICATE_DIR.match(name):
            path = self._practice_dir(practice_id) / INDEX_FILE
            raise VecozoError(_("{path} is damaged (the directory of certificate "
                                "{sha256}… is not a valid name); restore it from a "
                                "backup of the server.").format(path=path, sha256=sha256[:16]))
        directory = self._practice_dir(practice_id) / "certificates" / name
        for part in (directory.parent, directory):
            if part.is_symlink():
                raise VecozoError(symlink_problem(part))
        return directory

    def read_pkcs12(self, practice_id: str, sha256: str) -> bytes:
        """The stored PKCS#12, still encrypted with the password given at import."""
        path = self._certificate_dir(practice_id, sha256) / "certificate.p12"
        try:
            return read_regular_file(path, MAX_STORED_PKCS12_BYTES, follow_symlinks=False)
        except FileNotFoundError:
            raise VecozoError(_("The stored certificate {path} is missing; restore it from a "
                                "backup of the server.").format(path=path)) from None

    def chain_pem_path(self, practice_id: str, sha256: str) -> Path:
        return self._certificate_dir(practice_id, sha256) / "chain.pem"  # untranslated: a file name

    def events(self, practice_id: str) -> PracticeEvents:
        path = self._practice_file(practice_id, EVENTS_FILE)
        return _practice_events(self._read_json(path) or {}, path)

    def read_state(self, practice_id: str, name: str) -> dict | None:
        return self._read_json(self._state_path(practice_id, name))

    def _state_path(self, practice_id: str, name: str) -> Path:
        if not _STATE_NAME.match(name):
            raise ValueError(f"bad state name {name!r}")  # untranslated: a programming error
        return self._practice_dir(practice_id) / "state" / f"{name}.json"

    # --- the summary ------------------------------------------------------------------
    # summary.json holds, per practice, what the overview reads of it (the active
    # certificate's entry of practice.json and events.json as they are) and the identity
    # of those two files when they were read (inode, size, mtime and ctime in ns; None:
    # no such file). Every writer refreshes it under the lock after its change; a
    # reader uses an entry only while both files still have that identity (one lstat
    # each) and reads the files themselves otherwise: a crash between a write and the
    # refresh, an edit by hand or a restore only cost that practice the slower read. A
    # summary that is missing, damaged, too large, of another format, not a regular file
    # or someone else's is not used at all. Readers never write it. It holds nothing the
    # index and events files do not: no password, no key, no BSN. To keep it small (it
    # is read whole by every `check`), a certificate's fields are a list in the order of
    # VALUE_FIELDS and the chains, which most certificates share, are a table.

    def read_summary(self) -> Summary:
        """The summary as it is on disk (empty when it cannot be used); for
        :meth:`practice_metadata`."""
        data = self._summary_data()
        entries, chains = data.get("practices"), data.get("chains")
        if not isinstance(entries, dict) or not isinstance(chains, list):
            return Summary({}, [], set(), None)
        try:
            with os.scandir(os.path.join(self.root, "practices")) as listing:
                listed = list(listing)
        except OSError:
            return Summary({}, [], set(), None)
        # the practice directories that are directories, not symlinks (no stat call:
        # the directory listing tells), and every name there is
        real = {entry.name for entry in listed if entry.name in entries
                and entry.is_dir(follow_symlinks=False)}
        return Summary(entries, chains, real, {entry.name for entry in listed})

    def practice_metadata(self, practice_id: str, summary: Summary | None = None
                          ) -> tuple[StoredCertificate | None, PracticeEvents]:
        """The active certificate and the events of a practice, as :meth:`active` and
        :meth:`events` read them; from ``summary`` when its entry still fits the files."""
        if summary is not None and practice_id in summary.real_dirs:
            found = self._from_summary(practice_id, summary.entries[practice_id], summary)
            if found is not None:
                return found
        elif summary is not None and summary.listed is not None and \
                practice_id not in summary.listed:
            # no directory at all (nothing imported yet): what reading its files would say
            self._practice_file(practice_id, "")  # a valid id, or the same VecozoError
            self._refuse_linked_practices()
            return None, PracticeEvents()
        return self.active(practice_id), self.events(practice_id)

    def refresh_summary(self, actor: Actor) -> None:
        """Bring the summary up to date now (every write does; this is for a repository
        written by an earlier version, or restored): under the lock, nothing audited."""
        with self.lock(actor):
            pass  # the lock refreshes the summary when it is released

    def _from_summary(self, practice_id: str, entry: Any, summary: Summary
                      ) -> tuple[StoredCertificate | None, PracticeEvents] | None:
        try:
            index_identity, events_identity, active, events = entry
            directory = self._practice_file(practice_id, "")
            events_path = directory + EVENTS_FILE
            if not self._fresh(directory + INDEX_FILE, index_identity, events_path,
                               events_identity):
                return None
            stored = None
            if active is not None:
                sha256, imported_at, imported_by, chain, *values = active
                if len(values) != len(VALUE_FIELDS):
                    return None
                stored = StoredCertificate(
                    info=CertificateInfo.from_values(sha256, values, summary.chain(chain)),
                    imported_at=aware_datetime(imported_at), imported_by=stored_text(imported_by),
                    active=True)
            return stored, _practice_events(events if events is not None else {},
                                            events_path)
        except (VecozoError, OSError, ValueError, TypeError, AttributeError, KeyError,
                IndexError):
            return None  # an entry that does not fit: the files themselves are read

    def _fresh(self, index_path: str, index_identity: object, events_path: str,
               events_identity: object) -> bool:
        self._refuse_linked_practices()
        return _identity(index_path) == index_identity and \
            _identity(events_path) == events_identity

    def _summary_data(self) -> dict:
        """summary.json as a JSON object; {} when it cannot be used."""
        path = self.root / SUMMARY_FILE
        try:
            handle = _open_in_repository(path, os.O_RDONLY)  # no symlink, regular, ours
        except VecozoError:
            return {}
        try:
            if os.fstat(handle).st_mode & 0o022:
                # others could have written it: the files themselves are the truth
                os.close(handle)
                return {}
            with os.fdopen(handle, "rb") as stream:
                raw = stream.read(MAX_SUMMARY_BYTES + 1)
            if len(raw) > MAX_SUMMARY_BYTES:
                return {}
            data = json.loads(raw)
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict) or data.get("format") != SUMMARY_FORMAT:
            return {}
        return data

    def _summary_entry(self, practice_id: str, chains: dict[str, int]) -> list | None:
        """A fresh entry for the summary, read from the practice's files (under the lock);
        None when they cannot be summed up (then readers read them)."""
        index_path = self._practice_file(practice_id, INDEX_FILE)
        events_path = self._practice_file(practice_id, EVENTS_FILE)
        index_identity, index_data = self._identified_json(index_path)
        events_identity, events_data = self._identified_json(events_path)
        index = _checked_index(index_data, index_path)
        sha256 = index.get("active")
        active = None
        if sha256:
            entry = index["certificates"][sha256]
            self._stored(practice_id, sha256, entry, sha256)  # it must read back
            info = entry["info"]
            if not set(info) <= {*VALUE_FIELDS, "sha256", "chain"} or any(
                    name not in info and name not in VALUE_DEFAULTS
                    for name in VALUE_FIELDS):
                return None  # not as to_dict writes it: read it from the file
            chain = json.dumps(info.get("chain", []), sort_keys=True)
            # a field an earlier version did not write reads as its default
            active = [sha256, entry["imported_at"], entry["imported_by"],
                      chains.setdefault(chain, len(chains)),
                      *(info.get(name, VALUE_DEFAULTS.get(name))
                        for name in VALUE_FIELDS)]
        _practice_events(events_data or {}, events_path)
        return [index_identity, events_identity, active, events_data]

    def _identified_json(self, path: str) -> tuple[list | None, dict | None]:
        """(identity, JSON object) of a metadata file; VecozoError when it changed while
        it was read (only an edit by hand can: writers hold the lock)."""
        before = _identity(path)
        data = self._read_json(path)
        if _identity(path) != before or (data is None) != (before is None):
            raise VecozoError(_("{path} changed while it was read.").format(path=path))
        return before, data

    def _refresh_summary(self) -> None:
        """Bring summary.json up to date with the practices on disk (under the lock): an
        entry whose files kept their identity stays, the others are read again. Never
        fails the write it follows: a summary that could not be written is only stale,
        and readers check every entry."""
        try:
            old = self._summary_data()
            old_entries, old_chains = old.get("practices"), old.get("chains")
            if not isinstance(old_entries, dict) or not isinstance(old_chains, list):
                old_entries, old_chains = {}, []
            chains: dict[str, int] = {}
            fresh: dict[str, list] = {}
            with os.scandir(os.path.join(self.root, "practices")) as listing:
                names = sorted(entry.name for entry in listing
                               if entry.is_dir(follow_symlinks=False)
                               and _PRACTICE_ID.match(entry.name))
            for name in names:
                kept = self._kept_entry(name, old_entries.get(name), old_chains, chains)
                if kept is not None:
                    fresh[name] = kept
                    continue
                with contextlib.suppress(VecozoError, OSError, KeyError, TypeError):
                    entry = self._summary_entry(name, chains)
                    if entry is not None:
                        fresh[name] = entry
            for child in _real_children(self.root, directories=False):
                # what a crash while writing the summary left (writers hold the lock)
                if child.name.startswith(f".{SUMMARY_FILE}.") and _CRASH_TEMP.match(child.name):
                    with contextlib.suppress(OSError):
                        os.unlink(child)
            table = [json.loads(chain) for chain in chains]
            if fresh != old_entries or table != old_chains or not old:
                atomic_write_text(self.root / SUMMARY_FILE, json.dumps(
                    {"format": SUMMARY_FORMAT, "chains": table, "practices": fresh},
                    ensure_ascii=False, separators=(",", ":")) + "\n")
        except (VecozoError, OSError, ValueError):
            pass

    def _kept_entry(self, name: str, entry: Any, old_chains: list,
                    chains: dict[str, int]) -> list | None:
        """The old summary's entry of a practice whose files did not change (with its chain
        renumbered for the new table); None when it must be read again."""
        try:
            index_identity, events_identity, active, events = entry
            if not self._fresh(self._practice_file(name, INDEX_FILE), index_identity,
                               self._practice_file(name, EVENTS_FILE), events_identity):
                return None
            if active is not None:
                chain = json.dumps(old_chains[active[3]], sort_keys=True)
                active = [*active[:3], chains.setdefault(chain, len(chains)), *active[4:]]
            return [index_identity, events_identity, active, events]
        except (VecozoError, OSError, ValueError, TypeError, IndexError):
            return None

    # --- the lock ---------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, actor: Actor, *, wait_seconds: float | None = None) -> Iterator[None]:
        """Serialise writers across processes (two SSH sessions); re-entrant in one process.

        Waits up to ``wait_seconds`` (default ``lock_wait_seconds``), then raises
        BusyError naming who holds the lock.
        """
        wait = self.lock_wait_seconds if wait_seconds is None else wait_seconds
        # another thread of this process (a TUI worker) may hold it: wait, but not forever
        if not self._lock_guard.acquire(timeout=wait):
            raise BusyError(_("The repository is busy: another task of this session is saving. "
                              "Try again in a moment; nothing was changed."))
        try:
            if self._lock_depth:
                self._lock_depth += 1
                try:
                    yield
                finally:
                    self._lock_depth -= 1
                return
            problems = self.problems()
            if problems:
                raise VecozoError("\n".join(problems))
            handle = self._acquire(actor, wait)
            try:
                # opened before anything changes: a change that cannot be audited is not made
                self._audit_handle = self._open_audit()
            except BaseException:
                _unlock(handle)
                os.close(handle)
                raise
            self._lock_depth, self._lock_owner = 1, threading.get_ident()
            try:
                yield
                # the summary follows the disk before the next writer can change it (after
                # a failed write it is only stale: readers check, the next writer heals it)
                self._refresh_summary()
            finally:
                self._lock_depth, self._lock_owner = 0, None
                os.close(self._audit_handle)
                self._audit_handle = None
                _unlock(handle)
                os.close(handle)
        finally:
            self._lock_guard.release()

    def _acquire(self, actor: Actor, wait_seconds: float) -> int:
        path = self.root / LOCK_FILE
        handle = _open_in_repository(path, os.O_RDWR | os.O_CREAT)
        deadline = time.monotonic() + wait_seconds
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                holder = _read_holder(path)
                os.close(handle)
                raise BusyError(
                    _("The repository is busy: {holder} is changing it. Try again in a moment; "
                      "nothing was changed.").format(holder=holder)
                )
            time.sleep(0.05)
        holder_record = {"user": actor.user, "ssh_client": actor.ssh_client,
                         "pid": os.getpid(),
                         "since": self.clock.now().isoformat(timespec="seconds")}
        with contextlib.suppress(OSError):
            os.ftruncate(handle, 0)
            os.lseek(handle, 0, os.SEEK_SET)
            os.write(handle, json.dumps(holder_record).encode())
        return handle

    # --- writing ----------------------------------------------------------------------

    def import_certificate(self, practice_id: str, loaded: LoadedPkcs12, password: str, *,
                           actor: Actor, expected_active: str | None | object = ANY
                           ) -> StoredCertificate:
        """Store ``loaded`` (re-encrypted with AES-256 and the user's password) and make it
        the practice's active certificate; the previous one stays in history.

        ``expected_active``: the fingerprint (or None) of the active certificate the user
        saw in the preview; when another admin changed it meanwhile, nothing is stored.
        """
        import secrets  # here, not at the top: the scripted reads must start fast
        import shutil

        from vecozo_tui.certificates import chain_pem, encrypt_pkcs12

        info = loaded.info
        encrypted = encrypt_pkcs12(loaded, password)  # before the lock: it is the slow part
        with self.lock(actor):
            self._refuse_unsafe_practice(practice_id)
            practice_dir = self._practice_dir(practice_id)
            certificates_dir = practice_dir / "certificates"
            index = self._index(practice_id)
            previous = index.get("active")
            if expected_active is not ANY and expected_active != previous:
                raise VecozoError(
                    _("The active certificate of {practice_id} was changed meanwhile (by "
                      "another admin?); nothing was stored. Look again and repeat the "
                      "import.").format(practice_id=practice_id)
                )
            self._clean_after_crash(practice_id, index)
            self._refuse_lost_index(practice_id, index)
            ensure_private_dir(certificates_dir)
            replaced_dir = index["certificates"].get(info.sha256, {}).get("dir")
            now = self.clock.now()
            name = f"{info.sha256}.{now.strftime('%Y%m%dT%H%M%S')}.{secrets.token_hex(3)}"
            staging = certificates_dir / f".incoming-{name}"
            try:
                staging.mkdir(mode=0o700)
                # before the rename: a crash until the activation leaves a directory that
                # says it is an unfinished import, never one that looks like a lost index
                atomic_write_bytes(staging / UNFINISHED_MARKER, b"")
                atomic_write_bytes(staging / "certificate.p12", encrypted)
                atomic_write_bytes(staging / "chain.pem", chain_pem(loaded))  # untranslated: name
                os.rename(staging, certificates_dir / name)
                fsync_directory(certificates_dir)
            except OSError as error:
                shutil.rmtree(staging, ignore_errors=True)
                raise VecozoError(describe_os_error(error, certificates_dir)) from None
            except VecozoError:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            index["certificates"][info.sha256] = {
                "dir": name, "info": info.to_dict(), "imported_at": now.isoformat(),
                "imported_by": actor.label(),
            }
            index["active"] = info.sha256
            try:
                self._write_json(practice_dir / INDEX_FILE, index)  # the activation
            except VecozoError:
                # the disk decides what happened: the index there names the new directory
                # (activated after all) or not (then it is an unfinished import, removed)
                with contextlib.suppress(VecozoError):
                    self._clean_after_crash(practice_id, self._index(practice_id))
                raise
            self._audit_after_change(
                _("Imported and activated the certificate for {practice_id}").format(
                    practice_id=practice_id), "import",
                actor=actor, practice=practice_id, fingerprint=info.sha256,
                details={"replaced": previous, "not_after": info.not_after.isoformat(),
                         "kind": info.kind})
            self._remove_directories(practice_id, [replaced_dir] if replaced_dir else [])
            self._clean_after_crash(practice_id, index)  # this import's own marker
        return self._stored(practice_id, info.sha256, index["certificates"][info.sha256],
                            info.sha256)

    def activate(self, practice_id: str, sha256: str, *, actor: Actor) -> None:
        """Make a certificate from history the active one again (one atomic step)."""
        with self.lock(actor):
            self._refuse_unsafe_practice(practice_id)
            index = self._index(practice_id)
            self._clean_after_crash(practice_id, index)
            if sha256 not in index["certificates"]:
                raise VecozoError(_("No stored certificate {sha256}… for {practice_id}.").format(
                    sha256=sha256[:16], practice_id=practice_id))
            previous, index["active"] = index.get("active"), sha256
            self._write_json(self._practice_dir(practice_id) / INDEX_FILE, index)
            # a test call or backup made before now was not of this activation
            events_path = self._practice_dir(practice_id) / EVENTS_FILE
            events = self._read_json(events_path) or {}
            events["last_import_at"] = self.clock.now().isoformat()
            self._write_json(events_path, events)
            self._audit_after_change(_("Activated the certificate for {practice_id}").format(
                practice_id=practice_id),
                                     "activate", actor=actor, practice=practice_id,
                                     fingerprint=sha256, details={"replaced": previous})

    def purge_history(self, practice_id: str, *, actor: Actor, confirm: str) -> int:
        """Delete every stored certificate except the active one; ``confirm`` must repeat
        the practice id. Returns how many were removed."""
        if confirm != practice_id:
            raise VecozoError(_("Not purged: confirm by repeating the practice id "
                                "(--confirm {practice_id}).").format(practice_id=practice_id))
        with self.lock(actor):
            self._refuse_unsafe_practice(practice_id)
            index = self._index(practice_id)
            removed = [sha for sha in index["certificates"] if sha != index.get("active")]
            directories = [index["certificates"].pop(sha)["dir"] for sha in removed]
            if removed:
                self._write_json(self._practice_dir(practice_id) / INDEX_FILE, index)
                self._remove_directories(practice_id, directories)
            self._clean_after_crash(practice_id, index)
            self.audit("purge", actor=actor, practice=practice_id,
                       details={"removed": removed})
        return len(removed)

    def record_backup(self, practice_id: str, record: BackupRecord, *, actor: Actor) -> None:
        self._record_event(practice_id, "last_backup", record.to_dict(), actor=actor,
                           action="backup", fingerprint=record.sha256,
                           details={"target": record.target, "verified": record.verified})

    def record_test_call(self, practice_id: str, record: TestCallRecord, *,
                         actor: Actor) -> None:
        # the summary may repeat a server's words: never a BSN, never without bound
        summary = scrub(record.summary)
        if len(summary) > MAX_SUMMARY_CHARS:
            summary = summary[:MAX_SUMMARY_CHARS - 1] + "…"
        data = {**record.to_dict(), "summary": summary}
        self._record_event(practice_id, "last_test_call", data, actor=actor,
                           action="test-call", fingerprint=record.sha256,
                           details={"ok": record.ok, "environment": record.environment,
                                    "summary": summary})

    def record_deploy(self, practice_id: str, record: DeployRecord, *, actor: Actor,
                      action: str, details: dict) -> None:
        """Keep ``record`` as the last deploy to its target and audit ``action``
        ("deploy" for the file, "deploy-hook" for the command run after it)."""
        self._record_event(practice_id, "deploys", record.to_dict(), actor=actor,
                           action=action, fingerprint=record.sha256, details=details,
                           entry=record.path)

    def _record_event(self, practice_id: str, key: str, value: dict, *, actor: Actor,
                      action: str, fingerprint: str, details: dict,
                      entry: str | None = None) -> None:
        """Set ``key`` in events.json to ``value`` (with ``entry``: set that entry of the
        table ``key``, keeping the others) and audit it, under the lock."""
        with self.lock(actor):
            self._refuse_unsafe_practice(practice_id)
            practice_dir = self._practice_dir(practice_id)
            with contextlib.suppress(VecozoError):  # a damaged index must not block the record
                self._clean_after_crash(practice_id, self._index(practice_id))
            ensure_private_dir(practice_dir)
            path = practice_dir / EVENTS_FILE
            data = self._read_json(path) or {}
            if entry is None:
                data[key] = value
            else:
                table = data.get(key)
                data[key] = {**(table if isinstance(table, dict) else {}), entry: value}
            self._write_json(path, data)
            self.audit(action, actor=actor, practice=practice_id, fingerprint=fingerprint,
                       details=details)

    def write_state(self, practice_id: str, name: str, data: dict, *, actor: Actor,
                    action: str, details: dict | None = None) -> None:
        with self.lock(actor):
            self._refuse_unsafe_practice(practice_id)
            path = self._state_path(practice_id, name)
            with contextlib.suppress(VecozoError):  # a damaged index must not block progress
                self._clean_after_crash(practice_id, self._index(practice_id))
            ensure_private_dir(path.parent)
            self._write_json(path, data)
            self.audit(action, actor=actor, practice=practice_id, details=details)

    def audit(self, action: str, *, actor: Actor, practice: str | None = None,
              fingerprint: str | None = None, details: dict | None = None) -> None:
        """Append one JSON line to the audit log (O_APPEND: lines never interleave)."""
        for word in _secret_keys(details or {}):
            raise ValueError(f"audit details must not hold secrets ({word!r})")  # untranslated
        if details and holds_bsn(details):
            # the last line of defence: a number that passes the 11-test is never written
            # (a backup or deploy path may be named like one: mask it, do not fail)
            details = _masked(details)
        entry: dict[str, object] = {"at": self.clock.now().isoformat(), "user": actor.user,
                 "ssh_client": actor.ssh_client, "action": action, "practice": practice,
                 "fingerprint": fingerprint}
        if details:
            entry["details"] = details
        line = (json.dumps(entry, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
        path = self.root / AUDIT_FILE
        # under the lock (other threads wait for it) the handle opened by lock() is used
        shared = self._audit_handle if self._lock_owner == threading.get_ident() else None
        try:
            handle = shared if shared is not None else self._open_audit()
            try:
                os.write(handle, line)
                os.fsync(handle)
            finally:
                if shared is None:
                    os.close(handle)
        except OSError as error:
            raise VecozoError(describe_os_error(error, path)) from None

    def audit_entries(self) -> list[dict]:
        try:
            text = read_regular_file(self.root / AUDIT_FILE, 1 << 30,
                                     follow_symlinks=False).decode("utf-8")
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    def _write_json(path: Path, data: dict) -> None:
        atomic_write_text(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")

    def _remove_directories(self, practice_id: str, names: list[str]) -> None:
        """Directories the index no longer names (purged, or replaced by a re-import of the
        same certificate)."""
        import shutil  # here, not at the top: the scripted reads must start fast

        # matched against what is there: a name from the index is never a path to follow
        for child in _real_children(self._practice_dir(practice_id) / "certificates",
                                    directories=True):
            if child.name in names:
                shutil.rmtree(child, ignore_errors=True)

    def _clean_after_crash(self, practice_id: str, index: dict) -> None:
        """Remove what an interrupted write left (see the module doc), under the lock.
        Any other directory is left alone: a lost or restored index must never cost a
        certificate."""
        import shutil

        practice_dir = self._practice_dir(practice_id)
        referenced = {entry.get("dir") for entry in index["certificates"].values()
                      if isinstance(entry, dict)}
        for child in _real_children(practice_dir / "certificates", directories=True):
            marker = child / UNFINISHED_MARKER
            if child.name.startswith(".incoming-"):
                shutil.rmtree(child, ignore_errors=True)
            elif not os.path.lexists(marker):
                continue
            elif child.name in referenced:  # activated; the crash came before the marker went
                with contextlib.suppress(OSError):
                    os.unlink(marker)
            else:
                shutil.rmtree(child, ignore_errors=True)
        for directory in (practice_dir, practice_dir / "state"):
            for child in _real_children(directory, directories=False):
                # only writers make these, and every writer holds the lock: they are stale
                if _CRASH_TEMP.match(child.name):
                    with contextlib.suppress(OSError):
                        os.unlink(child)

    def _refuse_lost_index(self, practice_id: str, index: dict) -> None:
        if index["certificates"]:
            return
        certificates_dir = self._practice_dir(practice_id) / "certificates"
        stored = [child for child in _real_children(certificates_dir, directories=True)
                  if not child.name.startswith(".")
                  and not os.path.lexists(child / UNFINISHED_MARKER)]
        if stored:
            raise VecozoError(
                ngettext("{index} is missing or empty, but {count} stored certificate exists "
                         "in {directory}. Restore practice.json from a backup of the server "
                         "first; nothing was changed.",
                         "{index} is missing or empty, but {count} stored certificates exist "
                         "in {directory}. Restore practice.json from a backup of the server "
                         "first; nothing was changed.", len(stored)).format(
                    index=self._practice_dir(practice_id) / INDEX_FILE, count=len(stored),
                    directory=certificates_dir)
            )

    def _audit_after_change(self, done: str, action: str, **fields) -> None:
        """Audit a change already made: a failure now must not read as 'nothing happened'."""
        try:
            self.audit(action, **fields)
        except VecozoError as error:
            raise VecozoError(_("{done}, but the audit log could not be written: {error}").format(
                done=done, error=error)) from None

    def _open_audit(self) -> int:
        path = self.root / AUDIT_FILE
        try:
            return _open_in_repository(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        except VecozoError as error:
            raise VecozoError(_("{error} Nothing was changed: every change must be in the "
                                "audit log.").format(error=error)) from None


def _json_object(raw: bytes, path: Path | str) -> dict:
    """The JSON object a metadata file holds; VecozoError naming ``path`` otherwise."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise VecozoError(_("{path} is damaged (not valid JSON); restore it from a backup "
                            "of the server.").format(path=path)) from None
    if not isinstance(data, dict):
        raise VecozoError(_("{path} is damaged (not a JSON object).").format(path=path))
    return data


def _checked_index(data: dict | None, path: Path | str) -> dict:
    """A practice's index (``practice.json``, None when there is none), checked."""
    if data is None:
        return {"format": 1, "active": None, "certificates": {}}
    certificates, active = data.get("certificates"), data.get("active")
    if not isinstance(certificates, dict) or (active is not None and (
            not isinstance(active, str) or active not in certificates)):
        raise VecozoError(_("{path} is damaged (its list of certificates does not fit "
                            "together); restore it from a backup of the server.").format(
            path=path))
    return data


def _practice_events(data: dict, path: Path | str) -> PracticeEvents:
    """The records of a practice's ``events.json`` (``data``, {} when there is none)."""
    backup, test = data.get("last_backup"), data.get("last_test_call")
    imported, deploys = data.get("last_import_at"), data.get("deploys")
    try:
        return PracticeEvents(
            last_backup=BackupRecord.from_dict(backup) if backup else None,
            last_test_call=TestCallRecord.from_dict(test) if test else None,
            last_import_at=aware_datetime(imported) if imported else None,
            deploys=(MappingProxyType({path: DeployRecord.from_dict(record)
                                       for path, record in deploys.items()})
                     if deploys else _NO_DEPLOYS),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise VecozoError(_("{path} is damaged (an incomplete record); remove it to start "
                            "the backup and test-call history afresh.").format(
            path=path)) from None


def _open_in_repository(path: Path, flags: int) -> int:
    """os.open for a file of the repository: never through a symlink (O_NOFOLLOW), only a
    regular file of this user's (checked on the open handle, so no race)."""
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | \
        getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.open(path, flags, PRIVATE_FILE_MODE)
    except OSError as error:
        if os.path.islink(path):
            raise VecozoError(symlink_problem(path)) from None
        raise VecozoError(describe_os_error(error, path)) from None
    try:
        info = os.fstat(handle)
    except OSError as error:
        os.close(handle)
        raise VecozoError(describe_os_error(error, path)) from None
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = _("{path} in the repository is not a regular file.").format(path=path)
    elif owned_by_someone_else(info):
        problem = (_("{path} belongs to another user ({user_name}, uid "
                     "{st_uid}); run vecozo-tui as the repository's owner.").format(
            path=path, user_name=user_name(info.st_uid), st_uid=info.st_uid))
    if problem:
        os.close(handle)
        raise VecozoError(problem)
    return handle


def _real_children(directory: Path, *, directories: bool) -> list[Path]:
    """The sub-directories (or regular files) of ``directory``, never a symlink."""
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as error:
        raise VecozoError(_("Cannot read {directory}: {reason}.").format(
            directory=directory, reason=error.strerror)) from None
    wanted = stat.S_ISDIR if directories else stat.S_ISREG
    found = []
    for entry in entries:
        try:
            if wanted(entry.stat(follow_symlinks=False).st_mode):
                found.append(Path(entry.path))
        except OSError:
            continue
    return found


def _secret_keys(details: dict) -> list[str]:
    found = []
    for key, value in details.items():
        if any(word in str(key).lower() for word in _SECRET_WORDS):
            found.append(str(key))
        if isinstance(value, dict):
            found += _secret_keys(value)
    return found


def _masked(value: Any) -> Any:
    """``value`` (audit details) with every BSN-like number masked, in nested values too."""
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, int) and not isinstance(value, bool) and holds_bsn(value):
        return scrub(str(value))
    return value


def _read_holder(path: Path) -> str:
    try:
        holder = json.loads(read_regular_file(path, 4096, follow_symlinks=False) or b"{}")
        who = str(holder.get("user", _("another admin")))
        client, since = holder.get("ssh_client"), holder.get("since")
        if client and since:
            return _("{user} (from {client}), since {since}").format(
                user=who, client=client, since=since)
        if client:
            return _("{user} (from {client})").format(user=who, client=client)
        if since:
            return _("{user}, since {since}").format(user=who, since=since)
        return who
    except (OSError, ValueError, AttributeError, VecozoError):
        return _("another admin")


if sys.platform == "win32":  # pragma: no cover - exercised on Windows servers only
    import msvcrt

    # a byte far past the holder's JSON, so another process can still read who holds it
    _LOCK_OFFSET = 1 << 20

    def _try_lock(handle: int) -> bool:
        try:
            os.lseek(handle, _LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(handle: int) -> None:
        with contextlib.suppress(OSError):
            os.lseek(handle, _LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(handle: int) -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)
