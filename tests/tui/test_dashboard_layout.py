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
