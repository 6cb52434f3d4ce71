"""The import at the quarter-start rush: the file is checked before a password is asked,
the practice's own file is preselected, a certificate of another configured practice
can be imported there with one key, and a renewal takes at most five keys."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static

from tests.tui.test_flow import give_password, open_import_and_pick, static_text, tree_loaded
from tests.tui_support import PASSWORD, SNAP_ID, make_world, plain_environment, settle
from vecozo_tui.demo import DEMO_PASSWORD
from vecozo_tui.tui.screens.confirm import ConfirmScreen
from vecozo_tui.tui.screens.import_certificate import (
    DONE,
    PICK,
    PREVIEW,
    CertificateTree,
    ImportScreen,
)
from vecozo_tui.tui.screens.import_certificate import (
    PASSWORD as PASSWORD_STEP,
)

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


@pytest.mark.parametrize("content, expected", [
    (b"0\x82\x0a\x00" + b"\x00" * 64, "truncated"),  # 68 bytes of a cut-off copy
    (b"This is not a certificate.\n", "not a PKCS#12"),
    (b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "PEM certificate"),
], ids=["68-bytes", "text", "pem"])
async def test_the_file_is_checked_before_the_password_is_asked(tmp_path, content, expected):
    world = make_world(tmp_path)
    (world.inbox / "suspect.pfx").write_bytes(content)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_feature("import", "hap-oost")
        await settle(pilot)
        screen = await open_import_and_pick(pilot, "suspect.pfx")
        await settle(pilot)
        assert screen.step == PICK  # no password asked
        assert expected in static_text(screen, "#pick-error")


@pytest.mark.parametrize("practice_id, expected", [
    ("fysio-nieuw", "fysio-nieuw-west.p12"),  # its id in the name
    (SNAP_ID, "tand-west-"),  # two files name it: the newest
    ("hap-oost", "01045678-export.pfx"),  # its AGB code in the name
])
async def test_the_practices_file_is_preselected(tmp_path, practice_id, expected):
    world = make_world(tmp_path)
    (world.inbox / "01045678-export.pfx").write_bytes(b"0")
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_feature("import", practice_id)
        await settle(pilot)
        tree = app.screen.query_one(CertificateTree)
        await tree_loaded(pilot, tree)
        await pilot.pause()
        assert tree.cursor_node is not None
        assert tree.cursor_node.label.plain.strip().startswith(expected)


async def test_a_certificate_of_another_practice_can_be_imported_there(tmp_path):
    world = make_world(tmp_path)
    before = world.repository.active("hap-persoon")
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_feature("import", "fysio-centrum")
        await settle(pilot)
        screen = await open_import_and_pick(pilot, "persoonlijk-r-de-boer.pfx")
        await give_password(pilot, DEMO_PASSWORD)
        assert screen.step == PREVIEW
        status = static_text(screen, "#preview-status")
        assert "Huisartsen Centrum (hap-persoon," in status and "o:" in status
        await pilot.press("o")
        await settle(pilot)
        assert screen.practice_id == "hap-persoon" and screen.step == PREVIEW
        assert "agb" not in static_text(screen, "#findings").lower().split("warning")[0]
        assert "Huisartsen Centrum" in static_text(screen, "#import-title")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        title = str(app.screen.query_one(".section-title", Static).content)
        assert title in ("1 warning", "2 warnings", "3 warnings")  # no "(s)"
        await pilot.press("y")
        await settle(pilot)
        assert screen.step == DONE
        assert world.repository.active("hap-persoon").info.sha256 != before.info.sha256
        assert world.repository.active("fysio-centrum") is not None  # untouched


async def test_a_renewal_from_the_dashboard_in_five_keys_plus_the_password(tmp_path):
    world = make_world(tmp_path)
    before = world.repository.active(SNAP_ID)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard = app.screen
        dashboard.select_practice(SNAP_ID)  # the practice highlighted
        await pilot.pause()
        keys = ["i", "enter"]  # import; the practice's file is preselected: take it
        await pilot.press(*keys)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ImportScreen) and screen.step == PASSWORD_STEP
        assert screen.query_one("#password", Input).has_focus
        await pilot.press(*PASSWORD)  # the password, typed
        keys += ["enter"]
        await pilot.press("enter")
        await settle(pilot)
        assert screen.step == PREVIEW
        keys += ["s"]  # store (Enter too, when the file holds one certificate)
        await pilot.press("s")
        await settle(pilot)
        assert screen.step == DONE
        assert len(keys) <= 5, keys
        assert world.repository.active(SNAP_ID).info.sha256 != before.info.sha256
        table = dashboard.query_one("#practices", DataTable)
        assert table.row_count
