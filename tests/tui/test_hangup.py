"""A dropped SSH connection (the terminal closed, SIGHUP) ends the console, also while
it starts: Textual's output thread could die on the closed terminal and hold the exit
for good, leaving the console running on the practice server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.tui_support import make_world

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pty")


def start_in_a_terminal(config) -> tuple[subprocess.Popen, int]:
    controller, terminal = os.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24")
    env.pop("NO_COLOR", None)
    console = subprocess.Popen([sys.executable, "-m", "vecozo_tui", "--config", str(config)],
                               stdin=terminal, stdout=terminal, stderr=terminal, env=env,
                               start_new_session=True)
    os.close(terminal)
    return console, controller


def read_until(controller: int, marker: bytes, seconds: float) -> bool:
    seen = b""
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        try:
            seen += os.read(controller, 65536)
        except OSError:
            return False
        if marker in seen:
            return True
    return False


EXTRA = 600  # practices: the rest of the rows arrive after the first paint, for a while


@pytest.mark.parametrize("after", [0.0, 0.3])
def test_a_hangup_while_the_console_starts_ends_it(tmp_path, after):
    """``after``: seconds after the dashboard showed."""
    world = make_world(tmp_path)
    config = world.directory / "config.toml"
    with config.open("a", encoding="utf-8") as text:
        for i in range(EXTRA):
            text.write(f'\n[[practices]]\nid = "extra-{i:03}"\nname = "Praktijk {i:03}"\n'
                       f'agb = "{20000000 + i}"\nenvironment = "test"\n')
    console, controller = start_in_a_terminal(config)
    try:
        assert read_until(controller, b"Huisartsenpraktijk", 30), "the dashboard did not show"
        time.sleep(after)
        os.close(controller)  # what sshd does when the connection drops: the terminal
        console.send_signal(signal.SIGHUP)  # closes, and the session leader is hung up on
        try:
            console.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("the console kept running after the hangup")
    finally:
        if console.poll() is None:
            console.kill()
            console.wait()


HUNG_EXIT = r"""
import os, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from tests.tui_support import make_world
from vecozo_tui.tui import app as tui_app

tui_app.HANGUP_EXIT_SECONDS = 0.3
tui_app.VecozoApp.hangup_ends_process = True  # as in a terminal (this one is headless)
app = make_world(Path(sys.argv[1])).app()
app.exit = lambda *args, **kwargs: None  # an exit that never ends, as with a dead output thread
app._on_ready = lambda app: os.kill(os.getpid(), signal.SIGHUP)
app.run(headless=True, size=(80, 24))
print("the app ended by itself")
"""


def test_after_a_hangup_an_exit_that_hangs_still_ends_the_console(tmp_path):
    """Seen in tmux (a session killed while the 1,000-practice dashboard started, 3 of 5
    times): Textual's output thread died on the closed terminal, the exit waited on it
    for good and the console kept running on the server."""
    root = str(__import__("pathlib").Path(__file__).resolve().parents[2])
    try:
        ended = subprocess.run([sys.executable, "-c", HUNG_EXIT, str(tmp_path), root],
                               capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("the console kept running after the hangup")
    assert ended.returncode == 128 + signal.SIGHUP, ended.stderr[-2000:]
