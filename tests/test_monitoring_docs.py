"""docs/monitoring.md against the real software: the alert rules (promtool), the Debian
textfile directory (node_exporter), the sudo wrapper; and no drift between the docs,
the files they quote and the CLI's help."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from vecozo_tui import monitoring
from vecozo_tui.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "monitoring.md"
RULES = ROOT / "docs" / "prometheus" / "vecozo-rules.yml"
RULE_TESTS = ROOT / "docs" / "prometheus" / "vecozo-rules.test.yml"

# node_exporter's textfile directory, one per platform (docs/monitoring.md)
DEBIAN_TEXTFILE_DIR = "/var/lib/prometheus/node-exporter"  # prometheus-node-exporter package
UPSTREAM_TEXTFILE_DIR = "/var/lib/node_exporter/textfile_collector"  # upstream's examples
DEBIAN_NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"


def docs_text() -> str:
    return DOCS.read_text(encoding="utf-8")


def fenced_block(text: str, after: str, language: str) -> str:
    """The first ```language block after the line ``after``."""
    start = text.index(after)
    match = re.compile(rf"^```{language}\n(.*?)^```$", re.S | re.M).search(text, start)
    assert match, f"no ```{language} block after {after!r}"
    return match.group(1)


def unit_file(name: str) -> dict[str, str]:
    """The docs' systemd unit ``name`` as {key: value} (the keys are unique in ours)."""
    block = fenced_block(docs_text(), f"`/etc/systemd/system/{name}`:", "ini")
    return dict(line.split("=", 1) for line in block.splitlines()
                if "=" in line and not line.startswith("#"))


# --- the alert rules ----------------------------------------------------------------------


def test_the_docs_show_the_rules_file_as_it_is():
    assert fenced_block(docs_text(), "### Prometheus alert rules", "yaml") == \
        RULES.read_text(encoding="utf-8")


def test_the_rules_use_only_exported_metrics_and_labels():
    rules = RULES.read_text(encoding="utf-8")
    exported = {name for name, _ in monitoring.FAMILIES}
    used = set(re.findall(r"(?<![.\w])vecozo_[a-z_]+", rules))
    assert used - exported == set()
    assert set(re.findall(r"\$labels\.(\w+)", rules)) <= {"practice", "agb",
                                                          "vecozo_environment", "instance"}


@pytest.mark.skipif(shutil.which("promtool") is None,
                    reason="promtool is not installed (Debian: apt-get install prometheus)")
def test_the_alert_rules_pass_their_promtool_unit_tests():
    checked = subprocess.run(["promtool", "check", "rules", RULES.name], cwd=RULES.parent,
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(["promtool", "test", "rules", RULE_TESTS.name], cwd=RULES.parent,
                            capture_output=True, text=True, timeout=120)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_the_rule_tests_cover_what_must_alert():
    tests = RULE_TESTS.read_text(encoding="utf-8")
    for case in ("expired, expiring, renewal due", "no verified backup",
                 "repository down while a certificate is expired", "no vecozo metrics anywhere",
                 "a node without vecozo metrics", "zero practices"):
        assert f"- name: {case}" in tests


# --- one textfile directory per platform, the same everywhere -----------------------------


def textfile_paths(text: str) -> set[str]:
    return set(re.findall(r"/var/lib/[\w./-]*(?:node[_-]exporter|textfile)[\w./-]*", text))


def test_every_textfile_path_is_the_one_of_its_platform():
    help_text = build_parser()._subparsers._group_actions[0].choices["metrics"].format_help()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = {"docs": textfile_paths(docs_text()), "README": textfile_paths(readme),
             "metrics --help": textfile_paths(" ".join(help_text.split()))}
    allowed = {DEBIAN_TEXTFILE_DIR, f"{DEBIAN_TEXTFILE_DIR}/vecozo.prom", UPSTREAM_TEXTFILE_DIR}
    assert {where: paths - allowed for where, paths in found.items()} == \
        {"docs": set(), "README": set(), "metrics --help": set()}
    assert found["README"] == found["metrics --help"] == {f"{DEBIAN_TEXTFILE_DIR}/vecozo.prom"}


def test_the_docs_unit_writes_where_debian_node_exporter_reads():
    service = unit_file("vecozo-metrics.service")
    output = service["ExecStart"].split("--output ", 1)[1].split()[0]
    assert output == f"{DEBIAN_TEXTFILE_DIR}/vecozo.prom"
    assert service["ReadWritePaths"] == DEBIAN_TEXTFILE_DIR
    setup = fenced_block(docs_text(), "`/etc/systemd/system/vecozo-metrics.timer`:", "sh")
    assert textfile_paths(setup) <= {DEBIAN_TEXTFILE_DIR, f"{DEBIAN_TEXTFILE_DIR}/vecozo.prom"}


@pytest.mark.skipif(not Path(DEBIAN_NODE_EXPORTER).exists(),
                    reason="Debian's prometheus-node-exporter is not installed")
def test_debian_node_exporter_reads_the_documented_directory_by_default():
    help_text = subprocess.run([DEBIAN_NODE_EXPORTER, "--help"], capture_output=True,
                               text=True, timeout=30)
    assert f'--collector.textfile.directory="{DEBIAN_TEXTFILE_DIR}"' in \
        help_text.stdout + help_text.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrape(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local URL
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.skipif(shutil.which("prometheus-node-exporter") is None
                    and shutil.which("node_exporter") is None,
                    reason="node_exporter is not installed")
def test_node_exporter_serves_the_metrics_file_as_written(site, tmp_path):
    site.practice("hap-zuid", days_left=400)
    site.practice("fysio-oost", days_left=-3, agb="04011111")
    textfile_dir = tmp_path / "textfile"
    textfile_dir.mkdir()
    written = subprocess.run([sys.executable, "-m", "vecozo_tui", "metrics", "--config",
                              str(site.config), "--output", str(textfile_dir / "vecozo.prom")],
                             capture_output=True, text=True, timeout=60)
    assert written.returncode == 0, written.stderr
    port = free_port()
    exporter = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
    process = subprocess.Popen([exporter, "--collector.disable-defaults",
                                "--collector.textfile",
                                f"--collector.textfile.directory={textfile_dir}",
                                f"--web.listen-address=127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        served = scrape(f"http://127.0.0.1:{port}/metrics", time.monotonic() + 20)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "node_textfile_scrape_error 0" in served
    assert "\nvecozo_repository_up 1\n" in served
    assert re.search(r'vecozo_certificate_expired\{agb="04011111",practice="fysio-oost",'
                     r'vecozo_environment="production"\} 1', served)
    # the file label that VecozoMetricsStale matches
    assert re.search(r'node_textfile_mtime_seconds\{file="[^"]*vecozo\.prom"\}', served)


# --- the sudo wrapper -----------------------------------------------------------------------

WRAPPER = ROOT / "docs" / "nagios" / "check_vecozo"


def installed_wrapper(tmp_path: Path, fake_sudo: str, site) -> Path:
    """The docs' wrapper with sudo, vecozo-tui and the configuration of this test."""
    sudo = tmp_path / "sudo"
    sudo.write_text(f"#!/bin/sh\n{fake_sudo}\n", encoding="utf-8")
    sudo.chmod(0o755)
    text = WRAPPER.read_text(encoding="utf-8")
    text = text.replace("SUDO=/usr/bin/sudo", f"SUDO={sudo}")
    text = text.replace("VECOZO_TUI=/opt/vecozo-tui/bin/vecozo-tui",
                        f"VECOZO_TUI={Path(sys.executable).parent / 'vecozo-tui'}")
    text = text.replace("CONFIG=/etc/vecozo-tui/config.toml", f"CONFIG={site.config}")
    wrapper = tmp_path / "check_vecozo"
    wrapper.write_text(text, encoding="utf-8")
    wrapper.chmod(0o755)
    return wrapper


def run_wrapper(wrapper: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/sh", str(wrapper)], capture_output=True, text=True,
                          timeout=60)


needs_sh = pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs a POSIX shell")


@needs_sh
def test_the_wrapper_turns_a_sudo_failure_into_unknown_with_the_reason(site, tmp_path):
    wrapper = installed_wrapper(
        tmp_path, 'echo "sudo: a password is required" >&2; exit 1', site)
    result = run_wrapper(wrapper)
    assert (result.returncode, result.stderr) == (3, "")
    assert result.stdout == ("VECOZO UNKNOWN - vecozo-tui check did not run (exit 1): sudo: a "
                             "password is required (see Troubleshooting in "
                             "docs/monitoring.md)\n")


@needs_sh
def test_the_wrapper_passes_the_check_through(site, tmp_path):
    site.practice("hap-zuid", days_left=30)
    # a sudo that is allowed: drop -n and run the command
    wrapper = installed_wrapper(tmp_path, 'shift; exec "$@"', site)
    result = run_wrapper(wrapper)
    assert result.returncode == monitoring.WARNING, result.stdout + result.stderr
    assert result.stdout.startswith("VECOZO WARNING - 1 warning: hap-zuid")
    assert result.stderr == ""


@needs_sh
def test_the_wrapper_says_unknown_when_nothing_comes_back(site, tmp_path):
    wrapper = installed_wrapper(tmp_path, "exit 0", site)
    result = run_wrapper(wrapper)
    assert result.returncode == 3
    assert result.stdout.startswith("VECOZO UNKNOWN - vecozo-tui check did not run (exit 0): "
                                    "no output")


def test_the_docs_show_the_wrapper_as_it_is():
    assert fenced_block(docs_text(), "### sudo", "sh") == WRAPPER.read_text(encoding="utf-8")
