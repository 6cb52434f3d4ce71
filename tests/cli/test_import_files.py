"""`vecozo-tui import` with the files other programs write: personal, CA, no AGB code,
unclear kind, several keys, BER, no password."""

from __future__ import annotations

import io

import pytest

from tests.cli.test_commands import PASSWORD, import_file, run, setup  # noqa: F401 - fixture
from tests.factory import OPENSSL, multi_key_pkcs12
from vecozo_tui.certificates import info_from_certificate, load_pkcs12
from vecozo_tui.cli.exit_codes import EXIT_OK, EXIT_REFUSED
from vecozo_tui.repository import Repository


class Terminal(io.StringIO):
    """Answers typed at a terminal."""

    def isatty(self) -> bool:
        return True


def stored_kind(setup, practice: str = "hap-zuid") -> str | None:  # noqa: F811
    active = Repository(setup["repository"]).active(practice)
    return active.info.kind if active else None


def with_chain(test_pki, issued, name: str):
    return test_pki.pfx(issued, PASSWORD, name=name)


def test_a_personal_certificate_named_only_in_the_cn_is_warned(setup, test_pki, clock,  # noqa: F811
                                                               capsys):
    # issue 11: made with the openssl CLI, no givenName/surname; shown as "system" before
    issued = test_pki.certificate([("CN", "J. de Vries"), ("OU", "01234567"),
                                   ("O", "Huisartsenpraktijk De Linde"), ("C", "NL")])
    path = with_chain(test_pki, issued, "jdevries.pfx")
    assert import_file(clock, setup, "hap-zuid", path) == EXIT_REFUSED
    out = capsys.readouterr().out
    assert "Kind           personal certificate" in out
    assert "WARNING: This is a personal certificate (of J. de Vries" in out
    assert stored_kind(setup) is None
    assert import_file(clock, setup, "hap-zuid", path, "--yes") == EXIT_OK
    assert stored_kind(setup) == "personal"


def test_a_ca_certificate_is_blocked_even_with_yes(setup, test_pki, clock, capsys):  # noqa: F811
    ca = test_pki.certificate([("CN", "Praktijk Root CA"), ("O", "Huisartsenpraktijk Zuid")],
                              ca=True, usages=None, issuer="self")
    path = test_pki.pfx(ca, PASSWORD, chain=[], name="ca.pfx")
    assert import_file(clock, setup, "hap-zuid", path, "--yes") == EXIT_REFUSED
    out = capsys.readouterr().out
    assert "BLOCKED: This is not a client certificate: a CA certificate" in out
    assert "Kind           not-client" not in out  # said in words
    assert stored_kind(setup) is None


def test_a_certificate_without_an_agb_code_is_warned(setup, test_pki, clock, capsys):  # noqa: F811
    issued = test_pki.certificate([("CN", "Systeemcertificaat Huisartsenpraktijk Zuid"),
                                   ("O", "Huisartsenpraktijk Zuid")])
    path = with_chain(test_pki, issued, "no-agb.pfx")
    assert import_file(clock, setup, "hap-zuid", path) == EXIT_REFUSED
    assert ("WARNING: The certificate shows no AGB code, so it cannot be matched to this "
            "practice (AGB 01234567)") in capsys.readouterr().out
    assert import_file(clock, setup, "hap-zuid", path, "--yes") == EXIT_OK


def test_an_unclear_kind_asks_an_explicit_yes(setup, test_pki, clock, capsys,  # noqa: F811
                                              monkeypatch):
    issued = test_pki.certificate([("CN", "Bakker"), ("OU", "AGB 01234567")])
    path = with_chain(test_pki, issued, "unclear.pfx")
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert import_file(clock, setup, "hap-zuid", path) == EXIT_REFUSED
    out = capsys.readouterr().out
    assert 'CN             "Bakker"' in out  # the name itself, on a line of its own
    assert "Is this the practice's system certificate? It shows no person's name. [y/N]" in out
    assert stored_kind(setup) is None
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert import_file(clock, setup, "hap-zuid", path) == EXIT_OK
    assert stored_kind(setup) == "unclear"


def test_an_unclear_kind_without_a_terminal_needs_yes(setup, test_pki, clock, capsys):  # noqa: F811
    issued = test_pki.certificate([("CN", "Bakker"), ("OU", "AGB 01234567")])
    path = with_chain(test_pki, issued, "unclear.pfx")
    assert import_file(clock, setup, "hap-zuid", path) == EXIT_REFUSED
    assert "--yes" in capsys.readouterr().err
    assert import_file(clock, setup, "hap-zuid", path, "--yes") == EXIT_OK


# --- several certificates in one file -----------------------------------------------------


@pytest.fixture
def two_keys(test_pki, setup):  # noqa: F811
    old = test_pki.system(days_valid=730, starts_days_ago=710)
    renewed = test_pki.system(days_valid=730, starts_days_ago=-20)
    stranger = test_pki.certificate([("CN", "Some Other Root")], ca=True, usages=None,
                                    issuer="self")
    path = setup["tmp"] / "firefox-backup.p12"
    path.write_bytes(multi_key_pkcs12([old, renewed], PASSWORD, extra_certificates=[
        *test_pki.chain, stranger.certificate]))
    return path, info_from_certificate(old.certificate), info_from_certificate(
        renewed.certificate)


def test_the_preview_lists_the_file_and_the_renewed_one_is_imported(setup, clock, capsys,  # noqa: F811
                                                                    two_keys):
    path, old, renewed = two_keys
    assert import_file(clock, setup, "hap-zuid", path, "--yes") == EXIT_OK
    out = capsys.readouterr().out
    assert "The file holds 2 certificates with a private key:" in out
    assert f"* {renewed.sha256[:16]}" in out and f"  {old.sha256[:16]}" in out
    assert "Not stored (not in the chain of the one imported):" in out
    assert "CN=Some Other Root" in out
    active = Repository(setup["repository"]).active("hap-zuid")
    assert active.info.sha256 == renewed.sha256
    assert [entry.subject for entry in active.info.chain] == [
        "CN=Demo VECOZO Issuing CA,O=Demo VECOZO,C=NL",
        "CN=Demo VECOZO Root CA,O=Demo VECOZO,C=NL"]


def test_pick_takes_another_certificate_from_the_file(setup, clock, capsys, two_keys):  # noqa: F811
    path, old, _renewed = two_keys
    assert import_file(clock, setup, "hap-zuid", path, "--yes", "--pick",
                       old.sha256[:10]) == EXIT_OK
    assert Repository(setup["repository"]).active("hap-zuid").info.sha256 == old.sha256


def test_an_ambiguous_file_is_refused_with_the_choices(setup, test_pki, clock, capsys):  # noqa: F811
    first = test_pki.system("Huisartsenpraktijk Zuid", "01234567")
    second = test_pki.system("Huisartsenpraktijk Zuid Dependance", "01234567")
    path = setup["tmp"] / "two.p12"
    path.write_bytes(multi_key_pkcs12([first, second], PASSWORD,
                                      extra_certificates=test_pki.chain))
    assert import_file(clock, setup, "hap-zuid", path, "--yes") == EXIT_REFUSED
    err = capsys.readouterr().err
    for issued in (first, second):
        assert info_from_certificate(issued.certificate).sha256[:16] in err
    assert "--pick" in err
    pick = info_from_certificate(second.certificate).sha256[:8]
    assert import_file(clock, setup, "hap-zuid", path, "--yes", "--pick", pick) == EXIT_OK


@pytest.mark.filterwarnings("error::UserWarning")
def test_a_ber_file_imports(setup, test_pki, clock, capsys):  # noqa: F811
    system = test_pki.system()
    path = setup["tmp"] / "nss.p12"
    path.write_bytes(multi_key_pkcs12([system], PASSWORD, extra_certificates=test_pki.chain,
                                      ber=True))
    assert import_file(clock, setup, "hap-zuid", path) == EXIT_OK
    captured = capsys.readouterr()
    assert "Warning" not in captured.err and "DER" not in captured.err + captured.out


# --- a file without a password --------------------------------------------------------------


@pytest.mark.skipif(not OPENSSL, reason="the openssl command line is not installed")
def test_an_empty_password_file_imports_with_a_new_password(setup, test_pki, clock,  # noqa: F811
                                                            capsys):
    system = test_pki.system()
    path = test_pki.openssl_pfx(system, "", legacy=False, name="keychain.p12")
    password_file = setup["tmp"] / "passwords.txt"
    password_file.write_text("\nnieuw-wachtwoord\n", encoding="utf-8")  # empty, then the new
    assert run(clock, "import", "hap-zuid", str(path), "--password-file", str(password_file),
               "--yes") == EXIT_OK
    out = capsys.readouterr().out
    assert "WARNING: The file has no password" in out
    repository = Repository(setup["repository"])
    stored = repository.read_pkcs12("hap-zuid", repository.active("hap-zuid").info.sha256)
    assert load_pkcs12(stored, "nieuw-wachtwoord").key_matches
    assert "nieuw-wachtwoord" not in (setup["repository"] / "audit.log").read_text()


@pytest.mark.skipif(not OPENSSL, reason="the openssl command line is not installed")
def test_an_empty_password_file_takes_the_new_password_from_the_environment(
        setup, test_pki, clock, capsys, monkeypatch):  # noqa: F811
    path = test_pki.openssl_pfx(test_pki.system(), "", legacy=False, name="gnutls.p12")
    monkeypatch.setenv("VECOZO_TUI_PASSWORD", "")
    assert run(clock, "import", "hap-zuid", str(path), "--yes") != EXIT_OK
    assert "VECOZO_TUI_NEW_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("VECOZO_TUI_NEW_PASSWORD", "uit-de-omgeving")
    assert run(clock, "import", "hap-zuid", str(path), "--yes") == EXIT_OK
