"""Typed messages that workers post back to their screen.

A worker runs blocking work (decrypting a PKCS#12 file, a network call, a file copy)
in a thread and ends by posting one of these; the screen handles it with ``@on`` on
the UI thread. Tests can watch them with ``run_test(message_hook=...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from textual.message import Message
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from typing import TypeAlias

    from textual.message_pump import MessagePump

    from vecozo_tui.backup import BackupResult  # noqa: F401 - in quoted generics below
    from vecozo_tui.certificates import LoadedPkcs12, Pkcs12Contents
    from vecozo_tui.cov.diagnosis import Diagnosis, Step  # noqa: F401 - as above
    from vecozo_tui.deploy import DeployReport  # noqa: F401 - as above
    from vecozo_tui.repository import StoredCertificate
    from vecozo_tui.walkthroughs import Progress, RenderContext

    # the file decrypted: (everything in it, the one chosen by default or None when
    # several fit equally, the password, the active certificate when it was opened)
    OpenedCertificate: TypeAlias = tuple[Pkcs12Contents, LoadedPkcs12 | None, str,
                                         StoredCertificate | None]

ResultT = TypeVar("ResultT")


class WorkDone(Message, Generic[ResultT], bubble=False):
    """A worker ended: with ``result``, or with ``error`` (a problem to show, or a bug).
    These messages do not bubble: they are for the screen that started the work."""

    def __init__(self, result: ResultT | None = None, *, error: Exception | None = None,
                 attempt: int = 0) -> None:
        super().__init__()
        self.result = result
        self.error = error
        # which try of the user's this answers: a screen drops answers to earlier ones
        self.attempt = attempt

    def __repr__(self) -> str:  # never the result: it may hold a key or a password
        outcome = "error" if self.error is not None else "result"
        return f"{type(self).__name__}({outcome}, attempt={self.attempt})"


def post_outcome(target: MessagePump, message_type: type[WorkDone[ResultT]],
                 work: Callable[[], ResultT], *, attempt: int = 0) -> None:
    """In a thread worker: run ``work`` and post its outcome to ``target``; nothing when
    the worker was cancelled meanwhile (a newer one replaced it, or the screen left)."""
    try:
        message = message_type(work(), attempt=attempt)
    except Exception as error:  # noqa: BLE001 - every failure is shown by the screen
        message = message_type(error=error, attempt=attempt)
    if not get_current_worker().is_cancelled:
        target.post_message(message)


class CertificateFileRead(WorkDone[tuple[Path, bytes]], bubble=False):
    """The import screen read the chosen file (not decrypted yet)."""


class CertificateOpened(WorkDone["OpenedCertificate"], bubble=False):
    """The file was decrypted: (contents, chosen, password, active then)."""


class CertificateStored(WorkDone["StoredCertificate"], bubble=False):
    """The import was stored in the repository."""


class TestCallStepDecided(Message, bubble=False):
    """One check of the test call was decided (the list lights up as they come)."""

    def __init__(self, step: Step) -> None:
        super().__init__()
        self.step = step


class TestCallDone(WorkDone["Diagnosis"], bubble=False):
    """The test call ended; its outcome is recorded with the practice."""


class BackupWritten(WorkDone["BackupResult"], bubble=False):
    """The backup was written, read back and compared."""


class Deployed(WorkDone["DeployReport"], bubble=False):
    """The active certificate went to the practice's deploy targets: each target's
    outcome is in the report (an error: nothing was deployed, e.g. a wrong password)."""


@dataclass
class WalkthroughView:
    """What the walkthrough screen shows of one walkthrough, read under its lock."""

    progress: Progress
    render: RenderContext
    backup_warning: str | None = None


class WalkthroughChoices(
        WorkDone["tuple[str, str, dict[str, Progress | None]]"],  # untranslated: type
        bubble=False):
    """The suggested walkthrough, why, and the progress of each kind."""


class WalkthroughLoaded(WorkDone[WalkthroughView], bubble=False):
    """A walkthrough was opened, ticked or noted (its progress as now stored)."""


class WalkthroughExported(WorkDone[Path], bubble=False):
    """The record was written to this file."""


class WalkthroughSummaries(WorkDone[dict[str, str]], bubble=False):
    """Practice id -> a short word on its walkthrough, for the dashboard's column."""
