"""The test call at the quarter-start rush: a Dutch birth date, advice that no toast
covers, and a wrong password for the stored certificate that says which password."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.test_test_call import context, prepared, run_call, text_of  # noqa: F401
from tests.tui_support import ScreenApp
from vecozo_tui.tui.screens.test_call import TestCallScreen

SIZE = (80, 24)


async def test_production_takes_a_birth_date_written_dd_mm_yyyy(context):  # noqa: F811
    app = ScreenApp(lambda: TestCallScreen(context, "hap-prod"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert screen.query_one("#tc-birth", Input).placeholder == "DD-MM-YYYY"
        screen.query_one("#tc-bsn", Input).value = "999900018"
        screen.query_one("#tc-birth", Input).value = "01-07-1985"
        await run_call(pilot)
        assert screen.diagnosis is not None and screen.diagnosis.ok, \
            text_of(screen, "#tc-error")


async def test_a_failure_is_in_the_screen_and_no_toast_covers_it(context):  # noqa: F811
    app = ScreenApp(lambda: TestCallScreen(context, "mond-noord"))  # not authorised
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await run_call(pilot)
        assert "What to do" in text_of(app.screen, "#tc-result-text")
        assert list(app._notifications) == []


async def test_a_wrong_password_names_the_one_given_at_the_import(context):  # noqa: F811
    app = ScreenApp(lambda: TestCallScreen(context, "hap-zuid"))
    async with app.run_test(size=SIZE) as pilot:
        await run_call(pilot, "verkeerd")
        error = text_of(app.screen, "#tc-error")
        assert "given when it was imported" in error
        assert "exported from the browser" not in error and "size" not in error


async def test_the_demo_names_a_test_person_for_production(context):  # noqa: F811
    from vecozo_tui.demo import DEMO_TEST_PERSON

    context.demo = object()  # any demo: the hint is about the local COV server
    app = ScreenApp(lambda: TestCallScreen(context, "hap-prod"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        bsn, birth = DEMO_TEST_PERSON
        assert bsn in text_of(screen, "#tc-hint") and birth in text_of(screen, "#tc-hint")
        screen.query_one("#tc-bsn", Input).value = bsn
        screen.query_one("#tc-birth", Input).value = birth
        await run_call(pilot)
        assert screen.diagnosis is not None and screen.diagnosis.ok
        assert "insured person found" in screen.diagnosis.summary.lower() or \
            screen.diagnosis.answer is not None
