"""`vecozo-tui check` keeps the plugin contract for every command line it is given.

A monitoring system reads exit 2 as CRITICAL and shows only standard output, so a
usage error (an option it does not know, a stray argument, a bad value) must be
``VECOZO UNKNOWN - ...`` on stdout with exit 3, whichever argparse parser notices it.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.monitoring_support import check
from vecozo_tui import __version__, monitoring
from vecozo_tui.cli.main import main


def usage_error(capsys, argv: list[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    captured = capsys.readouterr()
    return raised.value.code, captured.out, captured.err


@pytest.mark.parametrize("argv", [
    ["check", "--bogus"],
    ["check", "stray-argument"],
    ["--bogus", "check"],
    ["check", "-w", "soon"],
    ["check", "-t"],
    ["check", "-t", "0"],
    ["check", "-t", "ten"],
    ["check", "--warning=60", "extra", "--more"],
], ids=["unknown-option", "stray-argument", "unknown-top-level-option", "bad-number",
        "timeout-without-value", "timeout-zero", "timeout-not-a-number", "several"])
def test_every_usage_error_is_unknown_on_stdout(site, capsys, argv):
    argv = [*argv[:argv.index("check") + 1], "--config", str(site.config),
            *argv[argv.index("check") + 1:]]
    code, out, err = usage_error(capsys, argv)
    assert code == monitoring.UNKNOWN
    assert out.startswith("VECOZO UNKNOWN - ")
    assert "usage: vecozo-tui check" in out
    assert out.count("\n") == 1
    assert err == ""


def test_a_usage_error_of_another_command_stays_exit_2(capsys):
    code, out, err = usage_error(capsys, ["list", "--bogus"])
    assert code == 2
    assert out == ""
    assert "unrecognized arguments: --bogus" in err


def test_the_real_process_exits_3_with_nothing_on_stderr(site):
    result = subprocess.run([sys.executable, "-m", "vecozo_tui", "check", "--config",
                             str(site.config), "-t", "10", "--bogus"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert result.stdout.startswith("VECOZO UNKNOWN - unrecognized arguments: --bogus")
    assert result.stderr == ""


@pytest.mark.parametrize("flags", [["-t", "10"], ["--timeout", "30"], ["-v"], ["-vvv"],
                                   ["--verbose"]])
def test_the_plugin_standard_options_are_accepted(site, clock, capsys, flags):
    site.practice("hap-zuid", days_left=400)
    code, out = check(site, clock, capsys, *flags)
    assert code == monitoring.OK, out
    assert out.startswith("VECOZO OK - 1 practice OK")


def test_verbose_names_what_was_checked_with_which_thresholds(site, clock, capsys):
    site.practice("hap-zuid", days_left=400)
    _, quiet = check(site, clock, capsys)
    _, verbose = check(site, clock, capsys, "-v", "-w", "50")
    assert verbose.splitlines()[0] == quiet.splitlines()[0].replace("60:", "50:")
    assert (f"checked 1 practice of {site.config} in {site.repository_path}: warning below "
            "50 days, critical below 14 days") in verbose


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version_exits_unknown_so_a_mistaken_command_never_shows_ok(capsys, flag):
    code, out, err = usage_error(capsys, ["check", flag])
    assert (code, out, err) == (monitoring.UNKNOWN, f"vecozo-tui {__version__}\n", "")


def test_help_is_on_stdout_and_exits_unknown(capsys):
    code, out, err = usage_error(capsys, ["check", "--help"])
    assert code == monitoring.UNKNOWN
    assert "-t SECONDS, --timeout SECONDS" in out
    assert err == ""


def test_a_check_that_hangs_answers_unknown_after_the_timeout(site):
    site.practice("hap-zuid", days_left=400)
    # as if the repository were on a hung network file system
    script = (
        "import sys, time\n"
        "from vecozo_tui.cli import monitoring\n"
        "monitoring.read_snapshot = lambda *args, **kwargs: time.sleep(30)\n"
        "from vecozo_tui.cli.main import main\n"
        "raise SystemExit(main(['check', '--config', sys.argv[1], '-t', '1']))\n"
    )
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script, str(site.config)],
                            capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 15
    assert result.returncode == monitoring.UNKNOWN
    assert result.stdout == ("VECOZO UNKNOWN - no answer within 1 second (-t/--timeout): is "
                             "the repository on a slow or hung file system?\n")
    assert result.stderr == ""
