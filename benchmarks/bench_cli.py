"""`vecozo-tui list` and `status --json` on 1,000 practices (issue 2's benchmark).

    .venv/bin/python benchmarks/bench_cli.py [--runs 11] [--rebuild] [--count 1000]

Fresh process per run (``.venv/bin/vecozo-tui list --config ...``); target: median
<= 0.3 s wall. Also asserts that neither command imports Textual (nor cryptography),
with ``python -X importtime`` and with ``sys.modules`` after the command ran.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_fleet import build_fleet  # noqa: E402
from common import VECOZO_TUI, Command, assert_lean, machine, time_commands  # noqa: E402

TARGET_SECONDS = 0.3
COMMANDS = (["list"], ["status", "--json"], ["list", "--json"], ["status"])


def assert_no_textual_in_process(config: str) -> None:
    script = (
        "import contextlib, io, sys\n"
        "from vecozo_tui.cli.main import main\n"
        f"for argv in {[list(c) for c in COMMANDS]!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main(argv + ['--config', sys.argv[1]]) == 0, argv\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'cryptography')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, config], capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=21, help="timed runs per command")
    parser.add_argument("--rebuild", action="store_true", help="build a new fleet")
    args = parser.parse_args(argv)
    fleet = build_fleet(count=args.count, rebuild=args.rebuild)
    config = str(fleet.config)

    listing = subprocess.run([str(VECOZO_TUI), "list", "--config", config],
                             capture_output=True, text=True, check=True).stdout.splitlines()
    print(f"Machine: {machine()}")
    print(f"Fleet:   {fleet.count} practices, {len(fleet.pem_files)} certificates "
          f"({fleet.directory})")
    print(f"list:    {len(listing) - 1} rows; first: {listing[1][:90]}")
    print()
    print("Imports (python -X importtime, and sys.modules after running all four):")
    for command in COMMANDS[:2]:
        print(assert_lean([*command, "--config", config]))
    assert_no_textual_in_process(config)
    print("  textual and cryptography absent from sys.modules: yes")
    print()
    print(f"Wall time, fresh process each run, {args.runs} runs (taking turns) after 2 "
          "warm-up runs:")
    timings = time_commands([Command(f"vecozo-tui {' '.join(command)}",
                                     [str(VECOZO_TUI), *command, "--config", config])
                             for command in COMMANDS], runs=args.runs)
    for timing in timings:
        print(timing.line(TARGET_SECONDS))
    missed = [t.label for t in timings[:2] if t.median > TARGET_SECONDS]
    if missed:
        print(f"\nTarget missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
