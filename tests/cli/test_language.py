"""Which language a command speaks: `--lang` (before or after the command), else
`[ui] language`, else the locale, else English; chosen before any text is built."""

from __future__ import annotations

import pytest

from vecozo_tui import i18n
from vecozo_tui.cli.exit_codes import EXIT_OK
from vecozo_tui.cli.main import main


def write_config(tmp_path, ui: str = "") -> str:
    repository = tmp_path / "repository"
    repository.mkdir(mode=0o700, exist_ok=True)
    path = tmp_path / "config.toml"
    path.write_text(f"""
[repository]
path = "{repository}"

[ui]
{ui}

[[practices]]
id = "hap-zuid"
name = "Huisartsenpraktijk Zuid"
agb = "01234567"
environment = "production"
""", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("argv_language", "ui", "env", "expected"), [
    ([], "", {}, "en"),
    ([], "", {"LANG": "nl_NL.UTF-8"}, "nl"),
    ([], 'language = "nl"', {}, "nl"),
    ([], 'language = "en"', {"LANG": "nl_NL.UTF-8"}, "en"),
    (["--lang", "en"], 'language = "nl"', {"LANG": "nl_NL.UTF-8"}, "en"),
    (["--lang=nl"], 'language = "en"', {}, "nl"),
])
def test_the_command_runs_in_the_chosen_language(tmp_path, clock, capsys, argv_language, ui,
                                                  env, expected):
    config = write_config(tmp_path, ui)
    assert main([*argv_language, "--config", config, "list"], clock=clock, env=env) == EXIT_OK
    assert i18n.current_language() == expected


def test_lang_after_the_command_means_the_same(tmp_path, clock, capsys):
    config = write_config(tmp_path)
    assert main(["list", "--config", config, "--lang", "nl"], clock=clock, env={}) == EXIT_OK
    assert i18n.current_language() == "nl"


def test_an_unknown_language_is_a_usage_error(tmp_path, clock, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--lang", "fr", "--config", write_config(tmp_path), "list"], clock=clock, env={})
    assert stopped.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_an_unknown_configured_language_is_a_warning_with_its_line(tmp_path, clock, capsys):
    """Like a bad [keymap]: a display setting never stops a command or makes `check`
    UNKNOWN; the locale decides instead."""
    config = write_config(tmp_path, 'language = "fr"')
    assert main(["--config", config, "list"], clock=clock, env={"LANG": "nl_NL.UTF-8"}) == \
        EXIT_OK
    err = capsys.readouterr().err
    assert "config.toml:6: " in err and "'fr'" in err and "en, nl" in err
    assert i18n.current_language() == "nl"
    (tmp_path / "repository").rmdir()
    assert main(["--config", config, "init"], clock=clock, env={}) == EXIT_OK
    capsys.readouterr()
    main(["--config", config, "check"], clock=clock, env={})
    answer = capsys.readouterr().out
    assert answer.startswith("VECOZO WARNING - ") and "fr" not in answer  # no certificate yet


def test_the_console_is_built_after_the_language_is_chosen(tmp_path, clock, monkeypatch):
    """`vecozo-tui` with `[ui] language = "nl"`: the app (its screens and bindings) is
    created while Dutch is already active."""
    import vecozo_tui.tui.app as tui_app

    seen = []
    monkeypatch.setattr(tui_app, "run_app",
                        lambda *args, **kwargs: seen.append(i18n.current_language()) or 0)
    config = write_config(tmp_path, 'language = "nl"')
    assert main(["--config", config], clock=clock, env={}) == EXIT_OK
    assert seen == ["nl"]


def test_argparse_own_words_follow_the_language(tmp_path, clock, capsys):
    """Python ships no Dutch for argparse's headings and usage errors."""
    config = write_config(tmp_path)
    with pytest.raises(SystemExit):
        main(["--lang", "nl", "--config", config, "list", "--bogus"], clock=clock, env={})
    err = capsys.readouterr().err
    assert err.startswith("gebruik: vecozo-tui")
    assert "vecozo-tui: fout: onbekende argumenten: --bogus" in err
    with pytest.raises(SystemExit):
        main(["--lang", "en", "--config", config, "list", "--bogus"], clock=clock, env={})
    assert "vecozo-tui: error: unrecognized arguments: --bogus" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--lang", "nl", "--help"], clock=clock, env={})
    out = capsys.readouterr().out
    assert "opties:" in out and "toon deze hulp en stop" in out
