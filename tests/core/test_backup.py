"""Verified backups: real repositories, real PKCS#12 files, read back by cryptography and by
the openssl command line; wrong targets, a full disk and existing files leave nothing behind."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.factory import OPENSSL, sha256
from vecozo_tui import backup as backup_module
from vecozo_tui.backup import backup_file_name, check_target, make_backup
from vecozo_tui.certificates import load_pkcs12
from vecozo_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK
from vecozo_tui.cli.main import main
from vecozo_tui.errors import VecozoError, WrongPasswordError
from vecozo_tui.repository import Actor, Repository

PASSWORD = "stored-pass-1"
NEW_PASSWORD = "backup-pass-2"
ACTOR = Actor(user="tester", ssh_client="192.0.2.9")



def import_cert(repository: Repository, test_pki, issued, password: str = PASSWORD,
                practice: str = "hap-zuid"):
    loaded = load_pkcs12(test_pki.pfx(issued, password).read_bytes(), password)
    return repository.import_certificate(practice, loaded, password, actor=ACTOR)


@pytest.fixture
def store(tmp_path, clock, test_pki):
    root = tmp_path / "repository"
    Repository.init(root, clock=clock, actor=ACTOR)
    repository = Repository(root, clock=clock)
    cert = test_pki.system()
    import_cert(repository, test_pki, cert)
    target = tmp_path / "usb"
    target.mkdir()
    return SimpleNamespace(repository=repository, root=root, cert=cert, target=target,
                           tmp=tmp_path)


def backup(store, now, target=None, **kwargs):
    kwargs.setdefault("actor", ACTOR)
    return make_backup(store.repository, "hap-zuid", target or store.target,
                       kwargs.pop("password", PASSWORD), now=now, agb="01234567", **kwargs)


def everything_in(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))  # hidden temp files included


def openssl_read(path: Path, password: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([OPENSSL, "pkcs12", "-in", str(path), "-passin", "stdin", *extra],
                          input=password.encode() + b"\n", capture_output=True)


needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command line")


# --- what is written -------------------------------------------------------------------


def test_modern_backup_is_aes256_and_reads_back_everywhere(store, now):
    result = backup(store, now)
    assert result.verified and len(result.files) == 1
    path = result.files[0]
    fp = sha256(store.cert)
    assert path.parent == store.target.resolve()
    assert path.name == f"hap-zuid_01234567_{store.cert.certificate.not_valid_after_utc.date()}" \
                        f"_{fp[:8]}.p12"
    assert (path.stat().st_mode & 0o777) == 0o600
    assert everything_in(store.target) == [path.name]

    key, certificate, chain = pkcs12.load_key_and_certificates(path.read_bytes(),
                                                               PASSWORD.encode())
    assert certificate.fingerprint(hashes.SHA256()).hex().upper() == fp
    assert key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert len(chain) == 2
    assert result.entries[0].sha256 == fp and result.entries[0].active


@needs_openssl
def test_modern_backup_openssl_sees_aes_256_cbc(store, now):
    path = backup(store, now).files[0]
    info = openssl_read(path, PASSWORD, "-info", "-nokeys", "-nocerts")
    text = info.stdout.decode() + info.stderr.decode()
    assert info.returncode == 0, text
    assert "AES-256-CBC" in text
    assert "3DES" not in text and "RC2" not in text


@needs_openssl
def test_legacy_backup_is_3des_and_plain_openssl3_reads_it(store, now):
    result = backup(store, now, legacy=True)
    path = result.files[0]
    assert path.name.endswith("-3des.p12")
    assert "3DES" in result.encryption
    plain = openssl_read(path, PASSWORD, "-noout")  # no -legacy: OpenSSL 3 default provider
    assert plain.returncode == 0, plain.stderr.decode()
    info = openssl_read(path, PASSWORD, "-info", "-nokeys", "-nocerts")
    text = info.stdout.decode() + info.stderr.decode()
    assert "3-KeyTripleDES-CBC" in text or "des-ede3-cbc" in text.lower(), text
    assert "AES-256" not in text
    _key, certificate, _chain = pkcs12.load_key_and_certificates(path.read_bytes(),
                                                                 PASSWORD.encode())
    assert certificate.fingerprint(hashes.SHA256()).hex().upper() == sha256(store.cert)


def test_new_password_opens_it_and_the_old_one_does_not(store, now):
    path = backup(store, now, new_password=NEW_PASSWORD).files[0]
    assert load_pkcs12(path.read_bytes(), NEW_PASSWORD).info.sha256 == sha256(store.cert)
    with pytest.raises(WrongPasswordError):
        load_pkcs12(path.read_bytes(), PASSWORD)
    if OPENSSL:
        assert openssl_read(path, NEW_PASSWORD, "-noout").returncode == 0
        assert openssl_read(path, PASSWORD, "-noout").returncode != 0


def test_empty_new_password_is_refused(store, now):
    with pytest.raises(VecozoError, match="empty"):
        backup(store, now, new_password="")
    assert everything_in(store.target) == []


def test_backup_is_recorded_with_time_and_place(store, now):
    result = backup(store, now)
    events = store.repository.events("hap-zuid")
    record = events.last_backup
    assert record is not None and record.verified
    assert record.sha256 == sha256(store.cert)
    assert record.at == now
    assert record.target == str(result.target)
    # survives a restart
    again = Repository(store.root).events("hap-zuid").last_backup
    assert again is not None and again.sha256 == record.sha256


def test_with_history_writes_every_certificate_that_opens(store, now, test_pki):
    renewed = test_pki.system(days_valid=900)
    import_cert(store.repository, test_pki, renewed)
    other_password = test_pki.system(days_valid=1000)
    # imported with another password: cannot be opened with this one, skipped with a warning
    import_cert(store.repository, test_pki, other_password, password="another-password")
    result = backup(store, now, password="another-password", with_history=True)
    assert [e.sha256 for e in result.entries] == [sha256(other_password)]
    skipped = [w for w in result.warnings if w.startswith("Skipped")]
    assert len(skipped) == 2 and all("another password" in w for w in skipped)


def test_with_history_includes_earlier_certificates(store, now, test_pki):
    renewed = test_pki.system(days_valid=900)
    import_cert(store.repository, test_pki, renewed)
    result = backup(store, now, with_history=True)
    assert {e.sha256: e.active for e in result.entries} == {sha256(renewed): True,
                                                            sha256(store.cert): False}
    assert len(everything_in(store.target)) == 2
    # the recorded backup is the one of the active certificate
    assert store.repository.events("hap-zuid").last_backup.sha256 == sha256(renewed)


def test_wrong_password_raises_and_writes_nothing(store, now):
    with pytest.raises(WrongPasswordError) as caught:
        backup(store, now, password="not-the-password")
    assert "not-the-password" not in str(caught.value)
    assert everything_in(store.target) == []
    assert store.repository.events("hap-zuid").last_backup is None


def test_no_active_certificate(store, now):
    with pytest.raises(VecozoError, match="no active certificate"):
        make_backup(store.repository, "fysio-oost", store.target, PASSWORD, actor=ACTOR,
                    now=now)


# --- wrong targets -----------------------------------------------------------------------


def test_missing_target(store, now):
    with pytest.raises(VecozoError, match="does not exist"):
        backup(store, now, target=store.tmp / "not-mounted")


def test_target_that_is_a_file(store, now):
    file = store.tmp / "a-file"
    file.write_text("x")
    with pytest.raises(VecozoError, match="not a directory"):
        backup(store, now, target=file)


def test_target_not_writable_even_for_root(store, now):
    # sysfs refuses new files to everyone, root included
    try:
        check_target("/sys")
    except VecozoError as error:
        assert "No permission" in str(error) or "read-only" in str(error)
    else:
        pytest.skip("/sys is writable here")
    with pytest.raises(VecozoError, match="/sys"):
        backup(store, now, target=Path("/sys"))
    assert store.repository.events("hap-zuid").last_backup is None


def test_target_inside_the_repository_is_refused(store, now):
    inside = store.root / "practices"
    with pytest.raises(VecozoError, match="inside the certificate repository"):
        backup(store, now, target=inside)


def _fail_fsync_in(directory: Path, monkeypatch, *, after: int = 0):
    """os.fsync raises ENOSPC for files in ``directory`` (after ``after`` good ones)."""
    real_fsync = os.fsync
    calls = {"n": 0}

    def fsync(fd):
        try:
            path = Path(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            path = None
        if path is not None and path.parent == directory.resolve() and path.is_file():
            calls["n"] += 1
            if calls["n"] > after:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_full_disk_leaves_nothing_behind(store, now, monkeypatch):
    _fail_fsync_in(store.target, monkeypatch)
    with pytest.raises(VecozoError, match="full") as caught:
        backup(store, now)
    assert PASSWORD not in str(caught.value)
    assert everything_in(store.target) == []
    assert store.repository.events("hap-zuid").last_backup is None


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_full_disk_on_the_second_file_removes_the_first(store, now, monkeypatch, test_pki):
    import_cert(store.repository, test_pki, test_pki.system(days_valid=900))
    _fail_fsync_in(store.target, monkeypatch, after=1)
    with pytest.raises(VecozoError, match="full"):
        backup(store, now, with_history=True)
    assert everything_in(store.target) == []


def test_existing_file_is_never_overwritten(store, now):
    name = backup_file_name("hap-zuid", "01234567", store.cert.certificate.not_valid_after_utc,
                            sha256(store.cert))
    existing = store.target / name
    existing.write_bytes(b"an older backup")
    result = backup(store, now)  # the next free name; see test_backup_retry.py
    assert existing.read_bytes() == b"an older backup"
    assert everything_in(store.target) == sorted([name, result.files[0].name])


def test_failed_verification_removes_the_file(store, now, monkeypatch):
    def corrupt(path):
        data = bytearray(Path(path).read_bytes())
        data[len(data) // 2] ^= 0xFF
        return bytes(data)

    monkeypatch.setattr(backup_module, "_read_back", corrupt)
    with pytest.raises(VecozoError, match="medium may be faulty"):
        backup(store, now)
    assert everything_in(store.target) == []
    assert store.repository.events("hap-zuid").last_backup is None


# --- another medium ----------------------------------------------------------------------


def test_same_device_is_warned(store, now):
    result = backup(store, now)
    assert result.same_device
    assert any("same disk" in w and "ander opslagmedium" in w for w in result.warnings)


def test_another_device_is_not_warned(store, now, tmp_path):
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(store.root).st_dev:
        pytest.skip("no second file system to back up to")
    import tempfile

    target = Path(tempfile.mkdtemp(dir=shm, prefix="vecozo-backup-test-"))
    try:
        result = backup(store, now, target=target)
        assert not result.same_device
        assert not any("same disk" in w for w in result.warnings)
    finally:
        for path in target.iterdir():
            path.unlink()
        target.rmdir()


def test_audit_log_has_the_backup_and_no_secrets(store, now):
    backup(store, now, new_password=NEW_PASSWORD)
    log = (store.root / "audit.log").read_text(encoding="utf-8")
    assert PASSWORD not in log and NEW_PASSWORD not in log
    assert "PRIVATE KEY" not in log
    entries = [json.loads(line) for line in log.splitlines()]
    assert any("backup" in entry.get("action", "") for entry in entries)


# --- the CLI ---------------------------------------------------------------------------


@pytest.fixture
def cli_setup(store, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[repository]
path = "{store.root}"

[backup]
default_target = "{store.target}"

[[practices]]
id = "hap-zuid"
name = "Huisartsenpraktijk Zuid"
agb = "01234567"
environment = "production"
""", encoding="utf-8")
    monkeypatch.setenv("VECOZO_TUI_CONFIG", str(config))
    password_file = tmp_path / "password.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    store.config = config
    store.password_file = password_file
    return store


def test_cli_backup_prints_what_was_written_and_warns_loudly(cli_setup, clock, capsys):
    code = main(["backup", "hap-zuid", "--password-file", str(cli_setup.password_file)],
                clock=clock)
    captured = capsys.readouterr()
    assert code == EXIT_OK, captured.err
    assert "verified: read back and fingerprints match" in captured.out
    fp = sha256(cli_setup.cert)
    assert ":".join(fp[i:i + 2] for i in range(0, 64, 2)) in captured.out
    assert str(cli_setup.target.resolve()) in captured.out
    assert "WARNING" in captured.err and "same disk" in captured.err
    assert PASSWORD not in captured.out + captured.err
    assert len(everything_in(cli_setup.target)) == 1


def test_cli_new_password_from_second_line_and_json(cli_setup, clock, capsys):
    cli_setup.password_file.write_text(f"{PASSWORD}\n{NEW_PASSWORD}\n", encoding="utf-8")
    code = main(["backup", "hap-zuid", "--to", str(cli_setup.target), "--new-password",
                 "--legacy", "--json", "--password-file", str(cli_setup.password_file)],
                clock=clock)
    captured = capsys.readouterr()
    assert code == EXIT_OK, captured.err
    data = json.loads(captured.out)
    assert data["verified"] is True and data["same_device"] is True
    assert data["practice"] == "hap-zuid"
    path = Path(data["files"][0]["path"])
    assert load_pkcs12(path.read_bytes(), NEW_PASSWORD).info.sha256 == sha256(cli_setup.cert)
    assert "3DES" in data["encryption"]


def test_cli_new_password_from_environment(cli_setup, clock, capsys, monkeypatch):
    monkeypatch.setenv("VECOZO_TUI_PASSWORD", PASSWORD)
    monkeypatch.setenv("VECOZO_TUI_NEW_PASSWORD", NEW_PASSWORD)
    assert main(["backup", "hap-zuid", "--new-password"], clock=clock) == EXIT_OK
    path = next(cli_setup.target.iterdir())
    assert load_pkcs12(path.read_bytes(), NEW_PASSWORD).info.sha256 == sha256(cli_setup.cert)


def test_cli_new_password_missing_says_how(cli_setup, clock, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = main(["backup", "hap-zuid", "--new-password", "--password-file",
                 str(cli_setup.password_file)], clock=clock)
    assert code == EXIT_ERROR
    err = capsys.readouterr().err
    assert "second line" in err and "VECOZO_TUI_NEW_PASSWORD" in err
    assert everything_in(cli_setup.target) == []


def test_cli_wrong_password_and_bad_target(cli_setup, clock, capsys):
    cli_setup.password_file.write_text("wrong\n", encoding="utf-8")
    assert main(["backup", "hap-zuid", "--password-file", str(cli_setup.password_file)],
                clock=clock) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "wrong password" in err.lower() and "wrong\n" not in err.replace("Wrong", "")
    assert main(["backup", "hap-zuid", "--to", str(cli_setup.tmp / "gone"), "--password-file",
                 str(cli_setup.password_file)], clock=clock) == EXIT_ERROR
    assert "does not exist" in capsys.readouterr().err


def test_cli_without_any_target(store, tmp_path, clock, capsys, monkeypatch):
    config = tmp_path / "no-target.toml"
    config.write_text(f'[repository]\npath = "{store.root}"\n[[practices]]\nid = "hap-zuid"\n'
                      'name = "Zuid"\nagb = "01234567"\nenvironment = "production"\n',
                      encoding="utf-8")
    monkeypatch.setenv("VECOZO_TUI_PASSWORD", PASSWORD)
    assert main(["backup", "hap-zuid", "--config", str(config)], clock=clock) == EXIT_ERROR
    assert "--to DIR" in capsys.readouterr().err


def test_file_name_is_safe():
    from datetime import UTC, datetime

    name = backup_file_name("praktijk/../x", None, datetime(2027, 1, 2, tzinfo=UTC), "ab" * 32)
    assert "/" not in name and re.fullmatch(r"[A-Za-z0-9._-]+", name)
    assert name.endswith("_no-agb_2027-01-02_ABABABAB.p12")


def test_a_target_named_like_a_bsn_is_backed_up_and_masked_in_the_audit_log(store, now):
    """A directory such as /mnt/123456782 (passes the 11-test) crashed the backup in the
    audit guard, after the file was written."""
    target = store.target / "123456782"
    target.mkdir()
    result = backup(store, now, target=target)
    assert result.verified and result.files[0].parent == target.resolve()
    assert "123456782" not in (store.repository.root / "audit.log").read_text()
