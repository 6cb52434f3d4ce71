"""`vecozo-tui check` and `metrics` on 1,000 practices, against an openssl shell loop.

    .venv/bin/python benchmarks/bench_monitoring.py [--runs 11] [--rebuild] [--count 1000]

Each run is a fresh process, as Icinga or a systemd timer would start it:
``.venv/bin/vecozo-tui check --config ...``. Target: median <= 0.2 s wall. The
comparison is what a script would do without vecozo-tui, in the same run on the same
certificates: ``openssl x509 -enddate -noout -in chain.pem`` once per practice in a
shell loop (it reads the first certificate of each chain.pem: the practice's own).
The fleet is built (or reused) by build_fleet.py.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_fleet import build_fleet  # noqa: E402
from common import (  # noqa: E402
    VECOZO_TUI,
    Command,
    assert_lean,
    machine,
    time_command,
    time_commands,
)

TARGET_SECONDS = 0.2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=21, help="timed runs per command")
    parser.add_argument("--openssl-runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="build a new fleet")
    args = parser.parse_args(argv)
    openssl = shutil.which("openssl")
    if openssl is None:
        raise SystemExit("the openssl command line is needed for the comparison")

    fleet = build_fleet(count=args.count, rebuild=args.rebuild)
    config = str(fleet.config)
    work = Path(tempfile.mkdtemp(prefix="vecozo-bench-"))
    prom = work / "vecozo.prom"
    listing = work / "pem-files.txt"
    listing.write_text("".join(f"{p}\n" for p in fleet.pem_files), encoding="utf-8")

    # what the commands say, once, so the figures are known to be about real output
    check = subprocess.run([str(VECOZO_TUI), "check", "--config", config],
                           capture_output=True, text=True)
    subprocess.run([str(VECOZO_TUI), "metrics", "--config", config, "--output", str(prom)],
                   check=True)
    samples = sum(1 for line in prom.read_text().splitlines() if not line.startswith("#"))
    loop = (f"while IFS= read -r f; do {shlex.quote(openssl)} x509 -enddate -noout -in "
            f'"$f"; done < {shlex.quote(str(listing))}')
    ends = subprocess.run(["bash", "-c", loop], capture_output=True, text=True, check=True)

    print(f"Machine: {machine()}")
    print(f"Fleet:   {fleet.count} practices, {len(fleet.pem_files)} certificates "
          f"({fleet.directory})")
    print(f"check:   exit {check.returncode}, {len(check.stdout.splitlines())} lines: "
          f"{check.stdout.splitlines()[0][:110]}...")
    print(f"metrics: {samples} samples, {prom.stat().st_size} bytes")
    print(f"openssl: {len(ends.stdout.splitlines())} notAfter lines, e.g. "
          f"{ends.stdout.splitlines()[0]}")
    print()
    print("Imports (python -X importtime):")
    print(assert_lean(["check", "--config", config]))
    print(assert_lean(["metrics", "--config", config, "--output", str(prom)]))
    print()
    print(f"Wall time, fresh process each run, {args.runs} runs (taking turns) after 2 "
          "warm-up runs:")
    timings = time_commands([
        Command("vecozo-tui check", [str(VECOZO_TUI), "check", "--config", config],
                expect_codes=(0, 1, 2)),
        Command("vecozo-tui metrics --output FILE",
                [str(VECOZO_TUI), "metrics", "--config", config, "--output", str(prom)]),
        Command("vecozo-tui metrics (to stdout)",
                [str(VECOZO_TUI), "metrics", "--config", config]),
    ], runs=args.runs)
    for timing in timings:
        print(timing.line(TARGET_SECONDS))
    baseline = time_command(f"openssl x509 -enddate loop ({len(fleet.pem_files)} files)",
                            ["bash", "-c", loop], runs=args.openssl_runs, warmup=1)
    print(baseline.line())
    print()
    for timing in timings[:2]:
        print(f"  {timing.label}: {baseline.median / timing.median:.1f}x faster than the "
              f"openssl loop ({timing.median:.3f} s vs {baseline.median:.2f} s)")
    shutil.rmtree(work, ignore_errors=True)
    missed = [t.label for t in timings[:2] if t.median > TARGET_SECONDS]
    if missed:
        print(f"\nTarget missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
