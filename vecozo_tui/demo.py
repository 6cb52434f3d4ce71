"""The built-in demo: a throw-away repository with example practices in every state,
its own "VECOZO" CA, example .pfx files in the inbox and a local COV server.

Everything is made relative to ``now`` so the demo always shows the same states.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from vecozo_tui import pki
from vecozo_tui.clock import FixedClock
from vecozo_tui.expiry import ExpiryThresholds, next_quarter_start
from vecozo_tui.i18n import _

if TYPE_CHECKING:
    from vecozo_tui.cov.fake_server import FakeCovServer

# Shown on screen by the demo: these files exist only to try an import.
DEMO_PASSWORD = "demo1234"  # noqa: S105 - a published demo password, on purpose
# A production test call asks for a real patient; in the demo this test person of the
# local COV server (fake_server.PERSONS: insured, found) stands in, shown on the screen.
DEMO_TEST_PERSON = ("999979668", "15-03-1962")


@dataclass(frozen=True)
class DemoPractice:
    id: str
    name: str
    agb: str
    environment: str
    days_left: int | None  # None: no certificate yet
    contact: str = ""
    personal: bool = False
    authorised_for_cov: bool = True
    backed_up: bool = False
    tested: bool = False
    # a deploy target under <demo>/practice-software/<id>/: None, "current" (it holds the
    # active certificate) or "stale" (it holds the one before: the practice software still
    # calls VECOZO with the old certificate)
    deployed: str | None = None
    legacy_software: bool = False  # the target wants 3DES (an old Windows program)


def demo_practices(now: datetime, thresholds: ExpiryThresholds = ExpiryThresholds()
                   ) -> list[DemoPractice]:
    # a certificate whose normal renewal window holds the next quarter start but which
    # is still further away than the warning threshold
    quarter = next_quarter_start((now + timedelta(days=thresholds.warning_days)).date())
    crossing_days = (quarter - now.date()).days + 20
    return [
        DemoPractice("hap-delinde",
                     "Huisartsenpraktijk De Linde", "01012345", "production",  # untranslated: name
                     -5, "dr. A. Bakker"),
        DemoPractice("fysio-centrum",
                     "Fysiotherapie Centrum", "04023456", "production", 5,  # untranslated: name
                     "M. Jansen", backed_up=True, tested=True, deployed="current"),
        DemoPractice("tand-smile",
                     "Tandartspraktijk Smile", "12034567", "acceptance", 25,  # untranslated: name
                     "drs. P. de Wit", tested=True),  # untranslated: a name
        DemoPractice("hap-oost", "Huisartsen Oost", "01045678", "production", 55,  # untranslated
                     "dr. L. Visser", backed_up=True, deployed="stale"),
        DemoPractice("hap-zuid",
                     "Huisartsenpraktijk Zuid", "01056789", "acceptance", 400,  # untranslated: name
                     "dr. J. Mulder", backed_up=True, tested=True, deployed="current",
                     legacy_software=True),
        DemoPractice("fysio-nieuw",
                     "Fysio Nieuw-West", "04067890", "acceptance", None,  # untranslated: name
                     "K. Smit"),
        DemoPractice("hap-persoon",
                     "Huisartsen Centrum", "01078901", "acceptance", 300,  # untranslated: name
                     "dr. R. de Boer", personal=True),  # untranslated: a name
        DemoPractice("mond-noord",
                     "Mondzorg Noord", "12089012", "acceptance", crossing_days,  # untranslated
                     "T. Bos", authorised_for_cov=False, backed_up=True),
    ]


def _expiry(now: datetime, days: int) -> datetime:
    """Noon, ``days`` calendar days from today in the zone of ``now``: "in 5 days" and
    "5 days ago" stay true all day (days are counted as calendar days)."""
    return datetime.combine(now.date() + timedelta(days=days), time(12), tzinfo=now.tzinfo)


@dataclass
class Demo:
    directory: Path
    config_path: Path
    now: datetime
    ca_file: Path
    server: FakeCovServer | None = None
    inbox_files: list[Path] = field(default_factory=list)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def build_demo(directory: Path, now: datetime, *, start_server: bool = True) -> Demo:
    """Fill ``directory`` with config, repository, inbox and CA; optionally start the COV server."""
    from vecozo_tui.certificates import load_pkcs12
    from vecozo_tui.config import load_config
    from vecozo_tui.cov.fake_server import FakeCovServer
    from vecozo_tui.deploy import deploy
    from vecozo_tui.repository import Actor, BackupRecord, Repository, TestCallRecord

    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    repository_path = directory / "repository"
    inbox = directory / "inbox"
    backups = directory / "backups"
    for path in (inbox, backups):
        path.mkdir(mode=0o700, exist_ok=True)

    root = pki.make_ca("Demo VECOZO Root CA", now - timedelta(days=800), days=7300)  # untranslated
    issuing = pki.make_ca("Demo VECOZO Systeemcertificaten CA",  # untranslated: name
                          now - timedelta(days=800),
                          days=5000, parent=root)
    chain = [issuing.certificate, root.certificate]
    server = pki.issue(issuing, pki.server_subject("localhost"),
                       not_before=now - timedelta(days=30), not_after=now + timedelta(days=3650),
                       client=False, server_names=["localhost", "127.0.0.1"])
    ca_file = directory / "demo-vecozo-ca.pem"  # untranslated: a file name
    ca_file.write_bytes(b"".join(pki.pem(c) for c in (root.certificate, issuing.certificate)))

    practices = demo_practices(now)
    authorised: set[str] = set()
    cov_server = None
    if start_server:
        cov_server = FakeCovServer(server, [root.certificate, issuing.certificate], authorised)
        cov_server.start()
        endpoint = cov_server.url
    else:
        endpoint = "https://localhost:9/cov/vz801802/v1/soap11"

    software = _practice_software(directory, practices)
    config_path = directory / "config.toml"  # untranslated: a file name
    config_path.write_text(_demo_config(repository_path, inbox, backups, ca_file, endpoint,
                                        practices, software), encoding="utf-8")
    Repository.init(repository_path)
    config = load_config(config_path)  # the demo must be a valid configuration
    repository = Repository(repository_path, clock=FixedClock(now))  # imported "now"
    actor = Actor(user="demo", ssh_client=None)

    for practice in practices:
        if practice.days_left is None:
            continue
        expiry = _expiry(now, practice.days_left)
        if practice.personal:
            subject = pki.personal_subject("Rob",
                                           "de Boer", practice.name, practice.agb)  # untranslated
        else:
            subject = pki.system_subject(practice.name, practice.agb)
        if practice.deployed == "stale":  # the practice software has the one before it
            _import_and_deploy(repository, config.practice(practice.id), chain, actor, now,
                               pki.issue(issuing, subject,
                                         not_before=expiry - timedelta(days=1460),
                                         not_after=expiry - timedelta(days=730)))
        issued = pki.issue(issuing, subject, not_before=expiry - timedelta(days=730),
                           not_after=expiry)
        loaded = load_pkcs12(pki.pkcs12_bytes(issued, chain, DEMO_PASSWORD), DEMO_PASSWORD)
        stored = repository.import_certificate(practice.id, loaded, DEMO_PASSWORD, actor=actor)
        if practice.deployed == "current":
            deploy(repository, config.practice(practice.id), DEMO_PASSWORD, actor=actor,
                   now=now, loaded=loaded)
        if practice.authorised_for_cov and not practice.personal:
            authorised.add(stored.info.sha256)
        if practice.backed_up:
            repository.record_backup(practice.id, BackupRecord(
                at=now - timedelta(days=20), sha256=stored.info.sha256,
                target=str(backups), verified=True), actor=actor)
        if practice.tested:
            repository.record_test_call(practice.id, TestCallRecord(
                at=now - timedelta(days=3), sha256=stored.info.sha256,
                environment=practice.environment, ok=True,
                summary=_("COV answered: insured person found")), actor=actor)

    inbox_files = _fill_inbox(inbox, issuing, chain, now, practices, authorised)
    return Demo(directory=directory, config_path=config_path, now=now, ca_file=ca_file,
                server=cov_server, inbox_files=inbox_files)


# The demo's "practice software": a reload command that notes what it was told.
RELOAD_SCRIPT = """\
# Demo hook: what a real one does is restart the practice software (systemctl restart
# ..., or an ssh command to a Windows server). This one only writes down what it got.
import datetime, os
line = (f"{datetime.datetime.now():%Y-%m-%d %H:%M:%S} reloaded the practice software of "
        f"{os.environ['VECOZO_PRACTICE_ID']}: {os.environ['VECOZO_DEPLOY_PATH']} now holds "
        f"{os.environ['VECOZO_CERTIFICATE_SHA256'][:16]}..., valid until "
        f"{os.environ['VECOZO_CERTIFICATE_NOT_AFTER'][:10]}")
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "reload.log"), "a") as log:
    log.write(line + "\\n")
print(line)
"""  # untranslated: the hook script


def _practice_software(directory: Path, practices: list[DemoPractice]) -> Path:
    """Where the demo's practice software reads its certificates: a directory per
    practice with a deploy target, and the reload hook."""
    software = directory / "practice-software"
    software.mkdir(mode=0o700, exist_ok=True)
    for practice in practices:
        if practice.deployed:
            (software / practice.id).mkdir(mode=0o700, exist_ok=True)
    (software / "reload.py").write_text(RELOAD_SCRIPT, encoding="utf-8")  # untranslated: name
    return software


def _import_and_deploy(repository, practice, chain: list, actor, now: datetime,
                       issued: pki.Issued) -> None:
    from vecozo_tui.certificates import load_pkcs12
    from vecozo_tui.deploy import deploy

    loaded = load_pkcs12(pki.pkcs12_bytes(issued, chain, DEMO_PASSWORD), DEMO_PASSWORD)
    repository.import_certificate(practice.id, loaded, DEMO_PASSWORD, actor=actor)
    deploy(repository, practice, DEMO_PASSWORD, actor=actor, now=now - timedelta(days=700),
           loaded=loaded)


def _fill_inbox(inbox: Path, issuing: pki.Issued, chain: list, now: datetime,
                practices: list[DemoPractice], authorised: set[str]) -> list[Path]:
    """Example exports to try an import with: renewals, a personal one, a legacy one, junk.

    A renewal keeps the COV authorisation of its practice, so a test call works right
    after importing one (``authorised`` is the fake COV server's set, filled here).
    """
    from vecozo_tui.certificates import sha256_hex

    by_id = {p.id: p for p in practices}
    files = []

    def renewal(practice_id: str) -> pki.Issued:
        practice = by_id[practice_id]
        renewed = _renewal(practice)
        if practice.authorised_for_cov:
            authorised.add(sha256_hex(renewed.certificate))
        return renewed

    def _renewal(practice: DemoPractice) -> pki.Issued:
        old_expiry = _expiry(now, practice.days_left or 0)
        # renewing keeps the term: the new certificate starts at the old expiry (seed 001)
        start = max(old_expiry, now) if practice.days_left is not None else now
        return pki.issue(issuing, pki.system_subject(practice.name, practice.agb),
                         not_before=min(start, now), not_after=start + timedelta(days=730))

    examples = [
        ("fysio-centrum-verlengd.pfx", renewal("fysio-centrum"), "modern"),  # untranslated: name
        ("hap-delinde-nieuw.pfx", renewal("hap-delinde"), "modern"),  # untranslated: a file name
        ("fysio-nieuw-west.p12", renewal("fysio-nieuw"), "modern"),
        ("tand-smile-windows2016.pfx", renewal("tand-smile"), "3des"),
        ("persoonlijk-r-de-boer.pfx", pki.issue(  # untranslated: a file name
            issuing, pki.personal_subject("Rob", "de Boer",  # untranslated: a name
                                          "Huisartsen Centrum", "01078901"),  # untranslated
            not_before=now, not_after=now + timedelta(days=730)), "modern"),
    ]
    for name, issued, encoding in examples:
        path = inbox / name
        path.write_bytes(pki.pkcs12_bytes(issued, chain, DEMO_PASSWORD, encoding=encoding))
        files.append(path)
    broken = inbox / "kapot-bestand.pfx"  # untranslated: a file name
    broken.write_bytes(b"This is not a certificate; it shows the message for a corrupt file.\n")
    files.append(broken)
    (inbox / "LEESMIJ.txt").write_text(  # untranslated: a file name
        _("Demo inbox. Every demo .pfx/.p12 here has the password: {demo_password}\n").format(
            demo_password=DEMO_PASSWORD),
        encoding="utf-8")
    return files


def _toml_string(value: str | Path) -> str:
    import json

    return json.dumps(str(value))  # a JSON string is a valid TOML basic string


def _demo_config(repository: Path, inbox: Path, backups: Path, ca_file: Path, endpoint: str,
                 practices: list[DemoPractice], software: Path) -> str:
    lines = [
        _("# Demo configuration, written by `vecozo-tui demo`."),
        "[repository]", f"path = {_toml_string(repository)}", "",
        "[import]", f"inbox = {_toml_string(inbox)}", "",
        "[backup]", f"default_target = {_toml_string(backups)}", "",
        "[cov]", f"ca_bundle = {_toml_string(ca_file)}", "timeout_seconds = 10", "",
        "[cov.endpoints]",  # untranslated: config table
        *(f"{env} = {_toml_string(endpoint)}" for env in ("production", "acceptance", "test")),
        "",
    ]
    for practice in practices:
        lines += ["[[practices]]", f"id = {_toml_string(practice.id)}",
                  f"name = {_toml_string(practice.name)}", f"agb = {_toml_string(practice.agb)}",
                  f"environment = {_toml_string(practice.environment)}"]
        if practice.contact:
            lines.append(f"contact = {_toml_string(practice.contact)}")
        if practice.deployed:
            lines += ["", "[[practices.deploy]]",  # untranslated: config table
                      f"path = {_toml_string(software / practice.id / 'vecozo.pfx')}",
                      "format = " + _toml_string("pkcs12-legacy" if practice.legacy_software
                                                 else "pkcs12"),
                      "command = [" + ", ".join(_toml_string(part) for part in (
                          sys.executable, software / "reload.py")) + "]",  # untranslated: name
                      "timeout_seconds = 20"]
        lines.append("")
    return "\n".join(lines)


@contextlib.contextmanager
def running_demo(now: datetime, *, keep: bool = False, directory: Path | None = None
                 ) -> Iterator[Demo]:
    """A demo for the length of a ``with`` block; removed afterwards unless ``keep``."""
    if directory is not None and Path(directory).exists() and any(Path(directory).iterdir()):
        from vecozo_tui.errors import VecozoError

        raise VecozoError(_("{directory} is not empty; the demo needs an empty directory.").format(
            directory=directory))
    target = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="vecozo-demo-"))
    demo = build_demo(target, now)
    try:
        yield demo
    finally:
        demo.stop()
        if not keep:
            shutil.rmtree(target, ignore_errors=True)


