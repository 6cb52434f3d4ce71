"""``check`` (Nagios/Icinga plugin) and ``metrics`` (Prometheus textfile)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecozo_tui.monitoring import (
    METRICS_FILE_MODE,
    UNKNOWN,
    Snapshot,
    check_report,
    check_thresholds,
    metrics_text,
    open_repository,
    os_reason,
    read_snapshot,
    unknown_output,
)

if TYPE_CHECKING:
    from vecozo_tui.cli.main import Invocation
    from vecozo_tui.config import Config
    from vecozo_tui.repository import Repository


def _open(invocation: Invocation) -> tuple[Config, Repository]:
    from vecozo_tui.config import load_config

    config = load_config(invocation.args.config, invocation.env)
    return config, open_repository(config, invocation.clock)


def run_check(invocation: Invocation) -> int:
    """``vecozo-tui check``: status line + long text + perfdata on stdout; exit 0-3."""
    args = invocation.args
    try:
        from vecozo_tui.errors import VecozoError

        try:
            config, repository = _open(invocation)
            thresholds = check_thresholds(config, getattr(args, "warning", None),
                                          getattr(args, "critical", None))
            snapshot = read_snapshot(config, repository, invocation.clock.now(), thresholds)
            state, output = check_report(snapshot, thresholds)
        except VecozoError as error:
            state, output = UNKNOWN, unknown_output(str(error))
        except OSError as error:
            state, output = UNKNOWN, unknown_output(os_reason(error))
    except Exception as error:  # noqa: BLE001 - a plugin must answer UNKNOWN, not crash with 1
        state, output = UNKNOWN, unknown_output(
            f"internal error ({type(error).__name__}: {error}); please report this")
    invocation.out(output)
    return state


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

        config = load_config(invocation.args.config, invocation.env)
        for warning in config.warnings:
            invocation.err(f"warning: {warning}")
        stage = "repository"
        repository = open_repository(config, invocation.clock)
        snapshot = read_snapshot(config, repository, now)
    except VecozoError as problem:
        error = (stage, str(problem))
    except OSError as problem:
        error = (stage, os_reason(problem))
    except Exception as problem:  # noqa: BLE001 - the file must still say up=0 so alerts fire
        import traceback

        traceback.print_exc(file=invocation.stderr)
        error = ("internal", f"internal error ({type(problem).__name__}: {problem})")
    text = metrics_text(snapshot, now, error=error)

    output = getattr(invocation.args, "output", None)
    if output and output != "-":
        from pathlib import Path

        from vecozo_tui.fsutil import atomic_write_text

        try:
            atomic_write_text(Path(output), text, METRICS_FILE_MODE)
        except VecozoError as problem:
            invocation.err(f"vecozo-tui: {problem}")
            return 1
    else:
        invocation.stdout.write(text)
        invocation.stdout.flush()
    if error is not None:
        first = error[1].splitlines()[0] if error[1] else error[0]
        invocation.err(f"vecozo-tui: the repository could not be read ({error[0]}): {first}")
        return 1
    if snapshot is not None and snapshot.unreadable:
        for entry in snapshot.unreadable:
            invocation.err(f"vecozo-tui: {entry.practice.id}: {entry.reason}")
    return 0
