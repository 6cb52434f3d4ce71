"""`vecozo-tui test-cov PRACTICE`: the stored certificate, the fake server, the record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cov_support import copy_setup, make_setup, running_server
from vecozo_tui.cli.main import main
from vecozo_tui.repository import Repository


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    with running_server() as server:
        yield make_setup(tmp_path_factory.mktemp("cov-setup"), server)


@pytest.fixture
def setup(tmp_path, prepared):
    return copy_setup(prepared, tmp_path / "setup")


def run(setup, *args, env=None, capsys=None):
    argv = ["test-cov", "--config", str(setup.config_path), *args]
    if not any(a.startswith("--password-file") for a in args):
        argv += ["--password-file", str(setup.password_file)]
    code = main(argv, env=env or {})
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def all_text_under(directory: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in directory.rglob("*")
                     if p.is_file() and p.suffix != ".p12")


def test_acceptance_success(setup, capsys):
    code, out, err = run(setup, "hap-zuid", capsys=capsys)
    assert code == 0, out + err
    assert "Test COV call for Huisartsenpraktijk Zuid (hap-zuid), acceptance" in out
    assert out.count("PASS") == 6
    assert "Result: OK - COV answered: insured person found" in out
    assert "UZOVI 3000" in out
    assert "999979668" not in out and "1962-03-15" not in out
    record = Repository(setup.repository_path).events("hap-zuid").last_test_call
    assert record.ok and record.environment == "acceptance"
    assert record.summary.startswith("COV answered: insured person found")
    assert record.sha256 == Repository(setup.repository_path).active("hap-zuid").info.sha256


def test_json_output(setup, capsys):
    code, out, _ = run(setup, "hap-zuid", "--json", capsys=capsys)
    assert code == 0
    data = json.loads(out)
    assert data["practice"] == "hap-zuid" and data["ok"] is True
    assert data["environment"] == "acceptance" and data["problem"] is None
    assert [s["state"] for s in data["steps"]] == ["passed"] * 6
    assert data["answer"]["searches"][0]["insurances"][0]["uzovi"] == "3000"
    assert "999979668" not in out


def test_unauthorised_practice_fails_and_is_recorded(setup, capsys):
    code, out, _ = run(setup, "mond-noord", capsys=capsys)
    assert code == 1
    assert "FAIL  Authorised for COV" in out
    assert "Gebruikersbeheer" in out
    assert "---   COV answered" in out
    record = Repository(setup.repository_path).events("mond-noord").last_test_call
    assert record.ok is False and "Authorised for COV" in record.summary


def test_expired_certificate_warns_and_fails(setup, capsys):
    code, out, _ = run(setup, "hap-oud", "--json", capsys=capsys)
    assert code == 1
    assert json.loads(out)["problem"] == "client_certificate_expired"
    code, out, _ = run(setup, "hap-oud", capsys=capsys)
    assert "Warning      this certificate has expired" in out


def test_practice_without_certificate(setup, capsys):
    code, _, err = run(setup, "fysio-leeg", capsys=capsys)
    assert code == 1
    assert "has no certificate yet" in err and "vecozo-tui import fysio-leeg" in err


def test_wrong_password_records_nothing(setup, capsys, tmp_path):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("verkeerd\n")
    code, out, err = run(setup, "hap-zuid", f"--password-file={wrong}", capsys=capsys)
    assert code == 1
    assert "password" in err.lower() and "verkeerd" not in err
    assert Repository(setup.repository_path).events("hap-zuid").last_test_call is None


def test_endpoint_override(setup, capsys):
    code, out, _ = run(setup, "hap-zuid", "--endpoint", "https://127.0.0.1:9/cov", capsys=capsys)
    assert code == 1
    assert "FAIL  TCP connection" in out


PRODUCTION_BSN = "999900018"  # a "real patient" here: it must not be kept anywhere


def test_production_needs_a_bsn_and_never_as_argument(setup, capsys):
    code, _, err = run(setup, "hap-prod", env={"VECOZO_TUI_BIRTH_DATE": "1985-07-01"},
                       capsys=capsys)
    assert code == 1
    assert "VECOZO_TUI_BSN" in err and "never accepted as a command-line argument" in err
    with pytest.raises(SystemExit):  # there is no --bsn option
        main(["test-cov", "hap-prod", "--bsn", PRODUCTION_BSN])
    capsys.readouterr()


def test_production_bsn_is_checked_without_echo(setup, capsys):
    code, _, err = run(setup, "hap-prod", env={"VECOZO_TUI_BSN": "999900019",
                                               "VECOZO_TUI_BIRTH_DATE": "1985-07-01"},
                       capsys=capsys)
    assert code == 1
    assert "11-test" in err and "999900019" not in err


def test_production_needs_a_birth_date(setup, capsys):
    code, _, err = run(setup, "hap-prod", env={"VECOZO_TUI_BSN": PRODUCTION_BSN},
                       capsys=capsys)
    assert code == 1 and "VECOZO_TUI_BIRTH_DATE" in err
    code, _, err = run(setup, "hap-prod", env={"VECOZO_TUI_BSN": PRODUCTION_BSN,
                                               "VECOZO_TUI_BIRTH_DATE": "1985-13-01"},
                       capsys=capsys)
    assert code == 1 and "DD-MM-YYYY" in err and "YYYY-MM-DD" in err


def test_production_never_takes_the_birth_date_from_the_command_line(setup, capsys):
    """Every local user can read a process's arguments (/proc/<pid>/cmdline, ps)."""
    code, out, err = run(setup, "hap-prod", "--birth-date", "1985-07-01",
                         env={"VECOZO_TUI_BSN": PRODUCTION_BSN}, capsys=capsys)
    assert code == 1
    assert "never taken from the command line" in err and "VECOZO_TUI_BIRTH_DATE" in err
    assert "1985-07-01" not in out + err
    assert Repository(setup.repository_path).events("hap-prod").last_test_call is None


def test_production_birth_date_written_the_dutch_way(setup, capsys):
    code, out, err = run(setup, "hap-prod", env={"VECOZO_TUI_BSN": PRODUCTION_BSN,
                                                 "VECOZO_TUI_BIRTH_DATE": "01-07-1985"},
                         capsys=capsys)
    assert code == 0, out + err
    assert "no active insurance on the reference date" in out


def test_production_call_keeps_no_personal_data(setup, capsys):
    code, out, err = run(setup, "hap-prod", env={"VECOZO_TUI_BSN": PRODUCTION_BSN,
                                                 "VECOZO_TUI_BIRTH_DATE": "1985-07-01"},
                         capsys=capsys)
    assert code == 0, out + err
    assert "no active insurance on the reference date" in out
    for text in (out, err, all_text_under(setup.repository_path)):
        assert PRODUCTION_BSN not in text and "1985-07-01" not in text
    record = Repository(setup.repository_path).events("hap-prod").last_test_call
    assert record.ok and record.environment == "production"


def test_birth_date_override_in_acceptance(setup, capsys):
    code, out, _ = run(setup, "hap-zuid", "--birth-date", "1962-03-16", "--json", capsys=capsys)
    assert code == 0  # the certificate works; the person does not match
    data = json.loads(out)
    assert data["answer"]["searches"][0]["result"] == "CombinatieBsnGeboortedatumOnbekend"


def test_practice_by_agb_code(setup, capsys):
    code, out, _ = run(setup, "12089012", capsys=capsys)
    assert code == 1 and "Mondzorg Noord" in out


def test_the_test_call_in_dutch_keeps_its_json(setup, capsys):
    code, out, err = run(setup, "hap-zuid", "--lang", "nl", capsys=capsys)
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0] == "Testbevraging COV voor Huisartsenpraktijk Zuid (hap-zuid), acceptatie"
    assert lines[1].startswith("Eindpunt     https://")
    assert lines[2].startswith("Certificaat  ")
    assert lines[3].startswith("             SHA-256 ") and ", geldig tot " in lines[3]
    assert lines[-1] == ("Vastgelegd bij hap-zuid (alleen tijd en uitkomst; geen "
                         "persoonsgegevens).")
    _, english, _ = run(setup, "hap-zuid", "--json", capsys=capsys)
    _, dutch, _ = run(setup, "hap-zuid", "--json", "--lang", "nl", capsys=capsys)
    keep = ("practice", "certificate_sha256", "ok", "environment", "problem")
    assert {k: json.loads(dutch)[k] for k in keep} == {k: json.loads(english)[k] for k in keep}
    assert [s["state"] for s in json.loads(dutch)["steps"]] == ["passed"] * 6
