"""The dashboard's columns are laid out for 80 columns first: the status word as wide as
the longest word shown, the name as wide as possible, whole columns only; a wider
terminal shows more of them."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from tests.tui_support import make_world, plain_environment


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


def visible_columns(table: DataTable) -> list[str]:
    """The keys of the columns shown whole, left to right, before any sideways scroll."""
    shown, used = [], 0
    for key, column in table.columns.items():
        used += column.get_render_width(table)
        if used > table.scrollable_content_region.width:
            break
        shown.append(key.value)
    return shown


async def layout(tmp_path, size):
    app = make_world(tmp_path).app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#practices", DataTable)
        words = [str(table.get_cell(key, "status")) for key in table.rows]
        return (visible_columns(table), str(table.get_cell("hap-delinde", "practice")),
                table.columns[next(iter(table.columns))].width, words)


async def test_80_columns_show_whole_names_expiry_and_renew_from(tmp_path):
    columns, name, status_width, words = await layout(tmp_path, (80, 24))
    assert columns[:4] == ["status", "practice", "expires", "renew"]
    assert name == "Huisartsenpraktijk De Linde"
    assert status_width == max(len(word) for word in words)  # no wider than its words


async def test_a_wider_terminal_shows_more_columns(tmp_path):
    narrow, _, _, _ = await layout(tmp_path / "a", (80, 24))
    wide, _, _, _ = await layout(tmp_path / "b", (120, 40))
    assert len(wide) > len(narrow) and wide[:len(narrow)] == narrow
    assert {"backup", "test"} <= set(wide)


async def test_a_big_fleet_shows_the_first_screenful_first_then_every_row(tmp_path):

    from vecozo_tui.tui.app import VecozoApp

    world = make_world(tmp_path)
    template = world.config.practices[0]
    world.config.practices += [
        template._replace(id=f"extra-{i:03}", name=f"Praktijk {i:03}",
                            agb=f"{20000000 + i}") for i in range(150)]
    total = len(world.config.practices)
    at_ready = []
    app = VecozoApp(world.context(),
                    on_ready=lambda app: at_ready.append(
                        app.screen.query_one("#practices", DataTable).row_count))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one("#practices", DataTable)
        assert 24 <= at_ready[0] < total  # painted before the rest was added
        assert table.row_count == total
        await pilot.press("slash", *"praktijk 14")  # a filter while rows are added
        await pilot.pause()
        await pilot.pause()
        assert sorted(k.value for k in table.rows) == [f"extra-{i}" for i in range(140, 150)]


async def test_no_column_shows_cut_off(tmp_path):
    for size in ((80, 24), (100, 30), (120, 40), (160, 30)):
        app = make_world(tmp_path / f"w{size[0]}").app()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            table = app.screen.query_one("#practices", DataTable)
            shown = visible_columns(table)
            if len(shown) < len(table.columns):  # a column left out starts off the screen
                used = sum(table.columns[key].get_render_width(table)
                           for key in table.columns if key.value in shown)
                assert used == table.scrollable_content_region.width, size


async def test_the_table_renders_every_sideways_scroll_as_textual_does(tmp_path, monkeypatch):
    """The list renders only the cells a line shows (blanks of the same width for the
    rest); scrolled anywhere, every line is the one Textual's own table renders."""
    from vecozo_tui.tui.widgets import FixedTable

    app = make_world(tmp_path).app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#practices", FixedTable)
        assert table.max_scroll_x > 0  # columns left out at 80 columns
        positions = [0, 9, table.max_scroll_x, 0]

        def lines() -> list[list[list[object]]]:
            found = []
            for scroll_x in positions:
                table.scroll_x = scroll_x
                found.append([list(table.render_line(y)) for y in range(table.size.height)])
            return found

        ours = lines()
        table._clear_caches()
        monkeypatch.setattr(FixedTable, "_render_line_in_row", DataTable._render_line_in_row)
        assert lines() == ours
        assert ours[0] != ours[2]  # the scroll shows other columns


async def test_the_name_column_follows_the_names_after_a_refresh(tmp_path):
    """The widths that depend on the rows are worked out once per reading: a longer
    name read again widens the column."""
    from textual.widgets.data_table import ColumnKey

    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=(200, 30)) as pilot:  # every column fits: name = longest
        await pilot.pause()
        table = app.screen.query_one("#practices", DataTable)
        longest = max(len(practice.name) for practice in world.config.practices)
        assert table.columns[ColumnKey("practice")].width == longest
        name = "Huisartsenpraktijk De Lange Naam Oost"
        assert longest < len(name) < 40
        world.config.practices.append(world.config.practices[0]._replace(
            id="lange-naam", name=name, agb="01099999"))
        app.screen.refresh_data()  # type: ignore[attr-defined]
        await pilot.pause()
        assert table.columns[ColumnKey("practice")].width == len(name)
