"""The test-call screen with Pilot at 80x24, against the fake COV server over real TLS."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from tests.cov_support import PFX_PASSWORD, copy_setup, make_setup, running_server
from tests.tui_support import ScreenApp
from vecozo_tui.clock import SYSTEM_CLOCK
from vecozo_tui.config import load_config
from vecozo_tui.repository import Actor, Repository
from vecozo_tui.tui.context import AppContext
from vecozo_tui.tui.screens.test_call import TestCallScreen

SIZE = (80, 24)



@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    with running_server() as server:
        yield make_setup(tmp_path_factory.mktemp("tui-cov"), server)


@pytest.fixture
def context(prepared, tmp_path):
    setup = copy_setup(prepared, tmp_path / "setup")
    config = load_config(setup.config_path)
    return AppContext(config=config, repository=Repository(config.repository),
                      clock=SYSTEM_CLOCK, actor=Actor("beheer", "192.0.2.7"))


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def check_line(screen, key: str) -> str:
    return text_of(screen, f"#tc-step-{key}")


async def run_call(pilot, password: str = PFX_PASSWORD) -> None:
    screen = pilot.app.screen
    screen.query_one("#tc-password", Input).value = password
    screen.query_one("#tc-password", Input).focus()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_acceptance_call_lights_up_every_check(context):
    app = ScreenApp(lambda: TestCallScreen(context, "hap-zuid"))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, TestCallScreen)
        assert screen.query_one("#tc-bsn", Input).value == "999979668"
        assert screen.query_one("#tc-birth", Input).value == "1962-03-15"
        assert not screen.query_one("#tc-bsn", Input).password
        assert screen.query_one("#tc-password", Input).password
        assert "acceptance" in text_of(screen, "#tc-info")
        await run_call(pilot)
        assert screen.diagnosis is not None and screen.diagnosis.ok
        # the checks arrived live, one by one, in the order of the chain
        assert screen.progress == [("dns", "passed"), ("tcp", "passed"), ("tls", "passed"),
                                   ("client_certificate", "passed"), ("authorised", "passed"),
                                   ("cov", "passed")]
        for key in ("dns", "tcp", "tls", "client_certificate", "authorised", "cov"):
            assert check_line(screen, key).startswith("PASS")
        result = text_of(screen, "#tc-result-text")
        assert "RESULT: OK" in result and "UZOVI 3000" in result
        assert "999979668" not in result
        assert screen.query_one("#tc-password", Input).value == ""  # not kept
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [True]
    record = context.repository.events("hap-zuid").last_test_call
    assert record.ok and record.environment == "acceptance"


async def test_unauthorised_practice_shows_the_cause(context):
    app = ScreenApp(lambda: TestCallScreen(context, "mond-noord"))
    async with app.run_test(size=SIZE) as pilot:
        await run_call(pilot)
        screen = app.screen
        assert check_line(screen, "client_certificate").startswith("PASS")
        assert check_line(screen, "authorised").startswith("FAIL")
        assert check_line(screen, "cov").startswith("----")
        assert "not reached" in check_line(screen, "cov")
        result = text_of(screen, "#tc-result-text")
        assert "RESULT: FAILED" in result and "Authorised for COV" in result
        assert "Gebruikersbeheer" in result
    assert context.repository.events("mond-noord").last_test_call.ok is False


async def test_wrong_password_is_said_plainly_and_nothing_recorded(context):
    app = ScreenApp(lambda: TestCallScreen(context, "hap-zuid"))
    async with app.run_test(size=SIZE) as pilot:
        await run_call(pilot, "verkeerd")
        screen = app.screen
        error = text_of(screen, "#tc-error")
        assert "password" in error.lower() and "verkeerd" not in error
        assert screen.focused is screen.query_one("#tc-password", Input)
        assert check_line(screen, "dns").strip() == "Name resolution"
    assert context.repository.events("hap-zuid").last_test_call is None


async def test_empty_password_is_asked_for(context):
    app = ScreenApp(lambda: TestCallScreen(context, "hap-zuid"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert "Type the password" in text_of(app.screen, "#tc-error")
        assert app.screen.progress == []


async def test_production_needs_bsn_and_birth_date_and_forgets_them(context):
    app = ScreenApp(lambda: TestCallScreen(context, "hap-prod"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bsn = screen.query_one("#tc-bsn", Input)
        birth = screen.query_one("#tc-birth", Input)
        assert bsn.value == "" and birth.value == "" and bsn.password
        assert "Production" in text_of(screen, "#tc-hint")
        await run_call(pilot)
        assert "A BSN is needed" in text_of(screen, "#tc-error")
        bsn.value = "999900019"  # fails the 11-test
        await run_call(pilot)
        assert "11-test" in text_of(screen, "#tc-error")
        assert "999900019" not in text_of(screen, "#tc-error")
        bsn.value = "999900018"
        await run_call(pilot)
        assert "date of birth" in text_of(screen, "#tc-error")
        bsn.value = "999900018"
        birth.value = "1985-07-01"
        await run_call(pilot)
        assert screen.diagnosis is not None and screen.diagnosis.ok
        assert "no active insurance" in text_of(screen, "#tc-result-text")
        assert bsn.value == "" and birth.value == ""
    record = context.repository.events("hap-prod").last_test_call
    assert record.ok and "999900018" not in str(record)


async def test_practice_without_certificate(context):
    app = ScreenApp(lambda: TestCallScreen(context, "fysio-leeg"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert "No active certificate" in text_of(screen, "#tc-info")
        assert screen.query_one("#tc-form").disabled
        await pilot.press("f5")
        await pilot.pause()
        assert screen.progress == []
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [False]


async def test_it_fits_80x24(context):
    app = ScreenApp(lambda: TestCallScreen(context, "mond-noord"))
    async with app.run_test(size=SIZE) as pilot:
        await run_call(pilot)
        screen = app.screen
        for widget in [screen.query_one("#tc-step-cov"), screen.query_one("#tc-password"),
                       screen.query_one("#tc-result")]:
            region = widget.region
            assert region.height >= 1 and region.bottom <= 23 and region.right <= 80, widget
        assert screen.query_one("#tc-result").region.height >= 3


async def test_in_the_real_app_from_the_dashboard(context):
    from vecozo_tui.tui.app import VecozoApp

    app = VecozoApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.select_practice("hap-zuid")  # the dashboard's cursor on the practice
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TestCallScreen)
        assert app.screen.practice.id == "hap-zuid"
        await run_call(pilot)
        assert app.screen.diagnosis.ok
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TestCallScreen)
        # the dashboard re-read the repository: the test call is shown as OK
        from textual.widgets import DataTable

        table = app.screen.query_one("#practices", DataTable)
        cells = [str(cell) for cell in table.get_row("hap-zuid")]
        assert "OK" in cells
        assert "FAILED" not in cells

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from datetime import UTC, datetime

    from vecozo_tui.demo import running_demo

    # TLS checks certificates against the real clock, so the demo is built for real now
    with running_demo(datetime.now(UTC), directory=tmp_path_factory.mktemp("demo")) as demo:
        yield demo


@pytest.mark.parametrize("practice_id, ok, failed_at", [
    ("hap-zuid", True, None),
    ("mond-noord", False, "authorised"),
])
async def test_demo_test_calls_from_the_tui(demo, practice_id, ok, failed_at):
    from vecozo_tui.demo import DEMO_PASSWORD
    from vecozo_tui.tui.app import VecozoApp

    config = load_config(demo.config_path)
    context = AppContext(config=config, repository=Repository(config.repository),
                         clock=SYSTEM_CLOCK, actor=Actor("demo"), demo=demo)
    app = VecozoApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_feature("test_call", practice_id)
        await pilot.pause()
        await run_call(pilot, DEMO_PASSWORD)
        diagnosis = app.screen.diagnosis
        assert diagnosis.ok is ok, diagnosis.lines()
        if failed_at:
            assert diagnosis.failed_step.key == failed_at
            assert diagnosis.problem == "not_authorised"
            assert "not authorised" in text_of(app.screen, "#tc-result-text")
