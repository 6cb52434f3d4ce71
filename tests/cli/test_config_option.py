"""`--config` means the same before and after the command, and a given file that does
not exist is an error, never a fall-back to another configuration."""

from __future__ import annotations

import pytest

from vecozo_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK
from vecozo_tui.cli.main import main


@pytest.fixture
def config_file(tmp_path):
    repository = tmp_path / "repository"
    repository.mkdir(mode=0o700)
    path = tmp_path / "config.toml"
    path.write_text(f"""
[repository]
path = "{repository}"

[[practices]]
id = "hap-zuid"
name = "Huisartsenpraktijk Zuid"
agb = "01234567"
environment = "production"
""", encoding="utf-8")
    return path


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_before_or_after_the_command(config_file, clock, capsys, where):
    argv = (["--config", str(config_file), "list"] if where == "before"
            else ["list", "--config", str(config_file)])
    assert main(argv, clock=clock, env={}) == EXIT_OK
    assert "hap-zuid" in capsys.readouterr().out


def test_a_missing_config_is_an_error_not_the_environments(config_file, clock, capsys):
    env = {"VECOZO_TUI_CONFIG": str(config_file)}
    code = main(["--config", "/nonexistent/vecozo.toml", "check"], clock=clock, env=env)
    out = capsys.readouterr().out
    assert code == 3  # UNKNOWN: the plugin could not run
    assert "/nonexistent/vecozo.toml" in out and "does not exist" in out
    assert main(["--config", "/nonexistent/vecozo.toml", "list"], clock=clock,
                env=env) == EXIT_ERROR
    assert "/nonexistent/vecozo.toml" in capsys.readouterr().err


def test_after_the_command_wins_when_given_twice(config_file, clock, capsys, tmp_path):
    code = main(["--config", str(tmp_path / "other.toml"), "list", "--config",
                 str(config_file)], clock=clock, env={})
    assert code == EXIT_OK
