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
