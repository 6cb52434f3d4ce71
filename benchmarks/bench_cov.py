"""COV test-call benchmark against the local fake server (real TLS on 127.0.0.1).

    .venv/bin/python benchmarks/bench_cov.py [--runs N]

Measures, with RSA-2048 keys like VECOZO's certificates:
  * building the client TLS context (key re-encrypted, loaded from a memfd);
  * one call including the TLS handshake (a new connection each time), TLS 1.3 and 1.2;
  * 20 calls on one kept-alive connection (one handshake);
  * the whole diagnosis (DNS + TCP check + handshake + call);
  * decrypting the stored PKCS#12 (PBKDF2, 100,000 rounds) that precedes every call;
  * `vecozo-tui test-cov` as a fresh process, end to end.
Figures are wall-clock medians; the fake server answers at once, so these are the
client's own costs, not VECOZO's response times.
"""

from __future__ import annotations

import argparse
import os
import ssl
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import VECOZO_TUI, Timing, time_command  # noqa: E402
from vecozo_tui import pki  # noqa: E402
from vecozo_tui.cov import soap  # noqa: E402
from vecozo_tui.cov.client import CovClient  # noqa: E402
from vecozo_tui.cov.diagnosis import TestPerson, run_test_call  # noqa: E402
from vecozo_tui.cov.fake_server import FakeCovServer  # noqa: E402
from vecozo_tui.cov.tls import client_context  # noqa: E402

PASSWORD = "bench-wachtwoord"
PERSON = TestPerson("999979668", date(1962, 3, 15))


def timed(label: str, runs: int, function) -> Timing:
    function()  # warm-up
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return Timing(label, seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    now = datetime.now(UTC)
    started = time.perf_counter()
    root = pki.make_ca("Bench VECOZO Root CA", now - timedelta(days=10))
    issuing = pki.make_ca("Bench VECOZO Issuing CA", now - timedelta(days=10), parent=root)
    server_cert = pki.issue(issuing, pki.server_subject("localhost"),
                            not_before=now - timedelta(days=1), not_after=now + timedelta(days=30),
                            client=False, server_names=["localhost", "127.0.0.1"])
    client = pki.issue(issuing, pki.system_subject("Bench Praktijk", "01234567"),
                       not_before=now - timedelta(days=1), not_after=now + timedelta(days=700))
    from cryptography.hazmat.primitives import hashes

    authorised = {client.certificate.fingerprint(hashes.SHA256()).hex().upper()}
    print(f"COV benchmark: Python {sys.version.split()[0]}, {ssl.OPENSSL_VERSION}, "
          f"{os.cpu_count()} CPUs; PKI made in {time.perf_counter() - started:.2f} s")

    def context():
        return client_context(client.certificate, client.key, [issuing.certificate],
                              ca_certificates=[root.certificate])

    search = soap.Search(birth_date=PERSON.birth_date, reference_date=date.today(),
                         bsn=PERSON.bsn)
    results: list[str] = []
    servers = {
        "TLS 1.3": FakeCovServer(server_cert, [root.certificate, issuing.certificate],
                                 authorised).start(),
        "TLS 1.2": FakeCovServer(server_cert, [root.certificate, issuing.certificate],
                                 authorised, maximum_version=ssl.TLSVersion.TLSv1_2).start(),
    }
    try:
        results.append(timed("client TLS context (memfd)", runs, context).line())
        shared = context()
        for name, server in servers.items():
            def one_call(server=server):
                with CovClient(server.url, shared) as cov:
                    assert cov.controleer([search]).first.result is soap.SearchResult.GEVONDEN

            results.append(timed(f"1 call with handshake, {name}", runs, one_call).line())
        server = servers["TLS 1.3"]
        per_call: list[float] = []

        def twenty():
            with CovClient(server.url, shared) as cov:
                for _ in range(20):
                    begun = time.perf_counter()
                    cov.controleer([search])
                    per_call.append(time.perf_counter() - begun)

        shared.handshakes.clear()
        timing = timed("20 calls on one connection", runs, twenty)
        handshakes = len(shared.handshakes.events) // (len(timing.seconds) + 1)
        results.append(timing.line())
        first = per_call[0::20]
        rest = [s for i, s in enumerate(per_call) if i % 20]
        results.append(f"    first call {statistics.median(first) * 1000:.1f} ms (handshake), "
                       f"calls 2-20 {statistics.median(rest) * 1000:.2f} ms each; "
                       f"{handshakes} handshake(s) per 20 calls")

        def diagnosis():
            result = run_test_call(server.url, shared, PERSON, reference_date=date.today(),
                                   now=datetime.now(UTC), timeout=10)
            assert result.ok, result.lines()

        results.append(timed("whole diagnosis (DNS..COV)", runs, diagnosis).line())
        from vecozo_tui.certificates import load_pkcs12

        data = pki.pkcs12_bytes(client, [issuing.certificate, root.certificate], PASSWORD)
        results.append(timed("decrypt stored PKCS#12", max(3, runs // 4),
                             lambda: load_pkcs12(data, PASSWORD)).line())
        results.append(_cli_run(server, root, data, max(3, runs // 4)).line())
    finally:
        for server in servers.values():
            server.stop()
    print("\n".join(results))
    return 0


def _cli_run(server: FakeCovServer, root: pki.Issued, data: bytes, runs: int) -> Timing:
    """`vecozo-tui test-cov` end to end in a fresh process (config, decrypt, call, record)."""
    from vecozo_tui.certificates import load_pkcs12
    from vecozo_tui.repository import Actor, Repository

    directory = Path(tempfile.mkdtemp(prefix="bench-cov-"))
    Repository.init(directory / "repository")
    Repository(directory / "repository").import_certificate(
        "bench", load_pkcs12(data, PASSWORD), PASSWORD, actor=Actor("bench"))
    (directory / "ca.pem").write_bytes(pki.pem(root.certificate))
    (directory / "config.toml").write_text(
        '[repository]\npath = "repository"\n[cov]\nca_bundle = "ca.pem"\n[cov.endpoints]\n'
        f'acceptance = "{server.url}"\n[[practices]]\nid = "bench"\nname = "Bench"\n'
        'agb = "01234567"\nenvironment = "acceptance"\n', encoding="utf-8")
    (directory / "password.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    return time_command("vecozo-tui test-cov (process)", [
        str(VECOZO_TUI), "test-cov", "bench", "--config", str(directory / "config.toml"),
        "--password-file", str(directory / "password.txt")], runs=runs, warmup=1)


if __name__ == "__main__":
    raise SystemExit(main())
