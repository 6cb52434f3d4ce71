"""A .pfx of nothing but nested BER sequences: the import screen says what is wrong and
stays usable (it stayed on "Opening the file…" for ever)."""

from __future__ import annotations

import pytest

from tests.tui.test_flow import SIZE, give_password, open_import_and_pick, static_text
from tests.tui_support import make_world, plain_environment, settle
from vecozo_tui.demo import DEMO_PASSWORD
from vecozo_tui.tui.screens.import_certificate import PICK


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


async def test_a_deeply_nested_file_is_a_message_not_a_hang(tmp_path):
    world = make_world(tmp_path)
    (world.inbox / "genest.pfx").write_bytes(b"\x30\x80" * 3000)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_feature("import", "hap-oost")
        await settle(pilot)
        screen = await open_import_and_pick(pilot, "genest.pfx")
        await give_password(pilot, DEMO_PASSWORD)
        assert screen.step == PICK
        assert "PKCS#12" in static_text(screen, "#pick-error")
