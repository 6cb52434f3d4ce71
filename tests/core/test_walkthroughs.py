"""Walkthroughs: the checklist content from the seeds, progress that survives restarts,
automatic ticks from the repository's events, audit entries and the exported record."""

from __future__ import annotations

import argparse
import io
import json
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.factory import sha256
from vecozo_tui import walkthroughs as wt
from vecozo_tui.cli.exit_codes import EXIT_OK, EXIT_USAGE
from vecozo_tui.cli.main import Invocation
from vecozo_tui.cli.walkthrough import run_walkthrough
from vecozo_tui.errors import VecozoError

PASSWORD = "geheim-1"



def colon(fp: str) -> str:
    return ":".join(fp[i:i + 2] for i in range(0, len(fp), 2))


@pytest.fixture
def store(tmp_path, clock, test_pki):
    from vecozo_tui.repository import Actor, Repository

    root = tmp_path / "repository"
    actor = Actor(user="alice", ssh_client="192.0.2.10")
    Repository.init(root, clock=clock, actor=actor)
    repository = Repository(root, clock=clock)
    old = test_pki.system(days_valid=730, starts_days_ago=700)
    ns = SimpleNamespace(root=root, repository=repository, actor=actor, clock=clock,
                         old=old, tmp=tmp_path, test_pki=test_pki)
    import_cert(ns, old)
    return ns


def import_cert(store, issued, practice: str = "hap-zuid"):
    from vecozo_tui.certificates import load_pkcs12

    data = store.test_pki.pfx(issued, PASSWORD).read_bytes()
    return store.repository.import_certificate(practice, load_pkcs12(data, PASSWORD), PASSWORD,
                                               actor=store.actor)


def record_test_call(store, issued, ok: bool = True):
    from vecozo_tui.repository import TestCallRecord

    store.repository.record_test_call("hap-zuid", TestCallRecord(
        at=store.clock.now(), sha256=sha256(issued), environment="production", ok=ok,
        summary="COV answered" if ok else "TLS handshake failed"), actor=store.actor)


def record_backup(store, issued, verified: bool = True):
    from vecozo_tui.repository import BackupRecord

    store.repository.record_backup("hap-zuid", BackupRecord(
        at=store.clock.now(), sha256=sha256(issued), target="/media/usb", verified=verified),
        actor=store.actor)


def audit(store) -> list[dict]:
    text = (store.root / "audit.log").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def practice():
    from vecozo_tui.config import Practice

    return Practice(id="hap-zuid", name="Huisartsenpraktijk Zuid", agb="01234567",
                    environment="production", contact="dr. J. Mulder", notes="",
                    deploy_target=None)


# --- content -----------------------------------------------------------------------------


def test_every_walkthrough_is_well_formed():
    assert set(wt.KINDS) == {"renew", "new", "recover", "backup"}
    context = wt.RenderContext("hap-zuid", "Zuid", "01234567", inbox="/srv/inbox",
                               host="srv.example.nl", user="beheer")
    for walkthrough in wt.WALKTHROUGHS.values():
        keys = [step.key for step in walkthrough.steps]
        assert len(keys) == len(set(keys)), walkthrough.kind
        assert all(re.fullmatch(r"[a-z][a-z-]*", key) for key in keys)
        for step in walkthrough.steps:
            assert step.check is None or step.check in wt.CHECKS
            text = wt.render_step(step, context)
            assert "{" not in text and "}" not in text, (walkthrough.kind, step.key)
            for line in text.splitlines():
                assert len(line) <= 76 or line.startswith("  "), line


def test_renew_follows_the_seeds():
    renew = wt.get_walkthrough("renew")
    assert [s.key for s in renew.steps] == [
        "pin", "renew", "export", "copy", "import", "deploy", "test-call", "backup",
        "remove-old", "next-renewal"]
    assert [s.check for s in renew.steps if s.check] == [
        "imported_newer", "deployed_to_software", "test_call_ok_after_import",
        "verified_backup"]
    body = {s.key: s.body for s in renew.steps}
    assert "pincode" in body["pin"]
    assert "oorspronkelijke verloopdatum" in body["renew"]
    assert "1 April" in body["renew"]
    for dialog in ("Internetopties", "'Inhoud'", "'Certificaten'", "'Exporteren'",
                   "Ja, de persoonlijke sleutel exporteren",
                   "Indien mogelijk alle certificaten in het certificeringspad\n     "
                   "opnemen", "Alle uitgebreide eigenschappen exporteren",
                   "Certificaten bekijken", "Uw certificaten", "Reservekopie maken",
                   "Sleutelhangertoegang", "verloopdatum", ".p12 or .pfx"):
        assert dialog in body["export"], dialog
    assert "ander\nopslagmedium" in body["backup"]


def test_new_and_recover_follow_the_seeds():
    new = {s.key: s.body for s in wt.get_walkthrough("new").steps}
    assert "arts" in new["request"] and "afgewezen" in new["request"]
    assert "gebruikersnummer" in new["credentials"] and "pincode" in new["credentials"]
    assert "e-mail" in new["credentials"] and "post" in new["credentials"]
    assert "60 dagen" in new["install"]
    assert [s.key for s in wt.get_walkthrough("new").steps][4:10] == [
        "export", "copy", "import", "deploy", "test-call", "backup"]
    recover = {s.key: s.body for s in wt.get_walkthrough("recover").steps}
    assert "géén" in recover["situation"]
    assert "opnieuw installeren" in wt.get_walkthrough("recover").steps[2].title
    move = wt.get_walkthrough("backup")
    assert move.steps[0].check == "verified_backup"
    assert "vecozo-tui import" in move.steps[2].body


def test_render_shows_scp_to_this_server_and_dates(store, now):
    context = wt.make_context(practice(), store.repository, inbox="/srv/vecozo inbox",
                              host="praktijk-server.example.nl", env={"USER": "beheer"})
    copy = wt.render_step(wt.get_walkthrough("renew").step("copy"), context)
    assert "scp hap-zuid.pfx beheer@praktijk-server.example.nl:'/srv/vecozo inbox/'" in copy
    pin = wt.render_step(wt.get_walkthrough("renew").step("pin"), context)
    assert "dr. J. Mulder" in pin
    renew = wt.render_step(wt.get_walkthrough("renew").step("renew"), context)
    assert store.old.certificate.not_valid_after_utc.date().isoformat() in renew
    # the host name comes from the system unless overridden
    default = wt.make_context(practice(), store.repository, inbox="/in", env={})
    import socket

    assert default.host == socket.getfqdn()
    assert wt.make_context(practice(), store.repository, inbox="/in",
                           env={"VECOZO_TUI_HOST": "via-env"}).host == "via-env"


def test_next_renewal_date_after_the_import(store, now):
    from vecozo_tui.expiry import ExpiryThresholds, renewal_start

    progress = wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now)
    step = wt.get_walkthrough("renew").step("next-renewal")
    before = wt.make_context(practice(), store.repository, inbox="/in", progress=progress)
    assert "known after the import" in wt.render_step(step, before)
    new = store.test_pki.system(days_valid=800)
    import_cert(store, new)
    after = wt.make_context(practice(), store.repository, inbox="/in", progress=progress)
    text = wt.render_step(step, after)
    expiry = new.certificate.not_valid_after_utc
    assert expiry.date().isoformat() in text
    assert renewal_start(expiry, ExpiryThresholds()).isoformat() in text


def test_render_without_width_gives_one_line_per_paragraph():
    step = wt.get_walkthrough("renew").step("renew")
    text = wt.render_step(step, wt.RenderContext("p"), width=None)
    assert text.splitlines()[0].startswith("On a workstation")
    assert text.splitlines()[0].endswith("without a person's name.")


def test_unknown_kind_and_step(store, now):
    with pytest.raises(VecozoError, match="renew, new, recover, backup"):
        wt.get_walkthrough("verlengen")
    with pytest.raises(VecozoError, match="no step 'nope'"):
        wt.tick(store.repository, "hap-zuid", "renew", "nope", actor=store.actor, now=now)
    assert wt.get_walkthrough("renew").step("3").key == "export"


# --- progress ----------------------------------------------------------------------------


def test_progress_survives_a_restart_and_another_session(store, now, clock):
    from vecozo_tui.repository import Actor, Repository

    progress = wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now)
    assert progress.baseline_sha256 == sha256(store.old)
    assert progress.baseline_not_after == store.old.certificate.not_valid_after_utc
    wt.tick(store.repository, "hap-zuid", "renew", "pin", note="PIN letter in the safe",
            actor=store.actor, now=now)

    # a second SSH session, a new process: a new Repository on the same directory
    bob = Actor(user="bob", ssh_client="198.51.100.4")
    other = Repository(store.root, clock=clock)
    resumed = wt.start(other, "hap-zuid", "renew", actor=bob, now=now + timedelta(hours=1))
    assert resumed.started_by == "alice from 192.0.2.10"
    assert resumed.is_done("pin")
    assert resumed.state("pin").note == "PIN letter in the safe"
    later = now + timedelta(hours=2)
    wt.tick(other, "hap-zuid", "renew", "renew", actor=bob, now=later)

    again = wt.load(Repository(store.root), "hap-zuid", "renew")
    assert again is not None and again.done_count == 2
    assert again.state("renew").by == "bob from 198.51.100.4"
    assert again.state("renew").at == later
    assert again.next_step.key == "export"
    assert again.summary() == "renew 2/10"


def test_untick_and_note_handling(store, now):
    wt.tick(store.repository, "hap-zuid", "backup", "password", note="in the safe",
            actor=store.actor, now=now)
    progress = wt.tick(store.repository, "hap-zuid", "backup", "password", done=False,
                       actor=store.actor, now=now)
    assert not progress.is_done("password")
    assert progress.state("password").note == "in the safe"  # None keeps the note
    progress = wt.tick(store.repository, "hap-zuid", "backup", "password", done=True, note="",
                       actor=store.actor, now=now)
    assert progress.state("password").note is None


def test_start_resumes_unless_restarted(store, now):
    wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now)
    wt.tick(store.repository, "hap-zuid", "renew", "pin", actor=store.actor, now=now)
    assert wt.start(store.repository, "hap-zuid", "renew", actor=store.actor,
                    now=now).is_done("pin")
    fresh = wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now,
                     restart=True)
    assert fresh.done_count == 0


def test_ticks_are_audited_without_the_note(store, now):
    secret_note = "envelope in drawer 3, code 4711"
    wt.tick(store.repository, "hap-zuid", "renew", "pin", note=secret_note,
            actor=store.actor, now=now)
    entries = [e for e in audit(store) if e.get("action") == "walkthrough-tick"]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["practice"] == "hap-zuid"
    assert "renew" in json.dumps(entry) and "pin" in json.dumps(entry)
    assert entry.get("user") == "alice" or "alice" in json.dumps(entry)
    log = (store.root / "audit.log").read_text(encoding="utf-8")
    assert secret_note not in log and "drawer" not in log
    assert any(e.get("action") == "walkthrough-start" for e in audit(store))


# --- automatic checks --------------------------------------------------------------------


def test_deploy_step_ticks_itself_once_every_target_holds_the_new_certificate(store, now):

    from vecozo_tui.config import DeployTarget
    from vecozo_tui.deploy import deploy

    software = store.tmp / "his"
    software.mkdir()
    targets = (DeployTarget(path=software / "a.pfx"), DeployTarget(path=software / "b.pfx"))
    with_targets = practice()._replace(deploy=targets)
    repository = store.repository

    def refresh():
        return wt.refresh_automatic(repository, "hap-zuid", "renew", now, actor=store.actor,
                                    deploy_targets=targets)

    wt.start(repository, "hap-zuid", "renew", actor=store.actor, now=now)
    deploy(repository, with_targets, PASSWORD, actor=store.actor, now=now)
    assert not refresh().is_done("deploy")  # the old certificate in place does not count
    new = store.test_pki.system(days_valid=800)
    import_cert(store, new)
    deploy(repository, with_targets, PASSWORD, actor=store.actor, now=now, number=1)
    assert not refresh().is_done("deploy")  # one of two targets
    deploy(repository, with_targets, PASSWORD, actor=store.actor, now=now, number=2)
    progress = refresh()
    assert progress.is_done("deploy") and progress.state("deploy").automatic
    # without deploy targets it is ticked by hand
    wt.start(repository, "hap-zuid", "new", actor=store.actor, now=now)
    assert not wt.refresh_automatic(repository, "hap-zuid", "new", now).is_done("deploy")
    context = wt.make_context(with_targets, repository, inbox="/srv/inbox")
    body = wt.render_step(wt.get_walkthrough("renew").step("deploy"), context)
    assert f"\n  {software / 'a.pfx'}\n" in body and "vecozo-tui deploy hap-zuid" in body
    reminder = practice()._replace(deploy_target="his:C:/HIS/vecozo.pfx")
    body = wt.render_step(wt.get_walkthrough("renew").step("deploy"),
                          wt.make_context(reminder, repository, inbox="/srv/inbox"))
    assert "No deploy target is configured" in body and "C:/HIS/vecozo.pfx" in body


def test_a_walkthrough_finished_before_the_deploy_step_existed_stays_finished(store, now):
    from vecozo_tui.walkthroughs.progress import state_name

    progress = wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now)
    for step in progress.walkthrough.steps:
        progress = wt.tick(store.repository, "hap-zuid", "renew", step.key, actor=store.actor,
                           now=now)
    data = store.repository.read_state("hap-zuid", state_name("renew"))
    del data["steps"]["deploy"]  # as written by a version without the step
    store.repository.write_state("hap-zuid", state_name("renew"), data, actor=store.actor,
                                 action="test")
    again = wt.load(store.repository, "hap-zuid", "renew")
    assert again.finished and again.done_count == again.total - 1
    assert wt.progress_summary(store.repository, "hap-zuid") == "renew done"
    # unticking a step still reopens it
    again = wt.tick(store.repository, "hap-zuid", "renew", "pin", done=False,
                    actor=store.actor, now=now)
    assert not again.finished and again.finished_at is None


def test_automatic_steps_tick_themselves_in_order_of_events(store, now, clock):
    repository = store.repository
    wt.start(repository, "hap-zuid", "renew", actor=store.actor, now=now)

    # a test call and a backup of the OLD certificate do not count for the renewal
    record_test_call(store, store.old)
    record_backup(store, store.old)
    progress = wt.refresh_automatic(repository, "hap-zuid", "renew", clock.now(),
                                    actor=store.actor)
    assert progress.done_count == 0

    clock.advance(hours=1)
    new = store.test_pki.system(days_valid=800)
    import_cert(store, new)
    progress = wt.refresh_automatic(repository, "hap-zuid", "renew", clock.now(),
                                    actor=store.actor)
    assert progress.is_done("import") and progress.state("import").automatic
    assert progress.state("import").by == "automatic"
    assert not progress.is_done("test-call")  # the last test call was before the import
    assert not progress.is_done("backup")     # the last backup is of the old certificate

    clock.advance(minutes=5)
    record_test_call(store, new, ok=False)
    progress = wt.refresh_automatic(repository, "hap-zuid", "renew", clock.now())
    assert not progress.is_done("test-call")
    record_test_call(store, new, ok=True)
    progress = wt.refresh_automatic(repository, "hap-zuid", "renew", clock.now())
    assert progress.is_done("test-call") and progress.state("test-call").at == clock.now()

    record_backup(store, new, verified=False)
    assert not wt.refresh_automatic(repository, "hap-zuid", "renew",
                                    clock.now()).is_done("backup")
    record_backup(store, new)
    progress = wt.refresh_automatic(repository, "hap-zuid", "renew", clock.now())
    assert progress.is_done("backup")
    assert progress.done_count == 3

    # each automatic tick is audited once, however often the screen refreshes
    for _ in range(3):
        wt.refresh_automatic(repository, "hap-zuid", "renew", clock.now())
    automatic = [e for e in audit(store) if e.get("action") == "walkthrough-tick"]
    assert len(automatic) == 3
    ticked = " ".join(json.dumps(e) for e in automatic)
    assert "import" in ticked and "test-call" in ticked and "backup" in ticked


def test_a_new_practice_counts_any_import(store, now, clock):
    wt.start(store.repository, "fysio-oost", "new", actor=store.actor, now=now)
    progress = wt.refresh_automatic(store.repository, "fysio-oost", "new", now)
    assert not progress.is_done("import")
    import_cert(store, store.test_pki.system("Fysiotherapie Oost", "04011111"),
                practice="fysio-oost")
    progress = wt.refresh_automatic(store.repository, "fysio-oost", "new", now)
    assert progress.is_done("import")
    assert progress.baseline_sha256 is None


def test_backup_walkthrough_ticks_on_a_verified_backup_of_the_active(store, now, clock):
    record_backup(store, store.old)  # an older backup does not count: a fresh one is asked
    clock.advance(minutes=1)
    wt.start(store.repository, "hap-zuid", "backup", actor=store.actor, now=clock.now())
    assert not wt.refresh_automatic(store.repository, "hap-zuid", "backup",
                                    clock.now()).is_done("backup")
    assert not wt.refresh_automatic(store.repository, "hap-zuid", "backup",
                                    now).is_done("backup")
    record_backup(store, store.old)
    assert wt.refresh_automatic(store.repository, "hap-zuid", "backup", now).is_done("backup")


def test_a_real_backup_ticks_the_backup_step(store, now, tmp_path):
    from vecozo_tui.backup import make_backup

    wt.start(store.repository, "hap-zuid", "backup", actor=store.actor, now=now)
    target = tmp_path / "usb"
    target.mkdir()
    make_backup(store.repository, "hap-zuid", target, PASSWORD, actor=store.actor, now=now)
    assert wt.refresh_automatic(store.repository, "hap-zuid", "backup", now).is_done("backup")


def test_refresh_of_a_walkthrough_never_started(store, now):
    assert wt.refresh_automatic(store.repository, "hap-zuid", "renew", now) is None


# --- dashboard and record -----------------------------------------------------------------


def test_progress_summary(store, now):
    assert wt.progress_summary(store.repository, "hap-zuid") is None
    wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now)
    for key in ("pin", "renew", "export", "copy"):
        wt.tick(store.repository, "hap-zuid", "renew", key, actor=store.actor, now=now)
    assert wt.progress_summary(store.repository, "hap-zuid") == "renew 4/10"
    wt.start(store.repository, "hap-zuid", "backup", actor=store.actor, now=now)
    assert wt.progress_summary(store.repository, "hap-zuid") == "renew 4/10"  # only opened
    wt.tick(store.repository, "hap-zuid", "backup", "password", actor=store.actor, now=now)
    assert wt.progress_summary(store.repository, "hap-zuid") == "renew 4/10, backup 1/4"
    for step in wt.get_walkthrough("backup").steps:
        progress = wt.tick(store.repository, "hap-zuid", "backup", step.key,
                           actor=store.actor, now=now)
    assert progress.finished and progress.finished_at == now
    # a finished one stays in the column: the dashboard shows the work was done
    assert wt.progress_summary(store.repository, "hap-zuid") == "renew 4/10, backup done"


def test_export_record(store, now, clock):
    wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now)
    wt.tick(store.repository, "hap-zuid", "renew", "pin", note="dr. Mulder had the letter\n"
            "second line", actor=store.actor, now=now)
    clock.advance(hours=1)
    new = store.test_pki.system(days_valid=800)
    import_cert(store, new)
    wt.refresh_automatic(store.repository, "hap-zuid", "renew", clock.now())
    record = wt.export_record(store.repository, practice(), "renew", clock.now())
    assert record.startswith("# Renew the system certificate: Huisartsenpraktijk Zuid "
                             "(hap-zuid)")
    assert "AGB code: 01234567" in record
    assert "by alice from 192.0.2.10" in record
    assert f"Certificate before: SHA-256 {colon(sha256(store.old))}" in record
    assert f"Certificate after: SHA-256 {colon(sha256(new))}" in record
    assert "1. [x] The contact person has the PIN at hand: 2026-11-22 09:30" in record
    assert "   > dr. Mulder had the letter" in record and "   > second line" in record
    assert "5. [x] Import it into the repository" in record
    assert "(checked automatically)" in record
    assert "6. [ ] Put it where the practice software reads it" in record
    assert "7. [ ] Prove it works" in record
    assert "2 of 10 steps done" in record
    with pytest.raises(VecozoError, match="never started"):
        wt.export_record(store.repository, practice(), "new", now)


# --- the command -------------------------------------------------------------------------


@pytest.fixture
def command(store, tmp_path, clock):
    config = tmp_path / "config.toml"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config.write_text(
        f"""
[repository]
path = "{store.root}"

[import]
inbox = "{inbox}"

[[practices]]
id = "hap-zuid"
name = "Huisartsenpraktijk Zuid"
agb = "01234567"
environment = "production"
contact = "dr. J. Mulder"
""", encoding="utf-8")

    def run(*, kind="renew", **options):
        values = dict(config=str(config), practice="hap-zuid", kind=kind, tick=None,
                      untick=None, note=None, export=None, host="srv.example.nl", all=False,
                      restart=False, json=False)
        values.update(options)
        out, err = io.StringIO(), io.StringIO()
        invocation = Invocation(args=argparse.Namespace(**values), clock=clock,
                                env={"USER": "beheer"}, stdin=io.StringIO(""), stdout=out,
                                stderr=err)
        code = run_walkthrough(invocation)
        return code, out.getvalue(), err.getvalue()

    return run


def test_command_shows_ticks_and_exports(command, store, tmp_path):
    code, out, _ = command()
    assert code == EXIT_OK
    assert out.splitlines()[0] == "Renew the system certificate: Huisartsenpraktijk Zuid " \
                                  "(hap-zuid)"
    assert "[ ] 1. The contact person has the PIN at hand  (pin)" in out
    assert "dr. J. Mulder" in out  # the body of the next step
    assert "--tick pin" in out

    code, out, _ = command(tick="pin", note="ready")
    assert code == EXIT_OK
    assert "[x] 1. The contact person has the PIN at hand" in out
    assert "note: ready" in out
    assert "--tick renew" in out

    code, out, _ = command(tick="4")  # by number: copy
    assert "[x] 4. Copy the file to this server" in out

    code, out, _ = command(all=True)
    assert "scp hap-zuid.pfx beheer@srv.example.nl:" in out

    code, out, _ = command(json=True)
    data = json.loads(out)
    assert [s["done"] for s in data["steps"]][:4] == [True, False, False, True]
    assert data["steps"][4]["check"] == "imported_newer"

    target = tmp_path / "record.md"
    code, out, _ = command(export=str(target))
    assert code == EXIT_OK and target.read_text(encoding="utf-8").startswith("# Renew")
    with pytest.raises(VecozoError, match="already exists"):  # never overwritten
        command(export=str(target))
    assert Path(target).read_text(encoding="utf-8").startswith("# Renew")


def test_command_usage_errors(command):
    code, _, err = command(note="text only")
    assert code == EXIT_USAGE and "--tick" in err
    code, _, err = command(tick="pin", untick="pin")
    assert code == EXIT_USAGE


# --- notes and two sessions at once ----------------------------------------------------------


def test_a_note_keeps_the_tick_and_stays_out_of_the_audit_log(store, now, clock):
    wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now)
    clock.advance(hours=1)
    import_cert(store, store.test_pki.system(days_valid=800))
    ticked = wt.refresh_automatic(store.repository, "hap-zuid", "renew", clock.now())
    before = ticked.state("import")
    clock.advance(hours=1)
    progress = wt.set_note(store.repository, "hap-zuid", "renew", "import",
                           "file came by USB stick 7", actor=store.actor, now=clock.now())
    after = progress.state("import")
    assert after.done and after.automatic and after.at == before.at and after.by == "automatic"
    assert after.note == "file came by USB stick 7"
    # a note on an open step does not tick it
    progress = wt.set_note(store.repository, "hap-zuid", "renew", "pin", "  asked  ",
                           actor=store.actor, now=clock.now())
    assert not progress.is_done("pin") and progress.state("pin").note == "asked"
    progress = wt.set_note(store.repository, "hap-zuid", "renew", "pin", "",
                           actor=store.actor, now=clock.now())
    assert progress.state("pin").note is None
    log = (store.root / "audit.log").read_text(encoding="utf-8")
    assert "USB stick 7" not in log and "asked" not in log
    assert sum(e.get("action") == "walkthrough-note" for e in audit(store)) == 3


def test_ticks_from_two_sessions_at_once_are_all_kept(store, now, clock):
    import threading

    from vecozo_tui.repository import Actor, Repository

    wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now)
    keys = [s.key for s in wt.get_walkthrough("renew").steps if s.check is None]
    sessions = [(Repository(store.root, clock=clock), Actor(user=name, ssh_client=None))
                for name in ("alice", "bob")]
    errors = []

    def work(index: int) -> None:
        repository, actor = sessions[index]
        try:
            for key in keys[index::2]:
                wt.tick(repository, "hap-zuid", "renew", key, actor=actor, now=now)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    progress = wt.load(Repository(store.root), "hap-zuid", "renew")
    assert all(progress.is_done(key) for key in keys), progress.to_dict()["steps"]


def test_command_through_the_cli_parser(command, store, tmp_path, clock, capsys, monkeypatch):
    from vecozo_tui.cli.main import main

    command()  # writes the config; the fixture's own run is not needed further
    config = tmp_path / "config.toml"
    monkeypatch.setenv("VECOZO_TUI_HOST", "srv.example.nl")
    assert main(["walkthrough", "hap-zuid", "renew", "--config", str(config), "--tick", "pin",
                 "--note", "via cli"], clock=clock) == EXIT_OK
    assert "[x] 1. The contact person has the PIN at hand" in capsys.readouterr().out
    assert wt.load(store.repository, "hap-zuid", "renew").state("pin").note == "via cli"
    assert main(["walkthrough", "hap-zuid", "renew", "--config", str(config), "--export", "-"],
                clock=clock) == EXIT_OK
    assert capsys.readouterr().out.startswith("# Renew the system certificate")


# --- which walkthrough fits --------------------------------------------------------------------


def test_suggestion_follows_the_practice_state(store, now, clock):
    repository = store.repository
    assert wt.suggest(repository, "hap-zuid", now)[0] == "renew"  # 30 days left
    kind, why = wt.suggest(repository, "fysio-oost", now)
    assert kind == "new" and "no certificate" in why
    import_cert(store, store.test_pki.system("Tand Oud", "12000001", starts_days_ago=740),
                practice="tand-oud")
    kind, why = wt.suggest(repository, "tand-oud", now)
    assert kind == "recover" and "expired on" in why
    import_cert(store, store.test_pki.personal(), practice="hap-persoon")
    kind, why = wt.suggest(repository, "hap-persoon", now)
    assert kind == "new" and "personal" in why

    # an opened walkthrough does not count; one with a step done does, latest work first
    wt.start(repository, "hap-zuid", "recover", actor=store.actor, now=now)
    assert wt.suggest(repository, "hap-zuid", now)[0] == "renew"
    wt.tick(repository, "hap-zuid", "backup", "password", actor=store.actor, now=now)
    clock.advance(hours=1)
    wt.tick(repository, "hap-zuid", "recover", "situation", actor=store.actor, now=clock.now())
    kind, why = wt.suggest(repository, "hap-zuid", clock.now())
    assert kind == "recover" and "in progress (1 of 11 steps done)" in why


def test_record_says_when_the_next_renewal_is_due(store, now):
    from vecozo_tui.expiry import ExpiryThresholds, renewal_start

    wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now)
    record = wt.export_record(store.repository, practice(), "renew", now)
    expiry = store.old.certificate.not_valid_after_utc
    start_on = renewal_start(expiry, ExpiryThresholds())
    assert f"- Next renewal: start on {start_on.isoformat()} (expires {expiry.date()})" in record


def test_opening_a_finished_walkthrough_keeps_its_record(store, clock, tmp_path):
    from vecozo_tui.repository import Repository

    walkthrough = wt.get_walkthrough("backup")
    wt.start(store.repository, "hap-zuid", "backup", actor=store.actor, now=clock.now())
    for step in walkthrough.steps:
        wt.tick(store.repository, "hap-zuid", "backup", step.key, note="kluis 2",
                actor=store.actor, now=clock.now())
    finished = wt.load(store.repository, "hap-zuid", "backup")
    assert finished.finished

    again = wt.start(store.repository, "hap-zuid", "backup", actor=store.actor,
                     now=clock.now())
    assert again.finished and again.done_count == len(walkthrough.steps)
    assert again.state(walkthrough.steps[-1].key).note == "kluis 2"

    fresh = wt.start(store.repository, "hap-zuid", "backup", actor=store.actor,
                     now=clock.now(), restart=True)
    assert fresh.done_count == 0
    states = sorted(p.name for p in (store.root / "practices" / "hap-zuid" / "state").iterdir())
    archived = [name for name in states if name.startswith("walkthrough-backup-")]
    assert len(archived) == 1
    kept = Repository(store.root).read_state("hap-zuid", archived[0].removesuffix(".json"))
    assert wt.Progress.from_dict("hap-zuid", "backup", kept).finished
