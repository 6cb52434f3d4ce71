"""``test-cov`` (a test COV call, step by step) and ``fake-cov`` (the local server)."""

from __future__ import annotations

import getpass
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from vecozo_tui.bsn import bsn_problem
from vecozo_tui.cli.common import find_practice, load_config_and_repository, print_json
from vecozo_tui.cli.prompts import with_password_retries
from vecozo_tui.cov.testcall import (
    BIRTH_DATE_ENV,
    BSN_ENV,
    active_certificate,
    endpoint_for,
    needs_real_person,
    open_active,
    run_test,
    test_person,
)
from vecozo_tui.errors import VecozoError

if TYPE_CHECKING:
    from vecozo_tui.cli.main import Invocation
    from vecozo_tui.config import Config, Practice
    from vecozo_tui.cov.diagnosis import TestPerson


def _read_person(invocation: Invocation, config: Config, practice: Practice) -> TestPerson:
    args = invocation.args
    if not needs_real_person(practice):
        return test_person(config, practice, birth_date=args.birth_date)
    if args.birth_date:
        # every local user can read a process's arguments (ps, /proc/<pid>/cmdline)
        raise VecozoError(
            "In production the patient's date of birth is never taken from the command line, "
            f"where every user of this server can read it. Set ${BIRTH_DATE_ENV} or run at "
            "a terminal to be asked (not shown, not stored); --birth-date is only for the "
            "test person of acceptance and test.")
    bsn = invocation.env.get(BSN_ENV)
    if bsn is None:
        if not invocation.stdin.isatty():
            raise VecozoError(
                f"{practice.id} is a production practice: a test call needs a real patient's "
                f"BSN. Set ${BSN_ENV} or run at a terminal to be asked (it is not shown and "
                "not stored; it is never accepted as a command-line argument).")
        bsn = getpass.getpass("BSN of the patient (not shown, not stored): ")
    problem = bsn_problem(bsn)
    if problem:
        raise VecozoError(problem)
    birth = invocation.env.get(BIRTH_DATE_ENV)
    if not birth:
        if not invocation.stdin.isatty():
            raise VecozoError(f"A test call in production needs the patient's date of birth: "
                              f"set ${BIRTH_DATE_ENV} (DD-MM-YYYY) or run at a terminal to "
                              "be asked.")
        birth = getpass.getpass("Date of birth of the patient (DD-MM-YYYY; not shown, not "
                                "stored): ")
    return test_person(config, practice, bsn=bsn, birth_date=birth)


def run_test_cov(invocation: Invocation) -> int:
    from vecozo_tui.repository import Actor
    from vecozo_tui.textfmt import local_date, short_fingerprint

    args = invocation.args
    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, args.practice)
    stored = active_certificate(repository, practice)
    endpoint = endpoint_for(config, practice, args.endpoint)
    person = _read_person(invocation, config, practice)
    prompt = f"Password of the certificate of {practice.id}: "
    password, opened = with_password_retries(
        invocation, prompt,
        lambda password: (password, open_active(repository, practice, password)))
    info = opened[1].info
    out = invocation.out
    if not args.json:
        out(f"Test COV call for {practice.name} ({practice.id}), {practice.environment}")
        out(f"Endpoint     {endpoint}")
        out(f"Certificate  {info.common_name}")
        out(f"             SHA-256 {short_fingerprint(info.sha256)}, valid until "
            f"{local_date(info.not_after, invocation.clock.now())}")
        if info.kind == "personal":
            out("Warning      this is a personal certificate: COV needs the practice's system "
                "certificate")
        if info.not_after <= invocation.clock.now():
            out("Warning      this certificate has expired: the server will refuse it")
        out("")
    diagnosis = run_test(config, repository, practice, password, person,
                         clock=invocation.clock, actor=Actor.current(invocation.env),
                         endpoint=args.endpoint, loaded=opened)
    if args.json:
        print_json(invocation, {"practice": practice.id, "certificate_sha256": stored.info.sha256,
                                **diagnosis.to_dict()})
    else:
        for line in diagnosis.lines():
            out(line)
        out(f"Recorded with {practice.id} (time and outcome only; no personal data).")
    return 0 if diagnosis.ok else 1


def run_fake_cov(invocation: Invocation) -> int:
    """Run the server until Ctrl+C, with a CA file and example client certificates."""
    import secrets

    from vecozo_tui import fsutil, pki
    from vecozo_tui.cov.fake_server import FakeCovServer, files_directory

    args = invocation.args
    out = invocation.out
    now = invocation.clock.now()
    directory = files_directory(args.dir)
    out("Making a demo CA and certificates (a few seconds)...")
    root = pki.make_ca("Demo VECOZO Root CA", now - timedelta(days=30))
    issuing = pki.make_ca("Demo VECOZO Systeemcertificaten CA", now - timedelta(days=30),
                          parent=root)
    names = ["localhost", "127.0.0.1"]
    host = getattr(args, "host", "127.0.0.1") or "127.0.0.1"
    if host not in names and host not in ("0.0.0.0", "::"):  # noqa: S104 - only compared
        names.append(host)
    server_cert = pki.issue(issuing, pki.server_subject("localhost"),
                            not_before=now - timedelta(days=1), not_after=now +
                            timedelta(days=365), client=False, server_names=names)
    chain = [issuing.certificate, root.certificate]
    ca_file = directory / "demo-vecozo-ca.pem"
    fsutil.write_new_file(ca_file, pki.pem(root.certificate) + pki.pem(issuing.certificate),
                          mode=0o644)
    password = secrets.token_urlsafe(12)
    examples = {
        "authorised.pfx": pki.issue(issuing, pki.system_subject("Demo Praktijk", "01000001"),
                                    not_before=now - timedelta(days=1),
                                    not_after=now + timedelta(days=730)),
        "not-authorised.pfx": pki.issue(issuing,
                                        pki.system_subject("Demo Zonder COV", "01000002"),
                                        not_before=now - timedelta(days=1),
                                        not_after=now + timedelta(days=730)),
        "expired.pfx": pki.issue(issuing, pki.system_subject("Demo Verlopen", "01000003"),
                                 not_before=now - timedelta(days=800),
                                 not_after=now - timedelta(days=70)),
    }
    authorised: set[str] = set()
    for name, issued in examples.items():
        fsutil.write_new_file(directory / name, pki.pkcs12_bytes(issued, chain, password))
        if name != "not-authorised.pfx":
            from vecozo_tui.certificates import sha256_hex

            authorised.add(sha256_hex(issued.certificate))
    password_file = directory / "password.txt"
    fsutil.write_new_file(password_file, (password + "\n").encode("utf-8"))

    def event(text: str) -> None:
        out(f"{time.strftime('%H:%M:%S')}  {text}")

    server = FakeCovServer(server_cert, [root.certificate, issuing.certificate], authorised,
                           host=host, port=args.port, on_event=event)
    try:
        server.start()
    except OSError as error:
        raise VecozoError(f"Cannot listen on {host}:{args.port}: "
                          f"{error.strerror or error}.") from None
    url_host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::", "localhost") else host  # noqa: S104
    server.url_host = url_host
    out("")
    out("Fake VECOZO COV server (for trying things out; not VECOZO, not for production)")
    out(f"  URL        {server.url}")
    out(f"  CA file    {ca_file}")
    out(f"  Files      {directory}")
    out("  Client certificates (password in password.txt):")
    out(f"    {directory / 'authorised.pfx'}      authorised for COV")
    out(f"    {directory / 'not-authorised.pfx'}  known, but not authorised for COV")
    out(f"    {directory / 'expired.pfx'}         expired: refused in the TLS handshake")
    out(f"  Password   {password_file}")
    out("  Test person: BSN 999979668, born 1962-03-15 (more in docs/cov.md)")
    out("")
    out("To use it, put this in the configuration:")
    out("  [cov]")
    out(f'  ca_bundle = "{ca_file}"')
    out("  [cov.endpoints]")
    out(f'  acceptance = "{server.url}"')
    out("")
    out("Press Ctrl+C to stop.")
    invocation.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    out("")
    out(f"Stopped. The files are kept in {directory}.")
    return 0
