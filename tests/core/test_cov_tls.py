"""The client TLS context: always verifying, and the private key never on disk in clear."""

from __future__ import annotations

import base64
import io
import os
import ssl
import sys
import tempfile
import threading
from argparse import Namespace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tests.cov_support import call, cov_pki, make_setup, running_server
from vecozo_tui.cov import tls
from vecozo_tui.errors import VecozoError

# --- an audit hook that sees every file opened for writing ------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class _OpenRecorder:
    def __init__(self):
        self.active = False
        self.thread_ids: set[int] = set()
        self.written: list[str] = []
        self.memfds = 0
        self.lock = threading.Lock()

    def __call__(self, event: str, args: tuple) -> None:
        if not self.active:
            return
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None))[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                (isinstance(flags, int) and flags & _WRITE_FLAGS)
            if writing and isinstance(path, str | bytes | os.PathLike):
                with self.lock:
                    self.written.append(os.fsdecode(path))
        elif event in ("tempfile.mkstemp", "tempfile.mkdtemp"):
            with self.lock:
                self.written.append(os.fsdecode(args[0]))


RECORDER = _OpenRecorder()
sys.addaudithook(RECORDER)  # hooks cannot be removed; it records only while active


@pytest.fixture
def record_writes():
    RECORDER.written.clear()
    RECORDER.active = True
    try:
        yield RECORDER
    finally:
        RECORDER.active = False


def _secret_forms(key) -> list[bytes]:
    """What an unencrypted copy of ``key`` would contain, in any of the usual encodings."""
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    body = b"".join(pem.splitlines()[1:3])  # the first base64 lines of the key
    return [der[-64:], body, base64.b64encode(der)[:64], b"BEGIN PRIVATE KEY",
            b"BEGIN RSA PRIVATE KEY", b"BEGIN EC PRIVATE KEY"]


def _files_under(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


def test_no_unencrypted_key_is_written_to_disk_during_a_call(tmp_path, monkeypatch,
                                                              record_writes):
    """A whole `vecozo-tui test-cov` run: every file opened for writing, every temp file
    and the temp directory hold no trace of the private key in clear."""
    from vecozo_tui.cli.cov import run_test_cov
    from vecozo_tui.cli.main import Invocation

    p = cov_pki()
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    loaded_paths: list[tuple[str, bytes]] = []
    original = tls.CovSSLContext.load_cert_chain

    def spy(self, certfile, keyfile=None, password=None):
        with open(certfile, "rb") as handle:  # what OpenSSL reads, at the moment it reads it
            loaded_paths.append((str(certfile), handle.read()))
        return original(self, certfile, keyfile, password)

    monkeypatch.setattr(tls.CovSSLContext, "load_cert_chain", spy)
    with running_server() as server:
        setup = make_setup(tmp_path / "setup", server)
        RECORDER.written.clear()  # only the call itself from here
        out = io.StringIO()
        args = Namespace(config=str(setup.config_path), practice="hap-zuid",
                         password_file=str(setup.password_file), birth_date=None,
                         endpoint=None, json=False)
        code = run_test_cov(Invocation(args=args, env={}, stdin=io.StringIO(), stdout=out,
                                       stderr=io.StringIO()))
    assert code == 0, out.getvalue()

    secrets = _secret_forms(p.good.key)
    # 1. OpenSSL was handed the key only encrypted, from memory (memfd) on Linux
    assert loaded_paths, "the client certificate was loaded"
    for path, content in loaded_paths:
        assert b"BEGIN ENCRYPTED PRIVATE KEY" in content
        assert not any(secret in content for secret in secrets)
        if sys.platform.startswith("linux"):
            assert path.startswith("/proc/self/fd/"), path
    # 2. every file opened for writing during the call holds no key in clear
    assert RECORDER.written, "the outcome was recorded, so something was written"
    for path in RECORDER.written:
        if os.path.isfile(path):
            content = Path(path).read_bytes()
            assert not any(secret in content for secret in secrets), path
    assert not any(path.startswith("/proc/self/fd/") for path in RECORDER.written)
    # 3. nothing was left in the temp directory, and nothing anywhere under tmp_path
    assert _files_under(private_tmp) == []
    for path in _files_under(tmp_path):
        content = path.read_bytes()
        assert not any(secret in content for secret in secrets[:3]), path
        assert b"BEGIN PRIVATE KEY" not in content, path


def test_without_memfd_the_temp_file_holds_only_the_encrypted_key_and_is_removed(
        tmp_path, monkeypatch, record_writes):
    p = cov_pki()
    monkeypatch.delattr(os, "memfd_create", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: list[tuple[str, bytes]] = []
    original = tls.CovSSLContext.load_cert_chain

    def spy(self, certfile, keyfile=None, password=None):
        with open(certfile, "rb") as handle:
            seen.append((str(certfile), handle.read()))
        return original(self, certfile, keyfile, password)

    monkeypatch.setattr(tls.CovSSLContext, "load_cert_chain", spy)
    context = p.context(p.good)
    assert context.has_client_certificate
    [(path, content)] = seen
    assert Path(path).parent == tmp_path
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in content
    assert not any(secret in content for secret in _secret_forms(p.good.key))
    assert not Path(path).exists(), "the temp file is removed right after loading"
    assert path in RECORDER.written
    with running_server() as server:  # and the context works
        assert call(server.url, context).ok


def test_encrypted_key_pem_needs_the_one_time_password():
    key = cov_pki().good.key
    pem = tls.encrypted_key_pem(key, b"one-time")
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises((TypeError, ValueError)):
        serialization.load_pem_private_key(pem, password=None)
    assert serialization.load_pem_private_key(pem, password=b"one-time").private_numbers() \
        == key.private_numbers()


def test_context_always_verifies():
    p = cov_pki()
    for context in (p.context(p.good), tls.client_context(), tls.client_context(
            ca_bundle=None)):
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname is True
        assert context.minimum_version == ssl.TLSVersion.TLSv1_2


def test_system_trust_store_is_used_without_a_bundle():
    context = tls.client_context()
    assert context.cert_store_stats()["x509_ca"] > 0 or tls._has_default_capath()
    assert not context.has_client_certificate


def test_ca_bundle_file(tmp_path):
    from vecozo_tui import pki

    bundle = tmp_path / "ca.pem"
    bundle.write_bytes(pki.pem(cov_pki().root.certificate))
    context = tls.client_context(ca_bundle=bundle)
    assert context.cert_store_stats()["x509_ca"] == 1
    with running_server() as server:
        from tests.cov_support import TEST_PERSON

        assert call(server.url, tls.client_context(
            cov_pki().good.certificate, cov_pki().good.key, [cov_pki().issuing.certificate],
            ca_bundle=bundle), TEST_PERSON).ok


def test_unreadable_ca_bundle_is_a_clear_error(tmp_path):
    with pytest.raises(VecozoError, match="ca_bundle"):
        tls.client_context(ca_bundle=tmp_path / "missing.pem")
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(VecozoError, match="cannot be read"):
        tls.client_context(ca_bundle=junk)


def test_pkcs12_without_private_key_is_refused():
    loaded = cov_pki().loaded(cov_pki().good)
    loaded = loaded._replace(private_key=None)
    with pytest.raises(VecozoError, match="no private key"):
        tls.context_from_pkcs12(loaded)


def test_key_that_does_not_match_the_certificate_is_a_clear_error():
    p = cov_pki()
    with pytest.raises(VecozoError, match="cannot be used for TLS"):
        tls.client_context(p.good.certificate, p.unauthorised.key)


def test_handshake_log_records_version_and_server_certificate():
    p = cov_pki()
    context = p.context(p.good)
    with running_server() as server:
        assert call(server.url, context).ok
    event = context.handshakes.last
    assert event.completed and event.version == "TLSv1.3"
    assert event.server_hostname == "localhost"
    from cryptography import x509

    assert x509.load_der_x509_certificate(event.server_certificate_der) == \
        p.server.certificate
