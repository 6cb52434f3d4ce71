"""SVG snapshots of the main screens at 80x24 with a frozen clock.

Every certificate shown in full (the detail and the import preview) comes from the
deterministic practice of ``tui_support`` (fixed key, serials and dates), so the
fingerprints are the same on every run. Update with ``pytest --snapshot-update``
after checking the change by eye (the report shows the old and the new picture).
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui_support import (
    BACKUP_FILE,
    PASSWORD,
    RENEWAL_FILE,
    SNAP_ID,
    make_world,
    open_walkthrough_and_tick_first_step,
    plain_environment,
    settle,
)

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)



def test_dashboard(snap_compare, world):
    assert snap_compare(world.app(), terminal_size=SIZE)


def test_dashboard_wide(snap_compare, world):
    """120x40: more columns whole (backup, test, walkthrough, id, ...)."""
    assert snap_compare(world.app(), terminal_size=(120, 40))


def test_dashboard_plain_terminal(snap_compare, world, monkeypatch):
    """TERM=linux: ASCII only (no box drawing, arrows, '…'), keys named in words."""
    monkeypatch.setenv("TERM", "linux")
    app = world.app()
    assert app.ascii
    assert snap_compare(app, terminal_size=SIZE)


def test_help_plain_terminal(snap_compare, world, monkeypatch):
    monkeypatch.setenv("LC_ALL", "C")
    assert snap_compare(world.app(), terminal_size=SIZE, press=["question_mark"])


def test_dashboard_without_colour(snap_compare, world, monkeypatch):
    """NO_COLOR: the status words alone carry the meaning."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = world.app()
    assert app.no_color
    assert snap_compare(app, terminal_size=SIZE)


def test_dashboard_filtered(snap_compare, world):
    assert snap_compare(world.app(), terminal_size=SIZE, press=["slash", "h", "a", "p"])


def test_detail(snap_compare, world):
    async def open_detail(pilot):
        await pilot.pause()
        pilot.app.open_feature("detail", SNAP_ID)
        await pilot.pause()

    assert snap_compare(world.app(), terminal_size=SIZE, run_before=open_detail)


def test_detail_scrolled_to_history(snap_compare, world):
    async def open_detail(pilot):
        await pilot.pause()
        pilot.app.open_feature("detail", SNAP_ID)
        await pilot.pause()
        await pilot.press("end")

    assert snap_compare(world.app(), terminal_size=SIZE, run_before=open_detail)


def previewing(file_name: str):
    async def preview(pilot):
        await pilot.pause()
        pilot.app.open_feature("import", SNAP_ID)
        await settle(pilot)
        screen = pilot.app.screen
        await pilot.press("slash")
        screen.query_one("#path", Input).value = file_name
        await pilot.press("enter")
        await pilot.pause()
        screen.query_one("#password", Input).value = PASSWORD
        await pilot.press("enter")
        await settle(pilot)
        assert screen.step == "preview"

    return preview


def test_import_preview(snap_compare, world):
    assert snap_compare(world.app(), terminal_size=SIZE, run_before=previewing(RENEWAL_FILE))


def test_import_preview_of_a_file_with_two_certificates(snap_compare, world):
    """A Firefox backup with last year's and the renewed certificate: both listed, the
    renewed one chosen."""
    assert snap_compare(world.app(), terminal_size=SIZE, run_before=previewing(BACKUP_FILE))


def test_help(snap_compare, world):
    assert snap_compare(world.app(), terminal_size=SIZE, press=["question_mark"])


def test_practice_selection(snap_compare, world):
    assert snap_compare(world.app(), terminal_size=SIZE, press=["p", "down"])


def test_walkthrough(snap_compare, world, monkeypatch):
    monkeypatch.setenv("VECOZO_TUI_HOST", "praktijkserver")  # the scp line names this host

    async def open_walkthrough(pilot):
        await open_walkthrough_and_tick_first_step(pilot, SNAP_ID)

    assert snap_compare(world.app(), terminal_size=SIZE, run_before=open_walkthrough)


def test_test_call_form(snap_compare, world):
    async def open_test_call(pilot):
        from textual.widgets import Input

        await settle(pilot)
        pilot.app.open_feature("test_call", SNAP_ID)
        await settle(pilot)
        # the focused field's cursor blinks: on a busy machine the picture could catch
        # it off; a steady cursor is what the snapshot holds
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(world.app(), terminal_size=SIZE, run_before=open_test_call)


# --- in Dutch (the language is chosen before the app is built) -------------------------


def test_dashboard_in_dutch(snap_compare, world, dutch):
    """Status words, counts, timeline legend, columns, footer and demo banner in Dutch:
    all of it still fits 80x24."""
    assert snap_compare(world.app(), terminal_size=SIZE)


def test_detail_in_dutch(snap_compare, world, dutch):
    async def open_detail(pilot):
        await pilot.pause()
        pilot.app.open_feature("detail", SNAP_ID)
        await pilot.pause()

    assert snap_compare(world.app(), terminal_size=SIZE, run_before=open_detail)


def test_import_preview_dutch(snap_compare, world, dutch):
    assert snap_compare(world.app(), terminal_size=SIZE, run_before=previewing(RENEWAL_FILE))


def test_walkthrough_dutch(snap_compare, world, monkeypatch, dutch):
    monkeypatch.setenv("VECOZO_TUI_HOST", "praktijkserver")

    async def open_walkthrough(pilot):
        await open_walkthrough_and_tick_first_step(pilot, SNAP_ID)

    assert snap_compare(world.app(), terminal_size=SIZE, run_before=open_walkthrough)


def test_test_call_form_dutch(snap_compare, world, dutch):
    async def open_test_call(pilot):
        await settle(pilot)
        pilot.app.open_feature("test_call", SNAP_ID)
        await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(world.app(), terminal_size=SIZE, run_before=open_test_call)
