"""The import findings, the certificate store's, backup's and deploy's messages in Dutch;
what machines read stays English in every language: the finding codes, the stored kind
reason, the backup's encryption in JSON, and the audit log, byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vecozo_tui import i18n
from vecozo_tui.backup import check_target, make_backup
from vecozo_tui.certificates import check_for_import, kind_reason_words, load_pkcs12
from vecozo_tui.config import DeployTarget, Practice
from vecozo_tui.deploy import deploy, plan, select_targets
from vecozo_tui.errors import VecozoError, WrongPasswordError
from vecozo_tui.repository import Actor, Repository

PASSWORD = "stored-pass-1"
ACTOR = Actor(user="tester", ssh_client="192.0.2.9")


def practice_with(*targets: DeployTarget) -> Practice:
    return Practice(id="hap-zuid", name="Huisartsenpraktijk Zuid", agb="01234567",
                    environment="production", deploy=targets)


def test_a_personal_certificate_is_warned_in_dutch_and_its_code_stays(test_pki, now, dutch):
    loaded = load_pkcs12(test_pki.pfx(test_pki.personal(), PASSWORD).read_bytes(), PASSWORD)
    findings = check_for_import(loaded, now=now, practice_agb="01234567")
    assert [finding.code for finding in findings] == ["personal"]
    message = findings[0].message
    assert message.startswith("Dit is een persoonlijk certificaat (van Jan de Vries: ")
    assert "niet het systeemcertificaat van de praktijk" in message
    assert "laatste verloopdatum" in message
    # the reason is stored in English (the repository's index), said in Dutch
    assert loaded.info.kind_reason == "the subject names a person (givenName/surname)"
    assert kind_reason_words(loaded.info.kind_reason) == (
        "het onderwerp noemt een persoon (givenName/surname)")


def test_a_key_that_does_not_match_blocks_in_dutch(test_pki, now, dutch):
    loaded = load_pkcs12(test_pki.mismatched_pfx(test_pki.system()).read_bytes(), "")
    findings = check_for_import(loaded, now=now)
    assert findings[0].code == "key-mismatch" and findings[0].blocking
    assert findings[0].message == (
        "De persoonlijke sleutel hoort niet bij dit certificaat; bij de export zijn twee "
        "certificaten verwisseld. Exporteer het opnieuw.")
    no_password = next(finding for finding in findings if finding.code == "no-password")
    assert no_password.message.startswith("Het bestand heeft geen wachtwoord")


def test_a_wrong_password_and_a_soon_expiry_in_dutch(test_pki, now, dutch):
    data = test_pki.pfx(test_pki.system(), PASSWORD).read_bytes()
    with pytest.raises(WrongPasswordError) as raised:
        load_pkcs12(data, "niet-het-wachtwoord")
    assert str(raised.value).startswith("Verkeerd wachtwoord voor het bestand.")
    soon = test_pki.system(days_valid=730, starts_days_ago=729)
    loaded = load_pkcs12(test_pki.pfx(soon, PASSWORD).read_bytes(), PASSWORD)
    [finding] = check_for_import(loaded, now=now)
    days = (loaded.info.not_after - now).days
    assert finding.code == "expires-soon"
    assert finding.message == (f"Het certificaat verloopt over {days} "
                               f"{'dag' if days == 1 else 'dagen'}; begin nu met de vernieuwing.")


def test_the_same_findings_in_english(test_pki, now):
    loaded = load_pkcs12(test_pki.pfx(test_pki.personal(), PASSWORD).read_bytes(), PASSWORD)
    [finding] = check_for_import(loaded, now=now, practice_agb="01234567")
    assert finding.message.startswith("This is a personal certificate (of Jan de Vries: the "
                                      "subject names a person (givenName/surname))")


def test_repository_errors_in_dutch(tmp_path, clock, dutch):
    missing = Repository(tmp_path / "nowhere", clock=clock)
    assert missing.problems() == [
        f"De certificaatopslag {tmp_path / 'nowhere'} bestaat niet; maak hem aan met "
        "`vecozo-tui init`."]
    Repository.init(tmp_path / "repository", clock=clock, actor=ACTOR)
    repository = Repository(tmp_path / "repository", clock=clock)
    with pytest.raises(VecozoError, match="'../x' is geen geldige praktijk-id"):
        repository.active("../x")


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_init_takes_over_a_directory_others_can_write_in_any_language(tmp_path, clock, dutch):
    # init makes the directory private itself: that one problem is told apart by its
    # kind, not by its (now Dutch) words
    root = tmp_path / "repository"
    root.mkdir()
    os.chmod(root, 0o777)  # noqa: S103 - the point of the test
    problems = Repository(root, clock=clock).problems()
    assert "schrijfbaar voor andere gebruikers" in problems[0]
    Repository.init(root, clock=clock, actor=ACTOR)
    assert root.stat().st_mode & 0o777 == 0o700
    assert Repository(root, clock=clock).problems() == []


def test_backup_and_deploy_messages_in_dutch(tmp_path, clock, dutch):
    with pytest.raises(VecozoError) as raised:
        check_target(tmp_path / "usb")
    assert str(raised.value) == (f"De back-uplocatie {tmp_path / 'usb'} bestaat niet. Koppel "
                                 "de USB-stick of netwerkschijf, of maak de map eerst aan.")
    with pytest.raises(VecozoError) as raised:
        select_targets(practice_with())
    assert str(raised.value).startswith("hap-zuid heeft geen doelen om uit te rollen.")
    two = practice_with(DeployTarget(path=tmp_path / "a.pfx"),
                        DeployTarget(path=tmp_path / "b.pfx"))
    with pytest.raises(VecozoError, match=r"hap-zuid heeft 2 doelen; --target neemt 1 tot en "
                                          r"met 2\."):
        select_targets(two, 3)


def test_a_deploy_plan_and_a_failed_deploy_in_dutch(tmp_path, clock, now, test_pki, dutch):
    root = tmp_path / "repository"
    Repository.init(root, clock=clock, actor=ACTOR)
    repository = Repository(root, clock=clock)
    loaded = load_pkcs12(test_pki.pfx(test_pki.system(), PASSWORD).read_bytes(), PASSWORD)
    repository.import_certificate("hap-zuid", loaded, PASSWORD, actor=ACTOR)
    practice = practice_with(DeployTarget(path=tmp_path / "share" / "vecozo.pfx"))
    [target_plan] = plan(repository, practice)
    lines = target_plan.lines()
    assert lines[1].startswith("   schrijft  PKCS#12, AES-256, rechten ")
    assert lines[2] == "   bevat nu  nooit uitgerold"
    assert lines[3].startswith("   PROBLEEM  de map ") and "bestaat niet" in lines[3]
    report = deploy(repository, practice, PASSWORD, actor=ACTOR, now=now)
    [outcome] = report.outcomes
    assert outcome.lines()[0].startswith("MISLUKT 1. ")
    assert outcome.message.startswith(f"De map {tmp_path / 'share'} bestaat niet")
    # the audit log keeps the English words
    entry = repository.audit_entries()[-1]
    assert entry["details"]["message"].startswith(f"The directory {tmp_path / 'share'} does "
                                                  "not exist")


def test_a_backup_with_a_skipped_certificate_warns_in_dutch(tmp_path, clock, test_pki, dutch):
    root = tmp_path / "repository"
    Repository.init(root, clock=clock, actor=ACTOR)
    repository = Repository(root, clock=clock)
    old = test_pki.system(days_valid=365, starts_days_ago=200)
    new = test_pki.system()
    for issued, password in ((old, "ander-wachtwoord"), (new, PASSWORD)):
        loaded = load_pkcs12(test_pki.pfx(issued, password).read_bytes(), password)
        repository.import_certificate("hap-zuid", loaded, password, actor=ACTOR)
    target = tmp_path / "usb"
    target.mkdir()
    result = make_backup(repository, "hap-zuid", target, PASSWORD, actor=ACTOR,
                         now=clock.now(), with_history=True)
    assert any(warning.startswith("Het eerdere certificaat, geldig tot ")
               and "met een ander wachtwoord geïmporteerd" in warning
               for warning in result.warnings)
    assert result.to_dict()["encryption"] == "AES-256-CBC (PBES2, PBKDF2-SHA256, HMAC-SHA256)"


def _work(base: Path, clock, test_pki, issued) -> bytes:
    """init, import, a deploy that fails, one that works, and a backup: the audit log."""
    root = base / "repository"
    Repository.init(root, clock=clock, actor=ACTOR)
    repository = Repository(root, clock=clock)
    loaded = load_pkcs12(test_pki.pfx(issued, PASSWORD).read_bytes(), PASSWORD)
    repository.import_certificate("hap-zuid", loaded, PASSWORD, actor=ACTOR)
    (base / "his").mkdir()
    practice = practice_with(DeployTarget(path=base / "missing" / "vecozo.pfx"),
                             DeployTarget(path=base / "his" / "vecozo.pfx"))
    deploy(repository, practice, PASSWORD, actor=ACTOR, now=clock.now())
    (base / "usb").mkdir()
    make_backup(repository, "hap-zuid", base / "usb", PASSWORD, actor=ACTOR, now=clock.now())
    repository.activate("hap-zuid", loaded.info.sha256, actor=ACTOR)
    return (root / "audit.log").read_bytes().replace(str(base).encode(), b"BASE")


def test_the_audit_log_written_in_dutch_is_the_english_one(tmp_path, clock, test_pki):
    issued = test_pki.system()
    english = _work(tmp_path / "en", clock, test_pki, issued)
    i18n.activate("nl")
    try:
        dutch = _work(tmp_path / "nl", clock, test_pki, issued)
    finally:
        i18n.activate("en")
    assert b"does not exist" in english  # the failed deploy's message is in it
    assert dutch == english


def test_english_in_one_thread_leaves_the_others_dutch(dutch):
    import threading

    seen = []
    with i18n.english():
        assert i18n._("Nothing was changed.") == "Nothing was changed."
        worker = threading.Thread(target=lambda: seen.append(i18n._("Nothing was changed.")))
        worker.start()
        worker.join()
    assert seen == ["Er is niets gewijzigd."]
    assert i18n._("Nothing was changed.") == "Er is niets gewijzigd."


def _deploy_records(base: Path, clock, test_pki, issued) -> tuple[bytes, list]:
    """Deploys that fail at the write, work, work with a hook, fail at the hook: what
    the repository keeps of them, and the states as people and JSON see them."""
    from vecozo_tui.deploy import target_states

    root = base / "repository"
    Repository.init(root, clock=clock, actor=ACTOR)
    repository = Repository(root, clock=clock)
    loaded = load_pkcs12(test_pki.pfx(issued, PASSWORD).read_bytes(), PASSWORD)
    repository.import_certificate("hap-zuid", loaded, PASSWORD, actor=ACTOR)
    for name in ("plain", "hooked", "broken"):
        (base / name).mkdir()
    practice = practice_with(
        DeployTarget(path=base / "missing" / "vecozo.pfx"),
        DeployTarget(path=base / "plain" / "vecozo.pfx"),
        DeployTarget(path=base / "hooked" / "vecozo.pfx", command=("/bin/true",)),
        DeployTarget(path=base / "broken" / "vecozo.pfx", command=("/bin/false",)))
    deploy(repository, practice, PASSWORD, actor=ACTOR, now=clock.now())
    events = (root / "practices" / "hap-zuid" / "events.json").read_bytes()
    states = target_states(practice.deploy, repository.active("hap-zuid"),
                           repository.events("hap-zuid"))
    return events.replace(str(base).encode(), b"BASE"), states


def test_deploy_records_are_kept_in_english_and_shown_in_dutch(tmp_path, clock, test_pki):
    issued = test_pki.system()
    english, english_states = _deploy_records(tmp_path / "en", clock, test_pki, issued)
    i18n.activate("nl")
    try:
        dutch, dutch_states = _deploy_records(tmp_path / "nl", clock, test_pki, issued)
        shown = [state.text for state in dutch_states]
    finally:
        i18n.activate("en")
    assert b"written and verified" in english and b"does not exist" in english
    assert dutch == english  # what --json and an English colleague read later
    assert [s.to_dict()["message"].replace(str(tmp_path / "nl"), "BASE")
            for s in dutch_states] == [s.to_dict()["message"].replace(str(tmp_path / "en"), "BASE")
                                       for s in english_states]
    assert shown[0].startswith("mislukt bij schrijven: ")
    assert shown[1] == "bijgewerkt"
    assert shown[3].startswith("mislukt bij hook: The hook /bin/false failed")  # a path
