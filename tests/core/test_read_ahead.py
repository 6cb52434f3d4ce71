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


def _ended(pid: int) -> bool:
    """Gone, or a zombie nobody reaps (a container's init may not)."""
    try:
        state = open(f"/proc/{pid}/stat", encoding="ascii").read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_the_helper_ends_with_a_console_that_was_killed():
    """A console killed while its helper reads a slow repository leaves no helper behind."""
    import subprocess
    import sys

    script = ("import time\nfrom vecozo_tui import read_ahead\n"
              "read_ahead.usable_cores = lambda: 2\n"
              "ahead = read_ahead.ReadAhead.start(lambda: time.sleep(60))\n"
              "print(ahead._pid, flush=True)\ntime.sleep(60)\n")
    console = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    helper = int(console.stdout.readline())
    time.sleep(0.3)  # the helper is at work
    assert not _ended(helper)
    console.kill()
    console.wait()
    ends = time.monotonic() + 5
    while not _ended(helper) and time.monotonic() < ends:
        time.sleep(0.05)
    assert _ended(helper)


def test_a_console_whose_textual_import_fails_leaves_no_helper(monkeypatch, tmp_path):
    import sys

    from vecozo_tui.cli import console
    from vecozo_tui.cli.main import Invocation, parse_command_line

    helpers = []
    start = ReadAhead.start.__func__

    def counted(cls, work):
        ahead = start(cls, work)
        helpers.append(ahead)
        return ahead

    monkeypatch.setattr(ReadAhead, "start", classmethod(counted))
    monkeypatch.setitem(sys.modules, "vecozo_tui.tui.app", None)  # a broken install
    with pytest.raises(ImportError):
        console.run_tui(Invocation(parse_command_line(["--config", str(tmp_path / "c.toml")])))
    assert helpers and helpers[0] is not None
    with pytest.raises(ChildProcessError):  # ended and reaped
        os.waitpid(helpers[0]._pid, os.WNOHANG)


@pytest.mark.parametrize(("limit", "cores"), [
    ("max 100000\n", None), ("100000 100000\n", 1.0), ("150000 100000\n", 1.5),
    ("400000 100000\n", None), ("garbage\n", None)])
def test_a_containers_cpu_limit_counts(limit, cores, tmp_path, monkeypatch):
    """docker --cpus=1 on a many-core host: one core, so no helper."""
    monkeypatch.undo()  # the real usable_cores, not the fixture's 2
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    if affinity is None:
        pytest.skip("needs os.sched_getaffinity (Linux)")
    (tmp_path / "cpu.max").write_text(limit, encoding="ascii")
    monkeypatch.setattr(read_ahead, "CPU_LIMIT_FILE", str(tmp_path / "cpu.max"))
    assert read_ahead.usable_cores() == (affinity if cores is None else min(affinity, cores))

