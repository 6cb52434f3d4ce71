"""The on-disk repository: permissions, no plaintext key anywhere, atomic activation under
crashes at every write step, two processes at once, the lock and the audit log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tests.factory import OPENSSL, sha256
from vecozo_tui import fsutil
from vecozo_tui import repository as repository_module
from vecozo_tui.certificates import load_pkcs12
from vecozo_tui.errors import BusyError, VecozoError, WrongPasswordError
from vecozo_tui.repository import Actor, BackupRecord, Repository, TestCallRecord

PASSWORD = "repo-pass-1"
ALICE = Actor(user="alice", ssh_client="192.0.2.10")
BOB = Actor(user="bob", ssh_client="198.51.100.4")



@pytest.fixture
def repository(tmp_path, clock) -> Repository:
    return Repository.init(tmp_path / "repository", clock=clock, actor=ALICE)


def loaded_for(test_pki, issued, password: str = PASSWORD, name: str = "x.pfx"):
    return load_pkcs12(test_pki.pfx(issued, password, name=name).read_bytes(), password)


def private_key_forms(issued) -> list[bytes]:
    """Every unencrypted encoding of the key that could end up in a file."""
    key = issued.key
    forms = [key.private_bytes(encoding, fmt, serialization.NoEncryption())
             for encoding in (serialization.Encoding.DER, serialization.Encoding.PEM)
             for fmt in (serialization.PrivateFormat.PKCS8,
                         serialization.PrivateFormat.TraditionalOpenSSL)]
    # the RSA private exponent itself, as big-endian bytes
    forms.append(key.private_numbers().d.to_bytes(256, "big"))
    return forms


def files_under(*roots: Path) -> list[Path]:
    return [path for root in roots for path in root.rglob("*") if path.is_file()]


def test_import_stores_encrypted_with_private_permissions(repository, test_pki, tmp_path,
                                                          monkeypatch):
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    cert = test_pki.system()
    stored = repository.import_certificate("hap-zuid", loaded_for(test_pki, cert), PASSWORD,
                                           actor=ALICE)
    assert stored.active and stored.info.sha256 == sha256(cert)

    forms = private_key_forms(cert)
    for path in files_under(repository.root, scratch):
        data = path.read_bytes()
        assert not any(form in data for form in forms), path
        assert b"PRIVATE KEY-----" not in data or b"ENCRYPTED PRIVATE KEY" in data, path
    for path in repository.root.rglob("*"):
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))

    data = repository.read_pkcs12("hap-zuid", stored.info.sha256)
    assert load_pkcs12(data, PASSWORD).key_matches
    with pytest.raises(WrongPasswordError):
        load_pkcs12(data, "other")
    # the public chain is readable without a password
    chain = repository.chain_pem_path("hap-zuid", stored.info.sha256).read_bytes()
    assert chain.count(b"BEGIN CERTIFICATE") == 3


@pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command line")
def test_stored_file_uses_aes_256_even_when_imported_from_legacy(repository, test_pki):
    cert = test_pki.system()
    legacy = test_pki.openssl_pfx(cert, PASSWORD, legacy=True, name="legacy.pfx")
    stored = repository.import_certificate(
        "hap-zuid", load_pkcs12(legacy.read_bytes(), PASSWORD), PASSWORD, actor=ALICE)
    path = repository.root / "stored.p12"
    path.write_bytes(repository.read_pkcs12("hap-zuid", stored.info.sha256))
    info = subprocess.run([OPENSSL, "pkcs12", "-info", "-noout", "-in", str(path), "-passin",
                           f"pass:{PASSWORD}"], capture_output=True, text=True, check=True).stderr
    assert "RC2" not in info and "3DES" not in info
    assert info.count("PBES2, PBKDF2, AES-256-CBC") == 2  # certificates and key
    assert "PRF hmacWithSHA256" in info


def test_reimport_archives_the_old_one(repository, test_pki):
    first = test_pki.system(days_valid=730, starts_days_ago=700)
    renewed = test_pki.system()
    repository.import_certificate("hap-zuid", loaded_for(test_pki, first), PASSWORD,
                                  actor=ALICE)
    repository.import_certificate("hap-zuid", loaded_for(test_pki, renewed), "other-pass",
                                  actor=BOB)
    history = repository.history("hap-zuid")
    assert [(e.info.sha256, e.active) for e in history] == [(sha256(renewed), True),
                                                            (sha256(first), False)]
    assert history[0].imported_by == "bob from 198.51.100.4"
    # each keeps the password it was imported with
    assert load_pkcs12(repository.read_pkcs12("hap-zuid", sha256(first)), PASSWORD)
    repository.activate("hap-zuid", sha256(first), actor=ALICE)
    assert repository.active("hap-zuid").info.sha256 == sha256(first)


def test_purge_needs_the_practice_id_and_keeps_the_active(repository, test_pki):
    for days in (700, 300, 0):
        repository.import_certificate(
            "hap-zuid", loaded_for(test_pki, test_pki.system(starts_days_ago=days)), PASSWORD,
            actor=ALICE)
    with pytest.raises(VecozoError, match="--confirm hap-zuid"):
        repository.purge_history("hap-zuid", actor=ALICE, confirm="yes")
    assert len(repository.history("hap-zuid")) == 3
    assert repository.purge_history("hap-zuid", actor=ALICE, confirm="hap-zuid") == 2
    assert [e.active for e in repository.history("hap-zuid")] == [True]
    directories = list((repository.root / "practices" / "hap-zuid" / "certificates").iterdir())
    assert len(directories) == 1


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


WRITE_STEPS = [
    (fsutil, "atomic_write_bytes"),
    (repository_module, "atomic_write_bytes"),
    (repository_module, "atomic_write_text"),
    (os, "rename"),
    (os, "replace"),
    (os, "fsync"),
    (repository_module, "fsync_directory"),
    (repository_module, "ensure_private_dir"),
]


def count_write_steps(monkeypatch, action) -> int:
    calls = []
    for module, name in WRITE_STEPS:
        original = getattr(module, name)

        def counting(*args, _original=original, **kwargs):
            calls.append(1)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)
    action()
    monkeypatch.undo()
    return len(calls)


def crash_at(monkeypatch, step: int) -> None:
    seen = []
    for module, name in WRITE_STEPS:
        original = getattr(module, name)

        def maybe_crash(*args, _original=original, **kwargs):
            seen.append(1)
            if len(seen) == step:
                raise Crash
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, maybe_crash)


def test_a_crash_at_any_write_step_leaves_old_or_new_state(tmp_path, clock, test_pki,
                                                           monkeypatch):
    old, new = test_pki.system(starts_days_ago=700), test_pki.system()
    old_loaded, new_loaded = loaded_for(test_pki, old), loaded_for(test_pki, new, name="n.pfx")

    def fresh(name: str) -> Repository:
        repository = Repository.init(tmp_path / name, clock=clock, actor=ALICE)
        repository.import_certificate("hap-zuid", old_loaded, PASSWORD, actor=ALICE)
        return repository

    probe = fresh("probe")
    steps = count_write_steps(monkeypatch, lambda: probe.import_certificate(
        "hap-zuid", new_loaded, PASSWORD, actor=ALICE))
    assert steps >= 8
    outcomes = set()
    for step in range(1, steps + 1):
        repository = fresh(f"r{step}")
        crash_at(monkeypatch, step)
        with pytest.raises(Crash):
            repository.import_certificate("hap-zuid", new_loaded, PASSWORD, actor=ALICE)
        monkeypatch.undo()

        after = Repository(repository.root, clock=clock)  # a new process reads the disk
        active = after.active("hap-zuid").info.sha256
        history = {e.info.sha256 for e in after.history("hap-zuid")}
        assert (active, history) in ((sha256(old), {sha256(old)}),
                                     (sha256(new), {sha256(old), sha256(new)})), step
        outcomes.add(active)
        assert load_pkcs12(after.read_pkcs12("hap-zuid", active), PASSWORD).key_matches
        # the next import after the crash works and removes half-written staging folders
        # and complete but never activated ones (they carry the unfinished-import marker)
        after.import_certificate("hap-zuid", new_loaded, PASSWORD, actor=ALICE)
        practice = repository.root / "practices" / "hap-zuid"
        names = {child.name for child in (practice / "certificates").iterdir()}
        index = json.loads((practice / "practice.json").read_text(encoding="utf-8"))
        referenced = {entry["dir"] for entry in index["certificates"].values()}
        assert not [name for name in names if name.startswith(".incoming-")], step
        assert referenced == names, step
    assert outcomes == {sha256(old), sha256(new)}


def test_a_full_disk_says_so_and_changes_nothing(repository, test_pki, monkeypatch):
    import errno

    old = test_pki.system(starts_days_ago=700)
    repository.import_certificate("hap-zuid", loaded_for(test_pki, old), PASSWORD, actor=ALICE)

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(VecozoError, match="disk is full"):
        repository.import_certificate("hap-zuid", loaded_for(test_pki, test_pki.system()),
                                      PASSWORD, actor=ALICE)
    monkeypatch.undo()
    assert repository.active("hap-zuid").info.sha256 == sha256(old)
    assert len(list((repository.root / "practices/hap-zuid/certificates").iterdir())) == 1


IMPORT_SCRIPT = """
import sys, time
from vecozo_tui.certificates import load_pkcs12
from vecozo_tui.repository import Actor, Repository
root, pfx, user, start = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
loaded = load_pkcs12(open(pfx, "rb").read(), "repo-pass-1")
while time.time() < start:
    time.sleep(0.001)
Repository(root).import_certificate("hap-zuid", loaded, "repo-pass-1", actor=Actor(user))
print("done")
"""


def test_two_processes_importing_at_once_lose_nothing(repository, test_pki):
    import time

    first, second = test_pki.system(starts_days_ago=10), test_pki.system(starts_days_ago=20)
    files = [test_pki.pfx(first, PASSWORD, name="1.pfx"),
             test_pki.pfx(second, PASSWORD, name="2.pfx")]
    start = time.time() + 1.5
    processes = [subprocess.Popen([sys.executable, "-c", IMPORT_SCRIPT, str(repository.root),
                                   str(path), user, str(start)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for path, user in zip(files, ("alice", "bob"), strict=True)]
    outputs = [process.communicate(timeout=60) for process in processes]
    assert [out.strip() for out, _err in outputs] == ["done", "done"], outputs
    history = repository.history("hap-zuid")
    assert {e.info.sha256 for e in history} == {sha256(first), sha256(second)}
    assert sum(e.active for e in history) == 1
    imports = [e for e in repository.audit_entries() if e["action"] == "import"]
    assert {e["user"] for e in imports} == {"alice", "bob"}


def test_a_held_lock_gives_a_clear_busy_message(repository, test_pki):
    other = Repository(repository.root, lock_wait_seconds=0.2)
    with repository.lock(ALICE):
        with pytest.raises(BusyError) as raised:
            other.import_certificate("hap-zuid", loaded_for(test_pki, test_pki.system()),
                                     PASSWORD, actor=BOB)
    message = str(raised.value)
    assert "busy" in message and "alice (from 192.0.2.10)" in message
    assert "nothing was changed" in message
    assert repository.active("hap-zuid") is None


def test_audit_log_has_every_change_and_no_secret(repository, test_pki, clock):
    cert = test_pki.system()
    repository.import_certificate("hap-zuid", loaded_for(test_pki, cert), PASSWORD, actor=ALICE)
    repository.record_backup("hap-zuid", BackupRecord(at=clock.now(), sha256=sha256(cert),
                                                      target="/media/usb", verified=True),
                             actor=ALICE)
    repository.record_test_call("hap-zuid", TestCallRecord(
        at=clock.now(), sha256=sha256(cert), environment="acceptance", ok=True,
        summary="COV answered"), actor=BOB)
    entries = repository.audit_entries()
    assert [e["action"] for e in entries] == ["init", "import", "backup", "test-call"]
    assert entries[1]["fingerprint"] == sha256(cert)
    assert entries[3]["user"] == "bob" and entries[3]["ssh_client"] == "198.51.100.4"
    text = (repository.root / "audit.log").read_text(encoding="utf-8")
    assert PASSWORD not in text and "PRIVATE" not in text
    with pytest.raises(ValueError, match="secrets"):
        repository.audit("oops", actor=ALICE, details={"password": "x"})
    events = Repository(repository.root).events("hap-zuid")
    assert events.last_backup.target == "/media/usb" and events.last_test_call.ok


def test_a_repository_others_can_write_is_refused(repository, test_pki):
    os.chmod(repository.root, 0o777)  # noqa: S103 - the point of the test
    assert "chmod 700" in repository.problems()[0]
    with pytest.raises(VecozoError, match="can be written by other users"):
        repository.import_certificate("hap-zuid", loaded_for(test_pki, test_pki.system()),
                                      PASSWORD, actor=ALICE)


def test_damaged_index_and_bad_ids_are_clear(repository):
    practice = repository.root / "practices" / "hap-zuid"
    practice.mkdir(mode=0o700)
    (practice / "practice.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(VecozoError, match="is damaged"):
        repository.active("hap-zuid")
    with pytest.raises(VecozoError, match="not a valid practice id"):
        repository.active("../etc")


def test_actor_from_ssh_session():
    actor = Actor.current({"USER": "carol", "SSH_CONNECTION": "203.0.113.5 5000 10.0.0.1 22"})
    assert actor == Actor("carol", "203.0.113.5")
    assert Actor.current({"USER": "root", "SUDO_USER": "dave"}).user == "dave"
    assert json.dumps(actor.label()) == '"carol from 203.0.113.5"'


def test_a_lost_index_never_costs_a_certificate(repository, test_pki):
    first = test_pki.system(starts_days_ago=100)
    repository.import_certificate("hap-zuid", loaded_for(test_pki, first), PASSWORD,
                                  actor=ALICE)
    index = repository.root / "practices" / "hap-zuid" / "practice.json"
    index.rename(index.with_name("practice.json.moved"))
    with pytest.raises(VecozoError, match="is missing or empty, but 1 stored certificate"):
        repository.import_certificate("hap-zuid", loaded_for(test_pki, test_pki.system()),
                                      PASSWORD, actor=ALICE)
    stored = list((repository.root / "practices" / "hap-zuid" / "certificates").iterdir())
    assert len(stored) == 1 and (stored[0] / "certificate.p12").exists()


@pytest.mark.parametrize("damage", [
    {"active": None},
    {"active": "AB" * 32, "certificates": {}},
    {"active": "AB" * 32, "certificates": {"AB" * 32: {"dir": "x"}}},
], ids=["no-certificates", "active-missing", "entry-incomplete"])
def test_a_damaged_index_is_a_clear_message(repository, damage):
    practice = repository.root / "practices" / "hap-zuid"
    practice.mkdir(mode=0o700)
    (practice / "practice.json").write_text(json.dumps(damage), encoding="utf-8")
    for read in (repository.active, repository.history):
        with pytest.raises(VecozoError, match="practice.json is damaged"):
            read("hap-zuid")


def test_damaged_events_are_a_clear_message(repository):
    practice = repository.root / "practices" / "hap-zuid"
    practice.mkdir(mode=0o700)
    (practice / "events.json").write_text('{"last_backup": {"at": "yesterday"}}')
    with pytest.raises(VecozoError, match="events.json is damaged"):
        repository.events("hap-zuid")


def test_nothing_changes_when_the_audit_log_cannot_be_written(repository, test_pki):
    (repository.root / "audit.log").unlink()
    (repository.root / "audit.log").mkdir()  # unwritable, even for root
    with pytest.raises(VecozoError, match="Nothing was changed: every change must be in"):
        repository.import_certificate("hap-zuid", loaded_for(test_pki, test_pki.system()),
                                      PASSWORD, actor=ALICE)
    assert repository.active("hap-zuid") is None


def test_a_change_by_another_admin_since_the_preview_is_refused(repository, test_pki):
    first = test_pki.system(starts_days_ago=100)
    repository.import_certificate("hap-zuid", loaded_for(test_pki, first), PASSWORD,
                                  actor=BOB)
    with pytest.raises(VecozoError, match="was changed meanwhile"):
        repository.import_certificate("hap-zuid", loaded_for(test_pki, test_pki.system()),
                                      PASSWORD, actor=ALICE, expected_active=None)
    assert repository.active("hap-zuid").info.sha256 == sha256(first)


def test_threads_sharing_one_repository_wait_with_a_limit(repository, test_pki):
    import threading

    holding, release = threading.Event(), threading.Event()

    def hold():
        with repository.lock(ALICE):
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(10)
    try:
        with pytest.raises(BusyError, match="another task of this session"):
            with repository.lock(ALICE, wait_seconds=0.2):
                pass
    finally:
        release.set()
        holder.join(10)
    with repository.lock(ALICE, wait_seconds=0.2):
        pass


def test_the_audit_log_never_holds_a_bsn_in_any_value(repository):
    """A number that passes the 11-test is masked, never written, and never a crash: a
    backup or deploy directory may be named like one (/mnt/123456782)."""
    repository.audit("test-call", actor=ALICE, details={"summary": "person 999979668 found",
                                                        "paths": ["/mnt/123456782/x.p12"]})
    entry = repository.audit_entries()[-1]
    assert entry["details"] == {"summary": "person [BSN] found", "paths": ["/mnt/[BSN]/x.p12"]}
    assert "999979668" not in (repository.root / "audit.log").read_text()
    # a fingerprint or a count is not a BSN
    repository.audit("test-call", actor=ALICE, details={"summary": "found", "n": 123456789,
                                                        "replaced": "AB999979668CD"})
