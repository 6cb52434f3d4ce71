"""Plain terminals (a Linux console, an old PuTTY with a non-UTF-8 character set): ASCII
only, decided from TERM and the locale, or forced by `[ui] ascii` in the config."""

from __future__ import annotations

import pytest

from vecozo_tui.config import parse_config
from vecozo_tui.errors import ConfigError
from vecozo_tui.textfmt import ascii_terminal, to_ascii

UTF8 = {"TERM": "xterm-256color", "LANG": "nl_NL.UTF-8"}


@pytest.mark.parametrize("env", [
    {"TERM": "linux", "LANG": "nl_NL.UTF-8"},
    {"TERM": "vt100", "LANG": "C.UTF-8"},
    {"TERM": "vt220"},
    {"TERM": "xterm-256color", "LC_ALL": "C", "LANG": "nl_NL.UTF-8"},  # LC_ALL wins
    {"TERM": "xterm", "LANG": "nl_NL.ISO-8859-1"},
    {"TERM": "xterm", "LC_CTYPE": "POSIX"},
    {"TERM": "xterm"},  # no locale at all: POSIX says "C"
], ids=["linux", "vt100", "vt220", "lc-all-c", "latin-1", "posix", "no-locale"])
def test_plain_terminals_get_ascii(env):
    assert ascii_terminal(env, platform="linux")


@pytest.mark.parametrize("env", [
    UTF8,
    {"TERM": "xterm", "LC_ALL": "en_US.utf8"},
    {"TERM": "screen-256color", "LC_CTYPE": "C.UTF-8", "LANG": "C"},
], ids=["lang", "lc-all-utf8", "lc-ctype"])
def test_utf8_terminals_keep_their_glyphs(env):
    assert not ascii_terminal(env, platform="linux")


def test_the_config_decides_when_it_says_so():
    assert ascii_terminal(UTF8, forced=True, platform="linux")
    assert not ascii_terminal({"TERM": "linux"}, forced=False, platform="linux")


def test_windows_has_no_locale_variables_to_go_by():
    assert not ascii_terminal({}, platform="win32")
    assert ascii_terminal({}, forced=True, platform="win32")


def test_to_ascii_keeps_every_cell_width():
    for text, expected in [
        ("Huisarts…De Linde", "Huisarts~De Linde"),
        ("┃ J  ·", "| J  ."),
        ("╭──╮", "+--+"),
        ("→ ← ↑ ↓", "> < ^ v"),
        ("Tandartspraktijk Één", "Tandartspraktijk Een"),
        ("🔎x", "??x"),  # two cells wide: two characters
        ("plain", "plain"),
    ]:
        assert to_ascii(text) == expected
        assert to_ascii(text).isascii()


def test_ui_ascii_in_the_config(tmp_path):
    repository = tmp_path / "repository"
    repository.mkdir(mode=0o700)
    base = f'[repository]\npath = "{repository}"\n'
    assert parse_config(base, tmp_path / "c.toml").ui.ascii is None
    assert parse_config(base + "[ui]\nascii = true\n", tmp_path / "c.toml").ui.ascii is True
    with pytest.raises(ConfigError, match="ui.ascii.*true or false"):
        parse_config(base + '[ui]\nascii = "yes"\n', tmp_path / "c.toml")
