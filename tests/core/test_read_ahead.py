"""The helper process that reads while the console imports Textual: it hands back what
the work returned, in another process; anything unusual means "None: do it here"."""

from __future__ import annotations

import os
import signal
import threading
import time
from types import MappingProxyType

import pytest

from vecozo_tui import read_ahead
from vecozo_tui.read_ahead import ReadAhead

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture(autouse=True)
def _two_cores(monkeypatch):
    monkeypatch.setattr(read_ahead, "usable_cores", lambda: 2)


def test_the_work_runs_in_another_process_and_its_answer_comes_back():
    ahead = ReadAhead.start(lambda: {"pid": os.getpid(),
                                     "table": MappingProxyType({"a": 1})})
    assert ahead is not None
    answer = ahead.result()
    assert answer is not None
    assert answer["pid"] != os.getpid()
    assert isinstance(answer["table"], MappingProxyType)  # pickle alone cannot carry it
    assert dict(answer["table"]) == {"a": 1}


def test_work_that_fails_gives_none_and_prints_nothing(capfd):
    def fails():
        print("from the helper")
        raise RuntimeError("boom")

    ahead = ReadAhead.start(fails)
    assert ahead is not None
    assert ahead.result() is None
    out, err = capfd.readouterr()
    assert out == err == ""  # the helper's streams are /dev/null


def test_a_helper_killed_half_way_gives_none():
    ahead = ReadAhead.start(lambda: time.sleep(30))
    assert ahead is not None
    os.kill(ahead._pid, signal.SIGKILL)
    assert ahead.result() is None


def test_an_answer_of_many_pipe_buffers_arrives_whole():
    big = os.urandom(5 << 20)
    ahead = ReadAhead.start(lambda: big)
    assert ahead is not None
    assert ahead.result() == big


def test_no_helper_on_one_core_or_beside_a_thread(monkeypatch):
    monkeypatch.setattr(read_ahead, "usable_cores", lambda: 1)
    assert ReadAhead.start(os.getpid) is None
    monkeypatch.setattr(read_ahead, "usable_cores", lambda: 2)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert ReadAhead.start(os.getpid) is None  # a fork would copy its locks, held
    finally:
        stop.set()
        thread.join()


def test_no_helper_when_fork_fails(monkeypatch):
    def no_fork():
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert ReadAhead.start(os.getpid) is None


def test_ctrl_c_while_waiting_ends_the_helper(monkeypatch):
    ahead = ReadAhead.start(lambda: time.sleep(30))
    assert ahead is not None
    pid = ahead._pid

    def interrupted(fd, size):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "read", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ahead.result()
    monkeypatch.undo()
    with pytest.raises(ChildProcessError):  # ended and reaped: no zombie left
        os.waitpid(pid, os.WNOHANG)
