"""The console with a certificate valid until 9999-12-31 and a practice whose metadata is
odd: it starts, shows every practice, and the odd one as DAMAGED with the reason, also
in its detail screen (Pilot at 80x24)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from textual.widgets import DataTable, Static

from tests.tui.test_flow import rendered_text
from tests.tui_support import ACTOR, PASSWORD, fixed_pki, make_world, plain_environment, settle
from vecozo_tui import pki
from vecozo_tui.certificates import load_pkcs12
from vecozo_tui.tui.screens.dashboard import DashboardScreen
from vecozo_tui.tui.screens.detail import DetailScreen

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


async def test_no_expiry_and_odd_metadata_affect_only_their_practice(tmp_path):
    world = make_world(tmp_path)
    fixed = fixed_pki()
    forever = fixed.system("Huisartsen Oost", "01099999", world.clock.now(),
                           datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), serial=0x9999)
    world.repository.import_certificate(
        "hap-zuid", load_pkcs12(pki.pkcs12_bytes(forever, fixed.chain, PASSWORD), PASSWORD),
        PASSWORD, actor=ACTOR)
    path = world.repository.root / "practices" / "hap-oost" / "practice.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    index["certificates"][index["active"]]["info"]["not_after"] = "2027-01-01T00:00:00"
    path.write_text(json.dumps(index), encoding="utf-8")

    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        table = dashboard.query_one("#practices", DataTable)
        assert str(table.get_cell("hap-zuid", "date")) == "9999-12-31"
        assert str(table.get_cell("hap-zuid", "status")) != "DAMAGED"  # its own reasons
        assert str(table.get_cell("hap-oost", "status")) == "DAMAGED"
        assert len(dashboard.rows) == len(world.config.practices)
        app.open_feature("detail", "hap-oost")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert "practice.json is damaged" in rendered_text(app.screen.query_one("#summary",
                                                                                  Static))
        await pilot.press("escape")
        app.open_feature("detail", "hap-zuid")
        await settle(pilot)
        assert "9999-12-31" in rendered_text(app.screen.query_one("#summary", Static))
