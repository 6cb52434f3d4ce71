"""One time limit for a whole test call, and a way to stop it from another thread.

A socket timeout bounds each read, not the call: a server that sends one byte a
second would keep a call going for ever. The test call therefore carries a
:class:`Deadline` (``[cov] timeout_seconds`` from its start); every connect, handshake,
read and write of the call is given only the time that is left. A
:class:`Cancellation` (the console's Escape, quitting) ends the call at once: it shuts
down the call's sockets, which wakes up a read that is waiting.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from vecozo_tui.i18n import _


class CallCancelled(Exception):  # noqa: N818 - reads as what happened
    """The test call was cancelled (not a failure of the certificate or the server)."""


class Cancellation:
    """Set from any thread; the call in progress stops as soon as it can."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        self._event.set()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True at once when cancelled."""
        return self._event.wait(max(seconds, 0.0))

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down when the call is cancelled (at once when it already is)."""
        with self._lock:
            if not self._event.is_set():
                self._sockets.append(sock)
                return
        _shut(sock)

    def forget_all(self) -> None:
        with self._lock:
            self._sockets = []


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class Deadline:
    """``seconds`` from now, for everything the call does."""

    def __init__(self, seconds: float, cancellation: Cancellation | None = None) -> None:
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds
        self.cancellation = cancellation or Cancellation()

    def remaining(self) -> float:
        return max(self.ends_at - time.monotonic(), 0.0)

    @property
    def cancelled(self) -> bool:
        return self.cancellation.cancelled

    def check(self) -> float:
        """The seconds left; CallCancelled or TimeoutError when there are none."""
        if self.cancellation.cancelled:
            raise CallCancelled
        left = self.remaining()
        if left <= 0:
            raise TimeoutError(_("the test call took longer than {seconds} s").format(
                seconds=format(self.seconds, "g")))
        return left

    def bound(self, sock: socket.socket) -> None:
        """Give ``sock``'s next blocking operation at most the time that is left."""
        left = self.check()
        current = sock.gettimeout()
        if current is None or current > left:
            sock.settimeout(left)
