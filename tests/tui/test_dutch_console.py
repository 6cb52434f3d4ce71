"""The console in Dutch: the footer, the dashboard's status words and counts, the help,
the practice list, the detail and the command palette, and the keys (``/`` filter,
Enter, Escape, ``p``, ``?``) work the same as in English."""

from __future__ import annotations

import pytest

from tests.tui.test_plain_terminal import screen_text
from tests.tui_support import SNAP_ID, make_world, plain_environment, settle, wait_until
from vecozo_tui import i18n

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def lines(app) -> list[str]:
    return screen_text(app).splitlines()


def counts_line(app) -> str:
    """The dashboard's line of counts (under the header; the world has no demo banner)."""
    return next(line for line in lines(app)
                if "OK " in line and any(word in line for word in ("praktij", "getoond",
                                                                   "practice", "shown")))


async def test_the_dashboard_in_dutch(world, dutch):
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        footer = lines(app)[-1]
        for word in ("Open", "Import", "Test", "Plan", "Back-up", "Uitrol", "Stoppen",
                     "palet"):
            assert word in footer
        for english in ("Quit", "Backup", "Deploy", "Walk"):
            assert english not in footer
        # the status words of every level the world has, and the counts line
        for word in ("VERLOPEN", "KRITIEK", "WAARSCHUWING", "GEEN CERTIFICAAT", "OK"):
            assert word in text
        assert "EXPIRED" not in text and "CRITICAL" not in text
        counts = counts_line(app)
        assert "VERLOPEN 1" in counts and "WAARSCH." in counts and "praktijken" in counts
        assert "Maand" in text and "Verval" in text and "Vern." in text
        assert "Status" in text and "Praktijk" in text and "Verloopt" in text
        assert "over 40 dagen" in text and "in 40 days" not in text
        # the day and the date as Dutch people write them: "zo 22-11-2026"
        assert "vecozo-tui · zo 22-11-2026" in lines(app)[0]


async def test_every_line_fits_80_columns_in_dutch(world, dutch):
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for screen_keys in ([], ["enter"], ["escape", "question_mark"], ["escape", "p"]):
            for key in screen_keys:
                await pilot.press(key)
                await settle(pilot)
            for line in lines(app):
                assert len(line.rstrip()) <= SIZE[0]


async def test_the_filter_and_the_keys_work_in_dutch(world, dutch):
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        total = len(app.screen.rows)
        await pilot.press("slash", "t", "a", "n", "d")
        await settle(pilot)
        counts = counts_line(app)
        shown = len(app.screen.shown_rows)
        assert 0 < shown < total
        assert f"{shown} van {total} getoond" in counts
        assert "Filter wissen" in lines(app)[-1]
        await pilot.press("escape")  # clears the filter, back to the list
        await settle(pilot)
        assert len(app.screen.shown_rows) == total
        assert f"{total} praktijken" in counts_line(app)

        # Enter opens the detail of the highlighted practice, Escape goes back
        app.screen.select_practice(SNAP_ID)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Actief certificaat" in text and "Redenen" in text
        assert "Omgeving" in text and "productie" in text
        assert "Terug" in lines(app)[-1]
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"


async def test_help_and_the_practice_list_in_dutch(world, dutch):
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = screen_text(app)
        assert "Toetsen op dit scherm (Overzicht)" in text
        assert "De certificaatdetails van de gekozen praktijk openen" in text
        assert "Terug" in lines(app)[-1]
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("p")
        await settle(pilot)
        text = screen_text(app)
        assert "Typ om te zoeken" in text
        assert "Praktijk" in text and "Omg." in text
        assert "VERLOPEN" in text and "WAARSCHUWING" in text
        footer = lines(app)[-1]
        assert "Kiezen" in footer and "Praktijk toevoegen" in footer
        await pilot.press("a")
        await settle(pilot)
        text = screen_text(app)
        assert "Een praktijk toevoegen" in text and "AGB-code" in text
        assert "Annuleren" in lines(app)[-1]


async def test_the_command_palette_in_dutch(world, dutch):
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {command.title: command.help
                  for command in app.get_system_commands(app.screen)}
        assert "Certificaatdetails openen" in titles
        assert "Praktijk toevoegen" in titles
        assert "Thema" in titles and "Schermafdruk" in titles  # Textual's own
        assert "(toets: b)" in titles["Back-up"]
        assert not {"Theme", "Add practice", "Open certificate detail"} & set(titles)
        await pilot.press("ctrl+p")
        await settle(pilot)
        from textual.command import CommandInput

        assert app.screen.query_one(CommandInput).placeholder == "Opdrachten zoeken…"


async def test_english_is_untouched_after_dutch(world):
    i18n.activate("nl")
    i18n.activate("en")
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "EXPIRED" in text and "Expires" in text and "practices" in counts_line(app)
        assert "Quit" in lines(app)[-1]


async def test_the_command_palette_says_no_matches_in_dutch(world, dutch):
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"xyzzy")
        from textual.command import CommandList

        def shown() -> list[str]:
            return [str(getattr(option.prompt, "renderable", option.prompt)) for option in
                    app.screen.query_one(CommandList).options]

        # Textual waits half a second before it says so (longer on a loaded machine)
        await wait_until(pilot, lambda: shown() == ["Geen resultaten"], 5)
        assert shown() == ["Geen resultaten"]
