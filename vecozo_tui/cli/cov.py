"""``test-cov`` (a test COV call, step by step) and ``fake-cov`` (the local server)."""

from __future__ import annotations

import getpass
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

from vecozo_tui.bsn import bsn_problem
from vecozo_tui.cli.common import (
    find_practice,
    load_config_and_repository,
    machine_language,
    print_json,
)
from vecozo_tui.cli.output import environment_word, field, label_width
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
from vecozo_tui.i18n import N_, _

if TYPE_CHECKING:
    from vecozo_tui.cli.main import Invocation
    from vecozo_tui.config import Config, Practice
    from vecozo_tui.cov.diagnosis import TestPerson


# the columns of test-cov's and fake-cov's "Label  value" lines
TEST_LABEL_WIDTH = 13
FAKE_LABEL_WIDTH = 11


def _read_person(invocation: Invocation, config: Config, practice: Practice) -> TestPerson:
    args = invocation.args
    if not needs_real_person(practice):
        return test_person(config, practice, birth_date=args.birth_date)
    if args.birth_date:
        # every local user can read a process's arguments (ps, /proc/<pid>/cmdline)
        raise VecozoError(_(
            "In production the patient's date of birth is never taken from the command line, "
            "where every user of this server can read it. Set ${variable} or run at a "
            "terminal to be asked (not shown, not stored); --birth-date is only for the "
            "test person of acceptance and test.").format(variable=BIRTH_DATE_ENV))
    bsn = invocation.env.get(BSN_ENV)
    if bsn is None:
        if not invocation.stdin.isatty():
            raise VecozoError(_(
                "{practice} is a production practice: a test call needs a real patient's "
                "BSN. Set ${variable} or run at a terminal to be asked (it is not shown and "
                "not stored; it is never accepted as a command-line argument).").format(
                practice=practice.id, variable=BSN_ENV))
        bsn = getpass.getpass(_("BSN of the patient (not shown, not stored): "))
    problem = bsn_problem(bsn)
    if problem:
        raise VecozoError(problem)
    birth = invocation.env.get(BIRTH_DATE_ENV)
    if not birth:
        if not invocation.stdin.isatty():
            raise VecozoError(_("A test call in production needs the patient's date of "
                                "birth: set ${variable} (DD-MM-YYYY) or run at a terminal to "
                                "be asked.").format(variable=BIRTH_DATE_ENV))
        birth = getpass.getpass(_("Date of birth of the patient (DD-MM-YYYY; not shown, not "
                                  "stored): "))
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
    prompt = _("Password of the certificate of {practice}: ").format(practice=practice.id)
    password, opened = with_password_retries(
        invocation, prompt,
        lambda password: (password, open_active(repository, practice, password)))
    info = opened[1].info
    out = invocation.out
    if not args.json:
        out(_("Test COV call for {name} ({practice}), {environment}").format(
            name=practice.name, practice=practice.id,
            environment=environment_word(practice.environment)))
        out(field(_("Endpoint"), endpoint, TEST_LABEL_WIDTH))
        out(field(_("Certificate"), info.common_name, TEST_LABEL_WIDTH))
        out(field("", _("SHA-256 {fingerprint}, valid until {date}").format(
            fingerprint=short_fingerprint(info.sha256),
            date=local_date(info.not_after, invocation.clock.now())), TEST_LABEL_WIDTH))
        if info.kind == "personal":
            out(field(_("Warning"), _("this is a personal certificate: COV needs the "
                                      "practice's system certificate"), TEST_LABEL_WIDTH))
        if info.not_after <= invocation.clock.now():
            out(field(_("Warning"), _("this certificate has expired: the server will refuse "
                                      "it"), TEST_LABEL_WIDTH))
        out("")
    with machine_language(args.json):
        diagnosis = run_test(config, repository, practice, password, person,
                             clock=invocation.clock, actor=Actor.current(invocation.env),
                             endpoint=args.endpoint, loaded=opened)
    if args.json:
        print_json(invocation, {"practice": practice.id, "certificate_sha256": stored.info.sha256,
                                **diagnosis.to_dict()})
    else:
        for line in diagnosis.lines():
            out(line)
        out(_("Recorded with {practice} (time and outcome only; no personal data).").format(
            practice=practice.id))
    return 0 if diagnosis.ok else 1


def run_fake_cov(invocation: Invocation) -> int:
    """Run the server until Ctrl+C, with a CA file and example client certificates."""
    import secrets

    from vecozo_tui import fsutil, pki
    from vecozo_tui.cov.fake_server import FakeCovServer, files_directory
    from vecozo_tui.textfmt import short_date

    args = invocation.args
    out = invocation.out
    now = invocation.clock.now()
    directory = files_directory(args.dir)
    out(_("Making a demo CA and certificates (a few seconds)..."))
    root = pki.make_ca("Demo VECOZO Root CA",  # untranslated: a certificate's name
                       now - timedelta(days=30))
    issuing = pki.make_ca("Demo VECOZO Systeemcertificaten CA",  # untranslated: a name
                          now - timedelta(days=30), parent=root)
    names = ["localhost", "127.0.0.1"]
    host = getattr(args, "host", "127.0.0.1") or "127.0.0.1"
    if host not in names and host not in ("0.0.0.0", "::"):  # noqa: S104 - only compared
        names.append(host)
    server_cert = pki.issue(issuing, pki.server_subject("localhost"),
                            not_before=now - timedelta(days=1), not_after=now +
                            timedelta(days=365), client=False, server_names=names)
    chain = [issuing.certificate, root.certificate]
    ca_file = directory / "demo-vecozo-ca.pem"  # untranslated: file name
    fsutil.write_new_file(ca_file, pki.pem(root.certificate) + pki.pem(issuing.certificate),
                          mode=0o644)
    password = secrets.token_urlsafe(12)
    # the example files: practice name and AGB code in the certificate, days valid from, to
    lifetimes = {
        "authorised.pfx": ("Demo Praktijk", "01000001", -1, 730),  # untranslated: name
        "not-authorised.pfx": ("Demo Zonder COV", "01000002", -1, 730),  # untranslated: name
        "expired.pfx": ("Demo Verlopen", "01000003", -800, -70),  # untranslated: name
    }
    examples = {
        name: pki.issue(issuing, pki.system_subject(practice, agb),
                        not_before=now + timedelta(days=start),
                        not_after=now + timedelta(days=end))
        for name, (practice, agb, start, end) in lifetimes.items()
    }
    authorised: set[str] = set()
    for name, issued in examples.items():
        fsutil.write_new_file(directory / name, pki.pkcs12_bytes(issued, chain, password))
        if name != "not-authorised.pfx":  # untranslated: file name
            from vecozo_tui.certificates import sha256_hex

            authorised.add(sha256_hex(issued.certificate))
    password_file = directory / "password.txt"  # untranslated: file name
    fsutil.write_new_file(password_file, (password + "\n").encode("utf-8"))

    def event(text: str) -> None:
        out(f"{time.strftime('%H:%M:%S')}  {text}")

    server = FakeCovServer(server_cert, [root.certificate, issuing.certificate], authorised,
                           host=host, port=args.port, on_event=event)
    try:
        server.start()
    except OSError as error:
        raise VecozoError(_("Cannot listen on {host}:{port}: {reason}.").format(
            host=host, port=args.port, reason=error.strerror or error)) from None
    url_host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::", "localhost") else host  # noqa: S104
    server.url_host = url_host
    out("")
    out(_("Fake VECOZO COV server (for trying things out; not VECOZO, not for production)"))
    # two spaces at least after the longest label (Dutch "CA-bestand", "Wachtwoord")
    width = label_width(*(f"{_(label)} " for label in (N_("CA file"), N_("Files"),
                                                         N_("Password"))),
                        least=FAKE_LABEL_WIDTH)
    out("  " + field("URL", str(server.url), width))
    out("  " + field(_("CA file"), str(ca_file), width))
    out("  " + field(_("Files"), str(directory), width))
    out(_("  Client certificates (password in password.txt):"))
    out(f"    {directory / 'authorised.pfx'}      " + _("authorised for COV"))
    out(f"    {directory / 'not-authorised.pfx'}  " + _("known, but not authorised for COV"))
    out(f"    {directory / 'expired.pfx'}         " + _("expired: refused in the TLS "
                                                       "handshake"))
    out("  " + field(_("Password"), str(password_file), width))
    out(_("  Test person: BSN 999979668, born {date} (more in docs/cov.md)").format(
        date=short_date(date(1962, 3, 15))))
    out("")
    out(_("To use it, put this in the configuration:"))
    out("  [cov]")
    out(f'  ca_bundle = "{ca_file}"')
    out("  [cov.endpoints]")  # untranslated: configuration text
    out(f'  acceptance = "{server.url}"')
    out("")
    out(_("Press Ctrl+C to stop."))
    invocation.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    out("")
    out(_("Stopped. The files are kept in {directory}.").format(directory=directory))
    return 0
