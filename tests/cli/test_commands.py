"""The scriptable CLI, end to end: real config files, real repositories, real PKCS#12 files."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from tests.factory import OPENSSL, sha256
from vecozo_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_REFUSED
from vecozo_tui.cli.main import main

PASSWORD = "geheim-wachtwoord"


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """A config with three practices and an empty repository."""
    repository = tmp_path / "repository"
    repository.mkdir(mode=0o700)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[repository]
path = "{repository}"

[import]
inbox = "{inbox}"

[[practices]]
id = "hap-zuid"
name = "Huisartsenpraktijk Zuid"
agb = "01234567"
environment = "production"
contact = "dr. J. Mulder"

[[practices]]
id = "fysio-oost"
name = "Fysiotherapie Oost"
agb = "04011111"
environment = "acceptance"

[[practices]]
id = "tand-west"
name = "Tandarts West"
agb = "12022222"
environment = "test"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("VECOZO_TUI_CONFIG", str(config))
    password_file = tmp_path / "password.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    return {"config": config, "repository": repository, "password_file": password_file,
            "tmp": tmp_path}


def run(clock, *argv: str) -> int:
    return main(list(argv), clock=clock)


def import_file(clock, setup, practice: str, path: Path, *extra: str) -> int:
    return run(clock, "import", practice, str(path), "--password-file",
               str(setup["password_file"]), *extra)


def test_list_shows_every_practice_most_urgent_first(setup, test_pki, clock, capsys):
    soon = test_pki.system("Fysiotherapie Oost", "04011111", days_valid=730, starts_days_ago=720)
    later = test_pki.system("Huisartsenpraktijk Zuid", "01234567", days_valid=730)
    assert import_file(clock, setup, "fysio-oost", test_pki.pfx(soon, PASSWORD, name="a.pfx"),
                       "--yes") == EXIT_OK
    assert import_file(clock, setup, "hap-zuid", test_pki.pfx(later, PASSWORD, name="b.pfx"),
                       "--yes") == EXIT_OK
    capsys.readouterr()

    assert run(clock, "list") == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["PRACTICE", "NAME", "AGB", "LEFT", "RENEW", "FROM", "LEVEL",
                                "REASON"]
    assert lines[1].startswith("fysio-oost")
    assert "CRITICAL" in lines[1] and "in 10 days" in lines[1]
    assert lines[1].endswith("expires in 10 days (+3)")  # the first reason, and how many more
    assert "NO CERTIFICATE" in lines[2] and lines[2].startswith("tand-west")
    # valid for two years, but never tested and not backed up
    assert lines[3].startswith("hap-zuid") and "ATTENTION" in lines[3]
    assert "Huisartsenpraktijk Zuid" in lines[3]  # not a terminal: whole names


def test_status_json_counts_and_rows(setup, test_pki, clock, capsys):
    expired = test_pki.system("Tandarts West", "12022222", days_valid=730, starts_days_ago=735)
    assert import_file(clock, setup, "tand-west", test_pki.pfx(expired, PASSWORD),
                       "--yes") == EXIT_REFUSED  # an expired certificate is refused
    capsys.readouterr()
    assert run(clock, "status", "--json") == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["NO CERTIFICATE"] == 3
    assert {row["practice"] for row in data["practices"]} == {"hap-zuid", "fysio-oost",
                                                               "tand-west"}


def test_import_modern_then_newer_archives_the_old_and_show_lists_both(
        setup, test_pki, clock, capsys):
    first = test_pki.system(days_valid=730, starts_days_ago=700)
    assert import_file(clock, setup, "hap-zuid", test_pki.pfx(first, PASSWORD, name="1.pfx"),
                       "--yes") == EXIT_OK
    renewed = test_pki.system(days_valid=730)
    assert import_file(clock, setup, "hap-zuid", test_pki.pfx(renewed, PASSWORD, name="2.pfx")
                       ) == EXIT_OK
    out = capsys.readouterr().out
    assert "kept in history" in out
    assert "vecozo-tui test-cov hap-zuid" in out

    assert run(clock, "show", "hap-zuid", "--json") == EXIT_OK
    shown = json.loads(capsys.readouterr().out)
    fingerprints = {entry["sha256"]: entry["active"] for entry in shown["history"]}
    new_fp = sha256(renewed)
    assert fingerprints == {new_fp: True, sha256(first): False}
    assert shown["active_certificate"]["sha256"] == new_fp

    assert run(clock, "show", "hap-zuid") == EXIT_OK
    text = capsys.readouterr().out
    assert "History (1 earlier certificate)" in text
    assert "Systeemcertificaat Huisartsenpraktijk Zuid" in text

    assert run(clock, "history", "hap-zuid") == EXIT_OK
    history_lines = capsys.readouterr().out.splitlines()
    assert sum(1 for line in history_lines if line.startswith("*")) == 1
    assert len(history_lines) == 4  # title, header, two certificates


@pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command line")
def test_import_legacy_pfx_written_by_openssl(setup, test_pki, clock, capsys):
    cert = test_pki.system()
    legacy = test_pki.openssl_pfx(cert, PASSWORD, legacy=True, name="legacy.pfx")
    assert import_file(clock, setup, "hap-zuid", legacy) == EXIT_OK
    capsys.readouterr()
    assert run(clock, "show", "hap-zuid", "--json") == EXIT_OK
    shown = json.loads(capsys.readouterr().out)
    assert shown["active_certificate"]["sha256"] == sha256(cert)


def test_wrong_password_is_said_plainly(setup, test_pki, clock, capsys):
    path = test_pki.pfx(test_pki.system(), "the-right-one")
    assert import_file(clock, setup, "hap-zuid", path) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "wrong password" in err.lower()
    assert PASSWORD not in err and "the-right-one" not in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"\x00" * 100 + os.urandom(200), "not a pkcs#12"),
        (b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "private key"),
    ],
    ids=["empty", "random", "pem-certificate"],  # stable ids: pytest-xdist compares them
)
def test_bad_files_give_their_own_message(setup, clock, capsys, content, expected):
    path = setup["tmp"] / "bad.pfx"
    path.write_bytes(content)
    assert import_file(clock, setup, "hap-zuid", path) == EXIT_ERROR
    err = capsys.readouterr().err
    assert expected in err.lower()
    assert "Traceback" not in err


def test_missing_file_and_unknown_practice(setup, clock, capsys):
    assert import_file(clock, setup, "hap-zuid", setup["tmp"] / "nope.pfx") == EXIT_ERROR
    assert "nope.pfx" in capsys.readouterr().err
    assert run(clock, "show", "hap-zud") == EXIT_ERROR
    err = capsys.readouterr().err
    assert "hap-zud" in err and "hap-zuid" in err  # names the typo and suggests the match


def test_personal_certificate_needs_confirmation(setup, test_pki, clock, capsys):
    path = test_pki.pfx(test_pki.personal(), PASSWORD)
    # no terminal and no --yes: refused, nothing stored
    assert import_file(clock, setup, "hap-zuid", path) == EXIT_REFUSED
    captured = capsys.readouterr()
    assert "personal" in captured.out.lower()
    assert run(clock, "history", "hap-zuid") == EXIT_OK
    assert "No certificates stored" in capsys.readouterr().out
    assert import_file(clock, setup, "hap-zuid", path, "--yes") == EXIT_OK


def test_key_mismatch_is_refused(setup, test_pki, clock, capsys, monkeypatch):
    path = test_pki.mismatched_pfx(test_pki.system())
    monkeypatch.setenv("VECOZO_TUI_PASSWORD", "")  # the botched export has no password
    assert run(clock, "import", "hap-zuid", str(path), "--yes") == EXIT_REFUSED
    out = capsys.readouterr().out
    assert "BLOCKED: The private key does not belong to this certificate" in out
    assert run(clock, "history", "hap-zuid") == EXIT_OK
    assert "No certificates stored" in capsys.readouterr().out


def test_password_from_environment_and_never_as_argument(setup, test_pki, clock, capsys,
                                                         monkeypatch):
    path = test_pki.pfx(test_pki.system(), PASSWORD)
    with pytest.raises(SystemExit):
        run(clock, "import", "hap-zuid", str(path), "--password", PASSWORD)
    capsys.readouterr()
    monkeypatch.setenv("VECOZO_TUI_PASSWORD", PASSWORD)
    assert run(clock, "import", "hap-zuid", str(path)) == EXIT_OK


def test_without_password_source_and_terminal_says_how(setup, test_pki, clock, capsys,
                                                       monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    path = test_pki.pfx(test_pki.system(), PASSWORD)
    assert run(clock, "import", "hap-zuid", str(path)) == EXIT_ERROR
    assert "--password-file" in capsys.readouterr().err


def test_audit_log_records_imports_without_secrets(setup, test_pki, clock, capsys,
                                                   monkeypatch):
    monkeypatch.setenv("SSH_CLIENT", "192.0.2.7 50000 22")
    cert = test_pki.system()
    assert import_file(clock, setup, "hap-zuid", test_pki.pfx(cert, PASSWORD)) == EXIT_OK
    log = (setup["repository"] / "audit.log").read_text(encoding="utf-8")
    entries = [json.loads(line) for line in log.splitlines()]
    imports = [e for e in entries if e["action"] == "import"]
    assert len(imports) == 1
    assert imports[0]["practice"] == "hap-zuid"
    assert imports[0]["fingerprint"] == sha256(cert)
    assert imports[0]["ssh_client"] == "192.0.2.7"
    assert PASSWORD not in log and "PRIVATE KEY" not in log


def test_bad_config_is_one_clear_message(tmp_path, clock, capsys, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[repository]\npath = "/nonexistent/repo"\n[[practices]]\nid = "x"\n'
                      'name = "X"\nagb = "123"\nenvironment = "prod"\n', encoding="utf-8")
    assert run(clock, "list", "--config", str(config)) == EXIT_ERROR
    err = capsys.readouterr().err
    assert str(config) in err
    assert "agb" in err and "environment" in err
    assert "Traceback" not in err


def test_init_writes_config_and_repository(tmp_path, clock, capsys):
    config = tmp_path / "new" / "config.toml"
    repository = tmp_path / "store"
    assert run(clock, "init", "--config", str(config), "--repository", str(repository)) == 0
    assert config.exists()
    assert repository.is_dir() and (repository.stat().st_mode & 0o777) == 0o700
    assert run(clock, "list", "--config", str(config)) == EXIT_OK


def test_expiry_moves_with_the_clock(setup, test_pki, clock, capsys):
    cert = test_pki.system(days_valid=100)
    assert import_file(clock, setup, "hap-zuid", test_pki.pfx(cert, PASSWORD)) == EXIT_OK
    capsys.readouterr()
    clock.advance(days=101)
    assert run(clock, "list", "--json") == EXIT_OK
    rows = {row["practice"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["hap-zuid"]["status"] == "EXPIRED"
    assert rows["hap-zuid"]["days_left"] == -1


def test_activate_rolls_back_to_an_earlier_certificate(setup, test_pki, clock, capsys):
    first = test_pki.system(days_valid=730, starts_days_ago=300)
    second = test_pki.system()
    for issued, name in ((first, "1.pfx"), (second, "2.pfx")):
        assert import_file(clock, setup, "hap-zuid", test_pki.pfx(issued, PASSWORD, name=name),
                           "--yes") == EXIT_OK
    capsys.readouterr()
    assert run(clock, "activate", "hap-zuid", "ZZZZ") == EXIT_ERROR
    assert "matches no stored certificate" in capsys.readouterr().err
    prefix = sha256(first)[:8]
    assert run(clock, "activate", "hap-zuid", prefix) == EXIT_REFUSED  # no terminal, no --yes
    assert run(clock, "activate", "hap-zuid", ":".join([prefix[:2], prefix[2:4]]), "--yes") \
        == EXIT_OK
    assert "Activated" in capsys.readouterr().out
    assert run(clock, "show", "hap-zuid", "--json") == EXIT_OK
    assert json.loads(capsys.readouterr().out)["active_certificate"]["sha256"] == sha256(first)
