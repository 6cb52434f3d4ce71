"""Crash-safe file writing and bounded reading, shared by the repository, backups, config
and metrics.

Every write goes to a temporary file in the target's own directory, is fsynced,
renamed over the target and the directory is fsynced: a crash at any point leaves
the old file or the new one, never a mix.

Every read of a file goes through :func:`read_regular_file`: only a regular file, of a
bounded size, is read. A FIFO would hang the reader, ``/dev/zero`` would eat the memory
until the system kills the process; both are a clear :class:`VecozoError` instead.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import _

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def describe_os_error(error: OSError, path: Path | str) -> str:
    """Plain-language text for an OSError while writing ``path``."""
    if error.errno == errno.ENOSPC:
        return _("The disk is full while writing {path}; nothing was changed. Free space "
                 "and retry.").format(path=path)
    if error.errno == errno.EDQUOT:
        return _("Disk quota exceeded while writing {path}; nothing was changed.").format(path=path)
    if error.errno in (errno.EACCES, errno.EPERM):
        return _("No permission to write {path}.").format(path=path)
    if error.errno == errno.EROFS:
        return _("{path} is on a read-only file system.").format(path=path)
    if error.errno == errno.ENOENT:
        return _("The directory for {path} does not exist.").format(path=path)
    return _("Could not write {path}: {reason}.").format(path=path, reason=error.strerror or error)


def fsync_directory(directory: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync; rename is durable enough there
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_temporary_file(path: Path) -> tuple[int, str]:
    """A new file next to ``path``, ``.<name>.<8 random>.tmp``, 0600, open for writing:
    what tempfile.mkstemp makes, without importing tempfile (with random and shutil that
    is 5 ms of every `metrics --output` run)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | \
        getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _attempt in range(100):
        name = os.path.join(path.parent, f".{path.name}.{os.urandom(4).hex()}.tmp")
        try:
            return os.open(name, flags, PRIVATE_FILE_MODE), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, _("no free name for a temporary file"), str(path))


def atomic_write_bytes(path: Path, data: bytes, mode: int = PRIVATE_FILE_MODE) -> None:
    """Replace ``path`` with ``data`` atomically; raise VecozoError on OS failure."""
    path = Path(path)
    directory = path.parent
    tmp_name: str | None = None
    try:
        fd, tmp_name = new_temporary_file(path)
        with os.fdopen(fd, "wb") as handle:  # closes fd exactly once, also on failure
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        replace_file(tmp_name, path)
        tmp_name = None
        fsync_directory(directory)
    except OSError as error:
        raise VecozoError(describe_os_error(error, path)) from error
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def atomic_write_text(path: Path, text: str, mode: int = PRIVATE_FILE_MODE) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def write_new_file(path: Path, data: bytes, mode: int = PRIVATE_FILE_MODE) -> None:
    """Atomically create ``path``; refuse to overwrite an existing file."""
    path = Path(path)
    tmp_name: str | None = None
    created = False
    try:
        fd, tmp_name = new_temporary_file(path)
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # link() fails if the target exists, so a concurrent writer cannot be overwritten
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            raise VecozoError(_("{path} already exists; choose another name.").format(
                path=path)) from None
        except OSError as error:
            if error.errno not in _NO_HARD_LINKS:
                raise
            # FAT/exFAT sticks and many SMB shares have no hard links: create exclusively
            # and write in place; the caller verifies what it wrote (backups read it back)
            _write_exclusive(path, data, mode)
        created = True
        fsync_directory(path.parent)
    except OSError as error:
        if created:  # the caller is told it failed: leave nothing it does not know about
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise VecozoError(describe_os_error(error, path)) from error
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV,
                  errno.EMLINK}


def _write_exclusive(path: Path, data: bytes, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     mode)
    except FileExistsError:
        raise VecozoError(_("{path} already exists; choose another name.").format(
            path=path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def replace_file(source: str, target: Path) -> None:
    """os.replace; on Windows retried briefly, as a reader holding the target open
    (a monitoring run) makes it fail for a moment."""
    if os.name != "nt":
        os.replace(source, target)
        return
    import time

    for attempt in range(20):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if attempt == 19:
                raise
            time.sleep(0.05)


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) with mode 0700 where missing."""
    path = Path(path)
    missing = [path, *(parent for parent in path.parents if not parent.exists())]
    try:
        # parents=True would give the missing parents the umask's mode, not 0700
        for directory in reversed(missing):
            directory.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
            if os.name != "nt":
                os.chmod(directory, PRIVATE_DIR_MODE)
    except OSError as error:
        raise VecozoError(describe_os_error(error, path)) from error


def read_regular_file(path: Path | str, limit: int, *, follow_symlinks: bool = True,
                      what: str = "") -> bytes:
    """The bytes of ``path`` when it is a regular file of at most ``limit`` bytes.

    FileNotFoundError propagates (the callers know what a missing file means); anything
    else that is wrong (a FIFO, a device, a directory, too large, a symlink when
    ``follow_symlinks`` is False, no permission) is a VecozoError naming the file
    (``what`` it is, e.g. "the password file"). A FIFO is opened without blocking, so
    nothing hangs.
    """
    named = f"{what} {path}" if what else str(path)
    flags = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
             | getattr(os, "O_CLOEXEC", 0))
    if not follow_symlinks:
        if not hasattr(os, "O_NOFOLLOW") and os.path.islink(path):  # Windows
            raise VecozoError(symlink_problem(path))
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as error:
        if not follow_symlinks and error.errno in (errno.ELOOP, errno.EMLINK) \
                and os.path.islink(path):
            raise VecozoError(symlink_problem(path)) from None
        raise VecozoError(_read_error(error, named)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise VecozoError(_("Cannot read {named}: it is {kind}, not a "
                                "regular file (put the file itself there).").format(
                named=named, kind=_kind(info.st_mode)))
        if info.st_size > limit:
            raise VecozoError(_too_large(named, limit))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # the file may grow after fstat()
            chunk = os.read(fd, min(limit + 1 - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise VecozoError(_too_large(named, limit))
        return b"".join(chunks)
    except OSError as error:
        raise VecozoError(_read_error(error, named)) from None
    finally:
        os.close(fd)


def _read_error(error: OSError, named: str) -> str:
    if error.errno in (errno.EACCES, errno.EPERM):
        return _("No permission to read {named}.").format(named=named)
    return _("Cannot read {named}: {reason}.").format(named=named, reason=error.strerror or error)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return _("not a regular file")


def _too_large(named: str, limit: int) -> str:
    shown = f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"
    return (_("Cannot read {named}: it is larger than {shown}, far more than such a file "
              "holds.").format(named=named, shown=shown))


def symlink_problem(path: Path | str) -> str:
    return (_("{path} is a symbolic link; vecozo-tui never follows one inside the repository "
              "(it could point anywhere, e.g. at a file of root's). Replace it with the real "
              "file or directory, or remove it.").format(path=path))


def owned_by_someone_else(info: os.stat_result) -> bool:
    """True when another user than the one running vecozo-tui owns it (never on Windows,
    which has no uid owners)."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and info.st_uid != geteuid()


def user_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid {uid}"


def writable_by_others(path: Path) -> bool:
    """True when group or other users may write ``path`` (always False on Windows)."""
    if os.name == "nt":
        return False
    mode = os.stat(path).st_mode
    return bool(mode & (stat.S_IWGRP | stat.S_IWOTH))
