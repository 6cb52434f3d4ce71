"""The walkthroughs in Dutch: the step texts use VECOZO's and the browsers' own Dutch
labels, the English texts quote those labels as the screen shows them, and the exported
record is in the language of the reader."""

from __future__ import annotations

import re

import pytest

from tests.core.test_walkthroughs import colon, import_cert, practice, store  # noqa: F401
from tests.factory import sha256
from vecozo_tui import walkthroughs as wt

BROWSER_LABELS = ("Reservekopie maken", "Ja, de persoonlijke sleutel exporteren",
                  "Indien mogelijk alle certificaten in het certificeringspad opnemen",
                  "Alle uitgebreide eigenschappen exporteren", "Sleutelhangertoegang",
                  "Certificaten bekijken", "Uw certificaten", "Internetopties")


def one_line(text: str) -> str:
    return " ".join(text.split())


def context() -> wt.RenderContext:
    return wt.RenderContext("hap-zuid", "Zuid", "01234567", inbox="/srv/inbox",
                            host="srv.example.nl", user="beheer")


def test_the_export_step_in_dutch_uses_the_browsers_labels(dutch):
    step = wt.get_walkthrough("renew").step("export")
    assert step.title == "Exporteer het uit de browser, met de persoonlijke sleutel"
    text = one_line(wt.render_step(step, context()))
    for label in BROWSER_LABELS:
        assert f"'{label}" in text, label
    assert "Klik met de rechtermuisknop op de sleutel -> 'Exporteer'" in text
    assert "Export the certificate" not in text


def test_the_english_text_keeps_the_dutch_labels_in_quotes():
    text = one_line(wt.render_step(wt.get_walkthrough("renew").step("export"), context()))
    assert text.startswith("Export the certificate to a .pfx/.p12 file")
    for label in BROWSER_LABELS:
        assert f"'{label}" in text, label
    assert "Tick 'Indien mogelijk alle certificaten in het certificeringspad opnemen'" in text


def test_dutch_steps_follow_the_seeds_words(dutch):
    renew = {s.key: one_line(s.body) for s in wt.get_walkthrough("renew").steps}
    assert "pincode" in renew["pin"] and "contactpersoon" in renew["pin"]
    assert "geteld vanaf de oorspronkelijke verloopdatum" in renew["renew"]
    assert "1 april" in renew["renew"]
    assert "ander opslagmedium" in renew["backup"]
    new = {s.key: one_line(s.body) for s in wt.get_walkthrough("new").steps}
    assert "gebruikersnummer per e-mail" in new["credentials"]
    assert "60 dagen" in new["install"]
    assert wt.get_walkthrough("renew").title == "Het systeemcertificaat vernieuwen"
    assert wt.get_walkthrough("recover").step("reinstall").title.startswith("Installeer opnieuw")


def test_every_dutch_step_renders_and_fits(dutch):
    for walkthrough in wt.WALKTHROUGHS.values():
        for step in walkthrough.steps:
            text = wt.render_step(step, context())
            assert "{" not in text and "}" not in text, (walkthrough.kind, step.key)
            for line in text.splitlines():
                assert len(line) <= 76 or line.startswith("  "), line
    # the keys (typed on the command line) and the English msgids do not change
    assert wt.get_walkthrough("renew").step("export").title_id == (
        "Export it from the browser, with the private key")
    assert [s.key for s in wt.get_walkthrough("backup").steps] == [
        "backup", "password", "import-elsewhere", "test-elsewhere"]


def test_dates_in_a_dutch_step_are_written_the_dutch_way(store, now, dutch):  # noqa: F811
    ctx = wt.make_context(practice(), store.repository, inbox="/in", env={"USER": "beheer"})
    renew = wt.render_step(wt.get_walkthrough("renew").step("renew"), ctx)
    expiry = store.old.certificate.not_valid_after_utc.date()
    assert f"geldig tot {expiry:%d-%m-%Y}" in one_line(renew)


def test_the_exported_record_in_dutch(store, now, clock, dutch):  # noqa: F811
    wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now)
    wt.tick(store.repository, "hap-zuid", "renew", "pin", note="dr. Mulder had de brief",
            actor=store.actor, now=now)
    clock.advance(hours=1)
    new = store.test_pki.system(days_valid=800)
    import_cert(store, new)
    wt.refresh_automatic(store.repository, "hap-zuid", "renew", clock.now())
    record = wt.export_record(store.repository, practice(), "renew", clock.now())
    assert record.startswith("# Het systeemcertificaat vernieuwen: Huisartsenpraktijk Zuid "
                             "(hap-zuid)")
    assert "- AGB-code: 01234567" in record
    assert "- Omgeving: production" in record
    assert re.search(r"- Begonnen: 22-11-2026 09:30 \S+ door alice", record)
    assert "(2 van 10 stappen klaar)" in record
    assert f"Certificaat vooraf: SHA-256 {colon(sha256(store.old))}" in record
    assert f"Certificaat achteraf: SHA-256 {colon(sha256(new))}, geldig tot " in record
    assert "- Volgende vernieuwing: begin op " in record
    assert "## Stappen" in record
    assert "1. [x] De contactpersoon heeft de pincode bij de hand: 22-11-2026 09:30" in record
    assert "   > dr. Mulder had de brief" in record
    assert "5. [x] Importeer het in de certificaatopslag" in record
    assert "(automatisch gecontroleerd)" in record
    assert "Geëxporteerd" in record and "door vecozo-tui." in record
    for english in ("AGB code", "Started", "Steps", "checked automatically", "Exported"):
        assert english not in record, english


def test_progress_and_suggestion_in_dutch(store, now, dutch):  # noqa: F811
    kind, why = wt.suggest(store.repository, "hap-zuid", now)
    assert kind == "renew" and why.startswith("het certificaat is geldig tot ")
    progress = wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now)
    assert wt.state_text(progress) == "geopend 22-11-2026 door alice from 192.0.2.10, nog " \
        "geen stap klaar"
    text = wt.format_progress(progress, context())
    assert "Nog geen stap" not in text and "0 van 10 stappen klaar" in text
    assert "Volgende: De contactpersoon heeft de pincode bij de hand. Als die klaar is:" in text
    # the stored progress stays in the same words (the state file is data, not text)
    assert progress.to_dict()["started_by"] == "alice from 192.0.2.10"


@pytest.mark.parametrize("kind", wt.KINDS)
def test_unknown_step_in_dutch(kind, dutch):
    from vecozo_tui.errors import VecozoError

    with pytest.raises(VecozoError, match="heeft geen stap 'nope'"):
        wt.get_walkthrough(kind).step("nope")
