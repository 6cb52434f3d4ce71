"""Certificates and servers for the COV tests, made once per test session.

TLS checks validity against the real clock (OpenSSL knows nothing of FixedClock), so
these certificates are dated around the *real* now. RSA key generation is the slow
part: every key here is made once (``functools.cache``) and shared by all COV tests.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from tests.factory import sha256
from vecozo_tui import pki
from vecozo_tui.certificates import LoadedPkcs12, load_pkcs12
from vecozo_tui.cov.diagnosis import Diagnosis, TestPerson, run_test_call
from vecozo_tui.cov.fake_server import FakeCovServer
from vecozo_tui.cov.tls import CovSSLContext, client_context

TEST_PERSON = TestPerson("999979668", date(1962, 3, 15))
PFX_PASSWORD = "cov-test-wachtwoord"



def _ec() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class CovPki:
    now: datetime
    root: pki.Issued
    issuing: pki.Issued
    other_root: pki.Issued
    server: pki.Issued
    server_wrong_name: pki.Issued
    server_expired: pki.Issued
    server_unknown_ca: pki.Issued
    good: pki.Issued
    unauthorised: pki.Issued
    expired: pki.Issued
    foreign: pki.Issued
    personal: pki.Issued

    @property
    def server_cas(self) -> list:
        return [self.root.certificate, self.issuing.certificate]

    @property
    def chain(self) -> list:
        return [self.issuing.certificate, self.root.certificate]

    def context(self, issued: pki.Issued | None, *, trust=None) -> CovSSLContext:
        """A client context for ``issued`` (None: no client certificate)."""
        trust = trust or [self.root.certificate]
        if issued is None:
            return client_context(ca_certificates=trust)
        chain = [self.issuing.certificate] if issued is not self.foreign else []
        return client_context(issued.certificate, issued.key, chain, ca_certificates=trust)

    def loaded(self, issued: pki.Issued) -> LoadedPkcs12:
        return load_pkcs12(pki.pkcs12_bytes(issued, self.chain, PFX_PASSWORD), PFX_PASSWORD)


@functools.cache
def cov_pki() -> CovPki:
    now = datetime.now(UTC).replace(microsecond=0)
    root = pki.make_ca("Test VECOZO Root CA", now - timedelta(days=400), key=_ec())
    issuing = pki.make_ca("Test VECOZO Systeemcertificaten CA", now - timedelta(days=400),
                          parent=root, key=_ec())
    other_root = pki.make_ca("Some Other CA", now - timedelta(days=400), key=_ec())

    def server(names, *, ca=issuing, start=now - timedelta(days=1),
               end=now + timedelta(days=365)):
        return pki.issue(ca, pki.server_subject(names[0]), not_before=start, not_after=end,
                         client=False, server_names=names, key=_ec())

    def system(name, agb, *, ca=issuing, start=now - timedelta(days=1),
               end=now + timedelta(days=729), rsa=False):
        return pki.issue(ca, pki.system_subject(name, agb), not_before=start, not_after=end,
                         key=None if rsa else _ec())

    return CovPki(
        now=now, root=root, issuing=issuing, other_root=other_root,
        server=server(["localhost", "127.0.0.1"]),
        server_wrong_name=server(["cov.example.nl"]),
        server_expired=server(["localhost", "127.0.0.1"], start=now - timedelta(days=400),
                              end=now - timedelta(days=2)),
        server_unknown_ca=server(["localhost", "127.0.0.1"], ca=other_root),
        # the practice certificate goes through PKCS#12 + RSA like a real VECOZO one
        good=system("Huisartsenpraktijk Zuid", "01234567", rsa=True),
        unauthorised=system("Mondzorg Noord", "12089012"),
        expired=system("Huisartsen Verlopen", "01011111", start=now - timedelta(days=760),
                       end=now - timedelta(days=30)),
        foreign=system("Huisartsenpraktijk Zuid", "01234567", ca=other_root),
        personal=pki.issue(issuing, pki.personal_subject("Jan", "de Vries",
                                                         "Huisartsenpraktijk Zuid", "01234567"),
                           not_before=now - timedelta(days=1), not_after=now +
                           timedelta(days=700), key=_ec()),
    )


@contextlib.contextmanager
def running_server(server_issued: pki.Issued | None = None, *, authorised: set[str] | None = None,
                   **kwargs) -> Iterator[FakeCovServer]:
    p = cov_pki()
    if authorised is None:
        authorised = {sha256(p.good), sha256(p.expired), sha256(p.foreign),
                      sha256(p.personal)}
    server = FakeCovServer(server_issued or p.server, p.server_cas, authorised, **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def call(url: str, context: CovSSLContext, person: TestPerson = TEST_PERSON, *,
         timeout: float = 5.0, reference_date: date | None = None, **kwargs) -> Diagnosis:
    now = datetime.now(UTC)
    return run_test_call(url, context, person, reference_date=reference_date or now.date(),
                         now=now, timeout=timeout, **kwargs)


@dataclass
class CovSetup:
    """A config file + repository with practices whose certificates are stored."""

    config_path: Path
    repository_path: Path
    password_file: Path
    server: FakeCovServer


PRACTICES = [
    # id, name, agb, environment, certificate attribute of CovPki (None: no certificate)
    ("hap-zuid", "Huisartsenpraktijk Zuid", "01234567", "acceptance", "good"),
    ("hap-prod", "Huisartsen Productie", "01234567", "production", "good"),
    ("mond-noord", "Mondzorg Noord", "12089012", "acceptance", "unauthorised"),
    ("hap-oud", "Huisartsen Verlopen", "01011111", "test", "expired"),
    ("fysio-leeg", "Fysio Leeg", "04000001", "acceptance", None),
]


def make_setup(directory: Path, server: FakeCovServer, *, timeout: float = 5.0) -> CovSetup:
    from vecozo_tui.repository import Actor, Repository

    p = cov_pki()
    repository_path = directory / "repository"
    Repository.init(repository_path)
    repository = Repository(repository_path)
    ca_file = directory / "ca.pem"
    ca_file.write_bytes(pki.pem(p.root.certificate))
    # relative paths (resolved against the config's directory): a copy still works
    lines = ["[repository]", 'path = "repository"', "", "[cov]",
             'ca_bundle = "ca.pem"', f"timeout_seconds = {timeout}", "",
             "[cov.endpoints]"]
    lines += [f'{env} = "{server.url}"' for env in ("production", "acceptance", "test")]
    for practice_id, name, agb, environment, attribute in PRACTICES:
        lines += ["", "[[practices]]", f'id = "{practice_id}"', f'name = "{name}"',
                  f'agb = "{agb}"', f'environment = "{environment}"']
        if attribute is not None:
            repository.import_certificate(practice_id, p.loaded(getattr(p, attribute)),
                                          PFX_PASSWORD, actor=Actor("tester"))
    config_path = directory / "config.toml"
    config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    password_file = directory / "password.txt"
    password_file.write_text(PFX_PASSWORD + "\n", encoding="utf-8")
    return CovSetup(config_path, repository_path, password_file, server)


def copy_setup(setup: CovSetup, directory: Path) -> CovSetup:
    """A fresh copy of a prepared setup (making one costs PKCS#12 key derivations)."""
    import shutil

    shutil.copytree(setup.config_path.parent, directory, dirs_exist_ok=True)
    return CovSetup(directory / setup.config_path.name, directory / "repository",
                    directory / setup.password_file.name, setup.server)
