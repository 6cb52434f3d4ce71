"""The dashboard's pieces: the timeline, the wording of the rows, and what it does when
the repository or the configuration is not as expected."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Static

from tests.conftest import NOW
from tests.tui_support import make_world, plain_environment
from vecozo_tui.status import Level as Status
from vecozo_tui.tui.screens.dashboard import DashboardScreen
from vecozo_tui.tui.widgets import StatusCounts, Timeline

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


def test_timeline_fits_80_columns_and_marks_quarter_starts():
    lines = Timeline.render_timeline(
        date(2026, 11, 22),
        [(date(2026, 11, 17), Status.EXPIRED), (date(2027, 1, 1), Status.WARNING),
         (date(2027, 1, 20), Status.WARNING), (date(2028, 10, 31), Status.OK),
         (date(2028, 11, 1), Status.OK)],  # the 25th month: outside
        [date(2026, 10, 1), date(2027, 2, 4)],  # overdue counts in this month
    ).plain.split("\n")
    years, months, expire, renew = lines
    assert all(len(line) <= 79 for line in lines)  # + 1 column of padding = 80
    assert months.startswith("Month    N  D┃ J  F  M┃ A")
    assert months.count("┃") == 8  # 24 months: eight quarter starts
    # the marker sits in the same column on every line
    for line in (expire, renew):
        assert [i for i, c in enumerate(line) if c == "┃"] == \
            [i for i, c in enumerate(months) if c == "┃"]
    assert expire.split()[1:4] == ["1", "·┃", "2"]  # Nov: 1 (expired), Dec: 0, Jan: 2
    assert expire.rstrip().endswith("1")  # Oct 2028 is the last month shown
    assert renew.split()[1] == "1"
    assert "2026" in years and "2027" in years and "2028" in years
    assert years.index("2027") == months.index("┃ J")


def test_timeline_first_year_only_when_it_fits():
    lines = Timeline.render_timeline(date(2026, 12, 5), [], []).plain.split("\n")
    assert "2026" not in lines[0]  # December: no room before January's "2027"
    assert lines[0].split() == ["2027", "2028"]


def test_status_counts_say_the_words_and_the_filter():
    text = StatusCounts.render_counts({Status.EXPIRED: 1, Status.OK: 3}, 4, 2).plain
    assert "EXPIRED 1" in text and "CRITICAL 0" in text and "NO CERTIFICATE 0" in text
    assert "2 of 4 shown" in text
    assert "No practices" in StatusCounts.render_counts({}, 0).plain


async def test_rows_say_backup_and_test_call_in_words(tmp_path):
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#practices", DataTable)
        cell = lambda key, column: str(table.get_cell(key, column))  # noqa: E731
        assert cell("hap-delinde", "backup") == "no backup"
        assert cell("fysio-centrum", "backup") == "2026-11-02"
        assert cell("fysio-nieuw", "backup") == "-"  # nothing to back up
        assert cell("fysio-centrum", "test") == "OK"
        assert cell("hap-delinde", "test") == "never"
        assert cell("mond-noord", "renew") == "2027-02-04"  # earlier: quarter start
        assert cell("hap-persoon", "status") == "WARNING"  # a personal certificate: COV fails
        assert cell("hap-oost", "env") == "prod" or cell("hap-oost", "env") == "acc"
        assert table.fixed_columns == 2  # status and name stay when scrolling sideways


async def test_a_failed_test_call_shows_as_failed(tmp_path):
    from vecozo_tui.repository import TestCallRecord

    world = make_world(tmp_path)
    active = world.repository.active("hap-zuid")
    world.repository.record_test_call("hap-zuid", TestCallRecord(
        at=NOW, sha256=active.info.sha256, environment="acceptance", ok=False,
        summary="not authorised"), actor=world.context().actor)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#practices", DataTable)
        assert str(table.get_cell("hap-zuid", "test")) == "FAILED"


async def test_a_damaged_practice_does_not_hide_the_others(tmp_path):
    world = make_world(tmp_path)
    (world.repository.root / "practices" / "hap-oost" / "practice.json").write_text("{oops")
    app = world.app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        keys = [row.practice.id for row in dashboard.rows]
        assert "hap-delinde" in keys
        assert keys[0] == "hap-oost"  # shown as damaged, first: nothing is known of it
        table = dashboard.query_one("#practices", DataTable)
        assert str(table.get_cell("hap-oost", "status")) == "DAMAGED"
        dashboard.select_practice("hap-oost")
        await pilot.pause()
        assert "practice.json is damaged" in str(
            dashboard.query_one("#selected-summary").render())


async def test_an_empty_configuration_says_how_to_add_a_practice(tmp_path):
    world = make_world(tmp_path)
    world.config.practices = []
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "press p, then a" in str(app.screen.query_one("#counts", Static).content)
        await pilot.press("enter", "i")  # nothing selected: nothing happens
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_repository_problems_are_shown_at_start(tmp_path):
    world = make_world(tmp_path)
    world.repository.root.chmod(0o777)
    try:
        app = world.app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            assert any("chmod 700" in n.message for n in app._notifications)
    finally:
        world.repository.root.chmod(0o700)


async def test_names_cut_only_when_too_long_and_then_keep_their_end(tmp_path):

    world = make_world(tmp_path)
    long_name = "Huisartsenpraktijk De Linde en Omstreken, locatie Noord"
    world.config.practices = [
        p._replace(name=long_name) if p.id == "hap-zuid" else p
        for p in world.config.practices]
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#practices", DataTable)
        assert str(table.get_cell("hap-delinde", "practice")) == "Huisartsenpraktijk De Linde"
        # names often share their start ("Huisartsenpraktijk …"): the end stays visible
        cut = str(table.get_cell("hap-zuid", "practice"))
        assert "…" in cut and cut.endswith("locatie Noord")
        summary = str(app.screen.query_one("#selected-summary").render())
        assert "Huisartsenpraktijk De Linde  hap-delinde · AGB 01012345" in summary
