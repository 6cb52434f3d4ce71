"""Keys a hint promises work where the hint is shown, and focus comes back to where the
user left the list (issue: the quarter-start rush at 80x24)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from tests.tui_support import make_world, plain_environment, settle
from vecozo_tui.tui.screens.dashboard import DashboardScreen
from vecozo_tui.tui.screens.detail import DetailScreen
from vecozo_tui.tui.screens.help import HelpScreen
from vecozo_tui.tui.screens.practices import AddPracticeScreen, PracticeSelectScreen

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


async def test_question_mark_after_a_filter_opens_the_help(tmp_path):
    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"centrum", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#filter", Input).value == "centrum"


async def test_question_mark_in_the_filter_field_opens_the_help(tmp_path):
    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"oost", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#filter", Input).value == "oost"


async def test_focus_returns_to_the_list_where_it_was(tmp_path):
    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        opened = app.screen.practice_id
        await pilot.press("escape")
        await pilot.pause()
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        table = dashboard.query_one("#practices", DataTable)
        assert table.has_focus and dashboard.target_practice_id() == opened


async def test_p_then_a_adds_a_practice(tmp_path):
    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p", "a")
        await pilot.pause()
        assert isinstance(app.screen, AddPracticeScreen)


async def test_typing_on_the_practice_list_searches(tmp_path):
    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p", *"zuid")
        await pilot.pause()
        select = app.screen
        assert isinstance(select, PracticeSelectScreen)
        assert select.query_one("#search", Input).value == "zuid"
        # in the search field 'a' is a letter: the hint and the footer offer F2 instead
        hint = str(select.query_one("#select-hint").render())
        assert "F2" in hint and "a or" not in hint
        assert "a" not in select.active_bindings


async def test_the_practice_list_shows_the_dashboards_level_words(tmp_path):
    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard_table = app.screen.query_one("#practices", DataTable)
        await pilot.press("p")
        await pilot.pause()
        table = app.screen.query_one("#practice-list", DataTable)
        for practice_id in ("hap-delinde", "fysio-nieuw", "mond-noord"):
            assert str(table.get_cell(practice_id, "status")) == \
                str(dashboard_table.get_cell(practice_id, "status"))


async def test_the_dashboard_help_names_the_sideways_keys(tmp_path):
    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        keys = [key for key, _ in app.screen.under_keys]
        assert any("→" in key and "End" in key and "Home" in key for key in keys)


async def test_a_filter_typed_in_one_burst_goes_into_the_filter(tmp_path):
    """`/zuid` arriving at once (type-ahead, a laggy SSH link): every letter after the
    `/` is typed into the filter; the `i` must not open the import screen."""
    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, ["slash", *"zuid"])
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.query_one("#filter", Input).value == "zuid"


def burst(app, keys: list[str]) -> None:
    """Keys that arrive at once, none handled before the next is queued."""
    from textual import events

    characters = {"slash": "/", "escape": "\x1b", "enter": "\r", "question_mark": "?"}
    for key in keys:
        app.post_message(events.Key(key, characters.get(key, key)))


async def test_a_search_typed_in_one_burst_on_the_practice_list_stays_a_search(tmp_path):
    """On the practice list the first letter moves to the search field; in one burst
    the `a` of `zand` must be a letter there, not the key that adds a practice."""
    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        burst(app, [*"zand"])
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, PracticeSelectScreen)
        assert app.screen.query_one("#search", Input).value == "zand"


async def test_escape_and_a_key_in_one_burst_leave_the_filter_first(tmp_path):
    """`/oost`, then Esc and `i` at once: the Esc leaves the filter (and clears it), the
    `i` is the import key again, not a letter in the filter."""
    from vecozo_tui.tui.screens.import_certificate import ImportScreen

    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard = app.screen
        await pilot.press("slash", *"oost")
        await pilot.pause()
        burst(app, ["escape", "i"])
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
        assert dashboard.query_one("#filter", Input).value == ""


@pytest.mark.parametrize(("keys", "row"), [
    (["down", "enter"], 1), (["down", "down", "up", "enter"], 1), (["pagedown", "enter"], -1),
    (["pagedown", "pageup", "enter"], 0)])
async def test_cursor_keys_and_enter_in_one_burst_open_the_practice_moved_to(
        tmp_path, keys, row):
    """`↓ ⏎` arriving at once: Enter opens the practice the cursor moved to, not the one
    it was on (seen in tmux: the detail of the first practice opened)."""
    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#practices", DataTable)
        wanted = str(table.coordinate_to_cell_key((row % table.row_count, 0)).row_key.value)
        burst(app, keys)
        await settle(pilot)
        assert app.screen.practice_id == wanted
