"""The report commands (list, status, show, check, metrics) start and end fast on 1,000
practices: without the cycle collector while they run (8 ms of a 120 ms `check`), with an
exit that skips the interpreter's teardown (10 ms) yet loses no output, no error and no
exit code, with one-line JSON for a program, and importing only what they need."""

from __future__ import annotations

import gc
import io
import json
import os
import resource
import signal
import subprocess
import sys

import pytest

from vecozo_tui.cli import main as cli_main


@pytest.mark.parametrize(("argv", "collecting"), [
    (["check"], False), (["--config", "x.toml", "list"], False), (["status", "--json"], False),
    (["metrics"], False), (["show", "p"], False), (["init"], True), (["tui"], True),
    (["fake-cov"], True), ([], True),
])
def test_the_collector_waits_only_while_a_report_runs(argv, collecting, monkeypatch):
    seen = []
    monkeypatch.setattr(cli_main, "_main", lambda *args: seen.append(gc.isenabled()) or 0)
    assert gc.isenabled()
    assert cli_main.main(argv) == 0
    assert seen == [collecting]
    assert gc.isenabled()


def test_the_collector_is_back_after_a_report_that_failed(monkeypatch):
    def fails(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_main, "_main", fails)
    with pytest.raises(RuntimeError):
        cli_main.main(["check"])
    assert gc.isenabled()


# without PYTHONUNBUFFERED (some shells and CI set it): the output must be flushed by the
# program itself before the fast exit, not on every write
UNBUFFERED = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}


def _program(*argv: str, **options) -> subprocess.CompletedProcess:
    options.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", "vecozo_tui", *argv], text=True, timeout=60,
                          env=UNBUFFERED, **options)


@pytest.mark.parametrize("argv", [["check"], ["check", "-v"], ["list"], ["status", "--json"],
                                  ["show", "soon"]])
def test_a_report_that_skips_the_teardown_loses_no_output(site, capsys, argv):
    # the program ends with os._exit after a report: what it printed must all be there
    site.practice("soon", days_left=10, test_ok=False)
    for number in range(30):
        site.practice(f"p{number:02}", days_left=100 + number)
    capsys.readouterr()
    in_process = cli_main.main([*argv, "--config", str(site.config)])
    expected = capsys.readouterr()
    result = _program(*argv, "--config", str(site.config))
    out, expected_out = result.stdout, expected.out
    if "--json" in argv:  # made at another moment
        out, expected_out = (json.loads(text) | {"generated_at": None}
                             for text in (out, expected_out))
    assert (result.returncode, out, result.stderr) == (in_process, expected_out, expected.err)
    assert result.stdout.endswith("\n") and len(result.stdout) > 200


def test_a_full_disk_is_still_an_error_after_a_report(site, tmp_path):
    # a file size limit of 0 stands in for a full disk: the output cannot be written
    def no_room() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    site.practice("soon", days_left=10)
    with open(tmp_path / "out.txt", "w") as out:
        result = _program("list", "--config", str(site.config), stdout=out,
                          stderr=subprocess.PIPE, capture_output=False, preexec_fn=no_room)
    assert result.returncode == 120  # as Python says it for an output it could not write
    assert "File too large" in result.stderr


@pytest.mark.parametrize(("argv", "closed", "code"), [
    (["check"], 2, 2), (["status", "--json"], 1, 0), (["show", "soon"], 2, 0)],
    ids=["check-2>&-", "status-json->&-", "show-2>&-"])
def test_a_closed_stream_keeps_the_exit_code(site, argv, closed, code):
    site.practice("soon", days_left=10)  # CRITICAL: check exits 2
    result = _program(*argv, "--config", str(site.config), preexec_fn=lambda: os.close(closed))
    assert result.returncode == code
    assert "Traceback" not in result.stdout + result.stderr


def test_a_profiler_still_gets_its_report(site):
    site.practice("soon", days_left=10)
    result = subprocess.run([sys.executable, "-m", "cProfile", "-m", "vecozo_tui", "list",
                             "--config", str(site.config)], capture_output=True, text=True,
                            timeout=60, env=UNBUFFERED)
    assert result.returncode == 0, result.stderr
    assert "function calls" in result.stdout


def test_a_reader_that_leaves_early_is_no_error(site):
    for number in range(200):
        site.practice(f"p{number:03}", days_left=None)
    listing = subprocess.Popen([sys.executable, "-m", "vecozo_tui", "list", "--config",
                                str(site.config)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=UNBUFFERED)
    assert listing.stdout is not None and listing.stderr is not None
    listing.stdout.readline()
    listing.stdout.close()  # as `| head -1` does
    assert listing.wait(timeout=60) == 0
    assert listing.stderr.read() == b""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stdout", "lines"), [(io.StringIO(), 1), (_Terminal(), None)])
def test_json_is_one_line_for_a_program_and_indented_at_a_terminal(stdout, lines):
    from vecozo_tui.cli.common import print_json
    from vecozo_tui.cli.main import Invocation

    data = {"practices": [{"practice": "hap-zuid", "level": "OK"}], "Zürich": "ü"}
    print_json(Invocation(args=None, stdout=stdout), data)  # type: ignore[arg-type]
    written = stdout.getvalue()
    assert json.loads(written) == data
    assert "ü" in written  # no \\u escapes
    if lines is None:
        assert '\n  "practices": [\n' in written
    else:
        assert written.count("\n") == lines
        assert '"level": "OK"' in written  # what a grep for a level looks for


def test_a_report_imports_only_what_it_needs(site):
    # each of these cost milliseconds of every run on a monitoring server: dataclasses (and
    # inspect) for records, shutil for argparse's width, locale for gettext's search,
    # tempfile (with random) for the metrics file's temporary name, the
    # deploy module for practices without deploy targets, the PKCS#12 module (the records
    # of stored certificates are in certificate_info), cryptography for nothing
    site.practice("soon", days_left=10)
    script = ("import sys, io, contextlib\n"
              "from vecozo_tui.cli.main import main\n"
              "for argv in (['check'], ['list'], ['status', '--json'], ['metrics'],\n"
              f"             ['metrics', '--output', {str(site.tmp / 'vecozo.prom')!r}],\n"
              "             ['show', 'soon']):\n"
              "    with contextlib.redirect_stdout(io.StringIO()):\n"
              f"        main([*argv, '--config', {str(site.config)!r}])\n"
              "print(' '.join(sorted(name for name in ('dataclasses', 'inspect', 'shutil', "
              "'locale', 'tempfile', 'vecozo_tui.deploy', 'vecozo_tui.certificates', "
              "'cryptography', 'textual') "
              "if name in sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("columns", ["100", "", "nonsense"])
def test_help_is_as_wide_as_shutil_would_make_it(columns, monkeypatch):
    import shutil

    if columns:
        monkeypatch.setenv("COLUMNS", columns)
    else:
        monkeypatch.delenv("COLUMNS", raising=False)
    expected = shutil.get_terminal_size().columns - 2
    assert cli_main._HelpFormatter("vecozo-tui")._width == expected
