"""`list` fits the terminal it prints to; a script or a file gets whole names."""

from __future__ import annotations

import io

import pytest

from vecozo_tui.cli.main import Invocation, build_parser
from vecozo_tui.cli.overview import run_list

LONG_NAME = "Huisartsenpraktijk De Linde en Omstreken, Gezondheidscentrum Noord"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def config_file(tmp_path):
    repository = tmp_path / "repository"
    repository.mkdir(mode=0o700)
    path = tmp_path / "config.toml"
    blocks = "".join(f"""
[[practices]]
id = "hap-{i}"
name = "{LONG_NAME} {i}"
agb = "0101234{i}"
environment = "production"
""" for i in range(2))
    path.write_text(f'[repository]\npath = "{repository}"\n{blocks}', encoding="utf-8")
    return path


def list_output(config_file, clock, stdout, env) -> list[str]:
    args = build_parser().parse_args(["list", "--config", str(config_file)])
    assert run_list(Invocation(args=args, clock=clock, env=env, stdout=stdout)) == 0
    return stdout.getvalue().splitlines()


def test_a_wide_terminal_shows_whole_names(config_file, clock):
    lines = list_output(config_file, clock, Terminal(), {"COLUMNS": "200"})
    assert f"{LONG_NAME} 0" in lines[1] and f"{LONG_NAME} 1" in lines[2]


def test_a_narrow_terminal_keeps_each_row_on_one_line(config_file, clock):
    lines = list_output(config_file, clock, Terminal(), {"COLUMNS": "80", "LANG": "C.UTF-8"})
    assert all(len(line) <= 80 for line in lines)
    # the names keep their end, so two practices that start alike stay apart
    assert "… Noord 0" in lines[1] and "… Noord 1" in lines[2]


def test_not_a_terminal_prints_whole_names(config_file, clock):
    lines = list_output(config_file, clock, io.StringIO(), {"COLUMNS": "40"})
    assert f"{LONG_NAME} 0" in lines[1]


def test_list_has_a_renew_from_column(config_file, clock):
    header = list_output(config_file, clock, io.StringIO(), {})[0]
    assert "RENEW FROM" in header


def test_a_plain_terminal_gets_no_ellipsis_glyph(config_file, clock):
    lines = list_output(config_file, clock, Terminal(), {"COLUMNS": "80", "TERM": "linux"})
    assert "~ Noord 0" in lines[1] and all(line.isascii() for line in lines)
