"""The walkthrough screen at 80x24: commands to copy stay on one line, opening is not
starting, and the export's scp command is not broken up in a toast."""

from __future__ import annotations

from tests.tui.test_plain_terminal import screen_text
from tests.tui.test_walkthrough import new_app, text_of, world  # noqa: F401
from tests.tui_support import settle
from vecozo_tui import walkthroughs as wt

SIZE = (80, 24)


async def test_opening_is_not_starting(world):  # noqa: F811
    app = new_app(world, kind="renew")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = text_of(app.screen, "#wt-status")
        assert "0 of 10 done; opened 2026-11-22 by beheer" in status
        assert "started" not in status
        await pilot.press("space")
        await settle(pilot)
        assert "started 2026-11-22" in text_of(app.screen, "#wt-status")


async def test_commands_are_never_wrapped(world, monkeypatch):  # noqa: F811
    # a long inbox path and host name: the scp line is longer than the screen
    world.config.inbox = world.inbox / ("a-very-long-directory-name-" * 2)
    world.config.inbox.mkdir()
    app = new_app(world, kind="renew")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down")  # the copy step
        await settle(pilot)
        lines = screen_text(app).splitlines()
        scp = next(i for i, line in enumerate(lines) if "scp hap-zuid.pfx" in line)
        assert lines[scp + 1].strip() == ""  # the rest is a sideways scroll, not a new line
        assert app.screen.query_one("#wt-text").max_scroll_x > 0
        await pilot.press("down")  # the import step: short enough to copy whole
        await settle(pilot)
        assert "  vecozo-tui import hap-zuid hap-zuid.pfx" in screen_text(app)


async def test_the_export_toast_holds_no_path_the_status_the_whole_command(world, clock):  # noqa: F811
    for step in wt.get_walkthrough("backup").steps:
        wt.tick(world.repository, "hap-zuid", "backup", step.key, actor=world.actor,
                now=clock.now())
    app = new_app(world, kind="backup")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        exported = app.screen.last_export
        assert all(str(exported.parent) not in n.message for n in app._notifications)
        status = text_of(app.screen, "#wt-status")
        assert f"scp beheer@praktijk-server.example.nl:{exported} ." in status
