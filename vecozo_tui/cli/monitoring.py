"""``check`` (Nagios/Icinga plugin) and ``metrics`` (Prometheus textfile)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from vecozo_tui.i18n import _, ngettext
from vecozo_tui.monitoring import (
    METRICS_FILE_MODE,
    UNKNOWN,
    Snapshot,
    carried_samples,
    check_report,
    check_thresholds,
    metrics_text,
    open_repository,
    os_reason,
    read_previous_metrics,
    read_snapshot,
    unknown_output,
)

if TYPE_CHECKING:
    from vecozo_tui.cli.main import Invocation
    from vecozo_tui.config import Config
    from vecozo_tui.expiry import ExpiryThresholds
    from vecozo_tui.repository import Repository


def _open(invocation: Invocation) -> tuple[Config, Repository]:
    from vecozo_tui.config import load_config

    config = load_config(invocation.args.config, invocation.env, check_repository=False)
    invocation.use_config_language(config)
    return config, open_repository(config, invocation.clock)


def run_check(invocation: Invocation) -> int:
    """``vecozo-tui check``: status line + long text + perfdata on stdout; exit 0-3."""
    answer = _OneAnswer(invocation)
    timeout = getattr(invocation.args, "timeout", None)
    watchdog = None
    if timeout:
        watchdog = threading.Timer(timeout, answer.time_out, args=(timeout,))
        watchdog.daemon = True
        watchdog.start()
    state, output = _check(invocation)
    if watchdog is not None:
        watchdog.cancel()
    return state if answer.give(output) else UNKNOWN


def _check(invocation: Invocation) -> tuple[int, str]:
    args = invocation.args
    try:
        from vecozo_tui.errors import VecozoError

        try:
            config, repository = _open(invocation)
            thresholds = check_thresholds(config, getattr(args, "warning", None),
                                          getattr(args, "critical", None))
            snapshot = read_snapshot(config, repository, invocation.clock.now(), thresholds)
            state, output = check_report(snapshot, thresholds)
            if getattr(args, "verbose", 0):
                output += "\n" + _what_was_checked(snapshot, thresholds)
        except VecozoError as error:
            state, output = UNKNOWN, unknown_output(str(error))
        except OSError as error:
            state, output = UNKNOWN, unknown_output(os_reason(error))
    except Exception as error:  # noqa: BLE001 - a plugin must answer UNKNOWN, not crash with 1
        state, output = UNKNOWN, unknown_output(
            _("internal error ({name}: {error}); please report this").format(
                name=type(error).__name__, error=error))
    return state, output


def _what_was_checked(snapshot: Snapshot, thresholds: ExpiryThresholds) -> str:
    """-v: which files and thresholds this run used (sudo and agents change them)."""
    config = snapshot.config
    count = len(snapshot.rows) + len(snapshot.unreadable)
    return ngettext("checked {count} practice of {config} in {repository}: warning below "
                    "{warning} days, critical below {critical} days",
                    "checked {count} practices of {config} in {repository}: warning below "
                    "{warning} days, critical below {critical} days", count).format(
        count=count, config=config.path, repository=config.repository,
        warning=thresholds.warning_days, critical=thresholds.critical_days)


class _OneAnswer:
    """The plugin answers once: with the check's output, or, when the check takes longer
    than -t, with UNKNOWN from the watchdog thread."""

    def __init__(self, invocation: Invocation):
        self._invocation = invocation
        self._lock = threading.Lock()
        self._given = False

    def give(self, output: str) -> bool:
        with self._lock:
            if self._given:
                return False
            self._given = True
            self._invocation.out(output)
            self._invocation.stdout.flush()
            return True

    def time_out(self, seconds: int) -> None:
        if self.give(unknown_output(ngettext(
                "no answer within {count} second (-t/--timeout): is the repository on a "
                "slow or hung file system?",
                "no answer within {count} seconds (-t/--timeout): is the repository on a "
                "slow or hung file system?", seconds).format(count=seconds))):
            # the check may be stuck in a read that never returns: end the process here
            os._exit(UNKNOWN)


def run_metrics(invocation: Invocation) -> int:
    """``vecozo-tui metrics [--output FILE]``: exit 0, or 1 when the repository could not be
    read (the metrics, with vecozo_repository_up 0, are written all the same) or the file
    could not be written."""
    from vecozo_tui.errors import VecozoError

    now = invocation.clock.now()
    error: tuple[str, str] | None = None
    snapshot: Snapshot | None = None
    stage = "config"
    try:
        from vecozo_tui.config import load_config

        # the repository is checked by open_repository, so that its problems are
        # reported as reason "repository", not "config"
        config = load_config(invocation.args.config, invocation.env, check_repository=False)
        invocation.use_config_language(config)
        for warning in config.warnings:
            invocation.err(_("warning: {warning}").format(warning=warning))
        stage = "repository"
        repository = open_repository(config, invocation.clock)
        snapshot = read_snapshot(config, repository, now)
    except VecozoError as problem:
        error = (stage, str(problem))
    except OSError as problem:
        error = (stage, os_reason(problem))
    except Exception as problem:  # noqa: BLE001 - the file must still say up=0 so alerts fire
        # no traceback, not even in the journal: the one line names the error
        error = ("internal", _("internal error ({name}: {error}); please report this").format(
            name=type(problem).__name__, error=problem))
    output = getattr(invocation.args, "output", None)
    target = Path(output) if output and output != "-" else None
    carried: list[tuple[str, str]] = []
    if error is not None and target is not None:
        carried = carried_samples(read_previous_metrics(target), now)
    text = metrics_text(snapshot, now, error=error, carried=carried)

    if target is not None:
        from vecozo_tui.fsutil import atomic_write_text

        try:
            atomic_write_text(target, text, METRICS_FILE_MODE)
        except VecozoError as problem:
            invocation.err(f"vecozo-tui: {problem}")
            return 1
    else:
        invocation.stdout.write(text)
        invocation.stdout.flush()
    if error is not None:
        first = error[1].splitlines()[0] if error[1] else error[0]
        invocation.err("vecozo-tui: " + _("the repository could not be read ({reason}): "
                                          "{problem}").format(reason=error[0], problem=first))
        return 1
    if snapshot is not None and snapshot.unreadable:
        for entry in snapshot.unreadable:
            invocation.err(f"vecozo-tui: {entry.practice.id}: {entry.reason}")
    return 0
