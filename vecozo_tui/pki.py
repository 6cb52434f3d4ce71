"""A small certificate authority for the demo, the fake COV server and the tests.

It issues certificates shaped like VECOZO's: a *system* certificate names the
practice and its AGB code and no person; a *personal* certificate names a person.
Nothing here is used on real certificates.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass
class Issued:
    certificate: x509.Certificate
    key: PrivateKey


def new_rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def make_ca(common_name: str, now: datetime, *, days: int = 3650, key: PrivateKey | None = None,
            parent: Issued | None = None) -> Issued:
    """A CA certificate; with ``parent`` an intermediate signed by it."""
    key = key or new_rsa_key()
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Demo VECOZO"),  # untranslated: name
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])
    issuer_name = parent.certificate.subject if parent else name
    signing_key = parent.key if parent else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True,
                          crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return Issued(builder.sign(signing_key, hashes.SHA256()), key)


def system_subject(practice_name: str, agb_code: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, practice_name),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"AGB {agb_code}"),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, agb_code),
        x509.NameAttribute(NameOID.COMMON_NAME, f"Systeemcertificaat {practice_name}"),
    ])


def personal_subject(given_name: str, surname: str, practice_name: str, agb_code: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, practice_name),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"AGB {agb_code}"),
        x509.NameAttribute(NameOID.GIVEN_NAME, given_name),
        x509.NameAttribute(NameOID.SURNAME, surname),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{given_name} {surname}"),
    ])


def issue(ca: Issued, subject: x509.Name, *, not_before: datetime, not_after: datetime,
          key: PrivateKey | None = None, client: bool = True,
          server_names: list[str] | None = None) -> Issued:
    """An end-entity certificate signed by ``ca``; a TLS server one with ``server_names``."""
    key = key or new_rsa_key()
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH] if client else []
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
    )
    if server_names:
        usages.append(ExtendedKeyUsageOID.SERVER_AUTH)
        alt_names: list[x509.GeneralName] = []
        for name in server_names:
            try:
                alt_names.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alt_names.append(x509.DNSName(name))
        builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    if usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


def pkcs12_bytes(issued: Issued, chain: list[x509.Certificate], password: str, *,
                 encoding: str = "modern", friendly_name: str | None = None) -> bytes:
    """A PKCS#12 file as a browser would export it.

    ``encoding``: "modern" (PBES2 AES-256-CBC, PBKDF2-SHA256), "3des"
    (PBE-SHA1-3DES, Windows Server 2016 and earlier) or "rc2" is not offered by
    ``cryptography``: tests produce RC2-40 files with ``openssl pkcs12 -legacy``.
    """
    from vecozo_tui.certificates import pkcs12_encryption

    name = friendly_name.encode() if friendly_name else None
    return pkcs12.serialize_key_and_certificates(name, issued.key, issued.certificate, chain,
                                                 pkcs12_encryption(password, encoding))


def server_subject(host: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)
