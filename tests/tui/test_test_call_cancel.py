"""A test call that hangs never holds the console: Escape leaves the screen and `q` quits,
and the call lets go of its connection at once (Pilot at 80x24, a real TLS server on
127.0.0.1 that answers one byte a second)."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Input

from tests.cov_support import PFX_PASSWORD, make_setup
from tests.hostile_tls import HostileServer, send_slowly
from tests.tui_support import wait_until
from vecozo_tui.clock import SYSTEM_CLOCK
from vecozo_tui.config import load_config
from vecozo_tui.repository import Actor, Repository
from vecozo_tui.tui.app import VecozoApp
from vecozo_tui.tui.context import AppContext
from vecozo_tui.tui.screens.test_call import TestCallScreen

SIZE = (80, 24)
TRICKLE = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200


@pytest.fixture
def hanging(tmp_path):
    with HostileServer(send_slowly(TRICKLE)) as server:
        setup = make_setup(tmp_path, server, timeout=60.0)
        config = load_config(setup.config_path)
        context = AppContext(config=config, repository=Repository(config.repository),
                             clock=SYSTEM_CLOCK, actor=Actor("beheer", "192.0.2.7"))
        yield server, context


async def start_call(pilot) -> TestCallScreen:
    pilot.app.open_feature("test_call", "hap-zuid")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TestCallScreen)
    screen.query_one("#tc-password", Input).value = PFX_PASSWORD
    screen.query_one("#tc-password", Input).focus()
    await pilot.press("enter")
    await pilot.pause(1.5)  # connected, request sent, the answer trickling in
    assert screen._busy
    return screen



async def test_escape_leaves_a_hanging_call_and_q_quits(hanging):
    server, context = hanging
    app = VecozoApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await start_call(pilot)
        pressed = time.monotonic()
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: app.screen is not screen, 1.0)
        assert await wait_until(pilot, lambda: bool(server.closed_at), 2.0)
        assert server.closed_at[0] - pressed < 2.0
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    # a cancelled call is no outcome: the dashboard does not show a failed test for it
    assert context.repository.events("hap-zuid").last_test_call is None


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_quitting_during_a_hanging_call_ends_it(hanging, key):
    server, context = hanging
    app = VecozoApp(context)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_call(pilot)
        pressed = time.monotonic()
        await pilot.press(key)
        await pilot.pause()
    assert app.return_code == 0
    ends = time.monotonic() + 2.0
    while not server.closed_at and time.monotonic() < ends:
        time.sleep(0.05)
    assert server.closed_at and server.closed_at[0] - pressed < 2.0
