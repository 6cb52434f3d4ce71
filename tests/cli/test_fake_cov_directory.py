"""`vecozo-tui fake-cov --dir PATH`: a directory that holds files is refused (nothing is
overwritten), and the mode of a directory it did not create is never changed."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vecozo_tui.cli.main import main

REPO = Path(__file__).resolve().parents[2]


def test_a_directory_with_files_is_refused_and_left_alone(tmp_path, capsys):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)  # noqa: S103 - a directory others may read
    (shared / "authorised.pfx").write_bytes(b"somebody's file")
    code = main(["fake-cov", "--dir", str(shared)], env={})
    err = capsys.readouterr().err
    assert code == 1 and "not empty" in err
    assert (shared / "authorised.pfx").read_bytes() == b"somebody's file"
    assert sorted(os.listdir(shared)) == ["authorised.pfx"]
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755


def test_a_file_where_the_directory_should_be_is_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["fake-cov", "--dir", str(tmp_path / "file")], env={}) == 1
    assert "not a directory" in capsys.readouterr().err


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes and signals")
@pytest.mark.parametrize("existing", [True, False], ids=["empty-shared", "new"])
def test_an_empty_directory_keeps_its_mode_and_a_new_one_is_private(tmp_path, existing):
    directory = tmp_path / ("shared" if existing else "new")
    if existing:
        directory.mkdir()
        os.chmod(directory, 0o1777)  # noqa: S103 - like /tmp: the point of the test
    process = subprocess.Popen(
        [sys.executable, "-m", "vecozo_tui", "fake-cov", "--dir", str(directory)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO),
             "HOME": str(tmp_path)})
    try:
        ends = time.monotonic() + 60
        output = ""
        while "Press Ctrl+C" not in output and time.monotonic() < ends:
            line = process.stdout.readline()
            if not line:
                break
            output += line
        assert "Press Ctrl+C" in output, output + process.stderr.read()
        mode = stat.S_IMODE(directory.stat().st_mode)
        assert mode == (0o1777 if existing else 0o700), oct(mode)
        assert {"authorised.pfx", "password.txt", "demo-vecozo-ca.pem"} <= set(
            os.listdir(directory))
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert process.returncode in (0, 130)  # 130: the Ctrl+C came before its wait began
