"""`vecozo-tui import`: a file that cannot be a PKCS#12 says so before a password is
asked, and a certificate of another configured practice names it."""

from __future__ import annotations

import pytest

from tests.cli.test_commands import PASSWORD, import_file, setup  # noqa: F401 - fixture
from vecozo_tui.cli.exit_codes import EXIT_ERROR, EXIT_REFUSED
from vecozo_tui.cli.main import main


def test_a_pem_file_is_named_without_asking_a_password(setup, clock, capsys,  # noqa: F811
                                                       monkeypatch):
    pem = setup["tmp"] / "export.pfx"
    pem.write_bytes(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("password asked"))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    assert main(["import", "hap-zuid", str(pem)], clock=clock) == EXIT_ERROR
    assert "PEM certificate" in capsys.readouterr().err


def test_a_certificate_of_another_practice_names_it(setup, test_pki, clock,  # noqa: F811
                                                    capsys):
    other = test_pki.system("Fysiotherapie Oost", "04011111")
    path = test_pki.pfx(other, PASSWORD, name="oost.pfx")
    assert import_file(clock, setup, "hap-zuid", path) == EXIT_REFUSED
    out = capsys.readouterr().out
    assert f"This certificate is of Fysiotherapie Oost (fysio-oost): vecozo-tui import " \
           f"fysio-oost {path}" in out


def test_a_bare_file_name_is_found_in_the_inbox(setup, test_pki, clock, capsys,  # noqa: F811
                                                monkeypatch):
    issued = test_pki.system("Huisartsenpraktijk Zuid", "01234567")
    path = test_pki.pfx(issued, PASSWORD, name="hap-zuid.pfx")
    inbox_copy = setup["tmp"] / "inbox" / "hap-zuid.pfx"
    inbox_copy.write_bytes(path.read_bytes())
    path.unlink()
    monkeypatch.chdir(setup["tmp"])  # no hap-zuid.pfx here
    assert import_file(clock, setup, "hap-zuid", "hap-zuid.pfx") == 0
    assert "Stored and activated" in capsys.readouterr().out


def test_inspect_json_lists_the_findings_by_field(setup, test_pki, clock, capsys):  # noqa: F811
    import json

    soon = test_pki.system("Huisartsenpraktijk Zuid", "01234567", days_valid=730,
                           starts_days_ago=720)
    path = test_pki.pfx(soon, PASSWORD, name="zuid.pfx")
    assert main(["inspect", str(path), "--password-file", str(setup["password_file"]),
                 "--json"], clock=clock) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert findings and all(set(finding) == {"severity", "code", "message", "question"}
                            for finding in findings)
