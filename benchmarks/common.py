"""Timing helpers shared by the benchmarks (not tests: run them by hand, see each script)."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
VECOZO_TUI = VENV_BIN / "vecozo-tui"
if not VECOZO_TUI.exists():  # run with another interpreter: use the repository's venv
    VECOZO_TUI = ROOT / ".venv" / "bin" / "vecozo-tui"
# modules that must never load for the scripted commands
HEAVY = ("textual", "cryptography")


@dataclass
class Timing:
    label: str
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def line(self, target: float | None = None) -> str:
        spread = (f"min {min(self.seconds):.3f}, max {max(self.seconds):.3f}"
                  + (f", stdev {statistics.stdev(self.seconds):.3f}"
                     if len(self.seconds) > 1 else ""))
        text = (f"  {self.label:<34} median {self.median:.3f} s  ({spread}; "
                f"{len(self.seconds)} runs)")
        if target is not None:
            text += f"  target <= {target:.3f} s: {'met' if self.median <= target else 'MISSED'}"
        return text


def time_command(label: str, argv: list[str], *, runs: int, warmup: int = 2,
                 shell: bool = False, expect_codes: tuple[int, ...] = (0,)) -> Timing:
    """Wall time of a fresh process per run (stdout discarded, as a monitoring agent would)."""
    seconds = []
    for number in range(warmup + runs):
        started = time.perf_counter()
        result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                shell=shell)  # noqa: S602 - our own fixed shell loop
        elapsed = time.perf_counter() - started
        if result.returncode not in expect_codes:
            raise SystemExit(f"{label}: exit {result.returncode}: "
                             f"{result.stderr.decode(errors='replace')[:500]}")
        if number >= warmup:
            seconds.append(elapsed)
    return Timing(label, seconds)


def imported_modules(args: list[str]) -> tuple[set[str], float]:
    """Top-level package names a vecozo-tui command imports, and the total import time
    in ms (``python -X importtime``)."""
    result = subprocess.run([sys.executable, "-X", "importtime", str(VECOZO_TUI), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    names: set[str] = set()
    total_us = 0
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line.split("|")
        if parts[0].strip().endswith("self [us]"):
            continue
        names.add(parts[2].strip().split(".")[0])
        total_us += int(parts[0].split(":")[1])
    return names, total_us / 1000


def assert_lean(args: list[str]) -> str:
    names, ms = imported_modules(args)
    loaded = sorted(set(HEAVY) & names)
    assert not loaded, f"`vecozo-tui {' '.join(args[:2])}` imports {loaded}"
    return f"  {'vecozo-tui ' + args[0]:<34} imports {len(names)} top-level modules in " \
           f"{ms:.0f} ms; no {' or '.join(HEAVY)}"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")
