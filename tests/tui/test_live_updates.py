"""Screens notice by themselves what another session (the CLI, a colleague over SSH)
changed in the repository or the configuration, and keep the cursor where it was."""

from __future__ import annotations

import asyncio
import io

import pytest
from textual.widgets import DataTable, Static

from tests.conftest import NOW
from tests.tui_support import ACTOR, make_world, plain_environment, wait_until
from vecozo_tui.clock import FixedClock
from vecozo_tui.repository import BackupRecord, Repository

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


def backup_from_another_session(world, practice_id: str) -> None:
    """What `vecozo-tui backup` in another SSH session writes: its own Repository object."""
    other = Repository(world.repository.root, clock=FixedClock(NOW))
    active = other.active(practice_id)
    other.record_backup(practice_id, BackupRecord(
        at=NOW, sha256=active.info.sha256, target="/media/usb-2", verified=True), actor=ACTOR)


def rendered(widget: Static) -> str:
    from rich.console import Console

    console = Console(width=78, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()



async def test_the_dashboard_shows_a_backup_made_elsewhere_and_keeps_the_cursor(tmp_path):
    world = make_world(tmp_path)
    app = world.app()
    app.live_check_seconds = 0.1
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        dashboard = app.screen
        table = dashboard.query_one("#practices", DataTable)
        await pilot.press("down", "down")
        highlighted = dashboard.target_practice_id()
        assert str(table.get_cell("hap-delinde", "backup")) == "no backup"
        backup_from_another_session(world, "hap-delinde")
        assert await wait_until(
            pilot, lambda: str(table.get_cell("hap-delinde", "backup")) != "no backup")
        assert dashboard.target_practice_id() == highlighted


async def test_a_backup_made_while_the_first_reading_was_read_is_seen(tmp_path):
    """The console's first rows are read before the app starts (cli/console.py, in a
    helper process): a change made between that reading and the app's start is seen at
    the first look for changes, as the stamps are those taken before the reading."""
    from vecozo_tui.overview import first_reading
    from vecozo_tui.tui.app import VecozoApp

    world = make_world(tmp_path)
    context = world.context()
    context.first_reading = first_reading(world.config, world.repository, NOW)
    backup_from_another_session(world, "hap-delinde")  # after the reading
    first_paint = []
    app = VecozoApp(context, on_ready=lambda app: first_paint.append(str(
        app.screen.query_one("#practices", DataTable).get_cell("hap-delinde", "backup"))))
    app.live_check_seconds = 0.1
    look_for_changes = app._check_for_changes
    app._check_for_changes = lambda: first_paint and look_for_changes()  # after the paint
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#practices", DataTable)
        assert first_paint == ["no backup"]  # as read
        assert await wait_until(
            pilot, lambda: str(table.get_cell("hap-delinde", "backup")) != "no backup")


async def test_the_detail_shows_a_backup_made_elsewhere(tmp_path):
    world = make_world(tmp_path)
    app = world.app()
    app.live_check_seconds = 0.1
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_feature("detail", "hap-delinde")
        await pilot.pause()
        events = app.screen.query_one("#events", Static)
        backup_from_another_session(world, "hap-delinde")
        assert await wait_until(pilot, lambda: "/media/usb-2" in rendered(events))


async def test_a_practice_added_to_the_config_elsewhere_appears(tmp_path):
    world = make_world(tmp_path)
    app = world.app()
    app.live_check_seconds = 0.1
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#practices", DataTable)
        with world.config.path.open("a", encoding="utf-8") as config:
            config.write('\n[[practices]]\nid = "hap-later"\nname = "Huisartsen Later"\n'
                         'agb = "01099999"\nenvironment = "test"\n')
        assert await wait_until(pilot, lambda: "hap-later" in [k.value for k in table.rows])


async def test_a_config_edited_while_the_first_reading_was_read_is_read_again(tmp_path):
    """The configuration file's stamp of the first reading is the one taken before the
    file was read: an edit that lands while it is read is seen at the first look."""
    from vecozo_tui.overview import file_stamp, first_reading
    from vecozo_tui.tui.app import VecozoApp

    world = make_world(tmp_path)
    before = file_stamp(world.config.path)  # then the file is read (world.config) ...
    with world.config.path.open("a", encoding="utf-8") as config:  # ... and edited
        config.write('\n[[practices]]\nid = "hap-later"\nname = "Huisartsen Later"\n'
                     'agb = "01099999"\nenvironment = "test"\n')
    context = world.context()
    context.first_reading = first_reading(world.config, world.repository, NOW,
                                          config_stamp=before)
    app = VecozoApp(context)
    app.live_check_seconds = 0.1
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#practices", DataTable)
        assert await wait_until(pilot, lambda: "hap-later" in [k.value for k in table.rows])


async def test_nothing_changed_nothing_read(tmp_path, monkeypatch):
    world = make_world(tmp_path)
    app = world.app()
    app.live_check_seconds = 0.05
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reads = []
        monkeypatch.setattr(app.screen, "refresh_data", lambda: reads.append(1))
        await asyncio.sleep(0.3)
        await pilot.pause()
        assert reads == []
