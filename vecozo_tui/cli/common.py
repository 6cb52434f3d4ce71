"""What most commands start with: the configuration, the repository, the practice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING

from vecozo_tui.i18n import _, english

if TYPE_CHECKING:
    from vecozo_tui.cli.main import Invocation
    from vecozo_tui.config import Config, Practice
    from vecozo_tui.repository import Repository


def load_config_and_repository(invocation: Invocation) -> tuple[Config, Repository]:
    from vecozo_tui.config import load_config

    return config_in_use(invocation, load_config(invocation.args.config, invocation.env))


def config_in_use(invocation: Invocation, config: Config) -> tuple[Config, Repository]:
    """A configuration just read: its language counts, its warnings are shown."""
    from vecozo_tui.repository import Repository

    invocation.use_config_language(config)
    for warning in config.warnings:
        invocation.err(_("warning: {warning}").format(warning=warning))
    return config, Repository(config.repository, clock=invocation.clock)


def find_practice(config: Config, key: str) -> Practice:
    """A practice by id, or by AGB code when exactly one practice has it."""
    by_agb = [p for p in config.practices if p.agb == key]
    if len(by_agb) == 1 and not any(p.id == key for p in config.practices):
        return by_agb[0]
    return config.practice(key)


@contextmanager
def machine_language(wanted: bool = True) -> Iterator[None]:
    """With ``wanted`` (``--json``): the texts built inside are English, whatever the
    language people read, so that a script reads the same JSON for a Dutch and an
    English user (its reasons and messages included)."""
    with english() if wanted else nullcontext():
        yield


def print_json(invocation: Invocation, data: object) -> None:
    """Indented for a person at a terminal; one line for a program that reads it (a
    pipe, a file), as `gh` does: the standard library writes that line in C, the indented
    form in Python, three times slower (35 ms for `status --json` on 1,000 practices)."""
    at_a_terminal = getattr(invocation.stdout, "isatty", None)  # None: stdout was closed
    if at_a_terminal is not None and at_a_terminal():
        invocation.out(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        # the separators of the indented form, so that a grep for '"level": "EXPIRED"' works
        invocation.out(json.dumps(data, ensure_ascii=False))
