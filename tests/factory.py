"""Certificates and PKCS#12 files made by the tests themselves."""

from __future__ import annotations

import hmac
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization

from vecozo_tui import pki

OPENSSL = shutil.which("openssl")


@dataclass
class PkiFactory:
    """A root CA, an intermediate (like VECOZO's chain) and helpers to issue certificates."""

    now: datetime
    tmp: Path
    root: pki.Issued = field(init=False)
    intermediate: pki.Issued = field(init=False)

    def __post_init__(self) -> None:
        self.root = pki.make_ca("Demo VECOZO Root CA", self.now - timedelta(days=400))
        self.intermediate = pki.make_ca("Demo VECOZO Issuing CA", self.now - timedelta(days=400),
                                        parent=self.root)

    @property
    def chain(self) -> list:
        return [self.intermediate.certificate, self.root.certificate]

    def system(self, name: str = "Huisartsenpraktijk Zuid", agb: str = "01234567", *,
               days_valid: int = 730, starts_days_ago: int = 0, key=None) -> pki.Issued:
        start = self.now - timedelta(days=starts_days_ago)
        return pki.issue(self.intermediate, pki.system_subject(name, agb), not_before=start,
                         not_after=start + timedelta(days=days_valid), key=key)

    def personal(self, given: str = "Jan", surname: str = "de Vries",
                 name: str = "Huisartsenpraktijk Zuid", agb: str = "01234567") -> pki.Issued:
        return pki.issue(self.intermediate, pki.personal_subject(given, surname, name, agb),
                         not_before=self.now, not_after=self.now + timedelta(days=730))

    def certificate(self, subject: list[tuple[str, str]], *, ca: bool = False,
                    usages: tuple[str, ...] | None = ("clientAuth",), issuer=None,
                    days_valid: int = 730, key=None) -> pki.Issued:
        """A certificate with exactly this subject, as other tools make them: ``subject`` is
        (attribute, value) pairs with the names openssl uses (CN, O, OU, serialNumber,
        GN, SN, pseudonym); ``usages`` the extendedKeyUsage (None: no such extension);
        ``issuer`` None means the intermediate, "self" a self-signed one."""
        from cryptography import x509
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        oids = {"CN": NameOID.COMMON_NAME, "O": NameOID.ORGANIZATION_NAME,
                "OU": NameOID.ORGANIZATIONAL_UNIT_NAME, "C": NameOID.COUNTRY_NAME,
                "serialNumber": NameOID.SERIAL_NUMBER, "GN": NameOID.GIVEN_NAME,
                "SN": NameOID.SURNAME, "pseudonym": NameOID.PSEUDONYM}
        usage_oids = {"clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH,
                      "serverAuth": ExtendedKeyUsageOID.SERVER_AUTH,
                      "emailProtection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
                      "any": ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
        key = key or self.shared_key
        name = x509.Name([x509.NameAttribute(oids[attribute], value)
                          for attribute, value in subject])
        signer = self.intermediate if issuer is None else issuer
        builder = (x509.CertificateBuilder().subject_name(name)
                   .issuer_name(name if signer == "self" else signer.certificate.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(self.now - timedelta(days=1))
                   .not_valid_after(self.now + timedelta(days=days_valid))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None),
                                  critical=True))
        if usages is not None:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([usage_oids[u] for u in usages]), critical=False)
        signing_key = key if signer == "self" else signer.key
        return pki.Issued(builder.sign(signing_key, hashes.SHA256()), key)

    @property
    def shared_key(self):
        """One RSA key for certificates whose key does not matter (a key takes ~0.1 s)."""
        if not hasattr(self, "_shared_key"):
            self._shared_key = pki.new_rsa_key()
        return self._shared_key

    def pfx(self, issued: pki.Issued, password: str = "geheim", *, encoding: str = "modern",
            chain: list | None = None, name: str = "cert.pfx", friendly_name: str | None = None
            ) -> Path:
        data = pki.pkcs12_bytes(issued, self.chain if chain is None else chain, password,
                                encoding=encoding, friendly_name=friendly_name)
        path = self.tmp / name
        path.write_bytes(data)
        return path

    def mismatched_pfx(self, issued: pki.Issued, name: str = "mismatch.pfx") -> Path:
        """A PKCS#12 whose private key belongs to another certificate, as a botched export
        gives. Tools refuse to write one, so the key bag of an unencrypted (empty
        password) file is swapped for another key of the same length and the integrity
        MAC recomputed (RFC 7292)."""
        from cryptography.hazmat.primitives.serialization import pkcs12

        from vecozo_tui.certificates import _children, _element, _pkcs12_kdf

        def pkcs8(key) -> bytes:
            return key.private_bytes(serialization.Encoding.DER,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())

        blob = pkcs12.serialize_key_and_certificates(None, issued.key, issued.certificate,
                                                     self.chain, serialization.NoEncryption())
        original = pkcs8(issued.key)
        assert original in blob
        other = pki.new_rsa_key()
        while len(pkcs8(other)) != len(original):
            other = pki.new_rsa_key()
        _tag, start, end, _ = _element(blob, 0)
        pfx = _children(blob, start, end)
        mac_data = _children(blob, pfx[2][1], pfx[2][2])
        digest = _children(blob, mac_data[0][1], mac_data[0][2])[1]
        salt = blob[mac_data[1][1]:mac_data[1][2]]
        rounds = int.from_bytes(blob[mac_data[2][1]:mac_data[2][2]], "big")
        auth_safe = _children(blob, pfx[1][1], pfx[1][2])
        inner = _children(blob, auth_safe[1][1], auth_safe[1][2])[0]
        content = blob[inner[1]:inner[2]].replace(original, pkcs8(other))
        mac_key = _pkcs12_kdf("sha256", b"\0\0", salt, 3, rounds, 32)
        new_digest = hmac.new(mac_key, content, "sha256").digest()
        swapped = bytearray(blob.replace(original, pkcs8(other)))
        swapped[digest[1]:digest[2]] = new_digest
        path = self.tmp / name
        path.write_bytes(bytes(swapped))
        return path

    def openssl_pfx(self, issued: pki.Issued, password: str, *, legacy: bool, name: str,
                    extra: list[str] | None = None) -> Path:
        """A PKCS#12 written by the openssl command line (``-legacy``: RC2-40 + 3DES)."""
        assert OPENSSL, "openssl command line not available"
        key_pem = self.tmp / f"{name}.key.pem"
        cert_pem = self.tmp / f"{name}.crt.pem"
        chain_pem = self.tmp / f"{name}.chain.pem"
        key_pem.write_bytes(issued.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"tmp-pass")))
        cert_pem.write_bytes(issued.certificate.public_bytes(serialization.Encoding.PEM))
        chain_pem.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM)
                                       for c in self.chain))
        out = self.tmp / name
        args = [OPENSSL, "pkcs12", "-export", "-inkey", str(key_pem), "-passin", "pass:tmp-pass",
                "-in", str(cert_pem), "-certfile", str(chain_pem), "-out", str(out),
                "-passout", "stdin"]
        if legacy:
            args.append("-legacy")
        args += extra or []
        subprocess.run(args, input=password.encode("utf-8") + b"\n", check=True,
                       capture_output=True)
        return out


def sha256(issued: pki.Issued) -> str:
    """The SHA-256 fingerprint as the repository writes it (upper-case hex)."""
    return issued.certificate.fingerprint(hashes.SHA256()).hex().upper()


# --- PKCS#12 files with several keys, DER or BER, built by hand (RFC 7292) -------------
# cryptography writes one key per file, and the tools that write more (keytool,
# pk12util) may be missing, so the structure is assembled here from its parts: each key
# a PBES2-encrypted PKCS#8 (as NSS and Java write them), the certificates in plain
# certBags, the integrity MAC over it all. ``ber=True`` writes what NSS and BouncyCastle
# write: indefinite lengths and octet strings in pieces.

_PKCS12_DATA = "1.2.840.113549.1.7.1"
_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
_X509_CERTIFICATE = "1.2.840.113549.1.9.22.1"
_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
_SHA256 = "2.16.840.1.101.3.4.2.1"


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _tlv(tag: int, content: bytes, ber: bool = False) -> bytes:
    if ber and tag & 0x20:  # constructed: indefinite length, end-of-contents
        return bytes([tag, 0x80]) + content + b"\x00\x00"
    return bytes([tag]) + _length(len(content)) + content


def _seq(*items: bytes, ber: bool = False) -> bytes:
    return _tlv(0x30, b"".join(items), ber)


def _explicit(content: bytes, ber: bool = False) -> bytes:
    return _tlv(0xA0, content, ber)


def _octets(content: bytes, ber: bool = False) -> bytes:
    if not ber:
        return _tlv(0x04, content)
    pieces = [content[i:i + 512] for i in range(0, len(content), 512)] or [b""]
    return _tlv(0x24, b"".join(_tlv(0x04, piece) for piece in pieces), ber=True)


def _oid(dotted: str) -> bytes:
    numbers = [int(n) for n in dotted.split(".")]
    body = bytes([numbers[0] * 40 + numbers[1]])
    for number in numbers[2:]:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        body += bytes(reversed(chunk))
    return _tlv(0x06, body)


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes((value.bit_length() + 8) // 8, "big"))


def multi_key_pkcs12(entries: list[pki.Issued], password: str, *,
                     extra_certificates: list | None = None, ber: bool = False,
                     friendly_name: str = "praktijk") -> bytes:
    """A PKCS#12 holding each entry's key and certificate, in this order, then
    ``extra_certificates`` (chains, unrelated ones) as certificate bags."""
    import os

    from vecozo_tui.certificates import _pkcs12_kdf

    def attributes() -> bytes:
        name = _tlv(0x1E, friendly_name.encode("utf-16-be"))  # BMPString
        return _tlv(0x31, _seq(_oid(_FRIENDLY_NAME), _tlv(0x31, name), ber=ber), ber=ber)

    def key_bag(issued: pki.Issued) -> bytes:
        encrypted = issued.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode("utf-8")))
        return _seq(_oid(_SHROUDED_KEY_BAG), _explicit(encrypted, ber), attributes(), ber=ber)

    def cert_bag(certificate) -> bytes:
        der = certificate.public_bytes(serialization.Encoding.DER)
        value = _seq(_oid(_X509_CERTIFICATE), _explicit(_octets(der, ber), ber), ber=ber)
        return _seq(_oid(_CERT_BAG), _explicit(value, ber), ber=ber)

    def data(content: bytes) -> bytes:
        return _seq(_oid(_PKCS12_DATA), _explicit(_octets(content, ber), ber), ber=ber)

    keys = _seq(*(key_bag(entry) for entry in entries), ber=ber)
    certificates = _seq(*(cert_bag(c) for c in [entry.certificate for entry in entries]
                          + list(extra_certificates or [])), ber=ber)
    auth_safe = _seq(data(keys), data(certificates), ber=ber)
    salt, rounds = os.urandom(16), 2048
    mac_key = _pkcs12_kdf("sha256", password.encode("utf-16-be") + b"\0\0", salt, 3, rounds, 32)
    mac = hmac.new(mac_key, auth_safe, "sha256").digest()
    mac_data = _seq(_seq(_seq(_oid(_SHA256), _tlv(0x05, b"")), _tlv(0x04, mac)),
                    _tlv(0x04, salt), _integer(rounds))
    return _seq(_integer(3), data(auth_safe), mac_data, ber=ber)


KEYTOOL = shutil.which("keytool")
PK12UTIL = shutil.which("pk12util")
CERTUTIL = shutil.which("certutil")


def keytool_keystore(files: list[Path], password: str, out: Path, alias: str = "praktijk"
                     ) -> Path:
    """A Java PKCS12 keystore made with ``keytool -importkeystore`` from ``files`` (each a
    .p12 whose entry's friendly name is ``alias``), in this order."""
    assert KEYTOOL, "keytool not available"
    for number, source in enumerate(files):
        subprocess.run([KEYTOOL, "-importkeystore", "-noprompt", "-srckeystore", str(source),
                        "-srcstoretype", "PKCS12", "-srcstorepass", password,
                        "-srcalias", alias, "-destkeystore", str(out), "-deststoretype", "PKCS12",
                        "-deststorepass", password, "-destalias", f"entry{number}"],
                       check=True, capture_output=True)
    return out


def nss_export(files: list[Path], password: str, nickname: str, out: Path) -> Path:
    """What Firefox's "Backup" writes: the files imported into an NSS database with
    ``pk12util -i``, then exported by ``nickname`` with ``pk12util -o`` (BER-encoded)."""
    assert PK12UTIL and CERTUTIL, "pk12util/certutil (libnss3-tools) not available"
    database = out.parent / f"{out.stem}-nssdb"
    database.mkdir()
    password_file = out.parent / f"{out.stem}-nss-password"
    password_file.write_text(password + "\n", encoding="utf-8")
    subprocess.run([CERTUTIL, "-N", "-d", f"sql:{database}", "--empty-password"], check=True,
                   capture_output=True)
    for source in files:
        subprocess.run([PK12UTIL, "-i", str(source), "-d", f"sql:{database}", "-w",
                        str(password_file)], check=True, capture_output=True)
    subprocess.run([PK12UTIL, "-o", str(out), "-n", nickname, "-d", f"sql:{database}",
                    "-w", str(password_file)], check=True, capture_output=True)
    return out
