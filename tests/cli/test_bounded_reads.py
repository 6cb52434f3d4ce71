"""Only regular files of a bounded size are read: metadata that is /dev/zero or a FIFO, a
password file that is /dev/zero or a FIFO, a huge configuration. Each gets a clear message
at once; nothing hangs, nothing eats the memory."""

from __future__ import annotations

import os
import stat
import threading
import time

import pytest

from vecozo_tui import pki
from vecozo_tui.certificates import load_pkcs12
from vecozo_tui.cli.main import main
from vecozo_tui.repository import Actor, Repository

PASSWORD = "geheim-wachtwoord"
PRACTICE = "hap-zuid"
posix = pytest.mark.skipif(os.name == "nt", reason="FIFOs and device files")
as_root = pytest.mark.skipif(os.name == "nt" or os.geteuid() != 0,
                             reason="only root can make a device file")


@pytest.fixture
def site(tmp_path, monkeypatch, test_pki, clock):
    root = tmp_path / "repository"
    repository = Repository.init(root, clock=clock, actor=Actor("t"))
    config = tmp_path / "config.toml"
    config.write_text(f'[repository]\npath = "{root}"\n\n[[practices]]\nid = "{PRACTICE}"\n'
                      'name = "Huisartsen Zuid"\nagb = "01234567"\nenvironment = "test"\n',
                      encoding="utf-8")
    monkeypatch.setenv("VECOZO_TUI_CONFIG", str(config))
    issued = test_pki.system("Huisartsen Zuid", "01234567")
    data = pki.pkcs12_bytes(issued, test_pki.chain, PASSWORD)
    repository.import_certificate(PRACTICE, load_pkcs12(data, PASSWORD), PASSWORD,
                                  actor=Actor("t"))
    pfx = test_pki.pfx(test_pki.system("Huisartsen Zuid", "01234567", starts_days_ago=1),
                       PASSWORD, name="renewed.pfx")
    password_file = tmp_path / "password.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    return repository, config, pfx, password_file


def run_within(seconds: float, clock, capsys, *argv: str) -> tuple[int, str]:
    """main(argv) in a thread; a failure when it is still running after ``seconds``."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(main(list(argv), clock=clock)),
                              daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{argv} still running after {seconds:g} s (it hangs)"
    captured = capsys.readouterr()
    return result[0], captured.out + captured.err


def make_fifo(path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path, 0o600)


def make_zero_device(path) -> None:
    path.unlink(missing_ok=True)
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # what /dev/zero is


def commands(pfx, password_file) -> list[tuple[str, ...]]:
    return [("show", PRACTICE), ("list",), ("status", "--json"), ("check",), ("metrics",),
            ("import", PRACTICE, str(pfx), "--password-file", str(password_file), "--yes")]


@posix
@pytest.mark.parametrize("name", ["practice.json", "events.json"])
@pytest.mark.parametrize("kind", ["fifo", "zero-device"])
def test_metadata_that_is_a_fifo_or_dev_zero_is_refused_at_once(site, clock, capsys, name,
                                                               kind):
    repository, _config, pfx, password_file = site
    if kind == "zero-device" and os.geteuid() != 0:
        pytest.skip("only root can make a device file")
    path = repository.root / "practices" / PRACTICE / name
    (make_fifo if kind == "fifo" else make_zero_device)(path)
    for argv in commands(pfx, password_file):
        code, output = run_within(10, clock, capsys, *argv)
        assert "Traceback" not in output, argv
        if argv[0] == "list":  # one line per practice: the reason is cut short there
            assert "DAMAGED" in output, output
        else:
            assert name in output and "not a regular file" in output, (argv, output)
        assert code != 0 or argv[0] in ("list", "status", "metrics"), (argv, output)


@posix
@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_a_password_file_that_is_dev_zero_or_a_fifo_is_refused_at_once(site, clock, capsys,
                                                                      tmp_path, kind):
    _repository, _config, pfx, _password_file = site
    path = "/dev/zero"
    if kind == "fifo":
        path = str(tmp_path / "password.fifo")
        os.mkfifo(path, 0o600)
    for argv in (("import", PRACTICE, str(pfx), "--password-file", path, "--yes"),
                 ("inspect", str(pfx), "--password-file", path),
                 ("test-cov", PRACTICE, "--password-file", path)):
        code, output = run_within(10, clock, capsys, *argv)
        assert code == 1, (argv, output)
        assert "password file" in output and "not a regular file" in output, output


def test_a_huge_configuration_is_refused_at_once(site, clock, capsys):
    _repository, config, _pfx, _password_file = site
    with open(config, "a", encoding="utf-8") as handle:
        handle.write("[monitoring]\n")
        for block in range(50):  # ~50 MB of unknown keys
            handle.write("".join(f"unknown_key_{block}_{i} = 1\n" for i in range(50_000)))
    started = time.monotonic()
    code, output = run_within(10, clock, capsys, "check")
    assert code == 3 and "larger than" in output, output  # UNKNOWN, with the reason
    assert time.monotonic() - started < 5


def test_many_unknown_keys_are_warned_about_briefly(site, clock, capsys):
    _repository, config, _pfx, _password_file = site
    with open(config, "a", encoding="utf-8") as handle:
        handle.write("[monitoring]\n")
        handle.write("".join(f"k{i} = 1\n" for i in range(60_000)))  # under the size limit
    started = time.monotonic()
    code, output = run_within(20, clock, capsys, "list")
    assert code == 0, output[-2000:]
    assert time.monotonic() - started < 8
    assert len(output) < 20_000 and "more unknown keys" in output
