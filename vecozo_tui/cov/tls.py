"""TLS for the COV call: an ``ssl.SSLContext`` with the practice's client certificate.

Mutual TLS needs the private key inside OpenSSL, and Python's ``ssl`` only loads keys
from a *file*. The key never reaches a disk unencrypted: it is re-encrypted (PKCS#8,
PBES2/AES-256) with a one-time random password that lives only in memory, and that
encrypted PEM goes into an anonymous in-memory file (``memfd_create``, Linux); where
there is no memfd, into a private temporary file (0600) that is removed as soon as
OpenSSL has read it. Either way, what could be read from it is useless without the
one-time password.

The context always verifies: TLS 1.2 or newer, ``CERT_REQUIRED``, host name checked,
the CA bundle from the configuration or the system's trust store. It also records what
happened in each handshake (:class:`HandshakeLog`), so the diagnosis can tell "the
server's certificate was refused by us" from "our certificate was refused by the
server" even when httpx reports both as a connection error.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import _

if TYPE_CHECKING:
    from cryptography import x509

    from vecozo_tui.certificates import LoadedPkcs12
    from vecozo_tui.cov.deadline import Deadline

MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2


@dataclass
class HandshakeEvent:
    """One TLS handshake as the client saw it."""

    server_hostname: str | None
    completed: bool = False
    error: BaseException | None = None
    version: str | None = None
    cipher: str | None = None
    server_certificate_der: bytes | None = None
    # application data the server sent over this connection after the handshake: a
    # server that answered (even with rubbish) did not refuse the client certificate
    bytes_received: int = 0


@dataclass
class HandshakeLog:
    events: list[HandshakeEvent] = field(default_factory=list)
    # called (in the connecting thread) when a handshake has completed or failed
    listener: Callable[[HandshakeEvent], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, event: HandshakeEvent) -> None:
        with self._lock:
            self.events.append(event)

    def finished(self, event: HandshakeEvent) -> None:
        listener = self.listener
        if listener is not None:
            listener(event)

    @property
    def last(self) -> HandshakeEvent | None:
        with self._lock:
            return self.events[-1] if self.events else None

    def clear(self) -> None:
        with self._lock:
            self.events.clear()


class _ObservedSSLSocket(ssl.SSLSocket):
    """An SSLSocket that reports its handshake to the context's :class:`HandshakeLog`,
    counts what the server sends, and keeps every blocking step within the context's
    :class:`~vecozo_tui.cov.deadline.Deadline` (when a test call set one)."""

    _observed: HandshakeEvent | None = None

    def _bound(self) -> None:
        deadline: Deadline | None = getattr(self.context, "deadline", None)
        if deadline is not None:
            deadline.bound(self)

    def do_handshake(self, block: bool = False) -> None:
        log = getattr(self.context, "handshakes", None)
        event = HandshakeEvent(server_hostname=self.server_hostname)
        self._observed = event
        if log is not None:
            log.add(event)
        try:
            deadline: Deadline | None = getattr(self.context, "deadline", None)
            if deadline is not None:
                deadline.cancellation.watch(self)  # a cancel shuts it, waking up a read
            self._bound()
            super().do_handshake(block)
        except BaseException as error:
            event.error = error
            if log is not None:
                log.finished(event)
            raise
        event.completed = True
        event.version = self.version()
        cipher = self.cipher()
        event.cipher = cipher[0] if cipher else None
        event.server_certificate_der = self.getpeercert(binary_form=True)
        if log is not None:
            log.finished(event)

    def read(self, size: int = 1024, buffer: Any = None) -> Any:  # ssl calls it positionally
        self._bound()
        data = super().read(size, buffer)
        if self._observed is not None:
            self._observed.bytes_received += data if isinstance(data, int) else len(data)
        return data

    def send(self, data: Any, flags: int = 0) -> int:
        self._bound()
        return super().send(data, flags)


class CovSSLContext(ssl.SSLContext):
    """A client context that keeps a log of its handshakes."""

    sslsocket_class = _ObservedSSLSocket
    handshakes: HandshakeLog
    has_client_certificate: bool = False
    deadline: Deadline | None = None  # set for the duration of one test call


def _pem(certificate: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return certificate.public_bytes(serialization.Encoding.PEM)


def encrypted_key_pem(private_key: Any, password: bytes) -> bytes:
    """The key as an encrypted PKCS#8 PEM (``ENCRYPTED PRIVATE KEY``)."""
    from cryptography.hazmat.primitives import serialization

    return private_key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.BestAvailableEncryption(password))


@contextlib.contextmanager
def _in_memory_file(data: bytes) -> Iterator[str]:
    """A path OpenSSL can open that holds ``data``: a memfd, or a private temp file."""
    memfd_create = getattr(os, "memfd_create", None)
    if memfd_create is not None and os.path.isdir("/proc/self/fd"):
        fd = memfd_create("vecozo-tui-client", getattr(os, "MFD_CLOEXEC", 0))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            yield f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
        return
    # No memfd (Windows, macOS): the data holds only the *encrypted* key.
    fd, path = tempfile.mkstemp(prefix="vecozo-tui-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def load_certificate_and_key(context: ssl.SSLContext, certificate: x509.Certificate,
                             private_key: Any, chain: Sequence[x509.Certificate] = ()) -> None:
    """Put a certificate (+ chain) and its private key into ``context``, key never in clear."""
    password = secrets.token_urlsafe(32).encode("ascii")
    data = encrypted_key_pem(private_key, password) + _pem(certificate) + \
        b"".join(_pem(c) for c in chain if c != certificate)
    with _in_memory_file(data) as path:
        try:
            context.load_cert_chain(path, password=password)
        except ssl.SSLError as error:
            raise VecozoError(_("The certificate and its key cannot be used for TLS "
                                "({error}).").format(error=error.reason or error)) from None


def client_context(certificate: x509.Certificate | None = None, private_key: Any = None,
                   chain: Sequence[x509.Certificate] = (), *, ca_bundle: Path | None = None,
                   ca_certificates: Sequence[x509.Certificate] | None = None) -> CovSSLContext:
    """A verifying TLS client context; with a certificate + key, for mutual TLS.

    Trust: ``ca_certificates`` if given, else the ``ca_bundle`` file, else the system's
    trust store (falling back to certifi's bundle where the system has none).
    """
    context = CovSSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.handshakes = HandshakeLog()
    context.minimum_version = MINIMUM_VERSION
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    if ca_certificates:
        context.load_verify_locations(
            cadata=b"".join(_pem(c) for c in ca_certificates).decode("ascii"))
    elif ca_bundle is not None:
        try:
            context.load_verify_locations(cafile=str(ca_bundle))
        except (OSError, ssl.SSLError) as error:
            raise VecozoError(_("The CA bundle {path} ([cov] ca_bundle) cannot be read: "
                                "{error}.").format(
                path=ca_bundle, error=getattr(error, "strerror", None) or error)) from None
    else:
        context.load_default_certs(ssl.Purpose.SERVER_AUTH)
        if context.cert_store_stats().get("x509_ca", 0) == 0 and not _has_default_capath():
            with contextlib.suppress(ImportError, OSError, ssl.SSLError):
                import certifi

                context.load_verify_locations(cafile=certifi.where())
    if certificate is not None and private_key is not None:
        load_certificate_and_key(context, certificate, private_key, chain)
        context.has_client_certificate = True
    return context


def _has_default_capath() -> bool:
    capath = ssl.get_default_verify_paths().capath
    return bool(capath) and os.path.isdir(capath) and any(os.scandir(capath))


def context_from_pkcs12(loaded: LoadedPkcs12, *, ca_bundle: Path | None = None,
                        ca_certificates: Sequence[x509.Certificate] | None = None
                        ) -> CovSSLContext:
    """The client context for a decrypted PKCS#12 (certificate, private key, chain)."""
    if loaded.private_key is None:
        raise VecozoError(_("This certificate file holds no private key, so it cannot log in "
                            "to VECOZO. Export it again from the browser *with* the private "
                            "key."))
    return client_context(loaded.certificate, loaded.private_key, list(loaded.chain),
                          ca_bundle=ca_bundle, ca_certificates=ca_certificates)
