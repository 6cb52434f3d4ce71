"""Deploying from the console, driven by keys at 80x24: the import deploys at once (read back
by the openssl command line), `d` on the dashboard and the detail, the detail's target list."""

from __future__ import annotations

import subprocess

import pytest
from textual.widgets import DataTable, Input, Static

from tests.factory import OPENSSL
from tests.tui.test_flow import give_password, open_import_and_pick, rendered_text
from tests.tui_support import make_world, plain_environment, settle
from vecozo_tui.demo import DEMO_PASSWORD
from vecozo_tui.tui.screens.dashboard import DashboardScreen
from vecozo_tui.tui.screens.deploy import DeployScreen
from vecozo_tui.tui.screens.detail import DetailScreen
from vecozo_tui.tui.screens.import_certificate import DONE, PREVIEW, ImportScreen

SIZE = (80, 24)
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command line")


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


def target_of(world, practice_id: str):
    [target] = world.config.practice(practice_id).deploy
    return target.path


def openssl_fingerprint(path, password: str) -> str:
    pem = subprocess.run([OPENSSL, "pkcs12", "-in", str(path), "-passin", "stdin", "-nokeys",
                          "-clcerts"], input=password.encode() + b"\n", capture_output=True,
                         check=True).stdout
    out = subprocess.run([OPENSSL, "x509", "-noout", "-fingerprint", "-sha256"], input=pem,
                         capture_output=True, check=True).stdout.decode()
    return out.split("=", 1)[1].strip().replace(":", "")


def software_cell(screen: DashboardScreen, practice_id: str) -> str:
    return str(screen.query_one("#practices", DataTable).get_cell(practice_id, "software"))


@needs_openssl
async def test_an_import_deploys_at_once_and_the_dashboard_shows_it(tmp_path):
    world = make_world(tmp_path)
    practice = "fysio-centrum"  # a deploy target with a hook; its renewal in the inbox
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dashboard = app.screen
        assert software_cell(dashboard, practice) == "deployed"
        dashboard.select_practice(practice)
        await pilot.press("i")
        await settle(pilot)
        screen = await open_import_and_pick(pilot, "fysio-centrum-verlengd.pfx")
        await give_password(pilot, DEMO_PASSWORD)
        assert isinstance(screen, ImportScreen) and screen.step == PREVIEW
        await pilot.press("s")
        await settle(pilot)
        assert screen.step == DONE
        done = str(screen.query_one("#done-deploy", Static).content)
        assert "DEPLOYED: every target holds the certificate, verified." in done
        assert "written, verified, and the hook ran (exit 0)" in done
        assert "reloaded the practice software of fysio-centrum" in done
        new = world.repository.active(practice).info.sha256
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is dashboard
        assert software_cell(dashboard, practice) == "deployed"
        dashboard.select_practice(practice)
        await settle(pilot)
        assert "practice software" not in str(dashboard.query_one("#selected-summary",
                                                                   Static).content)
    # the file the practice software reads holds the new certificate, with the password
    assert openssl_fingerprint(target_of(world, practice), DEMO_PASSWORD) == new


async def test_with_automatic_off_the_import_offers_d(tmp_path):
    world = make_world(tmp_path)
    config_file = world.directory / "config.toml"
    config_file.write_text(config_file.read_text() + "\n[deploy]\nautomatic = false\n")
    from vecozo_tui.config import load_config

    world.config = load_config(config_file)
    before = target_of(world, "fysio-centrum").read_bytes()
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.select_practice("fysio-centrum")
        await pilot.press("i")
        await settle(pilot)
        screen = await open_import_and_pick(pilot, "fysio-centrum-verlengd.pfx")
        await give_password(pilot, DEMO_PASSWORD)
        await pilot.press("s")
        await settle(pilot)
        assert screen.step == DONE
        assert "put it where the practice software reads it (deploy)" in \
            rendered_text(screen.query_one("#done-message", Static))
        assert target_of(world, "fysio-centrum").read_bytes() == before  # not yet
        await pilot.press("d")
        await settle(pilot)
        deploy_screen = app.screen
        assert isinstance(deploy_screen, DeployScreen)
        assert "now holds    still the old certificate" in \
            str(deploy_screen.query_one("#dp-plan", Static).content)


async def test_d_on_the_dashboard_deploys_a_stale_target(tmp_path):
    world = make_world(tmp_path)
    practice = "hap-oost"  # the demo's target still on the old certificate
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dashboard = app.screen
        assert software_cell(dashboard, practice) == "OLD"
        [row] = [row for row in dashboard.rows if row.practice.id == practice]
        assert "software-old-certificate" in [reason.code for reason in row.reasons]
        dashboard.select_practice(practice)
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DeployScreen)
        plan = str(screen.query_one("#dp-plan", Static).content)
        assert f"1. {target_of(world, practice)}" in plan
        assert "now holds    still the old certificate" in plan
        # a wrong password first: said plainly, nothing written, the field emptied
        screen.query_one("#dp-password", Input).value = "wrong"
        await pilot.press("enter")
        await settle(pilot)
        assert "Wrong password for the active certificate of hap-oost" in \
            str(screen.query_one("#dp-error", Static).content)
        assert screen.query_one("#dp-password", Input).value == ""
        screen.query_one("#dp-password", Input).value = DEMO_PASSWORD
        await pilot.press("enter")
        await settle(pilot)
        assert "DEPLOYED" in str(screen.query_one("#dp-result", Static).content)
        assert "now holds    up to date" in str(screen.query_one("#dp-plan", Static).content)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is dashboard
        assert software_cell(dashboard, practice) == "deployed"
        [row] = [row for row in dashboard.rows if row.practice.id == practice]
        assert "software-old-certificate" not in [reason.code for reason in row.reasons]


async def test_the_detail_lists_each_target_and_its_state(tmp_path):
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.select_practice("hap-oost")
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        text = rendered_text(detail.query_one("#deploy-targets", Static))
        assert str(target_of(world, "hap-oost"))[:40] in text
        assert "still the old certificate" in text
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DeployScreen)
        await pilot.press("escape", "escape")  # the deploy screen, then the detail
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        app.screen.select_practice("tand-west")  # no deploy targets at all
        await pilot.press("enter")
        await settle(pilot)
        assert "none configured" in rendered_text(app.screen.query_one("#deploy-targets",
                                                                          Static))
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DeployScreen)
        assert "tand-west has no deploy targets" in str(screen.query_one("#dp-plan",
                                                                         Static).content)
        assert not screen.query_one("#dp-form").display
