"""``vecozo-tui deploy``, and the deploy right after ``import`` and ``activate``: real config
files, real repositories, a real hook process, the openssl command line reading the file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.factory import OPENSSL, sha256
from vecozo_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK
from vecozo_tui.cli.main import main

PASSWORD = "geheim-wachtwoord"
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command line")

HOOK = """
import json, os, sys
with open(os.path.join(os.path.dirname(sys.argv[0]), "hook-runs.jsonl"), "a") as f:
    f.write(json.dumps({k: v for k, v in os.environ.items() if k.startswith("VECOZO")}) + "\\n")
print("his reloaded")
sys.exit(EXIT_CODE)
"""


def write_config(tmp_path: Path, *, automatic: bool = True, hook_exit: int = 0) -> Path:
    repository = tmp_path / "repository"
    repository.mkdir(mode=0o700, exist_ok=True)
    software = tmp_path / "his"
    software.mkdir(exist_ok=True)
    hook = tmp_path / "hook.py"
    hook.write_text(HOOK.replace("EXIT_CODE", str(hook_exit)), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f"""
[repository]
path = "{repository}"

[deploy]
automatic = {"true" if automatic else "false"}

[[practices]]
id = "hap-zuid"
name = "Huisartsenpraktijk Zuid"
agb = "01234567"
environment = "production"

[[practices.deploy]]
path = "{software}/vecozo.pfx"
command = ["{sys.executable}", "{hook}"]
timeout_seconds = 20

[[practices]]
id = "fysio-oost"
name = "Fysiotherapie Oost"
agb = "04011111"
environment = "acceptance"
deploy_target = "fysio-server:D:/Fysio/cert.pfx"
""", encoding="utf-8")
    return config


@pytest.fixture
def setup(tmp_path, monkeypatch):
    config = write_config(tmp_path)
    monkeypatch.setenv("VECOZO_TUI_CONFIG", str(config))
    password_file = tmp_path / "password.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    return {"config": config, "password_file": str(password_file), "tmp": tmp_path,
            "target": tmp_path / "his" / "vecozo.pfx", "hook_runs": tmp_path / "hook-runs.jsonl"}


def run(clock, *argv: str) -> int:
    return main(list(argv), clock=clock)


def import_file(clock, setup, test_pki, issued, name: str, practice: str = "hap-zuid") -> int:
    path = test_pki.pfx(issued, PASSWORD, name=name)
    return run(clock, "import", practice, str(path), "--password-file", setup["password_file"],
               "--yes")


def openssl_fingerprint(path: Path, password: str) -> str:
    import subprocess

    pem = subprocess.run([OPENSSL, "pkcs12", "-in", str(path), "-passin", "stdin", "-nokeys",
                          "-clcerts"], input=password.encode() + b"\n", capture_output=True,
                         check=True).stdout
    out = subprocess.run([OPENSSL, "x509", "-noout", "-fingerprint", "-sha256"], input=pem,
                         capture_output=True, check=True).stdout.decode()
    return out.split("=", 1)[1].strip().replace(":", "")


def hook_runs(setup) -> list[dict]:
    if not setup["hook_runs"].exists():
        return []
    return [json.loads(line) for line in setup["hook_runs"].read_text().splitlines()]


@needs_openssl
def test_import_deploys_at_once_and_activate_of_an_older_one_deploys_that(
        setup, test_pki, clock, capsys):
    older = test_pki.system(days_valid=730, starts_days_ago=600)
    newer = test_pki.system(days_valid=730)
    assert import_file(clock, setup, test_pki, older, "old.pfx") == EXIT_OK
    assert import_file(clock, setup, test_pki, newer, "new.pfx") == EXIT_OK
    out = capsys.readouterr().out
    assert "Deploying to the practice software ([deploy] automatic = true):" in out
    assert f"OK     1. {setup['target']}" in out and "| his reloaded" in out
    assert openssl_fingerprint(setup["target"], PASSWORD) == sha256(newer)
    assert [r["VECOZO_CERTIFICATE_SHA256"] for r in hook_runs(setup)] == \
        [sha256(older), sha256(newer)]

    # roll back: the target holds the older certificate again
    assert run(clock, "activate", "hap-zuid", sha256(older)[:12], "--yes", "--password-file",
               setup["password_file"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Activated" in out and "Deploying to the practice software" in out
    assert openssl_fingerprint(setup["target"], PASSWORD) == sha256(older)
    assert hook_runs(setup)[-1]["VECOZO_CERTIFICATE_SHA256"] == sha256(older)


def test_activate_without_a_password_activates_and_says_how_to_deploy(
        setup, test_pki, clock, capsys, monkeypatch):
    older = test_pki.system(days_valid=730, starts_days_ago=600)
    import_file(clock, setup, test_pki, older, "old.pfx")
    import_file(clock, setup, test_pki, test_pki.system(days_valid=730), "new.pfx")
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", open("/dev/null"))  # a script: no terminal to ask at
    assert run(clock, "activate", "hap-zuid", sha256(older)[:12], "--yes") == EXIT_OK
    out = capsys.readouterr().out
    assert "Activated" in out
    assert "Put it where the practice software reads it: vecozo-tui deploy hap-zuid" in out
    assert run(clock, "show", "hap-zuid", "--json") == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["certificate"]["sha256"] == sha256(older)


def test_with_automatic_off_the_import_says_how_to_deploy(setup, test_pki, clock, capsys):
    write_config(setup["tmp"], automatic=False)
    assert import_file(clock, setup, test_pki, test_pki.system(), "a.pfx") == EXIT_OK
    out = capsys.readouterr().out
    assert "Put it where the practice software reads it: vecozo-tui deploy hap-zuid" in out
    assert not setup["target"].exists() and hook_runs(setup) == []


def test_a_practice_without_targets_gets_its_reminder(setup, test_pki, clock, capsys):
    cert = test_pki.system("Fysiotherapie Oost", "04011111")
    assert import_file(clock, setup, test_pki, cert, "f.pfx", practice="fysio-oost") == EXIT_OK
    assert "Put it where the practice software reads it: fysio-server:D:/Fysio/cert.pfx" \
        in capsys.readouterr().out
    assert run(clock, "deploy", "fysio-oost", "--password-file", setup["password_file"]) \
        == EXIT_ERROR
    err = capsys.readouterr().err
    assert "fysio-oost has no deploy targets (the config notes: fysio-server:D:/Fysio/cert.pfx)" \
        in err and "Traceback" not in err


def test_deploy_on_demand_json(setup, test_pki, clock, capsys):
    write_config(setup["tmp"], automatic=False)
    cert = test_pki.system()
    import_file(clock, setup, test_pki, cert, "a.pfx")
    capsys.readouterr()
    assert run(clock, "deploy", "hap-zuid", "--json", "--password-file",
               setup["password_file"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["sha256"] == sha256(cert)
    [target] = data["targets"]
    assert target["path"] == str(setup["target"]) and target["verified"]
    assert target["hook"]["exit_code"] == 0 and target["hook"]["output"] == ["his reloaded"]
    assert PASSWORD not in json.dumps(data)


def test_dry_run_writes_nothing_and_needs_no_password(setup, test_pki, clock, capsys):
    write_config(setup["tmp"], automatic=False)
    import_file(clock, setup, test_pki, test_pki.system(), "a.pfx")
    capsys.readouterr()
    assert run(clock, "deploy", "hap-zuid", "--dry-run") == EXIT_OK
    out = capsys.readouterr().out
    assert "Dry run for Huisartsenpraktijk Zuid (hap-zuid): nothing is written." in out
    assert f"1. {setup['target']}" in out and "now holds    never deployed" in out
    assert "then run" in out
    assert not setup["target"].exists() and hook_runs(setup) == []
    assert run(clock, "deploy", "hap-zuid", "--dry-run", "--json") == EXIT_OK
    assert json.loads(capsys.readouterr().out)["targets"][0]["now_holds"] == "never deployed"


def test_failing_hook_exits_1_and_says_how_to_retry(setup, test_pki, clock, capsys):
    write_config(setup["tmp"], hook_exit=1)
    cert = test_pki.system()
    assert import_file(clock, setup, test_pki, cert, "a.pfx") == EXIT_ERROR
    captured = capsys.readouterr()
    assert "Stored and activated" in captured.out
    assert "FAILED 1." in captured.out and "failed (exit 1)" in captured.out
    assert "the active certificate stays as it is" in captured.err
    assert "retry: vecozo-tui deploy hap-zuid" in captured.err
    assert run(clock, "show", "hap-zuid", "--json") == EXIT_OK
    assert json.loads(capsys.readouterr().out)["certificate"]["sha256"] == sha256(cert)


def test_wrong_target_number_is_a_clear_message(setup, test_pki, clock, capsys):
    import_file(clock, setup, test_pki, test_pki.system(), "a.pfx")
    capsys.readouterr()
    assert run(clock, "deploy", "hap-zuid", "--target", "2") == EXIT_ERROR
    err = capsys.readouterr().err
    assert "hap-zuid has 1 deploy target; --target takes 1." in err and "Traceback" not in err


def test_wrong_password_is_said_plainly(setup, test_pki, clock, capsys, tmp_path):
    write_config(setup["tmp"], automatic=False)
    import_file(clock, setup, test_pki, test_pki.system(), "a.pfx")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not-it\n")
    capsys.readouterr()
    assert run(clock, "deploy", "hap-zuid", "--password-file", str(wrong)) == EXIT_ERROR
    assert "Wrong password for the active certificate of hap-zuid" in capsys.readouterr().err
    assert not setup["target"].exists()


# --- shown everywhere: check, metrics, list, show ------------------------------------------


def stale_target(setup, test_pki, clock, capsys):
    """The target holds the first certificate; a newer one is active (automatic off)."""
    first = test_pki.system(days_valid=730, starts_days_ago=300)
    assert import_file(clock, setup, test_pki, first, "1.pfx") == EXIT_OK
    write_config(setup["tmp"], automatic=False)
    newer = test_pki.system(days_valid=730)
    assert import_file(clock, setup, test_pki, newer, "2.pfx") == EXIT_OK
    capsys.readouterr()
    return first, newer


def test_check_warns_when_a_target_holds_an_older_certificate(setup, test_pki, clock, capsys):
    stale_target(setup, test_pki, clock, capsys)
    assert run(clock, "check") == 1  # WARNING
    out = capsys.readouterr().out
    first_line = out.splitlines()[0]
    # the status model's reason, first for this practice: it is its most urgent one
    assert first_line.startswith("VECOZO WARNING - 2 warnings: hap-zuid practice software "
                                 "still has the old certificate, ")
    assert "practice software still has the old certificate (target 1, vecozo.pfx: old " \
           "certificate)" in out
    # deployed again: the warning is gone
    assert run(clock, "deploy", "hap-zuid", "--password-file", setup["password_file"]) \
        == EXIT_OK
    capsys.readouterr()
    run(clock, "check")
    assert "practice software" not in capsys.readouterr().out


def test_metrics_say_whether_the_deployed_certificate_is_the_active_one(
        setup, test_pki, clock, capsys):
    stale_target(setup, test_pki, clock, capsys)
    assert run(clock, "metrics") == EXIT_OK
    out = capsys.readouterr().out
    labels = '{practice="hap-zuid",agb="01234567",vecozo_environment="production"}'
    assert f"vecozo_deployed_certificate_is_active{labels} 0" in out
    assert f"vecozo_last_deploy_timestamp_seconds{labels} {int(clock.now().timestamp())}" in out
    assert 'vecozo_deployed_certificate_is_active{practice="fysio-oost"' not in out  # no targets
    run(clock, "deploy", "hap-zuid", "--password-file", setup["password_file"])
    capsys.readouterr()
    run(clock, "metrics")
    assert f"vecozo_deployed_certificate_is_active{labels} 1" in capsys.readouterr().out


def test_list_and_show_tell_the_target_state(setup, test_pki, clock, capsys):
    stale_target(setup, test_pki, clock, capsys)
    run(clock, "list")
    [row] = [line for line in capsys.readouterr().out.splitlines()
             if line.startswith("hap-zuid")]
    assert "WARNING" in row and "practice software still has the ol" in row
    run(clock, "show", "hap-zuid")
    out = capsys.readouterr().out
    assert "Deploy targets" in out
    assert f"  1. {setup['target']}  still the old certificate" in out
    run(clock, "show", "hap-zuid", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["deployed_is_active"] is False
    assert data["deploy_targets"][0]["state"] == "old-certificate"
    assert data["level"] == "WARNING"
    assert "software-old-certificate" in [reason["code"] for reason in data["reasons"]]
