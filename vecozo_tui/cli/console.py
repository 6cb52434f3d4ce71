"""``vecozo-tui`` (the console) and ``vecozo-tui demo``: the only CLI module that opens
the TUI, and it imports Textual only inside these functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecozo_tui.cli.common import load_config_and_repository
from vecozo_tui.i18n import _

if TYPE_CHECKING:
    from vecozo_tui.cli.main import Invocation


def run_tui(invocation: Invocation) -> int:
    from vecozo_tui.tui.app import run_app

    config, repository = load_config_and_repository(invocation)
    return run_app(config, repository, clock=invocation.clock)


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
