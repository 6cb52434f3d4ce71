"""`check`, `list`, `status --json` and `metrics` on 1,000 practices, against a bare read.

    .venv/bin/python benchmarks/bench_monitoring.py [--runs 21] [--rebuild] [--count 1000]
                                                    [--dir PATH] [--editable]

Each run is a fresh process, as Icinga or a systemd timer would start it:
``vecozo-tui check --config ...`` from a regular install of this tree in a venv of its
own (``pip install .``, as the README's production set-up; made in $TMPDIR by
common.installed_copy; ``--editable`` measures the repository's .venv instead). The
yardstick, in the same run on the same repository: a bare Python process of that venv
(the same interpreter and site, so the same start-up) that reads the same 1,000 index
files (``practices/<id>/practice.json``) and does nothing with them. Target (issue 13):
every command's median within 2.5x of the bare read's. For scale, a floor: a process
that only imports what a report cannot do without (json, tomli, datetime, zoneinfo),
parses the configuration, decodes the summary and stats the 2,000 files the summary is
checked against, with no checks, statuses or output. All of them take turns, so a burst
of load on a shared machine hits them alike. The package is byte-compiled (with
$PYTHONDONTWRITEBYTECODE set, as in some shells, every run would otherwise compile the
modules again, which no installed copy does). The fleet is built (or reused) by
build_fleet.py. Also printed: where the time of one `check` goes, measured inside one
process.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_fleet import build_fleet  # noqa: E402
from common import (  # noqa: E402
    ROOT,
    VECOZO_TUI,
    Command,
    assert_lean,
    installed_copy,
    machine,
    time_commands,
)

TARGET_RATIO = 2.5
# the phases of one `check`, in CPU milliseconds, measured inside one fresh process
PHASES = (
    "import sys, time\n"
    "clock = time.process_time\n"
    "started = clock()\n"
    "from vecozo_tui.cli.main import build_parser\n"
    "from vecozo_tui.cli import monitoring as cli_monitoring\n"
    "from vecozo_tui import config, monitoring, overview, repository\n"
    "from vecozo_tui.clock import SYSTEM_CLOCK\n"
    "imported = clock()\n"
    "build_parser('check').parse_args(['check', '--config', sys.argv[1]])\n"
    "parsed = clock()\n"
    "settings = config.load_config(sys.argv[1], check_repository=False)\n"
    "loaded = clock()\n"
    "now = SYSTEM_CLOCK.now()\n"
    "snapshot = monitoring.read_snapshot(settings, monitoring.open_repository(settings, "
    "SYSTEM_CLOCK), now)\n"
    "read = clock()\n"
    "monitoring.check_report(snapshot, settings.thresholds)\n"
    "reported = clock()\n"
    "print(' '.join(f'{1000 * (b - a):.1f}' for a, b in ((started, imported), "
    "(imported, parsed), (parsed, loaded), (loaded, read), (read, reported))))\n"
)
PHASE_NAMES = ("imports", "argument parsing", "configuration (TOML, checks)",
               "repository reads and status", "plugin output")
BARE_READ = (
    "import sys\n"
    "with open(sys.argv[1], encoding='utf-8') as listing:\n"
    "    for name in listing.read().splitlines():\n"
    "        with open(name, 'rb') as handle:\n"
    "            handle.read()\n"
)
# a lower bound for any report: what one cannot do without, and nothing else
FLOOR = (
    "import datetime, json, os, sys, zoneinfo\n"
    "import tomli\n"
    "with open(sys.argv[1], 'rb') as handle:\n"
    "    config = tomli.load(handle)\n"
    "root = config['repository']['path']\n"
    "with open(os.path.join(root, 'summary.json'), 'rb') as handle:\n"
    "    summary = json.loads(handle.read())\n"
    "now = datetime.datetime.now(zoneinfo.ZoneInfo('Europe/Amsterdam'))\n"
    "for practice in config['practices']:\n"
    "    for name in ('practice.json', 'events.json'):\n"
    "        try:\n"
    "            os.lstat(os.path.join(root, 'practices', practice['id'], name))\n"
    "        except OSError:\n"
    "            pass\n"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=21, help="timed runs per command")
    parser.add_argument("--rebuild", action="store_true", help="build a new fleet")
    parser.add_argument("--dir", type=Path, help="the fleet's directory (default: "
                                                 "$TMPDIR/vecozo-bench-fleet-COUNT)")
    parser.add_argument("--editable", action="store_true",
                        help="measure the repository's .venv (an editable install) instead "
                             "of a regular install")
    args = parser.parse_args(argv)

    fleet = build_fleet(args.dir, count=args.count, rebuild=args.rebuild)
    if args.editable:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "vecozo_tui")],
                       check=True)
        bin_dir = VECOZO_TUI.parent
    else:
        bin_dir = installed_copy()
    python, vecozo_tui = str(bin_dir / "python"), str(bin_dir / "vecozo-tui")
    config = str(fleet.config)
    work = Path(tempfile.mkdtemp(prefix="vecozo-bench-"))
    prom = work / "vecozo.prom"
    listing = work / "index-files.txt"
    index_files = sorted((fleet.repository / "practices").glob("*/practice.json"))
    listing.write_text("".join(f"{p}\n" for p in index_files), encoding="utf-8")

    # what the commands say, once, so the figures are known to be about real output
    check = subprocess.run([vecozo_tui, "check", "--config", config],
                           capture_output=True, text=True)
    subprocess.run([vecozo_tui, "metrics", "--config", config, "--output", str(prom)],
                   check=True)
    samples = sum(1 for line in prom.read_text().splitlines() if not line.startswith("#"))
    listed = subprocess.run([vecozo_tui, "list", "--config", config],
                            capture_output=True, text=True, check=True).stdout.splitlines()

    print(f"Machine: {machine()}")
    print(f"Fleet:   {fleet.count} practices ({fleet.directory})")
    install = "editable (the repository's .venv)" if args.editable else "regular"
    print(f"Install: {install}, {bin_dir}")
    print(f"check:   exit {check.returncode}, {len(check.stdout.splitlines())} lines, "
          f"{len(check.stdout.encode())} bytes: {check.stdout.splitlines()[0][:100]}...")
    print(f"list:    {len(listed) - 1} rows")
    print(f"metrics: {samples} samples, {prom.stat().st_size} bytes")
    print(f"bare:    reads {len(index_files)} index files")
    print()
    print("Imports (python -X importtime):")
    for command in (["check"], ["list"], ["status", "--json"], ["metrics", "--output", str(prom)]):
        print(assert_lean([*command, "--config", config], bin_dir))
    print()
    print(f"Wall time, fresh process each run, {args.runs} runs (taking turns) after 2 "
          "warm-up runs:")
    bare = Command(f"bare Python read of {len(index_files)} index files",
                   [python, "-c", BARE_READ, str(listing)])
    floor = Command("floor: parse, decode, stat; no more", [python, "-c", FLOOR, config])
    commands = [
        Command("vecozo-tui check", [vecozo_tui, "check", "--config", config],
                expect_codes=(0, 1, 2)),
        Command("vecozo-tui list", [vecozo_tui, "list", "--config", config]),
        Command("vecozo-tui status --json",
                [vecozo_tui, "status", "--json", "--config", config]),
        Command("vecozo-tui metrics --output FILE",
                [vecozo_tui, "metrics", "--config", config, "--output", str(prom)]),
    ]
    bare_timing, floor_timing, *timings = time_commands([bare, floor, *commands],
                                                        runs=args.runs)
    print(bare_timing.line())
    print(floor_timing.line())
    for timing in timings:
        print(timing.line())
    print()
    print(f"Ratio to the bare read (target <= {TARGET_RATIO}x):")
    print(f"  {floor_timing.label:<34} {floor_timing.median / bare_timing.median:4.2f}x  "
          f"({floor_timing.median:.3f} s vs {bare_timing.median:.3f} s)")
    missed = []
    for timing in timings:
        ratio = timing.median / bare_timing.median
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        print(f"  {timing.label:<34} {ratio:4.2f}x  ({timing.median:.3f} s vs "
              f"{bare_timing.median:.3f} s)  {verdict}")
        if ratio > TARGET_RATIO:
            missed.append(timing.label)
    print()
    print_phases(python, config, runs=args.runs)
    shutil.rmtree(work, ignore_errors=True)
    if missed:
        print(f"\nTarget missed: {', '.join(missed)}")
        return 1
    return 0


def print_phases(python: str, config: str, *, runs: int) -> None:
    startup = time_commands([Command("python -c pass", [python, "-c", "pass"])],
                            runs=runs)[0]
    # run outside the tree: `python -c` puts the working directory first on sys.path
    rows = [[float(x) for x in subprocess.run([python, "-c", PHASES, config],
                                               capture_output=True, text=True, check=True,
                                               cwd=tempfile.gettempdir()).stdout.split()]
            for _ in range(runs)]
    print(f"Where one check's time goes (CPU ms, median of {runs} fresh processes):")
    print(f"  {'interpreter start-up (python -c pass)':<40} "
          f"{1000 * statistics.median(startup.cpu):6.1f}")
    for name, column in zip(PHASE_NAMES, zip(*rows, strict=True), strict=True):
        print(f"  {name:<40} {statistics.median(column):6.1f}")


if __name__ == "__main__":
    raise SystemExit(main())
