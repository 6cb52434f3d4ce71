"""Certificates and PKCS#12 files made by the tests themselves."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization

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

    def pfx(self, issued: pki.Issued, password: str = "geheim", *, encoding: str = "modern",
            chain: list | None = None, name: str = "cert.pfx", friendly_name: str | None = None
            ) -> Path:
        data = pki.pkcs12_bytes(issued, self.chain if chain is None else chain, password,
                                encoding=encoding, friendly_name=friendly_name)
        path = self.tmp / name
        path.write_bytes(data)
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
