"""Deploying to the practice software: real files, real hook processes, the openssl command
line reading what was deployed; failing, hanging and crashing deploys leave the previous
file and the repository intact."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.factory import OPENSSL, sha256
from vecozo_tui import deploy as deploy_module
from vecozo_tui.certificates import load_pkcs12
from vecozo_tui.config import DeployTarget, Practice
from vecozo_tui.deploy import (
    FAILED,
    NEVER_DEPLOYED,
    OLD_CERTIFICATE,
    STEP_HOOK,
    STEP_VERIFY,
    STEP_WRITE,
    TEMP_SUFFIX,
    UP_TO_DATE,
    behind_text,
    deploy,
    plan,
    scrub_output,
    target_states,
)
from vecozo_tui.errors import VecozoError, WrongPasswordError
from vecozo_tui.repository import Actor, Repository

PASSWORD = "stored-pass-1"
ACTOR = Actor(user="tester", ssh_client="192.0.2.9")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command line")
needs_root = pytest.mark.skipif(os.name == "nt" or os.geteuid() != 0,
                                reason="changing a file's owner needs root")


def import_cert(repository: Repository, test_pki, issued, password: str = PASSWORD):
    loaded = load_pkcs12(test_pki.pfx(issued, password).read_bytes(), password)
    return repository.import_certificate("hap-zuid", loaded, password, actor=ACTOR)


def practice_with(*targets: DeployTarget) -> Practice:
    return Practice(id="hap-zuid", name="Huisartsenpraktijk Zuid", agb="01234567",
                    environment="production", deploy=targets)


@pytest.fixture
def store(tmp_path, clock, test_pki):
    root = tmp_path / "repository"
    Repository.init(root, clock=clock, actor=ACTOR)
    repository = Repository(root, clock=clock)
    cert = test_pki.system()
    import_cert(repository, test_pki, cert)
    software = tmp_path / "his"
    software.mkdir()
    target = DeployTarget(path=software / "vecozo.pfx")
    return SimpleNamespace(repository=repository, cert=cert, software=software, target=target,
                           practice=practice_with(target), tmp=tmp_path)


def run(store, now, practice=None, **kwargs):
    return deploy(store.repository, practice or store.practice, kwargs.pop("password", PASSWORD),
                  actor=ACTOR, now=now, **kwargs)


def openssl_fingerprint(path: Path, password: str) -> str:
    """The SHA-256 of the certificate in ``path``, as the openssl command line reads it."""
    pem = subprocess.run([OPENSSL, "pkcs12", "-in", str(path), "-passin", "stdin", "-nokeys",
                          "-clcerts"], input=password.encode() + b"\n", capture_output=True,
                         check=True).stdout
    out = subprocess.run([OPENSSL, "x509", "-noout", "-fingerprint", "-sha256"], input=pem,
                         capture_output=True, check=True).stdout.decode()
    return out.split("=", 1)[1].strip().replace(":", "")


def hook_script(tmp_path: Path, body: str, name: str = "hook.py") -> tuple[str, ...]:
    """A hook that is a real program: this Python running a script file."""
    script = tmp_path / name
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    return (sys.executable, str(script))


def everything_in(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


# --- the file ----------------------------------------------------------------------------


@needs_openssl
def test_deploy_writes_a_file_openssl_reads_with_the_password(store, now):
    report = run(store, now)
    assert report.ok and [o.failed_step for o in report.outcomes] == [None]
    path = store.target.path
    assert openssl_fingerprint(path, PASSWORD) == sha256(store.cert)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert everything_in(store.software) == ["vecozo.pfx"]  # no temporary file left
    # the file is AES-256, as the format says
    info = subprocess.run([OPENSSL, "pkcs12", "-in", str(path), "-passin", "stdin", "-info",
                           "-noout"], input=PASSWORD + "\n", capture_output=True, text=True)
    assert "AES-256-CBC" in info.stderr + info.stdout


@needs_openssl
def test_legacy_format_is_3des(store, now):
    target = store.target._replace(format="pkcs12-legacy")
    run(store, now, practice_with(target))
    info = subprocess.run([OPENSSL, "pkcs12", "-in", str(target.path), "-passin", "stdin",
                           "-info", "-noout", "-legacy"], input=PASSWORD + "\n",
                          capture_output=True, text=True)
    assert "pbeWithSHA1And3-KeyTripleDES-CBC" in info.stdout + info.stderr
    assert openssl_fingerprint(target.path, PASSWORD) == sha256(store.cert)


def test_outcome_is_recorded_and_audited_without_secrets(store, now):
    run(store, now)
    record = store.repository.events("hap-zuid").deploys[str(store.target.path)]
    assert record.ok and record.deployed_sha256 == sha256(store.cert)
    assert record.deployed_at == now
    [state] = target_states(store.practice.deploy, store.repository.active("hap-zuid"),
                            store.repository.events("hap-zuid"))
    assert state.state == UP_TO_DATE and state.text == "up to date"
    entries = [e for e in store.repository.audit_entries() if e["action"] == "deploy"]
    assert entries[-1]["details"]["verified"] is True
    assert entries[-1]["fingerprint"] == sha256(store.cert)
    audit_text = (store.repository.root / "audit.log").read_text()
    events_text = (store.repository.root / "practices/hap-zuid/events.json").read_text()
    assert PASSWORD not in audit_text and PASSWORD not in events_text


def test_wrong_password_writes_nothing(store, now):
    with pytest.raises(WrongPasswordError, match="password given when it was imported"):
        run(store, now, password="wrong")
    assert everything_in(store.software) == []
    assert store.repository.events("hap-zuid").deploys == {}


def test_a_practice_without_targets_is_told_how_to_add_one(store, now):
    practice = store.practice._replace(deploy=(), deploy_target="his-server:C:/HIS/vecozo.pfx")
    with pytest.raises(VecozoError, match=r"no deploy targets.*C:/HIS.*practices\.deploy"):
        run(store, now, practice)


def test_target_number_selects_one(store, now):
    second = DeployTarget(path=store.software / "second.pfx")
    practice = practice_with(store.target, second)
    report = run(store, now, practice, number=2)
    assert [o.number for o in report.outcomes] == [2]
    assert everything_in(store.software) == ["second.pfx"]
    with pytest.raises(VecozoError, match="--target takes 1 to 2"):
        run(store, now, practice, number=3)


@needs_root
def test_owner_group_and_mode_are_applied(store, now):
    target = store.target._replace(owner="65534", group="65534", mode=0o640)
    report = run(store, now, practice_with(target))
    assert report.ok
    info = target.path.stat()
    assert (info.st_uid, info.st_gid) == (65534, 65534)
    assert stat.S_IMODE(info.st_mode) == 0o640


def test_owner_change_refused_is_a_clear_message(store, now, monkeypatch):
    """As a normal user the kernel refuses to give a file away; simulated here so the
    message is tested as root too."""
    def refuse(fd, uid, gid):
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "fchown", refuse)
    target = store.target._replace(owner="65534")
    [outcome] = run(store, now, practice_with(target)).outcomes
    assert outcome.failed_step == STEP_WRITE
    assert "only root can give a file to another user" in outcome.message
    assert everything_in(store.software) == []


# --- what goes wrong ---------------------------------------------------------------------


def test_missing_directory_is_a_clear_message(store, now):
    target = DeployTarget(path=store.tmp / "not-mounted" / "vecozo.pfx")
    [outcome] = run(store, now, practice_with(target)).outcomes
    assert outcome.failed_step == STEP_WRITE
    assert "does not exist (a share not mounted?)" in outcome.message
    [state] = target_states(practice_with(target).deploy, store.repository.active("hap-zuid"),
                            store.repository.events("hap-zuid"))
    assert state.state == FAILED and state.text.startswith("failed at write: ")


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0,
                    reason="root may write in any directory")
def test_unwritable_directory_is_a_clear_message(store, now):
    store.software.chmod(0o500)
    try:
        [outcome] = run(store, now).outcomes
    finally:
        store.software.chmod(0o700)
    assert outcome.failed_step == STEP_WRITE
    assert f"No permission to write in {store.software}" in outcome.message


def test_refused_directory_is_a_clear_message(store, now, monkeypatch):
    """What the kernel says for an unwritable directory (EACCES), also when the test runs
    as root, who may write anywhere."""
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    [outcome] = run(store, now).outcomes
    assert outcome.failed_step == STEP_WRITE
    assert f"No permission to write in {store.software}" in outcome.message
    assert "still reads the previous file" in outcome.message


def _deploy_older_then_newer(store, now, test_pki):
    """The target holds the first certificate; a newer one is then active."""
    run(store, now)
    first = store.target.path.read_bytes()
    newer = test_pki.system(days_valid=900)
    import_cert(store.repository, test_pki, newer)
    return first, newer


def test_full_disk_keeps_the_previous_file(store, now, test_pki, monkeypatch):
    first, _newer = _deploy_older_then_newer(store, now, test_pki)

    def full(handle, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(deploy_module, "_write_all", full)
    [outcome] = run(store, now).outcomes
    assert outcome.failed_step == STEP_WRITE and "is full" in outcome.message
    assert store.target.path.read_bytes() == first
    assert everything_in(store.software) == ["vecozo.pfx"]
    [state] = target_states(store.practice.deploy, store.repository.active("hap-zuid"),
                            store.repository.events("hap-zuid"))
    assert state.state == FAILED
    # what the file holds is still known: the first certificate
    assert state.record.deployed_sha256 == sha256(store.cert)


def test_a_failing_rename_keeps_the_previous_file(store, now, test_pki, monkeypatch):
    first, _newer = _deploy_older_then_newer(store, now, test_pki)

    def broken_replace(source, target):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(deploy_module.os, "replace", broken_replace)
    [outcome] = run(store, now).outcomes
    assert outcome.failed_step == STEP_WRITE
    assert store.target.path.read_bytes() == first
    assert everything_in(store.software) == ["vecozo.pfx"]


def test_a_failed_verification_keeps_the_previous_file(store, now, test_pki, monkeypatch):
    from vecozo_tui import backup as backup_module

    first, _newer = _deploy_older_then_newer(store, now, test_pki)

    def corrupt(path):
        data = bytearray(Path(path).read_bytes())
        data[len(data) // 2] ^= 0xFF
        return bytes(data)

    monkeypatch.setattr(backup_module, "_read_back", corrupt)
    [outcome] = run(store, now).outcomes
    assert outcome.failed_step == STEP_VERIFY and "medium may be faulty" in outcome.message
    assert store.target.path.read_bytes() == first
    assert everything_in(store.software) == ["vecozo.pfx"]


CRASHING_DEPLOY = """
import os, signal, sys
from datetime import datetime
from pathlib import Path
from vecozo_tui.config import DeployTarget, Practice
from vecozo_tui.deploy import deploy
from vecozo_tui.repository import Actor, Repository

def crash(*args):  # the process dies at the rename, as in a power cut
    os.kill(os.getpid(), signal.SIGKILL)

os.replace = crash
root, target, password = sys.argv[1:]
practice = Practice(id="hap-zuid", name="Zuid", agb="01234567", environment="production",
                    deploy=(DeployTarget(path=Path(target)),))
deploy(Repository(root), practice, password, actor=Actor("tester"),
       now=datetime.fromisoformat("2026-11-22T09:30:00+00:00"))
"""


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_a_crash_during_the_deploy_leaves_the_previous_file(store, now, test_pki):
    first, newer = _deploy_older_then_newer(store, now, test_pki)
    result = subprocess.run([sys.executable, "-c", CRASHING_DEPLOY, str(store.repository.root),
                             str(store.target.path), PASSWORD], capture_output=True, timeout=60)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert store.target.path.read_bytes() == first
    leftovers = [n for n in everything_in(store.software) if n.endswith(TEMP_SUFFIX)]
    assert len(leftovers) == 1  # encrypted and 0600, but not yet removed
    assert stat.S_IMODE((store.software / leftovers[0]).stat().st_mode) == 0o600
    # the repository is intact and the next deploy continues from there
    assert store.repository.active("hap-zuid").info.sha256 == sha256(newer)
    assert run(store, now).ok
    assert everything_in(store.software) == ["vecozo.pfx"]
    assert load_pkcs12(store.target.path.read_bytes(), PASSWORD).info.sha256 == sha256(newer)


def test_a_symbolic_link_is_not_written_through(store, now):
    elsewhere = store.tmp / "elsewhere.txt"
    elsewhere.write_text("someone else's file")
    store.target.path.symlink_to(elsewhere)
    [outcome] = run(store, now).outcomes
    assert outcome.failed_step == STEP_WRITE and "symbolic link" in outcome.message
    assert elsewhere.read_text() == "someone else's file"
    assert store.target.path.is_symlink()


def test_a_target_that_is_a_directory_is_refused(store, now):
    store.target.path.mkdir()
    [outcome] = run(store, now).outcomes
    assert outcome.failed_step == STEP_WRITE and "not a regular file" in outcome.message


def test_activation_is_never_undone_by_a_failed_deploy(store, now, test_pki):
    newer = test_pki.system(days_valid=900)
    import_cert(store.repository, test_pki, newer)
    target = DeployTarget(path=store.tmp / "missing" / "x.pfx")
    assert not run(store, now, practice_with(target)).ok
    assert store.repository.active("hap-zuid").info.sha256 == sha256(newer)


# --- the hook ----------------------------------------------------------------------------

RECORDING_HOOK = """
import json, os, sys
record = {"env": dict(os.environ), "argv": sys.argv, "cwd": os.getcwd(),
          "stdin": sys.stdin.read()}
with open(os.path.join(os.path.dirname(sys.argv[0]), "hook-record.json"), "w") as f:
    json.dump(record, f)
print("reloaded the HIS")
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
"""


def test_hook_gets_the_certificate_in_its_environment_never_the_password(
        store, now, monkeypatch):
    monkeypatch.setenv("VECOZO_TUI_PASSWORD", PASSWORD)  # how the CLI may have got it
    monkeypatch.setenv("SOME_OTHER_SECRET", "s3cr3t")
    command = hook_script(store.tmp, RECORDING_HOOK)
    target = store.target._replace(command=command)
    [outcome] = run(store, now, practice_with(target)).outcomes
    assert outcome.ok and outcome.hook.exit_code == 0
    assert outcome.hook.output == ("reloaded the HIS",)
    record = json.loads((store.tmp / "hook-record.json").read_text())
    env = record["env"]
    assert env["VECOZO_PRACTICE_ID"] == "hap-zuid"
    assert env["VECOZO_CERTIFICATE_SHA256"] == sha256(store.cert)
    assert env["VECOZO_CERTIFICATE_NOT_AFTER"] == \
        store.cert.certificate.not_valid_after_utc.isoformat()
    assert env["VECOZO_DEPLOY_PATH"] == str(target.path)
    assert "VECOZO_TUI_PASSWORD" not in env and "SOME_OTHER_SECRET" not in env
    assert PASSWORD not in json.dumps(env) and PASSWORD not in json.dumps(record["argv"])
    assert record["stdin"] == ""  # not asked for: nothing on its standard input
    assert record["cwd"] == str(store.software)
    # the file was in place before the hook ran, and the outcome is recorded
    recorded = store.repository.events("hap-zuid").deploys[str(target.path)]
    assert recorded.ok and recorded.hook_exit_code == 0
    assert recorded.hook_output == ("reloaded the HIS",)
    hooks = [e for e in store.repository.audit_entries() if e["action"] == "deploy-hook"]
    assert hooks[-1]["details"]["exit_code"] == 0
    assert PASSWORD not in (store.repository.root / "audit.log").read_text()


def test_hook_reads_the_password_on_stdin_only_when_the_target_says_so(store, now):
    command = hook_script(store.tmp, RECORDING_HOOK)
    target = store.target._replace(command=command, password_on_stdin=True)
    assert run(store, now, practice_with(target)).ok
    record = json.loads((store.tmp / "hook-record.json").read_text())
    assert record["stdin"] == PASSWORD + "\n"
    assert PASSWORD not in json.dumps(record["env"])


def test_failing_hook_is_reported_and_the_file_stays(store, now):
    command = (*hook_script(store.tmp, RECORDING_HOOK), "1")
    target = store.target._replace(command=command)
    [outcome] = run(store, now, practice_with(target)).outcomes
    assert outcome.failed_step == STEP_HOOK and outcome.hook.exit_code == 1
    assert "failed (exit 1)" in outcome.message and outcome.written
    assert load_pkcs12(target.path.read_bytes(), PASSWORD).info.sha256 == sha256(store.cert)
    assert store.repository.active("hap-zuid").info.sha256 == sha256(store.cert)
    [state] = target_states(practice_with(target).deploy, store.repository.active("hap-zuid"),
                            store.repository.events("hap-zuid"))
    assert state.state == FAILED and state.label == "failed at hook"
    assert state.record.hook_output == ("reloaded the HIS",)
    assert state.record.hook_exit_code == 1
    hooks = [e for e in store.repository.audit_entries() if e["action"] == "deploy-hook"]
    assert hooks[-1]["details"]["ok"] is False and hooks[-1]["details"]["exit_code"] == 1


def test_hanging_hook_is_stopped_at_its_timeout(store, now):
    command = hook_script(store.tmp, """
        import os, subprocess, sys, time
        print("restarting", flush=True)
        # a child of its own that would keep the output open: stopped along with it
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        time.sleep(60)
    """)
    target = store.target._replace(command=command, timeout_seconds=1)
    started = time.monotonic()
    [outcome] = run(store, now, practice_with(target)).outcomes
    assert time.monotonic() - started < 20
    assert outcome.failed_step == STEP_HOOK and outcome.hook.exit_code is None
    assert "did not finish within 1 seconds" in outcome.message
    assert outcome.hook.output == ("restarting",)
    assert load_pkcs12(target.path.read_bytes(), PASSWORD).info.sha256 == sha256(store.cert)
    assert store.repository.active("hap-zuid").info.sha256 == sha256(store.cert)


def test_missing_hook_program_is_reported(store, now):
    target = store.target._replace(command=(str(store.tmp / "no-such-program"),))
    [outcome] = run(store, now, practice_with(target)).outcomes
    assert outcome.failed_step == STEP_HOOK and "was not found" in outcome.message
    assert target.path.is_file()


def test_hook_output_is_bounded(store, now):
    command = hook_script(store.tmp, """
        import sys
        for i in range(200000):
            print(f"line {i}")
    """)
    target = store.target._replace(command=command)
    [outcome] = run(store, now, practice_with(target)).outcomes
    assert outcome.ok
    assert len(outcome.hook.output) == deploy_module.HOOK_OUTPUT_LINES
    assert outcome.hook.output[-1] == "line 199999"


def test_hook_output_is_scrubbed():
    text = ("password is geheim-123\nBSN 999999990 found\n-----BEGIN PRIVATE KEY-----\n"
            "MIIEvQIBADANBg\n-----END PRIVATE KEY-----\n\x1b[31mred\x1b[0m\nAGB 01234567\n")
    lines = scrub_output(text, "geheim-123")
    assert lines == ("password is [password]", "BSN ######### found",
                     "[a private key was printed here; left out]", "[31mred[0m",
                     "AGB 01234567")


# --- the read side -----------------------------------------------------------------------


def test_states_never_old_and_up_to_date(store, now, test_pki):
    practice = store.practice
    repository = store.repository

    def state():
        [only] = target_states(practice.deploy, repository.active("hap-zuid"),
                               repository.events("hap-zuid"))
        return only

    assert state().state == NEVER_DEPLOYED and state().text == "never deployed"
    assert "never deployed" in behind_text((state(),))
    run(store, now)
    assert state().state == UP_TO_DATE and behind_text((state(),)) is None
    import_cert(repository, test_pki, test_pki.system(days_valid=900))
    assert state().state == OLD_CERTIFICATE and state().text == "still the old certificate"
    assert behind_text((state(),)) == ("practice software still has the old certificate "
                                       "(target 1, vecozo.pfx: old certificate)")
    assert target_states(practice.deploy, None, repository.events("hap-zuid")) == ()


def test_dry_run_writes_nothing_and_says_what_would_happen(store, now):
    target = store.target._replace(owner="root", mode=0o640,
                     command=("systemctl", "restart", "his-vecozo"), password_on_stdin=True)
    practice = practice_with(target, DeployTarget(path=store.tmp / "gone" / "x.pfx"))
    first, second = plan(store.repository, practice)
    text = "\n".join(first.lines())
    assert "would write  PKCS#12, AES-256, mode 0640, owner root" in text
    assert "now holds    never deployed" in text
    assert "then run     systemctl restart his-vecozo  (timeout 60 s; the password on its " \
           "standard input)" in text
    assert "does not exist" in second.problem
    assert everything_in(store.software) == []
    assert store.repository.events("hap-zuid").deploys == {}


def test_the_status_model_says_the_practice_software_has_the_old_certificate(
        store, now, test_pki):
    from vecozo_tui.config import MonitoringSettings
    from vecozo_tui.expiry import ExpiryThresholds
    from vecozo_tui.overview import practice_overview
    from vecozo_tui.status import Level

    def row():
        return practice_overview(store.practice, store.repository, now, ExpiryThresholds(),
                                 MonitoringSettings())

    def codes():
        return [reason.code for reason in row().reasons]

    assert "software-old-certificate" in codes()  # never deployed
    run(store, now)
    assert "software-old-certificate" not in codes() and row().deployed_is_active
    import_cert(store.repository, test_pki, test_pki.system(days_valid=900))
    [reason] = [r for r in row().reasons if r.code == "software-old-certificate"]
    assert reason.level is Level.WARNING
    assert reason.headline == "practice software still has the old certificate"
    assert row().deployed_is_active is False


# --- review fixes --------------------------------------------------------------------------


@needs_root
def test_an_existing_files_owner_group_and_mode_are_kept_when_the_target_names_none(store,
                                                                                   now):
    """The practice software may read its file as its own user: a deploy by root that is
    not told an owner must not leave it root's 0600."""
    store.target.path.write_bytes(b"the old file")
    os.chown(store.target.path, 65534, 65534)
    os.chmod(store.target.path, 0o640)
    assert run(store, now).ok
    info = store.target.path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o640)
    [line] = [line for line in plan(store.repository, store.practice)[0].lines()
              if "would write" in line]
    assert "mode 0640 (kept)" in line and "owner 65534 (kept)" in line


def test_a_new_file_without_a_mode_is_0600(store, now):
    assert run(store, now).ok
    assert stat.S_IMODE(store.target.path.stat().st_mode) == 0o600


def test_a_failing_directory_sync_after_the_rename_is_no_failure(store, now, monkeypatch):
    """The rename is the moment the practice software sees the new file: what fails after
    it cannot be reported as 'nothing was changed'."""
    from vecozo_tui import fsutil

    def refused(directory):
        raise OSError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(fsutil, "fsync_directory", refused)
    report = run(store, now)
    [outcome] = report.outcomes
    assert outcome.ok and outcome.written
    assert load_pkcs12(store.target.path.read_bytes(), PASSWORD).info.sha256 == sha256(store.cert)


def test_the_reason_says_what_is_true_of_each_target(store, now):
    failing = store.target._replace(command=(*hook_script(store.tmp, RECORDING_HOOK), "3"))
    practice = practice_with(failing)
    run(store, now, practice)
    states = target_states(practice.deploy, store.repository.active("hap-zuid"),
                           store.repository.events("hap-zuid"))
    text = behind_text(states)
    assert "old certificate" not in text
    assert text == ("practice software has the new certificate, but was not told (target 1, "
                    "vecozo.pfx: failed at hook)")
    never = practice_with(DeployTarget(path=store.software / "other.pfx"))
    text = behind_text(target_states(never.deploy, store.repository.active("hap-zuid"),
                                     store.repository.events("hap-zuid")))
    assert text == ("the active certificate is not yet with the practice software (target 1, "
                    "other.pfx: never deployed)")
