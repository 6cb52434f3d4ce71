"""A certificate valid until 9999-12-31 (RFC 5280's "no expiry") and odd metadata in one
practice affect that practice only: every command still shows the others, and the odd one
is shown as damaged, never as a traceback."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from vecozo_tui import pki
from vecozo_tui.certificates import load_pkcs12
from vecozo_tui.cli.main import main
from vecozo_tui.repository import Actor, Repository

PASSWORD = "geheim-wachtwoord"
NO_EXPIRY = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


@pytest.fixture
def site(tmp_path, monkeypatch, test_pki, clock):
    root = tmp_path / "repository"
    repository = Repository.init(root, clock=clock, actor=Actor("t"))
    config = tmp_path / "config.toml"
    blocks = "".join(f'\n[[practices]]\nid = "{pid}"\nname = "{name}"\nagb = "{agb}"\n'
                     'environment = "production"\n'
                     for pid, name, agb in (("hap-zuid", "Huisartsen Zuid", "01234567"),
                                            ("fysio-oost", "Fysio Oost", "04011111"),
                                            ("tand-west", "Tandarts West", "12022222")))
    config.write_text(f'[repository]\npath = "{root}"\n{blocks}', encoding="utf-8")
    monkeypatch.setenv("VECOZO_TUI_CONFIG", str(config))

    def store(practice_id: str, issued) -> None:
        data = pki.pkcs12_bytes(issued, test_pki.chain, PASSWORD)
        repository.import_certificate(practice_id, load_pkcs12(data, PASSWORD), PASSWORD,
                                      actor=Actor("t"))

    store("fysio-oost", test_pki.system("Fysio Oost", "04011111"))
    store("tand-west", test_pki.system("Tandarts West", "12022222"))
    return repository, store


def run(clock, capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv), clock=clock)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def everything(clock, capsys) -> dict[str, tuple[int, str]]:
    commands = [("list",), ("list", "--json"), ("status",), ("status", "--json"),
                ("show", "fysio-oost"), ("show", "fysio-oost", "--json"), ("check",),
                ("metrics",), ("history", "fysio-oost")]
    return {" ".join(argv): run(clock, capsys, *argv) for argv in commands}


def test_a_certificate_without_expiry_is_shown_with_the_others(site, test_pki, clock, capsys):
    _repository, store = site
    store("hap-zuid", pki.issue(test_pki.intermediate, pki.system_subject(
        "Huisartsen Zuid", "01234567"), not_before=clock.now(), not_after=NO_EXPIRY))
    results = everything(clock, capsys)
    for command, (code, output) in results.items():
        # check: WARNING, as no practice has a verified backup or a test call
        assert code == (1 if command == "check" else 0), (command, output)
        assert "Traceback" not in output
    assert "UNKNOWN" not in results["check"][1]
    assert "hap-zuid" in results["list"][1] and "fysio-oost" in results["list"][1]
    rows = {row["practice"]: row for row in json.loads(results["status --json"][1])["practices"]}
    assert rows["hap-zuid"]["not_after"].startswith("9999-12-31")
    assert rows["hap-zuid"]["level"] == rows["fysio-oost"]["level"] == "ATTENTION"
    code, output = run(clock, capsys, "show", "hap-zuid")
    assert code == 0 and "9999-12-31" in output


@pytest.mark.parametrize("damage", [
    ("info", "not_after", "2027-01-01T00:00:00"),  # no time zone
    ("info", "kind", 5),
    ("info", "sha256", ["AB"]),
    ("info", "chain", "none"),
    (None, "imported_at", 17),
], ids=["naive-date", "kind-number", "sha256-list", "chain-text", "imported-at"])
def test_odd_metadata_of_one_practice_shows_it_as_damaged(site, clock, capsys, damage):
    repository, _store = site
    path = repository.root / "practices" / "tand-west" / "practice.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    entry = index["certificates"][index["active"]]
    table, key, value = damage
    (entry[table] if table else entry)[key] = value
    path.write_text(json.dumps(index), encoding="utf-8")

    results = everything(clock, capsys)
    for command, (code, output) in results.items():
        assert "Traceback" not in output, command
        assert code == (3 if command == "check" else 0), (command, output)  # 3: UNKNOWN
    assert "tand-west cannot be read" in results["check"][1]
    assert 'vecozo_practice_readable{practice="tand-west"' in results["metrics"][1]
    listed = results["list"][1]
    assert "fysio-oost" in listed
    assert "DAMAGED" in [line for line in listed.splitlines() if line.startswith("tand-west")][0]
    rows = {row["practice"]: row for row in json.loads(results["status --json"][1])["practices"]}
    assert rows["tand-west"]["level"] == "DAMAGED"
    [reason] = rows["tand-west"]["reasons"]
    assert reason["code"] == "metadata-damaged" and "practice.json is damaged" in reason["text"]
    assert rows["fysio-oost"]["level"] == "ATTENTION"  # its own reasons, not damaged
    code, output = run(clock, capsys, "show", "tand-west")
    assert code == 1 and "damaged" in output and "Traceback" not in output


def test_a_certificate_that_expired_in_the_year_1_is_just_expired(site, clock, capsys):
    repository, _store = site
    path = repository.root / "practices" / "tand-west" / "practice.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    index["certificates"][index["active"]]["info"]["not_after"] = "0001-01-01T00:00:00+00:00"
    path.write_text(json.dumps(index), encoding="utf-8")
    results = everything(clock, capsys)
    for command, (code, output) in results.items():
        assert "Traceback" not in output
        assert code == (2 if command == "check" else 0), (command, output)  # 2: CRITICAL
    rows = {row["practice"]: row for row in json.loads(results["status --json"][1])["practices"]}
    assert rows["tand-west"]["level"] == "EXPIRED" and rows["fysio-oost"]["level"] == "ATTENTION"
