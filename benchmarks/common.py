"""Timing helpers shared by the benchmarks (not tests: run them by hand, see each script)."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
VECOZO_TUI = VENV_BIN / "vecozo-tui"
if not VECOZO_TUI.exists():  # run with another interpreter: use the repository's venv
    VECOZO_TUI = ROOT / ".venv" / "bin" / "vecozo-tui"
# modules that must never load for the scripted commands
HEAVY = ("textual", "cryptography")
INSTALLED_VENV = Path(tempfile.gettempdir()) / "vecozo-bench-installed"


def installed_copy(venv: Path = INSTALLED_VENV) -> Path:
    """The bin directory of a regular install of this working tree in a venv of its own,
    as the README's production set-up makes it (``pip install .``), made or refreshed now.

    Not the repository's own .venv: its editable install puts an import hook in every
    process start (setuptools' ``__editable__`` finder imports pathlib, re, urllib and
    more, about 13 ms), which also slows the bare yardsticks and so flatters every
    ratio; an installed copy imports those modules only when the command itself does.
    The venv is kept between runs; the package in it is reinstalled from the tree."""
    python = venv / "bin" / "python"
    quiet = {"stdout": subprocess.DEVNULL, "check": True}
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], **quiet)
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(ROOT)], **quiet)
    else:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps",
                        "--force-reinstall", str(ROOT)], **quiet)
    # byte-compiled, as pip does (also when $PYTHONDONTWRITEBYTECODE is set here)
    subprocess.run([str(python), "-m", "compileall", "-q", str(venv / "lib")], **quiet)
    return venv / "bin"


@dataclass
class Timing:
    label: str
    seconds: list[float]
    cpu: list[float] = field(default_factory=list)  # user + system CPU of the process

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def line(self, target: float | None = None) -> str:
        spread = (f"min {min(self.seconds):.3f}, max {max(self.seconds):.3f}"
                  + (f", stdev {statistics.stdev(self.seconds):.3f}"
                     if len(self.seconds) > 1 else ""))
        text = (f"  {self.label:<34} median {self.median:.3f} s  ({spread}; "
                f"{len(self.seconds)} runs")
        text += f"; CPU median {statistics.median(self.cpu):.3f} s)" if self.cpu else ")"
        if target is not None:
            text += f"  target <= {target:.3f} s: {'met' if self.median <= target else 'MISSED'}"
        return text


@dataclass(frozen=True)
class Command:
    label: str
    argv: list[str]
    expect_codes: tuple[int, ...] = (0,)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_once(command: Command) -> tuple[float, float]:
    cpu_before = _children_cpu()
    started = time.perf_counter()
    result = subprocess.run(command.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    if result.returncode not in command.expect_codes:
        raise SystemExit(f"{command.label}: exit {result.returncode}: "
                         f"{result.stderr.decode(errors='replace')[:500]}")
    return elapsed, cpu


def time_commands(commands: list[Command], *, runs: int, warmup: int = 2) -> list[Timing]:
    """Wall time of a fresh process per run (stdout discarded, as a monitoring agent would).

    The commands take turns (round-robin), so a burst of load on a shared machine hits
    all of them alike instead of spoiling one command's figures."""
    timings = [Timing(command.label, []) for command in commands]
    for number in range(warmup + runs):
        for command, timing in zip(commands, timings, strict=True):
            elapsed, cpu = _run_once(command)
            if number >= warmup:
                timing.seconds.append(elapsed)
                timing.cpu.append(cpu)
    return timings


def time_command(label: str, argv: list[str], *, runs: int, warmup: int = 2,
                 expect_codes: tuple[int, ...] = (0,)) -> Timing:
    return time_commands([Command(label, argv, expect_codes)], runs=runs, warmup=warmup)[0]


def imported_modules(args: list[str], bin_dir: Path = VECOZO_TUI.parent
                     ) -> tuple[set[str], float]:
    """Top-level package names a vecozo-tui command imports, and the total import time
    in ms (``python -X importtime``)."""
    result = subprocess.run([str(bin_dir / "python"), "-X", "importtime",
                             str(bin_dir / "vecozo-tui"), *args],
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


def assert_lean(args: list[str], bin_dir: Path = VECOZO_TUI.parent) -> str:
    names, ms = imported_modules(args, bin_dir)
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
