"""The console in the language chosen before it was built: its key bindings (declared
when the modules were imported, in English) are Dutch once Dutch is active."""

from __future__ import annotations

from tests.tui.test_plain_terminal import screen_text
from tests.tui_support import make_world, settle
from vecozo_tui import i18n

SIZE = (80, 24)


async def test_the_footer_speaks_the_language_the_app_was_built_in(tmp_path):
    world = make_world(tmp_path)
    i18n.activate("nl")
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "Stoppen" in footer and "Quit" not in footer
    i18n.activate("en")
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "Quit" in footer and "Stoppen" not in footer
