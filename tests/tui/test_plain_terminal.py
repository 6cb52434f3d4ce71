"""On a Linux console, a vt100 or a non-UTF-8 locale the console draws ASCII only: no
box drawing, no arrows, no '…', no emoji; `[ui] ascii = true` forces it."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tests.tui_support import SNAP_ID, make_world, plain_environment, settle

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


def screen_text(app) -> str:
    """Every cell of the screen as the terminal gets it (after the app's line filters)."""
    update = app.screen._compositor.render_update(full=True)
    console = Console(width=app.size.width, record=True, file=io.StringIO(),
                      color_system=None)
    console.print(update)
    return console.export_text()


def non_ascii(text: str) -> set[str]:
    return {char for char in text if not char.isascii()}


@pytest.mark.parametrize("env", [{"TERM": "linux"}, {"TERM": "vt100"},
                                 {"LC_ALL": "C"}], ids=["linux", "vt100", "lc-all-c"])
async def test_plain_terminals_get_ascii_only(tmp_path, monkeypatch, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = {"dashboard": screen_text(app)}
        await pilot.press("question_mark")
        await settle(pilot)
        seen["help"] = screen_text(app)
        await pilot.press("escape", "p")
        await settle(pilot)
        seen["practices"] = screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        app.open_feature("detail", SNAP_ID)
        await settle(pilot)
        seen["detail"] = screen_text(app)
        await pilot.press("ctrl+p")
        await settle(pilot)
        seen["palette"] = screen_text(app)
        for screen, text in seen.items():
            assert non_ascii(text) == set(), screen
        assert "Enter Open" in seen["dashboard"]  # the footer names the key in words
        assert "|" in seen["dashboard"]  # the timeline's quarter starts


async def test_the_config_forces_ascii(tmp_path):
    from vecozo_tui.config import UiSettings

    world = make_world(tmp_path)
    world.config = world.config.replace(ui=UiSettings(ascii=True))
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert non_ascii(screen_text(app)) == set()


async def test_a_utf8_terminal_keeps_its_glyphs(tmp_path):
    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "┃" in screen_text(app)
