"""PKCS#12 inspection on real files: modern, legacy (3DES, RC2-40 by openssl -legacy), bad
files, and every warning DESIGN.md asks for before an import."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes

from tests.factory import OPENSSL
from vecozo_tui import pki
from vecozo_tui.certificates import (
    MAX_FILE_BYTES,
    check_for_import,
    encrypt_pkcs12,
    load_pkcs12,
    read_certificate_file,
)
from vecozo_tui.errors import VecozoError, WrongPasswordError

PASSWORD = "Geheim-2026"
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="needs the openssl command line")


@pytest.fixture(scope="module")
def system_cert(session_pki):
    return session_pki.system()


def codes(findings) -> list[str]:
    return [f.code for f in findings]


@pytest.mark.parametrize("encoding", ["modern", "3des"])
def test_loads_modern_and_3des_and_reports_what_a_person_compares(test_pki, system_cert,
                                                                  encoding, now):
    path = test_pki.pfx(system_cert, PASSWORD, encoding=encoding, friendly_name="Praktijk")
    loaded = load_pkcs12(read_certificate_file(path), PASSWORD)
    info = loaded.info
    certificate = system_cert.certificate
    assert info.sha256 == certificate.fingerprint(hashes.SHA256()).hex().upper()
    assert info.sha1 == certificate.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303
    assert info.serial == format(certificate.serial_number, "X")
    assert info.common_name == "Systeemcertificaat Huisartsenpraktijk Zuid"
    assert info.kind == "system" and info.person_name is None
    assert info.agb_code == "01234567"
    assert (info.key_type, info.key_size) == ("RSA", 2048)
    assert info.friendly_name == "Praktijk"
    assert [entry.subject for entry in info.chain] == [
        c.subject.rfc4514_string() for c in test_pki.chain]
    assert loaded.key_matches
    assert check_for_import(loaded, now=now, practice_agb="01234567") == []
    shown = repr(loaded)
    assert str(system_cert.key.private_numbers().d) not in shown
    assert shown == f"LoadedPkcs12('{info.common_name}', sha256={info.sha256[:16]}…)"


@needs_openssl
@pytest.mark.parametrize("legacy", [True, False], ids=["rc2-40-legacy", "openssl-default"])
def test_loads_files_written_by_openssl(test_pki, system_cert, legacy):
    path = test_pki.openssl_pfx(system_cert, PASSWORD, legacy=legacy, name="o.pfx")
    loaded = load_pkcs12(path.read_bytes(), PASSWORD)
    assert loaded.info.sha256 == system_cert.certificate.fingerprint(hashes.SHA256()).hex().upper()


@needs_openssl
def test_sha1_thumbprint_matches_openssl(test_pki, system_cert):
    path = test_pki.pfx(system_cert, PASSWORD)
    pem = test_pki.tmp / "c.pem"
    pem.write_bytes(pki.pem(system_cert.certificate))
    out = subprocess.run([OPENSSL, "x509", "-noout", "-fingerprint", "-sha1", "-in", str(pem)],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip().split("=")[1].replace(":", "") == load_pkcs12(
        path.read_bytes(), PASSWORD).info.sha1


def test_empty_and_non_ascii_passwords(test_pki, system_cert):
    for password in ("wachtwoord-één-€", "日本語パス"):
        path = test_pki.pfx(system_cert, password, name="n.pfx")
        assert load_pkcs12(path.read_bytes(), password).key_matches
        with pytest.raises(WrongPasswordError):
            load_pkcs12(path.read_bytes(), password.encode("utf-8").decode("latin-1"))


@needs_openssl
def test_empty_password_opens_and_warns_but_is_never_stored_unprotected(test_pki,
                                                                        system_cert, now):
    path = test_pki.openssl_pfx(system_cert, "", legacy=False, name="empty.pfx")
    loaded = load_pkcs12(path.read_bytes(), "")
    no_password = [f for f in check_for_import(loaded, now=now) if f.code == "no-password"]
    assert [f.severity for f in no_password] == ["warning"]  # a new password is asked
    with pytest.raises(VecozoError, match="protected by a password"):
        encrypt_pkcs12(loaded, "")


@pytest.mark.parametrize("encoding", ["modern", "3des"])
def test_wrong_password_is_said_plainly(test_pki, system_cert, encoding):
    path = test_pki.pfx(system_cert, PASSWORD, encoding=encoding)
    with pytest.raises(WrongPasswordError) as raised:
        load_pkcs12(path.read_bytes(), "not-it", source="cert.pfx")
    message = str(raised.value)
    assert message.startswith("Wrong password for cert.pfx.")
    assert "not-it" not in message and PASSWORD not in message


@needs_openssl
def test_legacy_cipher_unavailable_is_told_apart_from_a_wrong_password(test_pki, system_cert):
    """Without OpenSSL's legacy provider, RC2-40 cannot be decrypted: cryptography raises
    the same error as for a wrong password; we say which it is."""
    path = test_pki.openssl_pfx(system_cert, PASSWORD, legacy=True, name="rc2.pfx")
    script = (
        "import sys\n"
        "from vecozo_tui.certificates import load_pkcs12\n"
        "from vecozo_tui.errors import VecozoError\n"
        "for password in (sys.argv[2], 'wrong'):\n"
        "    try:\n"
        "        load_pkcs12(open(sys.argv[1], 'rb').read(), password)\n"
        "        print('LOADED')\n"
        "    except VecozoError as error:\n"
        "        print(type(error).__name__, error)\n"
    )
    env = dict(os.environ, CRYPTOGRAPHY_OPENSSL_NO_LEGACY="1")
    lines = subprocess.run([sys.executable, "-c", script, str(path), PASSWORD], env=env,
                           capture_output=True, text=True, timeout=60).stdout.splitlines()
    assert lines[0].startswith("VecozoError The password for the file is right, but the file "
                               "uses an old encryption (such as RC2-40)")
    assert lines[1].startswith("WrongPasswordError Wrong password")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty (0 bytes)"),
        (b"PK\x03\x04 a zip file", "is not a PKCS#12"),
        (b"\x30\x82\x01\x00" + b"\x02\x01\x03" + os.urandom(253), "not a PKCS#12 (.pfx/.p12) "
                                                                   "file, or it is damaged"),
        (b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
         "PEM certificate without its private key"),
        (b"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
         "PEM text file with a private key"),
    ],
    ids=["empty", "zip", "garbage-der", "pem-cert", "pem-key"],
)
def test_bad_content_has_its_own_message(content, expected):
    with pytest.raises(VecozoError) as raised:
        load_pkcs12(content, PASSWORD, source="x.pfx")
    assert expected in str(raised.value)
    assert not isinstance(raised.value, WrongPasswordError)


def test_truncated_file(test_pki, system_cert):
    data = test_pki.pfx(system_cert, PASSWORD).read_bytes()
    with pytest.raises(VecozoError, match=r"is truncated \(\d+ of \d+ bytes\)"):
        load_pkcs12(data[: len(data) // 2], PASSWORD)


def test_file_level_problems(tmp_path):
    with pytest.raises(VecozoError, match="does not exist"):
        read_certificate_file(tmp_path / "missing.pfx")
    with pytest.raises(VecozoError, match="is a directory"):
        read_certificate_file(tmp_path)
    big = tmp_path / "big.pfx"
    big.write_bytes(b"\0" * (MAX_FILE_BYTES + 1))
    with pytest.raises(VecozoError, match="far too large"):
        read_certificate_file(big)


def test_personal_certificate_is_classified_and_warned(test_pki, now):
    loaded = load_pkcs12(test_pki.pfx(test_pki.personal(), PASSWORD).read_bytes(), PASSWORD)
    assert loaded.info.kind == "personal" and loaded.info.person_name == "Jan de Vries"
    findings = check_for_import(loaded, now=now, practice_agb="01234567")
    assert codes(findings) == ["personal"]
    assert "cannot do COV" in findings[0].message and findings[0].severity == "warning"


def test_key_mismatch_blocks(test_pki, system_cert, now):
    loaded = load_pkcs12(test_pki.mismatched_pfx(system_cert).read_bytes(), "")
    assert not loaded.key_matches
    assert loaded.info.sha256 == system_cert.certificate.fingerprint(hashes.SHA256()).hex().upper()
    findings = check_for_import(loaded, now=now)
    assert findings[0].code == "key-mismatch" and findings[0].blocking


def test_validity_warnings(test_pki, now):
    def findings_for(issued):
        loaded = load_pkcs12(test_pki.pfx(issued, PASSWORD).read_bytes(), PASSWORD)
        return check_for_import(loaded, now=now)

    expired = findings_for(test_pki.system(days_valid=730, starts_days_ago=731))
    assert codes(expired) == ["expired"] and expired[0].blocking
    assert "user number and PIN" in expired[0].message
    future = findings_for(test_pki.system(starts_days_ago=-10))
    assert codes(future) == ["not-yet-valid"] and not future[0].blocking
    soon = findings_for(test_pki.system(days_valid=730, starts_days_ago=720))
    assert codes(soon) == ["expires-soon"]


def test_agb_mismatch_identical_and_older(test_pki, now):
    current = test_pki.system(days_valid=730, starts_days_ago=100)
    active = load_pkcs12(test_pki.pfx(current, PASSWORD).read_bytes(), PASSWORD).info
    older = load_pkcs12(test_pki.pfx(test_pki.system(days_valid=730, starts_days_ago=200),
                                     PASSWORD).read_bytes(), PASSWORD)
    assert codes(check_for_import(older, now=now, active=active)) == ["older"]
    same = load_pkcs12(test_pki.pfx(current, PASSWORD).read_bytes(), PASSWORD)
    assert codes(check_for_import(same, now=now, active=active)) == ["identical"]
    other = load_pkcs12(test_pki.pfx(test_pki.system("Andere Praktijk", "01999999"),
                                     PASSWORD).read_bytes(), PASSWORD)
    mismatch = check_for_import(other, now=now, practice_agb="01234567")
    assert codes(mismatch) == ["agb-mismatch"] and "01999999" in mismatch[0].message


def test_missing_chain_and_weak_key(test_pki, now):
    loaded = load_pkcs12(test_pki.pfx(test_pki.system(), PASSWORD, chain=[]).read_bytes(),
                         PASSWORD)
    assert codes(check_for_import(loaded, now=now)) == ["no-chain"]
    weak = test_pki.system(key=pki.new_rsa_key(1024))
    loaded = load_pkcs12(test_pki.pfx(weak, PASSWORD).read_bytes(), PASSWORD)
    assert codes(check_for_import(loaded, now=now)) == ["weak-key"]


def test_encrypt_round_trip_keeps_everything(test_pki, system_cert):
    loaded = load_pkcs12(test_pki.pfx(system_cert, PASSWORD, friendly_name="X").read_bytes(),
                         PASSWORD)
    for encoding in ("modern", "3des"):
        again = load_pkcs12(encrypt_pkcs12(loaded, "new-pw", encoding=encoding), "new-pw")
        assert again.info == loaded.info and again.key_matches


def test_expiry_dates_are_aware_utc(test_pki, system_cert, now):
    info = load_pkcs12(test_pki.pfx(system_cert, PASSWORD).read_bytes(), PASSWORD).info
    assert info.not_after - info.not_before == timedelta(days=730)
    assert info.not_after.utcoffset() == timedelta(0)


def test_a_device_is_not_read_forever():
    with pytest.raises(VecozoError, match="not a regular file"):
        read_certificate_file("/dev/zero")
