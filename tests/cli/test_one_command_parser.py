"""A scripted command builds only its own parser (it starts faster); what people see, the
help of every command and every usage error, is what the full parser says."""

from __future__ import annotations

import pytest

from vecozo_tui.cli import main as cli_main
from vecozo_tui.cli.main import build_parser, main


def _commands() -> dict:
    return build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]


@pytest.mark.parametrize("name", sorted(_commands()))
def test_the_help_of_each_command_is_the_same_from_its_own_parser(name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    alone = build_parser(name)._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert list(alone) == [name]
    assert alone[name].format_help() == _commands()[name].format_help()


@pytest.mark.parametrize("argv", [
    ["list", "--bogus"], ["list", "extra"], ["show"], ["bogus"], ["list", "--conf", "x"],
    ["--config", "x", "status", "--json", "--bogus"], ["check", "--bogus"],
    ["check", "-w", "x"], ["walkthrough", "p", "nope"], ["purge", "p"], ["--help"],
    ["list", "--help"], ["--config=x", "metrics", "-h"], ["check", "-h"], ["--version"],
    ["--lang", "nl", "list", "--bogus"], ["--lang=nl", "status", "-h"], ["list", "--lang", "xx"],
    # the console's command line: its own parser has no command at all
    ["--config"], ["--lang", "xx"], ["--config", "x", "--lang"], ["--config=x", "--bogus"],
    ["--config", "x", "extra"], ["--lang", "--help"], ["--config", "-h"],
    # Python 3.11's argparse makes "--config=--" an empty list: a usage error, not a crash
    ["--config=--"], ["list", "--config=--"], ["--config=--", "status"], ["check", "--config=--"],
])
def test_usage_errors_and_help_are_those_of_the_full_parser(argv, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")

    def outcome(run) -> tuple:
        with pytest.raises(SystemExit) as stopped:
            run()
        captured = capsys.readouterr()
        return stopped.value.code, captured.out, captured.err

    seen = outcome(lambda: main(argv))
    monkeypatch.setattr(cli_main, "_own_parser", lambda argv: None)  # the full parser
    assert outcome(lambda: main(argv)) == seen


@pytest.mark.parametrize("argv", [[], ["--config", "x.toml"], ["--config=x.toml", "--lang", "nl"],
                                  ["--lang=en"]])
def test_the_console_builds_no_commands_parser(argv, monkeypatch):
    """A sixth of the console's own start-up work was building the parsers of twenty
    commands it does not run."""
    import argparse

    built = []
    add_parser = argparse._SubParsersAction.add_parser
    monkeypatch.setattr(argparse._SubParsersAction, "add_parser",
                        lambda self, name, **kw: built.append(name) or add_parser(self, name, **kw))
    args = vars(cli_main.parse_command_line(argv))
    assert built == []
    full = vars(build_parser().parse_args(argv))
    assert args.keys() == full.keys()
    assert {key: args[key] for key in args if key != "run"} == \
        {key: full[key] for key in full if key != "run"}  # run: a closure, made anew


@pytest.mark.parametrize("argv", [["--config=--"], ["list", "--config=--"],
                                  ["--config=--", "show", "p"]])
def test_a_config_option_without_a_path_is_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "argument --config: expected one argument" in err
    assert "Traceback" not in err

