"""Work done in a helper process while this one goes on: the console reads its
configuration and its thousand practices' metadata there while it imports Textual.

Both take a fifth of a second or so and neither waits for the other, but Python runs
one of them at a time in one process; a second process on a second core makes the
start about that much shorter. The helper is a fork of this process: it has the same
modules, arguments and language, and what it finds comes back pickled through a pipe
(only from this process's own child, never from a file).

Anything unusual means "do the work here": no fork on this system, a single core, a
process that already runs threads (a fork copies none of them, and a lock one of them
held stays locked in the copy), a failed fork, a helper that failed or was killed. So
the helper never decides what the user sees; an error in the configuration, for one,
is met again here and reported as always. The helper writes nothing else anywhere: its
standard streams are /dev/null.
"""

from __future__ import annotations

import contextlib
import copyreg
import io
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from types import MappingProxyType
from typing import Generic, TypeVar

T = TypeVar("T")


def _mapping_proxy(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


def _reduce_mapping_proxy(proxy: MappingProxyType) -> tuple:
    return _mapping_proxy, (dict(proxy),)


# the configuration's read-only tables are mapping proxies, which pickle cannot carry
_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH[MappingProxyType] = _reduce_mapping_proxy


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


# cgroup v2's CPU limit: "max 100000" (none) or "QUOTA PERIOD" (a container's --cpus)
CPU_LIMIT_FILE = "/sys/fs/cgroup/cpu.max"


def usable_cores() -> float:
    """The cores this process may use: the ones it may run on, and no more than its
    container's CPU limit (a helper that shares one core with the console is slower)."""
    try:
        cores: float = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1
    try:
        with open(CPU_LIMIT_FILE, encoding="ascii") as limit:
            quota, period = limit.read().split()[:2]
        if quota != "max":
            cores = min(cores, int(quota) / int(period))
    except (OSError, ValueError, ZeroDivisionError):  # no cgroup v2, or unreadable
        pass
    return cores


def worth_a_helper() -> bool:
    return hasattr(os, "fork") and usable_cores() >= 2 and threading.active_count() == 1


class ReadAhead(Generic[T]):
    """``work()`` running in a helper process; :meth:`result` waits for what it returns."""

    def __init__(self, pid: int, pipe: int):
        self._pid = pid
        self._pipe = pipe

    @classmethod
    def start(cls, work: Callable[[], T]) -> ReadAhead[T] | None:
        """The helper, started; None when it is not worth it or could not start."""
        if not worth_a_helper():
            return None
        try:
            reading_end, writing_end = os.pipe()
        except OSError:
            return None
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:  # no memory, too many processes
            os.close(reading_end)
            os.close(writing_end)
            return None
        if pid == 0:  # pragma: no cover - the helper itself (measured by its effect)
            os.close(reading_end)
            _run_helper(work, writing_end, parent)
        os.close(writing_end)
        return cls(pid, reading_end)

    def result(self) -> T | None:
        """What the helper found; None when it has nothing (do the work here). Ctrl+C
        while waiting ends the helper too."""
        chunks = []
        try:
            while chunk := os.read(self._pipe, 1 << 20):
                chunks.append(chunk)
        except BaseException:
            self.cancel()
            raise
        os.close(self._pipe)
        _, status = os.waitpid(self._pid, 0)
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not chunks:
            return None
        try:
            return pickle.loads(b"".join(chunks))  # noqa: S301 - our own child's answer
        except Exception:  # noqa: BLE001 - a cut answer: do the work here
            return None

    def cancel(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self._pipe)
        with contextlib.suppress(OSError):
            os.waitpid(self._pid, 0)


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _end_with_parent(parent: int) -> None:  # pragma: no cover - in the helper
    """Linux ends the helper when the console ends (killed, crashed, closed), so that a
    helper reading a slow repository never outlives it."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the helper ends when its work does
        pass
    if os.getppid() != parent:  # the console ended before that
        os._exit(1)


def _run_helper(work: Callable[[], T], pipe: int, parent: int
                ) -> None:  # pragma: no cover - in the helper
    code = 1
    try:
        _end_with_parent(parent)
        nothing = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(nothing, stream)
        # and Python's own streams, which may be other files than those (a test's)
        sys.stdin = sys.stdout = sys.stderr = open(os.devnull, "r+", encoding="utf-8")  # noqa: SIM115
        answer = _dumps(work())
        view = memoryview(answer)
        while view:
            view = view[os.write(pipe, view):]
        code = 0
    except BaseException:  # noqa: BLE001, S110 - whatever it was, the parent does the work
        pass
    finally:
        # no atexit handlers, no flushing of the parent's buffered output: only this
        os._exit(code)
