"""What the monitoring tests share: a site (config + repository) to fill with practices,
the plugin-output parser of the Monitoring Plugins guidelines, and the metrics parser."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from vecozo_tui import pki
from vecozo_tui.certificates import LoadedPkcs12, info_from_certificate
from vecozo_tui.cli.main import main
from vecozo_tui.repository import Actor, BackupRecord, Repository, TestCallRecord

ACTOR = Actor("tester")
PASSWORD = "geheim"

# --- the perfdata grammar of the Monitoring Plugins guidelines ---------------------------
# 'label'=value[UOM];[warn];[crit];[min];[max]; label quoted ('' for a quote), no '='
_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
_RANGE = rf"@?(?:(?:{_NUMBER}|~)?:)?(?:{_NUMBER})?"
PERF_ITEM = re.compile(
    rf"(?:'(?:[^'=]|'')+'|[^'= ]+)=(?:{_NUMBER}|U)(?:[a-zA-Z%]*)?"
    rf"(?:;{_RANGE}(?:;{_RANGE}(?:;(?:{_NUMBER})?(?:;(?:{_NUMBER})?)?)?)?)?"
)
STATUS_LINE = re.compile(r"^VECOZO (OK|WARNING|CRITICAL|UNKNOWN) - ([^|\n]+?)(?: \| (.+))?$")


def perf_items(text: str) -> list[str]:
    items = text.split()
    # labels with spaces are quoted: re-join the pieces of a quoted label
    joined: list[str] = []
    for item in items:
        if joined and joined[-1].count("'") % 2 == 1:
            joined[-1] += " " + item
        else:
            joined.append(item)
    return joined


def parse_plugin_output(output: str) -> tuple[str, str, list[str], list[str], dict[str, str]]:
    """(state, text, summary perfdata, long text lines, {practice: perfdata item}).

    All perfdata is on the first line (Icinga 2 reads it only from lines with a '|');
    the summary items are those whose label has a space, the others are practices."""
    lines = output.rstrip("\n").split("\n")
    match = STATUS_LINE.match(lines[0])
    assert match, f"status line does not follow the plugin format: {lines[0]!r}"
    state, text, perf = match.groups()
    items = perf_items(perf or "")
    for item in items:
        assert PERF_ITEM.fullmatch(item), f"perfdata item not per the guidelines: {item!r}"
    long_text = lines[1:]
    assert not [line for line in long_text if "|" in line], "perfdata after the first line"
    summary = [item for item in items if " " in item.split("=", 1)[0]]
    by_label = {item.split("=", 1)[0].strip("'"): item for item in items if item not in summary}
    return state, text, summary, long_text, by_label


# --- a fleet of a few practices ------------------------------------------------------------


class Site:
    """A config file plus repository that tests fill with practices and certificates."""

    def __init__(self, tmp_path: Path, test_pki, key, now):
        self.tmp = tmp_path
        self.pki = test_pki
        self.key = key
        self.now = now
        self.repository_path = tmp_path / "repository"
        self.repository = Repository.init(self.repository_path, actor=ACTOR)
        self.config = tmp_path / "config.toml"
        self.practices: list[dict] = []
        self.extra = ""

    def practice(self, pid: str, *, agb: str = "01234567", environment: str = "production",
                 days_left: int | None = 400, personal: bool = False, backup: bool = True,
                 test_ok: bool | None = True, name: str | None = None,
                 contact: str | None = None) -> str | None:
        self.practices.append({"id": pid, "name": name or f"Praktijk {pid}", "agb": agb,
                               "environment": environment, "contact": contact})
        if days_left is None:
            self.write()
            return None
        not_after = self.now + timedelta(days=days_left, hours=12)
        subject = (pki.personal_subject("Jan", "de Vries", f"Praktijk {pid}", agb) if personal
                   else pki.system_subject(f"Praktijk {pid}", agb))
        issued = pki.issue(self.pki.intermediate, subject, key=self.key,
                           not_before=not_after - timedelta(days=730), not_after=not_after)
        info = info_from_certificate(issued.certificate, self.pki.chain)
        loaded = LoadedPkcs12(issued.certificate, self.key, self.pki.chain, info, True)
        sha = self.repository.import_certificate(pid, loaded, PASSWORD, actor=ACTOR).info.sha256
        if backup:
            self.repository.record_backup(
                pid, BackupRecord(self.now - timedelta(days=2), sha, "/media/usb", True),
                actor=ACTOR)
        if test_ok is not None:
            self.repository.record_test_call(
                pid, TestCallRecord(self.now - timedelta(days=1), sha, environment, test_ok,
                                    "COV answered" if test_ok else "TLS handshake failed"),
                actor=ACTOR)
        self.write()
        return sha

    def write(self) -> None:
        lines = [f"[repository]\npath = {json.dumps(str(self.repository_path))}\n", self.extra]
        for entry in self.practices:
            lines.append("[[practices]]")
            lines += [f"{k} = {json.dumps(v)}" for k, v in entry.items() if v is not None]
            lines.append("")
        self.config.write_text("\n".join(lines), encoding="utf-8")

    def settings(self, text: str) -> None:
        self.extra = text
        self.write()


def check(site: Site, clock, capsys, *extra: str) -> tuple[int, str]:
    code = main(["check", "--config", str(site.config), *extra], clock=clock)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out


def metrics(site: Site, clock, capsys, *extra: str) -> tuple[int, str, str]:
    code = main(["metrics", "--config", str(site.config), *extra], clock=clock)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def value(found: dict, name: str, **labels: str) -> float:
    matches = [s.value for s in found[name].samples
               if all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(matches) == 1, (name, labels, matches)
    return matches[0]
