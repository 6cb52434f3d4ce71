"""The test call in Dutch, on real sockets: the diagnosis a person reads is Dutch, while
--json (``to_dict``), the test-call record and the audit log stay English."""

from __future__ import annotations

import re

import pytest

from tests.cov_support import PFX_PASSWORD, call, copy_setup, cov_pki, make_setup, running_server
from tests.hostile_tls import HostileServer, send
from vecozo_tui import i18n
from vecozo_tui.cov.testcall import parse_birth_date
from vecozo_tui.errors import VecozoError


@pytest.fixture(scope="module")
def server():
    with running_server() as running:
        yield running


def in_language(language: str, make):
    i18n.activate(language)
    try:
        return make()
    finally:
        i18n.activate("en")


def stable(data: dict) -> dict:
    """``to_dict`` without what differs from one call to the next (times, milliseconds)."""
    data = {k: v for k, v in data.items() if k not in ("started_at", "elapsed_seconds")}
    text = repr(data)
    return {"text": re.sub(r"\d+ ms", "N ms", text)}


def test_an_unauthorised_practice_in_dutch(server, dutch):
    p = cov_pki()
    diagnosis = call(server.url, p.context(p.unauthorised))
    assert diagnosis.problem == "not_authorised"
    text = "\n".join(diagnosis.lines())
    assert "GOED  Naam opzoeken (DNS)" in text
    assert "FOUT  Geautoriseerd voor COV" in text
    assert "---   Antwoord van COV" in text and "niet bereikt" in text
    assert "Oorzaak: Het certificaat is bekend, maar VECOZO weigerde de bevraging" in text
    assert "Wat te doen: Autorisatie: de VECOZO-contactpersoon" in text
    assert "Gebruikersbeheer" in text and "controle op IP-adressen" in text
    assert "Resultaat: MISLUKT - Geautoriseerd voor COV: mislukt - niet geautoriseerd" in text
    # the server's own (Dutch) words are quoted as they came
    assert '"Niet geautoriseerd"' in diagnosis.step("authorised").cause
    assert not [line for line in diagnosis.lines() if len(line) > 79]
    # what machines and the record read stays English
    assert diagnosis.record_summary.startswith("Authorised for COV: failed - not authorised")
    data = diagnosis.to_dict()
    assert data["summary"] == diagnosis.record_summary
    authorised = next(s for s in data["steps"] if s["key"] == "authorised")
    assert authorised["title"] == "Authorised for COV" and authorised["state"] == "failed"
    assert authorised["cause"].startswith("The certificate is known, but VECOZO refused")
    assert authorised["advice"].startswith("Authorisation: the practice's VECOZO contact")
    assert data["steps"][-1]["state"] == "not reached"


def test_to_dict_is_the_same_in_dutch_and_english(server):
    p = cov_pki()
    for issued in (p.unauthorised, p.good, p.expired):
        english = in_language("en", lambda issued=issued: call(server.url, p.context(issued)))
        dutch = in_language("nl", lambda issued=issued: call(server.url, p.context(issued)))
        assert dutch.lines() != english.lines()
        assert stable(dutch.to_dict()) == stable(english.to_dict())
        assert re.sub(r"\d+ ms", "", dutch.record_summary) == \
            re.sub(r"\d+ ms", "", english.record_summary)


def test_a_successful_call_in_dutch(server, dutch):
    p = cov_pki()
    diagnosis = call(server.url, p.context(p.good))
    assert diagnosis.ok
    text = "\n".join(diagnosis.lines())
    assert text.count("GOED  ") == 6
    assert "server vertrouwd, naam klopt" in text
    assert "Zoekopdracht 1: verzekerde gevonden; actieve verzekering" in text
    assert "vanaf 01-01-2006" in text  # dates as people write them
    assert "Resultaat: OK - Antwoord van COV: verzekerde gevonden" in text
    assert diagnosis.record_summary.startswith("COV answered: insured person found")
    data = repr(diagnosis.to_dict())
    assert "2006-01-01" in data and "01-01-2006" not in data


def test_a_server_that_is_not_cov_in_dutch(dutch):
    with HostileServer(send(b"SSH-2.0-OpenSSH_9.6\r\n")) as hostile:
        diagnosis = call(hostile.url, cov_pki().context(cov_pki().good), timeout=5)
    assert diagnosis.problem == "not_http"
    step = diagnosis.step("cov")
    assert step.detail == "de server antwoordde, maar niet met HTTP/COV"
    assert "niet met een geldig HTTP-antwoord" in step.cause
    assert "installeer het hiervoor niet opnieuw" in step.advice
    assert diagnosis.to_dict()["steps"][-1]["detail"] == \
        "the server answered, but not with HTTP/COV"


def test_the_record_and_the_audit_log_are_english_in_dutch(tmp_path):
    from vecozo_tui.clock import SYSTEM_CLOCK
    from vecozo_tui.config import load_config
    from vecozo_tui.cov.testcall import run_test, test_person
    from vecozo_tui.repository import Actor, Repository

    with running_server() as fake:
        prepared = make_setup(tmp_path / "prepared", fake)
        kept = {}
        for language in ("en", "nl"):
            setup = copy_setup(prepared, tmp_path / language)
            config = load_config(setup.config_path, env={})
            repository = Repository(setup.repository_path)
            practice = config.practice("mond-noord")

            def run(config=config, repository=repository, practice=practice):
                person = test_person(config, practice)
                return run_test(config, repository, practice, PFX_PASSWORD, person,
                                clock=SYSTEM_CLOCK, actor=Actor("tester"))

            diagnosis = in_language(language, run)
            assert not diagnosis.ok
            record = repository.events("mond-noord").last_test_call
            entry = repository.audit_entries()[-1]
            kept[language] = (record.summary, record.ok, record.environment,
                              record.failed_step, entry["action"], entry.get("details"))
            shown = in_language("nl", record.summary_words)
    assert kept["nl"] == kept["en"]
    assert kept["nl"][0].startswith("Authorised for COV: failed - not authorised")
    assert kept["nl"][3] == "Authorised for COV"
    # people read the stored call in their language, whoever made it
    assert shown == "mislukt bij: Geautoriseerd voor COV"
    assert record.summary_words() == record.summary  # English: as stored


def test_a_test_call_stored_before_the_step_was_kept_reads_as_stored(dutch):
    from datetime import UTC, datetime

    from vecozo_tui.repository import TestCallRecord

    old = TestCallRecord.from_dict({"at": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
                                    "sha256": "AB", "environment": "test", "ok": False,
                                    "summary": "TLS handshake: failed - timed out"})
    assert old.failed_step is None
    assert old.summary_words() == "TLS handshake: failed - timed out"
    assert "failed_step" not in old.to_dict()  # an older record is written back unchanged


def test_a_wrong_birth_date_in_dutch(dutch):
    with pytest.raises(VecozoError) as raised:
        parse_birth_date("morgen")
    assert str(raised.value) == ("De geboortedatum moet geschreven worden als DD-MM-JJJJ of "
                                 "JJJJ-MM-DD (bijv. 15-03-1962).")
    with pytest.raises(VecozoError, match="te ver in het verleden"):
        parse_birth_date("01-01-1850")
    # both ways of writing a date are read in Dutch too
    assert parse_birth_date("15-03-1962") == parse_birth_date("1962-03-15")
