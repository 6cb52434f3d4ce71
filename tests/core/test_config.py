"""Configuration: lookup, validation messages, unknown keys, adding practices. Real files."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from vecozo_tui import config as config_module
from vecozo_tui.config import (
    DEFAULT_ENDPOINTS,
    KNOWN_KEYS,
    Config,
    Practice,
    _line_index,
    add_practice,
    find_config_path,
    load_config,
    parse_config,
    render_config,
    user_config_path,
    write_new_config,
)
from vecozo_tui.errors import ConfigError, VecozoError
from vecozo_tui.expiry import ExpiryThresholds

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


@pytest.fixture
def repo(tmp_path) -> Path:
    path = tmp_path / "repository"
    path.mkdir(mode=0o700)
    return path


def write(tmp_path: Path, body: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    path.chmod(0o600)
    return path


def base(repo: Path) -> str:
    return f'[repository]\npath = "{repo}"\n'


PRACTICE = '[[practices]]\nid = "{id}"\nname = "{name}"\nagb = "{agb}"\nenvironment = "{env}"\n'


def practice_block(id="hap-zuid", name="Huisartsenpraktijk Zuid", agb="01234567",
                   env="production") -> str:
    return PRACTICE.format(id=id, name=name, agb=agb, env=env)


def problems_of(path: Path, **kwargs) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, **kwargs)
    return caught.value.problems


def only_problem(path: Path, **kwargs) -> str:
    problems = problems_of(path, **kwargs)
    assert len(problems) == 1, problems
    return problems[0]


# --- a good file ----------------------------------------------------------------------


def test_minimal_config_gets_defaults(tmp_path, repo):
    path = write(tmp_path, base(repo) + practice_block())
    config = load_config(path)
    assert config.path == path
    assert config.repository == repo
    assert config.inbox == Path("~/vecozo-inbox").expanduser()
    assert config.backup_target is None
    assert config.thresholds == ExpiryThresholds()
    assert config.cov.endpoints == DEFAULT_ENDPOINTS
    assert config.cov.ca_bundle is None
    assert config.cov.timeout_seconds == 30.0
    assert config.cov.test_bsn == "999979668"
    assert config.cov.test_birth_date == "1962-03-15"
    assert config.monitoring.warn_missing_backup and config.monitoring.warn_failed_test_call
    assert config.practices == [Practice("hap-zuid", "Huisartsenpraktijk Zuid", "01234567",
                                         "production")]
    assert config.warnings == []  # a defaulted, missing inbox is not worth a warning
    assert config.raw["practices"][0]["agb"] == "01234567"


def test_every_section_is_read(tmp_path, repo):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    (tmp_path / "inbox").mkdir()
    path = write(tmp_path, base(repo) + f"""
[import]
inbox = "{tmp_path / 'inbox'}"
[backup]
default_target = "/media/usb"
[expiry]
warning_days = 90
critical_days = 21
renewal_lead_days = 50
quarter_margin_days = 7
[cov]
ca_bundle = "{ca}"
timeout_seconds = 12.5
test_bsn = "999911120"
test_birth_date = 1980-01-01
[cov.endpoints]
acceptance = "https://localhost:8443/cov"
[monitoring]
warn_missing_backup = false
warn_failed_test_call = false
""" + practice_block() + 'contact = "dr. Mulder"\nnotes = ""\ndeploy_target = "srv:/x"\n')
    config = load_config(path)
    assert config.inbox == tmp_path / "inbox"
    assert config.backup_target == Path("/media/usb")
    assert config.thresholds == ExpiryThresholds(90, 21, 50, 7)
    assert config.cov.ca_bundle == ca
    assert config.cov.timeout_seconds == 12.5
    assert config.cov.test_bsn == "999911120"
    assert config.cov.test_birth_date == "1980-01-01"  # a TOML date is accepted too
    assert config.cov.endpoints == {**DEFAULT_ENDPOINTS,
                                    "acceptance": "https://localhost:8443/cov"}
    assert config.monitoring.warn_missing_backup is False
    assert config.monitoring.warn_failed_test_call is False
    practice = config.practices[0]
    assert (practice.contact, practice.notes, practice.deploy_target) == (
        "dr. Mulder", None, "srv:/x")
    assert config.warnings == []


def test_relative_paths_are_resolved_against_the_config_directory(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "inbox").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    conf_dir = tmp_path / "etc"
    (conf_dir / "repo").mkdir(parents=True, mode=0o700)
    (conf_dir / "ca.pem").write_text("x")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = write(conf_dir, '[repository]\npath = "repo"\n[import]\ninbox = "~/inbox"\n'
                           '[backup]\ndefault_target = "../backups"\n'
                           '[cov]\nca_bundle = "ca.pem"\n')
    config = load_config(path)
    assert config.repository == conf_dir / "repo"
    assert config.inbox == home / "inbox"
    assert config.backup_target == conf_dir / ".." / "backups"
    assert config.cov.ca_bundle == conf_dir / "ca.pem"
    # a relative --config is made absolute first
    monkeypatch.chdir(conf_dir)
    assert load_config("config.toml").repository == conf_dir / "repo"


def test_utf8_bom_is_tolerated_and_other_encodings_are_named(tmp_path, repo):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf" + base(repo).encode())
    assert load_config(path).repository == repo
    path.write_bytes(base(repo).encode() + b'[[practices]]\nname = "Praktijk M\xfcller"\n')
    problem = only_problem(path)
    assert problem.startswith(f"{path}:4:") and "UTF-8" in problem


# --- the example --------------------------------------------------------------------


def test_example_config_parses_cleanly_and_documents_only_known_keys():
    config = parse_config(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE,
                          check_repository=False)
    assert not [w for w in config.warnings if "unknown key" in w]
    assert len(config.practices) == 2
    # every key it shows, commented out or not, is one the parser knows
    known = {key for keys in KNOWN_KEYS.values() for key in keys}
    tables = {name for name in KNOWN_KEYS if name} | {"cov.endpoints"}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"\s*#?\s*([a-z_]+)\s*=\s*\S", line):
            assert m.group(1) in known, line
        if m := re.match(r"\s*#?\s*\[\[?([a-z_.]+)\]\]?\s*$", line):
            assert m.group(1) in tables, line
    # and every key the parser knows is documented
    text = EXAMPLE.read_text(encoding="utf-8")
    for key in known:
        assert re.search(rf"^(#? ?{key} = |\[\[?([a-z_]+\.)?{key}\]\]?$)", text, re.M), key


# --- validation: one problem each ---------------------------------------------------


def test_agb_must_be_eight_digits(tmp_path, repo):
    path = write(tmp_path, base(repo) + practice_block(agb="123"))
    problem = only_problem(path)
    assert problem.startswith(f"{path}:6: practices[1].agb: ")
    assert "'123'" in problem and "8 digits" in problem


def test_agb_written_as_a_number_asks_for_quotes(tmp_path, repo):
    body = base(repo) + practice_block().replace('agb = "01234567"', "agb = 1234567")
    problem = only_problem(write(tmp_path, body))
    assert "practices[1].agb" in problem
    assert "write it as a quoted string" in problem and 'agb = "01234567"' in problem


def test_agb_with_leading_zero_unquoted_is_a_syntax_error_with_a_hint(tmp_path, repo):
    body = base(repo) + practice_block().replace('agb = "01234567"', "agb = 01234567")
    path = write(tmp_path, body)
    problem = only_problem(path)
    assert problem.startswith(f"{path}:6:8: TOML syntax error: ")
    assert 'agb = "01234567"' in problem


def test_toml_syntax_error_reports_line_and_column(tmp_path, repo):
    path = write(tmp_path, base(repo) + "[cov]\ntimeout_seconds = \n")
    problem = only_problem(path)
    assert re.match(rf"{re.escape(str(path))}:4:\d+: TOML syntax error: Invalid value", problem)


def test_windows_path_in_double_quotes_gets_a_hint(tmp_path):
    path = write(tmp_path, '[repository]\npath = "C:\\Users\\beheer\\vecozo"\n')
    problem = only_problem(path)
    assert problem.startswith(f"{path}:2:")
    assert "single quotes" in problem


@pytest.mark.parametrize("path", ["D:\\exports", "C:\\xampp\\vecozo"])
def test_every_windows_path_in_double_quotes_gets_the_hint(tmp_path, path):
    # TOML 1.1 (tomli 2.4 on) reads \e and \x.. as escapes: the file would load
    # with a wrong path instead of telling how to write it
    config = write(tmp_path, f'[repository]\npath = "{path}"\n')
    problem = only_problem(config)
    assert problem.startswith(f"{config}:2:")
    assert "TOML syntax error" in problem and "single quotes" in problem


@pytest.mark.parametrize("body", ['x = {\n  a = 1,\n}\n', "x = 07:32\n"],
                         ids=["inline-table-over-lines", "time-without-seconds"])
def test_only_toml_1_0_is_read(tmp_path, body):
    path = write(tmp_path, '[repository]\npath = "/nowhere"\n[ui]\n' + body)
    assert "TOML syntax error" in only_problem(path)


def test_duplicate_practice_ids(tmp_path, repo):
    path = write(tmp_path, base(repo) + practice_block() + "\n"
                 + practice_block(name="Andere praktijk", agb="87654321"))
    problem = only_problem(path)
    assert problem.startswith(f"{path}:10: practices[2].id: 'hap-zuid' is used twice")
    assert "practices[1], line 3" in problem


@pytest.mark.parametrize(("practice_id", "expected"), [
    ("", "must not be empty"),
    ("Hap-Zuid", "Use lower case: 'hap-zuid'"),
    ("hap zuid", "not a valid practice id"),
    ("../etc", "not a valid practice id"),
    ("-x", "not a valid practice id"),
    ("x.", "not a valid practice id"),
    ("a" * 65, "too long"),
    ("con", "reserved file name on Windows"),
])
def test_invalid_practice_ids(tmp_path, repo, practice_id, expected):
    path = write(tmp_path, base(repo) + practice_block(id=practice_id))
    problem = only_problem(path)
    assert problem.startswith(f"{path}:4: practices[1].id: ")
    assert expected in problem


def test_valid_practice_ids(tmp_path, repo):
    ids = ["a", "0", "hap-zuid", "fysio_oost.2", "a" * 64]
    body = base(repo) + "".join(practice_block(id=i) for i in ids)
    assert [p.id for p in load_config(write(tmp_path, body)).practices] == ids


def test_unknown_environment_lists_the_allowed_ones(tmp_path, repo):
    path = write(tmp_path, base(repo) + practice_block(env="prod"))
    problem = only_problem(path)
    assert problem.startswith(f"{path}:7: practices[1].environment: unknown environment 'prod'")
    assert "production, acceptance, test" in problem
    assert "Did you mean 'production'?" in problem


def test_missing_practice_keys(tmp_path, repo):
    path = write(tmp_path, base(repo) + '[[practices]]\nid = "x"\n')
    problems = problems_of(path)
    assert problems == [f"{path}:3: practices[1].name: is missing.",
                        f"{path}:3: practices[1].agb: is missing.",
                        f"{path}:3: practices[1].environment: is missing."]


@pytest.mark.parametrize(("body", "key", "expected"), [
    ('[expiry]\nwarning_days = "x"\n', "expiry.warning_days",
     "must be a whole number of days, not the text 'x'"),
    ("[expiry]\nrenewal_lead_days = 2.5\n", "expiry.renewal_lead_days", "whole number"),
    ("[expiry]\nquarter_margin_days = -1\n", "expiry.quarter_margin_days", "out of range"),
    ("[expiry]\nwarning_days = true\n", "expiry.warning_days", "not true/false"),
    ("[cov]\ntimeout_seconds = \"30\"\n", "cov.timeout_seconds", "number of seconds"),
    ("[cov]\ntimeout_seconds = 0\n", "cov.timeout_seconds", "out of range"),
    ("[cov]\ntest_birth_date = \"15-03-1962\"\n", "cov.test_birth_date", "like 1962-03-15"),
    ("[monitoring]\nwarn_missing_backup = \"yes\"\n", "monitoring.warn_missing_backup",
     "must be true or false"),
    ("[import]\ninbox = 5\n", "import.inbox", "must be text in quotes, not the number 5"),
    ("[backup]\ndefault_target = \"\"\n", "backup.default_target", "must not be empty"),
])
def test_wrong_types_and_ranges(tmp_path, repo, body, key, expected):
    path = write(tmp_path, base(repo) + body)
    problem = only_problem(path)
    assert problem.startswith(f"{path}:4: {key}: "), problem
    assert expected in problem


def test_a_section_that_is_not_a_table(tmp_path, repo):
    path = write(tmp_path, 'cov = "https://example.org"\n' + base(repo))
    assert only_problem(path).startswith(f"{path}:1: cov: must be a table")


def test_practices_in_single_brackets(tmp_path, repo):
    path = write(tmp_path, base(repo) + '[practices]\nid = "x"\n')
    problem = only_problem(path)
    assert problem.startswith(f"{path}:3: practices: ") and "[[practices]]" in problem


def test_critical_days_must_be_below_warning_days(tmp_path, repo):
    path = write(tmp_path, base(repo) + "[expiry]\nwarning_days = 10\ncritical_days = 10\n")
    problem = only_problem(path)
    assert problem == (f"{path}:5: expiry.critical_days: critical_days (10) must be smaller "
                       "than warning_days (10).")
    # against the default warning_days too
    path = write(tmp_path, base(repo) + "[expiry]\ncritical_days = 60\n")
    assert "warning_days (60)" in only_problem(path)


def test_endpoint_must_be_https(tmp_path, repo):
    path = write(tmp_path, base(repo) + '[cov.endpoints]\ntest = "http://tst-api.vecozo.nl/x"\n')
    problem = only_problem(path)
    assert problem.startswith(f"{path}:4: cov.endpoints.test: ")
    assert "https://" in problem
    path = write(tmp_path, base(repo) + '[cov.endpoints]\ntest = "https://"\n')
    assert "no host name" in only_problem(path)


def test_ca_bundle_must_exist(tmp_path, repo):
    path = write(tmp_path, base(repo) + '[cov]\nca_bundle = "missing.pem"\n')
    assert only_problem(path) == (f"{path}:4: cov.ca_bundle: {tmp_path / 'missing.pem'} does "
                                  "not exist.")


def test_test_bsn_must_be_a_test_bsn_and_is_never_echoed(tmp_path, repo):
    real_looking = "111222333"  # passes the 11-test, not a 9999 test number
    path = write(tmp_path, base(repo) + f'[cov]\ntest_bsn = "{real_looking}"\n')
    problem = only_problem(path)
    assert problem.startswith(f"{path}:4: cov.test_bsn: ") and "9999" in problem
    assert real_looking not in problem
    path = write(tmp_path, base(repo) + '[cov]\ntest_bsn = "999979669"\n')
    problem = only_problem(path)
    assert "11-test" in problem and "999979669" not in problem


def test_repository_must_exist(tmp_path):
    missing = tmp_path / "nope"
    path = write(tmp_path, base(missing))
    assert only_problem(path) == (f"{path}:2: repository.path: {missing} does not exist; "
                                  "create it with `vecozo-tui init`.")
    assert load_config(path, check_repository=False).repository == missing


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_repository_must_not_be_writable_by_others(tmp_path, repo):
    repo.chmod(0o770)
    path = write(tmp_path, base(repo))
    problem = only_problem(path)
    assert problem.startswith(f"{path}:2: repository.path: ")
    assert "writable by group or other users (mode 0770)" in problem
    assert f"chmod 700 {repo}" in problem
    assert load_config(path, check_repository=False).repository == repo


def test_repository_key_missing(tmp_path):
    path = write(tmp_path, "[import]\n")
    assert only_problem(path).startswith(f"{path}: repository.path: is missing; add a "
                                         "[repository] section")
    path = write(tmp_path, "[repository]\n")
    assert only_problem(path).startswith(f"{path}:1: repository.path: is missing; add path")


def test_all_problems_are_reported_together(tmp_path):
    path = write(tmp_path, '[repository]\npath = "/nonexistent/repo"\n'
                           "[expiry]\nwarning_days = \"x\"\n"
                           '[cov.endpoints]\nproduction = "http://api.vecozo.nl"\n'
                           + practice_block(agb="123", env="prod")
                           + practice_block(id="Bad Id"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    problems = caught.value.problems
    keys = [p.split(": ")[1] for p in problems]
    assert keys == ["repository.path", "expiry.warning_days", "cov.endpoints.production",
                    "practices[1].agb", "practices[1].environment", "practices[2].id"]
    assert all(p.startswith(f"{path}:") for p in problems)
    assert str(caught.value) == "\n".join(problems)  # one message, one line per problem
    assert isinstance(caught.value, VecozoError)


# --- warnings -----------------------------------------------------------------------


def test_unknown_keys_are_warnings_with_lines(tmp_path, repo):
    path = write(tmp_path, base(repo) + 'colour = "blue"\n[extra]\nx = 1\n'
                 + practice_block() + 'enviroment = "test"\n')
    config = load_config(path)
    assert config.warnings == [
        f"{path}:4: unknown key `extra` at the top level — kept, ignored",
        f"{path}:3: unknown key `colour` in [repository] — kept, ignored",
        f"{path}:11: unknown key `enviroment` in [[practices]] #1 — kept, ignored "
        "(did you mean `environment`?)",
    ]
    assert config.raw["extra"] == {"x": 1}


def test_missing_inbox_is_a_warning(tmp_path, repo):
    path = write(tmp_path, base(repo) + '[import]\ninbox = "inbox"\n')
    config = load_config(path)
    assert config.inbox == tmp_path / "inbox"
    assert config.warnings == [f"{path}:4: import.inbox: {tmp_path / 'inbox'} does not exist "
                               "(yet); importing from the inbox will not find any files."]


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_config_writable_by_others_is_a_warning(tmp_path, repo):
    path = write(tmp_path, base(repo))
    path.chmod(0o666)
    assert any("writable by group or other" in w for w in load_config(path).warnings)


# --- finding the file ---------------------------------------------------------------


@pytest.fixture
def places(tmp_path, monkeypatch, repo):
    """A config file in each of the four places, each naming itself in [repository]."""
    system = tmp_path / "etc" / "config.toml"
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG_PATH", system)
    user = user_config_path()
    assert user == tmp_path / "xdg-config" / "vecozo-tui" / "config.toml"  # from conftest
    found = {}
    for name, path in (("system", system), ("user", user), ("env", tmp_path / "env.toml"),
                       ("explicit", tmp_path / "explicit.toml")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base(repo) + f'[[practices]]\nid = "{name}"\nname = "N"\n'
                        'agb = "01234567"\nenvironment = "test"\n')
        found[name] = path
    return found


def test_lookup_order(places, monkeypatch):
    monkeypatch.setenv("VECOZO_TUI_CONFIG", str(places["env"]))
    assert find_config_path(places["explicit"]) == places["explicit"]
    assert load_config(str(places["explicit"])).practices[0].id == "explicit"
    assert find_config_path() == places["env"]
    assert load_config().practices[0].id == "env"
    monkeypatch.delenv("VECOZO_TUI_CONFIG")
    assert find_config_path() == places["user"]
    places["user"].unlink()
    assert find_config_path() == places["system"]
    assert load_config().practices[0].id == "system"
    places["system"].unlink()
    assert find_config_path() is None


def test_env_mapping_is_used_instead_of_os_environ(places, tmp_path):
    env = {"VECOZO_TUI_CONFIG": str(places["env"])}
    assert find_config_path(None, env) == places["env"]
    other = tmp_path / "other-xdg" / "vecozo-tui" / "config.toml"
    other.parent.mkdir(parents=True)
    other.write_text(places["user"].read_text())
    assert find_config_path(None, {"XDG_CONFIG_HOME": str(tmp_path / "other-xdg")}) == other
    assert user_config_path({"HOME": "/home/x"}) == Path("/home/x/.config/vecozo-tui/"
                                                         "config.toml")


def test_missing_explicit_or_env_file_is_named(tmp_path, monkeypatch, places):
    missing = tmp_path / "missing.toml"
    with pytest.raises(VecozoError) as caught:
        load_config(missing)
    message = str(caught.value)
    assert str(missing) in message and "--config" in message and "does not exist" in message
    monkeypatch.setenv("VECOZO_TUI_CONFIG", str(missing))
    with pytest.raises(VecozoError) as caught:
        load_config()
    assert str(missing) in str(caught.value) and "$VECOZO_TUI_CONFIG" in str(caught.value)
    # the others are not silently used instead
    with pytest.raises(VecozoError):
        find_config_path()
    # ...except for `init`, which is about to write it
    assert find_config_path(missing, must_exist=False) == missing
    with pytest.raises(VecozoError, match="is a directory"):
        load_config(tmp_path)


def test_no_config_anywhere(tmp_path, monkeypatch):
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG_PATH", tmp_path / "etc" / "config.toml")
    with pytest.raises(VecozoError) as caught:
        load_config()
    message = str(caught.value)
    assert "No configuration file found" in message
    assert str(tmp_path / "xdg-config" / "vecozo-tui" / "config.toml") in message
    assert str(tmp_path / "etc" / "config.toml") in message
    assert "$VECOZO_TUI_CONFIG" in message and "--config" in message
    assert "vecozo-tui init" in message and "config.example.toml" in message


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_unreadable_config(tmp_path, repo):
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    path = write(tmp_path, base(repo))
    path.chmod(0)
    with pytest.raises(VecozoError, match="No permission to read"):
        load_config(path)


def test_write_new_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_new_config(tmp_path / "new" / "config.toml", {}, repository=Path("store"))
    assert path == tmp_path / "new" / "config.toml"
    config = load_config(path, check_repository=False)
    assert config.repository == tmp_path / "store"
    assert config.practices == [] and config.warnings == []
    with pytest.raises(VecozoError, match="already exists"):
        write_new_config(path, {}, repository=Path("store"))
    # without --config it goes to the user config dir
    user = write_new_config(None, os.environ, repository=tmp_path / "s", inbox=tmp_path / "in")
    assert user == user_config_path()
    assert load_config(check_repository=False).inbox == tmp_path / "in"


# --- practice lookup ----------------------------------------------------------------


@pytest.fixture
def three(tmp_path, repo) -> Config:
    return load_config(write(tmp_path, base(repo)
                             + practice_block()
                             + practice_block(id="fysio-oost", name="Fysiotherapie Oost",
                                              agb="04011111", env="acceptance")
                             + practice_block(id="tand-west", name="Tandarts West",
                                              agb="12022222", env="test")))


def test_practice_lookup(three):
    assert three.practice("fysio-oost").name == "Fysiotherapie Oost"


@pytest.mark.parametrize(("key", "suggested"), [
    ("hap-zud", "hap-zuid (Huisartsenpraktijk Zuid, AGB 01234567)"),
    ("Tandarts West", "tand-west"),
    ("fysiotherapie", "fysio-oost"),
    ("04011111", "fysio-oost"),
    ("04011112", "fysio-oost"),
])
def test_practice_not_found_suggests_close_matches(three, key, suggested):
    with pytest.raises(VecozoError) as caught:
        three.practice(key)
    message = str(caught.value)
    assert message.startswith(f"No practice '{key}' in {three.path}. Did you mean: ")
    assert suggested in message


def test_practice_not_found_without_close_matches_lists_ids(three, tmp_path, repo):
    with pytest.raises(VecozoError) as caught:
        three.practice("zzz")
    assert str(caught.value) == (f"No practice 'zzz' in {three.path}. Practice ids: hap-zuid, "
                                 "fysio-oost, tand-west.")
    empty = load_config(write(tmp_path, base(repo), "empty.toml"))
    with pytest.raises(VecozoError, match="no practices yet"):
        empty.practice("x")


# --- adding a practice --------------------------------------------------------------

COMMENTED = """# our practices
[repository]
path = "{repo}"  # keep this on the encrypted disk
colour = "blue"

[future]
setting = [1, 2]

[[practices]]
id = "hap-zuid"
name = "Huisartsenpraktijk Zuid"
agb = "01234567"
environment = "production"
favourite = true
"""

NEW = Practice("fysio-oost", "Fysiotherapie Oost", "04011111", "acceptance",
               contact="M. de Vries", notes="line one\nline \"two\"")


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_add_practice_appends_and_keeps_everything(tmp_path, repo):
    path = write(tmp_path, COMMENTED.format(repo=repo))
    path.chmod(0o640)
    before = path.read_text()
    config = load_config(path)
    new = add_practice(config, NEW)
    assert [p.id for p in new.practices] == ["hap-zuid", "fysio-oost"]
    assert new.practice("fysio-oost") == NEW
    text = path.read_text()
    assert text.startswith(before)  # comments and layout kept, block appended
    assert "# keep this on the encrypted disk" in text
    reread = load_config(path)
    assert reread.practices == new.practices
    assert reread.raw["repository"]["colour"] == "blue"
    assert reread.raw["future"] == {"setting": [1, 2]}
    assert reread.raw["practices"][0]["favourite"] is True
    assert len(reread.warnings) == 3  # still warned about, still there
    assert (path.stat().st_mode & 0o777) == 0o640
    backup = tmp_path / "config.toml.bak"
    assert backup.read_text() == before and (backup.stat().st_mode & 0o777) == 0o640
    # a second add keeps only the previous version as .bak
    add_practice(reread, Practice("tand-west", "Tandarts West", "12022222", "test"))
    assert backup.read_text() == text
    assert [p.id for p in load_config(path).practices] == ["hap-zuid", "fysio-oost",
                                                           "tand-west"]


def test_add_practice_to_a_file_without_practices(tmp_path, repo):
    path = write(tmp_path, base(repo).rstrip("\n"))  # no final newline
    added = add_practice(load_config(path), NEW)
    assert added.practices == [NEW]


def test_add_practice_rewrites_when_appending_cannot_work(tmp_path, repo):
    body = ('practices = [{id = "a", name = "A", agb = "01234567", environment = "test"}]\n'
            + base(repo) + 'extra = "kept"\n')
    path = write(tmp_path, '# a comment\n' + body)
    added = add_practice(load_config(path), NEW)
    assert [p.id for p in added.practices] == ["a", "fysio-oost"]
    text = path.read_text()
    assert "# a comment" not in text and ".bak" in text  # rewritten with tomli-w, says so
    assert load_config(path).raw["repository"]["extra"] == "kept"
    assert (tmp_path / "config.toml.bak").read_text().startswith("# a comment")


def test_add_practice_keeps_changes_made_since_loading(tmp_path, repo):
    path = write(tmp_path, base(repo) + practice_block())
    config = load_config(path)
    with path.open("a") as handle:
        handle.write(practice_block(id="tand-west", name="Tandarts West", agb="12022222"))
    added = add_practice(config, NEW)
    assert [p.id for p in added.practices] == ["hap-zuid", "tand-west", "fysio-oost"]


def test_add_practice_rejects_duplicates_and_bad_values(tmp_path, repo):
    path = write(tmp_path, base(repo) + practice_block())
    before = path.read_text()
    config = load_config(path)
    with pytest.raises(VecozoError) as caught:
        add_practice(config, Practice("hap-zuid", "Other", "87654321", "test"))
    assert str(caught.value).startswith(f"{path}:3: a practice with id 'hap-zuid' already "
                                        "exists")
    with pytest.raises(ConfigError) as caught:
        add_practice(config, Practice("New One", "", "123", "prod"))
    problems = caught.value.problems
    assert [p.split(": ")[1] for p in problems] == ["id", "agb", "environment", "name"]
    assert all(p.startswith("Cannot add practice 'New One': ") for p in problems)
    assert path.read_text() == before
    assert not (tmp_path / "config.toml.bak").exists()


def test_add_practice_needs_a_file(repo):
    with pytest.raises(VecozoError, match="not read from a file"):
        add_practice(Config(path=None, repository=repo), NEW)


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_add_practice_writes_through_a_symlink(tmp_path, repo):
    real = write(tmp_path, base(repo), "real.toml")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    add_practice(load_config(link), NEW)
    assert link.is_symlink()
    assert load_config(real).practices == [NEW]


def test_render_config_round_trips(tmp_path, repo):
    import tomllib

    raw = load_config(write(tmp_path, COMMENTED.format(repo=repo))).raw
    assert tomllib.loads(render_config(raw)) == raw


# --- line scan and speed ------------------------------------------------------------


def test_line_index():
    text = ('a = 1\n[cov]\nx = """\n[not.a.table]\nb = 2\n"""\n[cov.endpoints]\n'
            'test = "u"\n[[practices]]\nid = "p"\n[[ practices ]] # two\n"id" = "q"\n'
            "[practices.sub]\ny = 1\n")
    index = _line_index(text)
    assert index[("a",)] == 1
    assert index[("cov",)] == 2
    assert ("not", "a", "table") not in index and ("cov", "b") not in index
    assert index[("cov", "endpoints", "test")] == 8
    assert index[("practices", 0, "id")] == 10
    assert index[("practices", 1)] == 11
    assert index[("practices", 1, "id")] == 12
    assert index[("practices", 1, "sub", "y")] == 14


def test_loading_a_thousand_practices_is_fast(tmp_path, repo):
    body = base(repo) + "".join(
        practice_block(id=f"praktijk-{i:04d}", name=f"Praktijk {i}", agb=f"{i:08d}")
        + f'contact = "dr. {i}"\n' for i in range(1000))
    path = write(tmp_path, body)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        config = load_config(path)
        timings.append(time.perf_counter() - start)
    assert len(config.practices) == 1000
    # ~25 ms on a laptop, almost all of it tomllib; the bound only catches regressions
    assert min(timings) < 0.15, timings


# --- deploy targets ------------------------------------------------------------------


def deploy_block(**keys) -> str:
    lines = ["[[practices.deploy]]"]
    for key, value in keys.items():
        lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def test_deploy_targets_are_read_with_defaults(tmp_path, repo):
    software = tmp_path / "his"
    software.mkdir()
    path = write(tmp_path, base(repo) + "[deploy]\nautomatic = false\n" + practice_block()
                 + deploy_block(path=f'"{software}/vecozo.pfx"')
                 + deploy_block(path=f'"{software}/legacy.pfx"', format='"pkcs12-legacy"',
                                owner='"root"', group="0", mode='"0640"',
                                command='["systemctl", "restart", "his-vecozo"]',
                                timeout_seconds="15", password_on_stdin="true"))
    config = load_config(path)
    first, second = config.practices[0].deploy
    assert config.deploy.automatic is False
    assert first == config_module.DeployTarget(path=software / "vecozo.pfx")
    assert (first.format, first.mode, first.command, first.timeout_seconds) == \
        ("pkcs12", None, None, 60.0)  # no mode: the file's own, 0600 for a new one
    assert (second.format, second.encoding, second.owner, second.group, second.mode) == \
        ("pkcs12-legacy", "3des", "root", "0", 0o640)
    assert second.command == ("systemctl", "restart", "his-vecozo")
    assert (second.timeout_seconds, second.password_on_stdin) == (15.0, True)
    assert not [w for w in config.warnings if "unknown key" in w or "deploy" in w
                and "not found" not in w]


def test_automatic_deploy_is_on_by_default(tmp_path, repo):
    assert load_config(write(tmp_path, base(repo) + practice_block())).deploy.automatic


def test_the_free_text_deploy_target_still_works_as_a_reminder(tmp_path, repo):
    path = write(tmp_path, base(repo) + practice_block()
                 + 'deploy_target = "his-server:C:/HIS/vecozo.pfx"\n')
    practice = load_config(path).practices[0]
    assert practice.deploy_target == "his-server:C:/HIS/vecozo.pfx" and practice.deploy == ()


@pytest.mark.parametrize(("keys", "expected"), [
    ({"path": '"his/vecozo.pfx"'}, "deploy[1].path: 'his/vecozo.pfx' is a relative path"),
    ({"path": '"/srv/x.pfx"', "format": '"pfx"'},
     "deploy[1].format: unknown format 'pfx'; use one of: pkcs12, pkcs12-legacy"),
    ({"path": '"/srv/x.pfx"', "command": '"systemctl restart his"'},
     'deploy[1].command: must be a list of words, e.g. command = ["systemctl", "restart", '
     '"his"]: it is run without a shell'),
    ({"path": '"/srv/x.pfx"', "command": "[]"}, "deploy[1].command: must be a non-empty list"),
    ({"path": '"/srv/x.pfx"', "mode": "600"},
     'must be a file mode in quotes like "0640" (octal), not the number 600; write '
     'mode = "0600"'),
    ({"path": '"/srv/x.pfx"', "mode": '"0666"'}, "0666 lets other users replace the certificate"),
    ({"path": '"/srv/x.pfx"', "owner": '"no-such-user-here"'},
     "deploy[1].owner: there is no user 'no-such-user-here' on this server."),
    ({"path": '"/srv/x.pfx"', "timeout_seconds": "0", "command": '["true"]'},
     "deploy[1].timeout_seconds: 0 is out of range"),
    ({"format": '"pkcs12"'}, "deploy[1].path: is missing"),
], ids=["relative", "format", "command-string", "command-empty", "mode-decimal",
        "mode-world-writable", "owner", "timeout", "no-path"])
def test_deploy_target_problems(tmp_path, repo, keys, expected):
    path = write(tmp_path, base(repo) + practice_block() + deploy_block(**keys))
    problem = only_problem(path)
    assert re.match(rf"{re.escape(str(path))}:\d+: practices\[1\]\.deploy\[1\]\.", problem)
    assert expected in problem


def test_deploy_target_that_is_a_directory_is_refused(tmp_path, repo):
    path = write(tmp_path, base(repo) + practice_block()
                 + deploy_block(path=f'"{tmp_path}"'))
    assert f"{tmp_path} is a directory; give the path of the certificate file" \
        in only_problem(path)


def test_one_file_cannot_be_the_target_of_two_practices(tmp_path, repo):
    target = f'"{tmp_path}/vecozo.pfx"'
    path = write(tmp_path, base(repo) + practice_block() + deploy_block(path=target)
                 + practice_block(id="fysio-oost", agb="04011111")
                 + deploy_block(path=target))
    assert "is also the target of practices[1].deploy[1]" in only_problem(path)


def test_a_missing_target_directory_is_a_warning_not_an_error(tmp_path, repo):
    """An unmounted share must not stop `check` or the console."""
    path = write(tmp_path, base(repo) + practice_block()
                 + deploy_block(path=f'"{tmp_path}/share/vecozo.pfx"'))
    config = load_config(path)
    assert config.practices[0].deploy[0].path == tmp_path / "share" / "vecozo.pfx"
    assert config.warnings == [
        f"{path}:9: practices[1].deploy[1].path: the directory {tmp_path / 'share'} does not "
        "exist (a share not mounted?); deploying there will fail until it does."]


def test_deploy_written_as_a_single_table_is_explained(tmp_path, repo):
    path = write(tmp_path, base(repo) + practice_block()
                 + f'[practices.deploy]\npath = "{tmp_path}/x.pfx"\n')
    assert "write [[practices.deploy]] (double brackets)" in only_problem(path)


def test_a_deploy_mode_must_be_text_or_octal_and_not_group_writable(tmp_path, repo):
    """TOML reads mode = 400 as the decimal number 400 (0o620: group-writable) and cannot
    tell 0o400 from 256: only a quoted octal mode is unambiguous."""
    software = tmp_path / "his"
    software.mkdir()
    for mode, expected in (("400", 'write mode = "0400"'), ('"0620"', "group")):
        text = base(repo) + practice_block() + (
            f'[[practices.deploy]]\npath = "{software}/vecozo.pfx"\nmode = {mode}\n')
        path = write(tmp_path, text)
        problem = only_problem(path)
        assert "practices[1].deploy[1].mode" in problem and expected in problem, problem
