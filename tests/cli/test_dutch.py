"""The CLI in Dutch: tables, status words, help, errors and prompts; and what machines
read (--json, check's keywords, exit codes) the same in both languages."""

from __future__ import annotations

import argparse
import io
from datetime import date

import pytest

from tests.cli.test_language import write_config
from tests.tui_support import make_world
from vecozo_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK
from vecozo_tui.cli.main import Invocation, main

PASSWORD = "geheim-wachtwoord"


class Terminal(io.StringIO):
    """Answers typed at a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The demo's practices (expired, warning, no certificate, OK); only read here."""
    return make_world(tmp_path_factory.mktemp("dutch-cli"))


def run(world, capsys, *argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    code = main(["--config", str(world.directory / "config.toml"), *argv], clock=world.clock,
                env={} if env is None else env)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_in_dutch_has_dutch_headers_and_status_words(world, capsys):
    code, out, _ = run(world, capsys, "--lang", "nl", "list")
    assert code == EXIT_OK
    header = out.splitlines()[0].split()
    assert header == ["PRAKTIJK", "NAAM", "AGB", "VERLOOPT", "VERNIEUWEN", "STATUS", "REDEN"]
    for word in ("VERLOPEN", "WAARSCHUWING", "GEEN CERTIFICAAT", "OK"):
        assert word in out
    assert "EXPIRED" not in out and "NO CERTIFICATE" not in out
    assert "dagen geleden" in out and "te laat" in out


def test_status_and_show_in_dutch(world, capsys):
    _, out, _ = run(world, capsys, "--lang", "nl", "status")
    assert out.startswith("9 praktijken op 22-11-2026: 1 VERLOPEN, 1 KRITIEK, "
                          "4 WAARSCHUWING, 1 GEEN CERTIFICAAT, 1 AANDACHT, 1 OK\n")
    assert "\n  VERLOPEN       hap-delinde (Huisartsenpraktijk De Linde): " in out
    _, out, _ = run(world, capsys, "--lang", "nl", "show", "hap-delinde")
    assert "(hap-delinde, AGB 01012345, productie)" in out
    assert "Status           VERLOPEN" in out
    assert "Actief certificaat" in out
    assert "  Geldig tot     17-11-2026  (verlopen, 5 dagen geleden)" in out
    assert "Laatste back-up  nooit" in out


def test_lang_en_is_english_whatever_the_locale(world, capsys):
    code, out, _ = run(world, capsys, "--lang", "en", "list", env={"LANG": "nl_NL.UTF-8"})
    assert code == EXIT_OK
    assert out.splitlines()[0].split()[:3] == ["PRACTICE", "NAME", "AGB"]
    assert "EXPIRED" in out and "VERLOPEN" not in out
    _, out, _ = run(world, capsys, "list", env={"LANG": "nl_NL.UTF-8"})  # the locale
    assert out.startswith("PRAKTIJK")


@pytest.mark.parametrize("command", [["list", "--json"], ["status", "--json"],
                                     ["show", "hap-delinde", "--json"],
                                     ["history", "tand-smile", "--json"],
                                     ["walkthrough", "hap-zuid", "renew", "--json"]])
def test_json_is_byte_identical_in_both_languages(world, capsys, command):
    _, english, _ = run(world, capsys, "--lang", "en", *command)
    _, dutch, _ = run(world, capsys, "--lang", "nl", *command)
    _, from_locale, _ = run(world, capsys, *command, env={"LANG": "nl_NL.UTF-8"})
    assert english == dutch == from_locale
    assert '"EXPIRED"' in english or '"kind": "system"' in english or '"steps"' in english


def test_check_keywords_and_exit_code_stay_in_dutch(world, capsys):
    code_en, english, _ = run(world, capsys, "--lang", "en", "check")
    code_nl, dutch, _ = run(world, capsys, "--lang", "nl", "check")
    assert code_en == code_nl
    assert english.split(" - ")[0] == dutch.split(" - ")[0] == "VECOZO CRITICAL"
    assert english.split("|")[1].splitlines()[0] == dutch.split("|")[1].splitlines()[0]


def test_a_plugin_usage_error_keeps_its_keyword_in_dutch(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--lang", "nl", "check", "--bogus"], env={})
    assert stopped.value.code == 3
    out = capsys.readouterr().out
    assert out.startswith("VECOZO UNKNOWN - ")
    assert "(gebruik: vecozo-tui check [--config PAD] [-w DAGEN]" in out


def test_help_in_dutch(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--lang", "nl", "--help"], env={})
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert "Terminalconsole voor de VECOZO-systeemcertificaten" in out
    assert "opdrachten:" in out and "OPDRACHT" in out
    assert "toon de praktijken, het meest dringende certificaat eerst" in out
    assert out.startswith("gebruik: vecozo-tui")  # argparse's own words too


def test_a_command_help_in_dutch_from_the_locale(capsys):
    with pytest.raises(SystemExit):
        main(["test-cov", "--help"], env={"LANG": "nl_NL.UTF-8"})
    out = capsys.readouterr().out
    assert "--birth-date DD-MM-JJJJ" in out
    assert "geboortedatum van de testpersoon, DD-MM-JJJJ of JJJJ-" in out
    assert "machineleesbare uitvoer" in out
    assert "\n  praktijk              id van de praktijk (of AGB-code)\n" in out


def test_an_error_message_in_dutch(tmp_path, clock, capsys):
    config = write_config(tmp_path)
    assert main(["--lang", "nl", "--config", config, "backup", "hap-zuid"], clock=clock,
                env={}) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("vecozo-tui: Geen doel voor de back-up: gebruik --to MAP")
    assert main(["--config", config, "backup", "hap-zuid"], clock=clock, env={}) == EXIT_ERROR
    assert capsys.readouterr().err.startswith("vecozo-tui: No backup target: use --to DIR")


def test_password_prompts_in_dutch(test_pki, clock, capsys, monkeypatch):
    issued = test_pki.certificate([("CN", "Systeemcertificaat Huisartsenpraktijk Zuid"),
                                   ("serialNumber", "01234567"),
                                   ("O", "Huisartsenpraktijk Zuid"), ("C", "NL")])
    path = test_pki.pfx(issued, PASSWORD, name="zuid.pfx")
    prompts = []
    answers = iter(["fout", PASSWORD])

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", getpass)
    monkeypatch.setattr("sys.stdin", Terminal())
    assert main(["--lang", "nl", "inspect", str(path)], clock=clock, env={}) == EXIT_OK
    captured = capsys.readouterr()
    assert prompts == ["Wachtwoord voor zuid.pfx: "] * 2
    assert "Probeer het opnieuw (nog 2 pogingen)." in captured.err
    assert "Onderwerp" in captured.out and "Geldig tot" in captured.out


def test_new_password_prompts_in_dutch(monkeypatch, capsys):
    from vecozo_tui.cli.prompts import read_new_password

    prompts = []
    answers = iter(["", "nieuw-1", "nieuw-2", "nieuw-3", "nieuw-3"])

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", getpass)
    from vecozo_tui import i18n

    i18n.activate("nl")
    invocation = Invocation(args=argparse.Namespace(password_file=None), env={},
                            stdin=Terminal(), stdout=io.StringIO(), stderr=io.StringIO())
    assert read_new_password(invocation) == "nieuw-3"
    assert prompts == ["Nieuw wachtwoord voor de back-up: ",
                       "Nieuw wachtwoord voor de back-up: ", "Het nieuwe wachtwoord nogmaals: ",
                       "Nieuw wachtwoord voor de back-up: ", "Het nieuwe wachtwoord nogmaals: "]
    assert invocation.stderr.getvalue().splitlines() == [
        "Het nieuwe wachtwoord is leeg; typ er een.",
        "De twee wachtwoorden verschillen. Probeer het opnieuw."]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("typed", ["15-03-1962", "1962-03-15"])
def test_the_date_of_birth_prompt_takes_both_forms_in_both_languages(tmp_path, monkeypatch,
                                                                     language, typed):
    from vecozo_tui import i18n
    from vecozo_tui.cli.cov import _read_person
    from vecozo_tui.config import load_config

    config = load_config(write_config(tmp_path))
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": prompts.append(prompt) or typed)
    i18n.activate(language)
    invocation = Invocation(args=argparse.Namespace(birth_date=None),
                            env={"VECOZO_TUI_BSN": "999979668"}, stdin=Terminal())
    person = _read_person(invocation, config, config.practice("hap-zuid"))
    assert person.birth_date == date(1962, 3, 15)
    assert prompts == [{"nl": "Geboortedatum van de patiënt (DD-MM-JJJJ; niet getoond, niet "
                              "bewaard): ",
                        "en": "Date of birth of the patient (DD-MM-YYYY; not shown, not "
                              "stored): "}[language]]


def test_a_confirmation_in_dutch_takes_ja(monkeypatch):
    from vecozo_tui import i18n
    from vecozo_tui.cli.prompts import confirmed

    i18n.activate("nl")
    invocation = Invocation(args=argparse.Namespace(), env={}, stdin=Terminal("ja\n"),
                            stdout=io.StringIO(), stderr=io.StringIO())
    assert confirmed(invocation, "Toch importeren?", without_terminal="-", declined="-")
    assert invocation.stdout.getvalue() == "Toch importeren? [j/N] "
