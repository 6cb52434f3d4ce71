"""``vecozo-tui`` (the console) and ``vecozo-tui demo``: the only CLI module that opens
the TUI, and it imports Textual only inside these functions."""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from vecozo_tui.cli.common import config_in_use, load_config_and_repository
from vecozo_tui.i18n import _
from vecozo_tui.read_ahead import ReadAhead

if TYPE_CHECKING:
    from vecozo_tui.cli.main import Invocation
    from vecozo_tui.overview import FirstReading
    from vecozo_tui.tui.app import VecozoApp


def run_tui(invocation: Invocation, *,
            on_ready: Callable[[VecozoApp], None] | None = None,
            headless_size: tuple[int, int] | None = None) -> int:
    """The console. For the start-up benchmark: ``on_ready`` is called once the
    dashboard's first screenful is painted; with ``headless_size`` the app runs without
    a terminal, at that size."""
    # Start-up makes a great many objects and frees almost none: the cycle collector
    # would walk them all, more than once, a tenth of Textual's import time alone. The
    # app turns it on again once the dashboard has every row.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # the configuration and the rows are read in a helper process meanwhile
        ahead = ReadAhead.start(partial(_first_reading, invocation))
        try:
            from vecozo_tui.tui.app import run_app
        except BaseException:  # a broken install, Ctrl+C: the helper is not left waiting
            if ahead is not None:
                ahead.cancel()
            raise

        reading = ahead.result() if ahead is not None else None
        if reading is None:
            config, repository = load_config_and_repository(invocation)
        else:
            config, repository = config_in_use(invocation, reading.config)
        return run_app(config, repository, clock=invocation.clock, first_reading=reading,
                       collector_paused=collecting, on_ready=on_ready,
                       headless_size=headless_size)
    finally:
        if collecting:
            gc.enable()


def _first_reading(invocation: Invocation) -> FirstReading:
    """What the dashboard shows first, as run_tui's own reading would find it (in the
    helper process: its language too)."""
    from vecozo_tui.config import find_config_path
    from vecozo_tui.overview import file_stamp, first_reading

    config_stamp = file_stamp(find_config_path(invocation.args.config, invocation.env))
    # its warnings go to the helper's /dev/null: the console shows them from the answer
    config, repository = load_config_and_repository(invocation)
    return first_reading(config, repository, invocation.clock.now(),
                         config_stamp=config_stamp)


def run_demo(invocation: Invocation) -> int:
    from vecozo_tui.config import load_config
    from vecozo_tui.demo import running_demo
    from vecozo_tui.repository import Repository
    from vecozo_tui.tui.app import run_app

    args = invocation.args
    now = invocation.clock.now()
    with running_demo(now, keep=args.keep, directory=args.dir) as demo:
        config = load_config(demo.config_path)
        invocation.use_config_language(config)
        repository = Repository(config.repository, clock=invocation.clock)
        code = run_app(config, repository, clock=invocation.clock, demo=demo)
    if args.keep:
        invocation.out(_("Demo kept in {directory} (config: {config})").format(
            directory=demo.directory, config=demo.config_path))
    return code
