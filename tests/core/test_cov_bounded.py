"""The timeout bounds the whole test call, connect to answer, and a call can be cancelled:
against a real TLS server on 127.0.0.1 that answers one byte a second."""

from __future__ import annotations

import threading
import time

import pytest

from tests.cov_support import call, cov_pki, make_setup
from tests.hostile_tls import HostileServer, send_slowly
from vecozo_tui.cli.main import main
from vecozo_tui.cov.diagnosis import Cancellation
from vecozo_tui.repository import Repository

# a status line, then header bytes: every read gets a byte in time, the answer never ends
TRICKLE = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200


def within(seconds: float, action):
    """``action()`` in a thread; its result, or a failure when it is still running after
    ``seconds`` (the server's exit then ends it)."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(action()), daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds:g} s"
    return result[0], time.monotonic() - started


def test_a_trickling_server_cannot_stretch_the_call_past_its_timeout():
    with HostileServer(send_slowly(TRICKLE)) as server:
        diagnosis, elapsed = within(3 + 2 + 1, lambda: call(
            server.url, cov_pki().context(cov_pki().good), timeout=3))
    assert elapsed <= 3 + 2, elapsed
    assert diagnosis.problem == "answer_timeout", diagnosis.lines()
    assert "3 s" in diagnosis.step("cov").cause


def test_the_whole_test_cov_command_ends_within_its_timeout(tmp_path, capsys):
    with HostileServer(send_slowly(TRICKLE)) as server:
        setup = make_setup(tmp_path, server, timeout=3.0)
        code, elapsed = within(3 + 2 + 1, lambda: main(
            ["test-cov", "--config", str(setup.config_path), "--password-file",
             str(setup.password_file), "hap-zuid"], env={}))
    out = capsys.readouterr().out
    assert code == 1 and elapsed <= 3 + 2, (elapsed, out)
    assert "no answer within 3 s" in out
    record = Repository(setup.repository_path).events("hap-zuid").last_test_call
    assert record is not None and not record.ok


def test_a_cancelled_call_lets_go_of_its_socket_at_once():
    cancellation = Cancellation()
    with HostileServer(send_slowly(TRICKLE)) as server:
        threading.Timer(1.0, cancellation.cancel).start()
        diagnosis, elapsed = within(3, lambda: call(
            server.url, cov_pki().context(cov_pki().good), timeout=30,
            cancellation=cancellation))
        time.sleep(0.2)
        assert server.closed_at, "the server still has the connection"
    assert elapsed < 2, elapsed
    assert diagnosis.cancelled and not diagnosis.ok
    assert diagnosis.problem == "cancelled"


@pytest.mark.parametrize("when", [0.0, 0.05])
def test_cancelling_before_or_during_the_connection_stops_it(when):
    cancellation = Cancellation()
    with HostileServer(send_slowly(TRICKLE)) as server:
        if when:
            threading.Timer(when, cancellation.cancel).start()
        else:
            cancellation.cancel()
        diagnosis, elapsed = within(3, lambda: call(
            server.url, cov_pki().context(cov_pki().good), timeout=30,
            cancellation=cancellation))
    assert elapsed < 2 and diagnosis.cancelled
