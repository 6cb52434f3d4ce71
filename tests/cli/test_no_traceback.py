"""No input ends in a traceback: each of these gets a clear message and a non-zero exit
(or, for a terminal that cannot show every character, just works)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cov_support import copy_setup, make_setup, running_server
from vecozo_tui.certificates import load_pkcs12, read_certificate_file
from vecozo_tui.cli.main import main
from vecozo_tui.config import load_config, parse_config
from vecozo_tui.errors import ConfigError, VecozoError

PASSWORD = "geheim-wachtwoord"
REPO = Path(__file__).resolve().parents[2]


def cli(*argv: str, env: dict[str, str] | None = None,
        input_bytes: bytes = b"") -> subprocess.CompletedProcess:
    """The real command in its own process (stdout/stderr as pipes, not a terminal)."""
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
            "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "vecozo_tui", *argv], capture_output=True,
                          env={**base, **(env or {})}, input=input_bytes, timeout=60)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    with running_server() as server:
        yield make_setup(tmp_path_factory.mktemp("no-traceback"), server)


@pytest.fixture
def setup(tmp_path, prepared):
    return copy_setup(prepared, tmp_path / "setup")


def nested_ber(depth: int = 3000) -> bytes:
    """A file of nothing but nested BER sequences of indefinite length (6 KB)."""
    return b"\x30\x80" * depth


def test_a_pfx_of_deeply_nested_ber_is_a_clear_message(tmp_path, capsys):
    path = tmp_path / "nested.pfx"
    path.write_bytes(nested_ber())
    with pytest.raises(VecozoError, match="not a PKCS#12"):
        load_pkcs12(read_certificate_file(path), PASSWORD)
    password_file = tmp_path / "password.txt"
    password_file.write_text(PASSWORD + "\n")
    code = main(["inspect", str(path), "--password-file", str(password_file)], env={})
    assert code == 1 and "not a PKCS#12" in capsys.readouterr().err


def test_a_configuration_nested_500_levels_is_a_clear_message(tmp_path):
    text = '[repository]\npath = "/x"\n[cov]\nnested = ' + "[" * 500 + "]" * 500 + "\n"
    with pytest.raises(ConfigError, match="nested too deeply"):
        parse_config(text, tmp_path / "config.toml")
    text = '[repository]\npath = "/x"\n[cov]\nnested = ' + "{a = " * 500 + "1" + "}" * 500
    with pytest.raises(ConfigError, match="nested too deeply"):
        parse_config(text, tmp_path / "config.toml")


@pytest.mark.parametrize("endpoint, says", [
    ("https://[::1", "not a valid URL"),
    ("https://[::1/cov", "not a valid URL"),
    (f"https://{'a' * 300}.example.nl/cov", "longer than 63"),
    (f"https://{'abcdefghi.' * 30}nl/cov", "longer than 253"),
    ("https://host:99999/cov", "not a valid URL"),
], ids=["ipv6-open", "ipv6-path", "long-label", "long-name", "port"])
def test_a_bad_endpoint_is_a_clear_message(setup, capsys, endpoint, says):
    code = main(["test-cov", "--config", str(setup.config_path), "hap-zuid", "--endpoint",
                 endpoint, "--password-file", str(setup.password_file)], env={})
    err = capsys.readouterr().err
    assert code == 1 and says in err, err


def test_a_long_host_label_in_the_configuration_is_refused_there(tmp_path):
    text = ('[repository]\npath = "/x"\n[cov.endpoints]\nacceptance = '
            f'"https://{"a" * 300}.example.nl/cov"\n')
    with pytest.raises(ConfigError, match="longer than 63"):
        parse_config(text, tmp_path / "config.toml", check_repository=False)


def test_a_password_variable_that_is_not_utf8_is_a_clear_message(setup):
    """os.environ holds undecodable bytes as surrogates: the real process shows it."""
    result = subprocess.run(
        [sys.executable, "-m", "vecozo_tui", "test-cov", "--config", str(setup.config_path),
         "hap-zuid"], capture_output=True, timeout=60,
        env={b"PATH": os.environb.get(b"PATH", b""), b"PYTHONPATH": str(REPO).encode(),
             b"VECOZO_TUI_PASSWORD": b"geheim\xff\xfe"})
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1, err
    assert "Traceback" not in err and "not valid text" in err


def test_list_on_a_terminal_that_only_knows_ascii(setup):
    # the name is cut with "…" in a narrow table, and holds an "ü"
    config = setup.config_path.read_text(encoding="utf-8").replace(
        'name = "Huisartsenpraktijk Zuid"',
        'name = "Huisartsenpraktijk Zuid-Oost Fysiotherapie Münsterplein en Omgeving"')
    setup.config_path.write_text(config, encoding="utf-8")
    for argv in (["list"], ["show", "hap-zuid"], ["status"]):
        result = cli(*argv, "--config", str(setup.config_path),
                     env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"})
        assert result.returncode == 0, result.stderr.decode()
        assert b"Traceback" not in result.stderr
        assert b"practices" in result.stdout or b"hap-zuid" in result.stdout


@pytest.mark.skipif(os.name == "nt" or os.geteuid() != 0,
                    reason="drops to another uid to meet a directory it cannot enter")
def test_a_configuration_behind_an_unreadable_directory_is_a_clear_message(tmp_path):
    import tempfile

    base = Path(tempfile.mkdtemp(dir="/tmp", prefix="vecozo-tui-locked-"))
    try:
        os.chmod(base, 0o755)  # noqa: S103 - the other user must reach the locked one
        locked = base / "locked"
        locked.mkdir(mode=0o700)
        config = locked / "config.toml"
        config.write_text('[repository]\npath = "/x"\n')
        messages = _as_nobody([
            lambda: load_config(config, {}),
            lambda: load_config(None, {"VECOZO_TUI_CONFIG": str(config)}),
            lambda: load_config(None, {"XDG_CONFIG_HOME": str(locked)}),
        ])
    finally:
        os.chmod(base / "locked", 0o700)
        import shutil

        shutil.rmtree(base)
    for message in messages:
        assert message.startswith("VecozoError:") and "permission" in message.lower(), message


def _as_nobody(actions) -> list[str]:
    """Run each action in a child process as uid 65534; what each raised, as text."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            os.setgid(65534)
            os.setuid(65534)
            lines = []
            for action in actions:
                try:
                    action()
                    lines.append("no error")
                except VecozoError as error:
                    lines.append(f"VecozoError: {error}".replace("\n", " "))
                except BaseException as error:  # noqa: BLE001 - reported to the parent
                    lines.append(f"{type(error).__name__}: {error}".replace("\n", " "))
            os.write(write_end, "\n".join(lines).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as reader:
        return reader.read().decode().splitlines()
