"""The import, test call, walkthrough, backup and deploy screens in Dutch at 80x24, driven
by keys: their own texts are Dutch, what machines read (the repository, the test call's
record) is the same as in English, and the date of birth is read in both ways people
write it.

The texts that come from the core (findings, the diagnosis, the walkthrough steps) are
not asserted here: their catalogs are another part's."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static

from tests.cov_support import PFX_PASSWORD
from tests.tui import test_test_call as cov_screen
from tests.tui.test_flow import rendered_text, row_keys, static_text
from tests.tui.test_plain_terminal import screen_text
from tests.tui.test_test_call import check_line, run_call
from tests.tui_support import ScreenApp, make_world, plain_environment, settle
from vecozo_tui.demo import DEMO_PASSWORD
from vecozo_tui.tui.screens.confirm import ConfirmScreen
from vecozo_tui.tui.screens.dashboard import DashboardScreen
from vecozo_tui.tui.screens.import_certificate import (
    DONE,
    PASSWORD,
    PREVIEW,
    CertificateTree,
    ImportScreen,
    findings_text,
)
from vecozo_tui.tui.screens.test_call import TestCallScreen

SIZE = (80, 24)
RENEWAL = "hap-delinde-verlengd.pfx"


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


# the fake COV server over real TLS and a repository for it, as the English tests have them
prepared = cov_screen.prepared
context = cov_screen.context


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_a_renewal_is_imported_in_dutch_from_the_dashboard(tmp_path, test_pki, dutch):
    """The expired practice is highlighted; its renewal (exported without the chain: one
    warning) is in the inbox: pick it, password, preview, confirm the warning, stored."""
    world = make_world(tmp_path)
    old = world.repository.active("hap-delinde")
    renewal = test_pki.system("Huisartsenpraktijk De Linde", "01012345", days_valid=730)
    (world.config.inbox / RENEWAL).write_bytes(
        test_pki.pfx(renewal, DEMO_PASSWORD, chain=[]).read_bytes())
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        table = dashboard.query_one("#practices", DataTable)
        assert row_keys(table)[table.cursor_row] == "hap-delinde"
        assert "i Import" in footer(app)

        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ImportScreen) and screen.practice_id == "hap-delinde"
        assert static_text(screen, "#import-title") == (
            "Certificaat importeren voor Huisartsenpraktijk De Linde (AGB 01012345)")
        assert "Kies een bestand en druk op Enter" in screen_text(app)
        assert "esc Terug" in footer(app) and "/ Pad typen" in footer(app)
        tree = screen.query_one(CertificateTree)
        for _ in range(100):
            if tree.root.children:
                break
            await pilot.pause(0.02)
        [node] = [n for n in tree.root.children if n.data and n.data.path.name == RENEWAL]
        tree.move_cursor(node)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.step == PASSWORD
        label = static_text(screen, "#file-label")
        assert label.startswith(f"Bestand  {RENEWAL}") and " bytes, in " in label
        assert "Wachtwoord van het bestand (gekozen bij het exporteren):" in screen_text(app)

        await pilot.press(*DEMO_PASSWORD, "enter")
        await settle(pilot)
        assert screen.step == PREVIEW
        heading = static_text(screen, "#preview-heading")
        assert f"Voorvertoning van {RENEWAL}: er is nog niets geschreven." in heading
        assert "Opslaan vervangt het actieve certificaat (geldig tot 17-11-2026)" in heading
        assert static_text(screen, "#findings").startswith("WAARSCHUWING  ")
        assert static_text(screen, "#preview-status") == (
            "s: opslaan (na bevestigen van de waarschuwingen)   Escape: ander bestand")
        assert "s Opslaan" in footer(app)
        assert world.repository.active("hap-delinde").info.sha256 == old.info.sha256

        await pilot.press("s")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert confirm.title_text == "1 waarschuwing"
        assert confirm.question == "Toch importeren?  y: ja, opslaan   n: nee"
        await pilot.press("y")
        await settle(pilot)
        assert screen.step == DONE
        done = " ".join(rendered_text(screen.query_one("#done-message", Static)).split())
        assert "Opgeslagen en actief." in done
        assert "geldig tot 21-11-2028 (over 730 dagen)" in done
        assert "Eerdere certificaten blijven in de geschiedenis." in done
        assert "t doe een testbevraging COV met het nieuwe certificaat" in done
        assert "t Testbevraging" in footer(app) and "b Back-up" in footer(app)
    # what is stored is the same in any language
    new = world.repository.active("hap-delinde")
    assert new.info.sha256 != old.info.sha256
    assert {h.info.sha256: h.active for h in world.repository.history("hap-delinde")} == {
        new.info.sha256: True, old.info.sha256: False}


def test_the_findings_labels_line_up_in_both_languages(dutch):
    from vecozo_tui.certificates import Finding

    findings = [Finding("error", "agb", "x"), Finding("warning", "no-chain", "y")]
    assert findings_text(findings).plain == "FOUT          x\nWAARSCHUWING  y"
    from vecozo_tui import i18n

    i18n.activate("en")
    assert findings_text(findings).plain == "ERROR    x\nWARNING  y"


@pytest.mark.parametrize("birth", ["01-07-1985", "1985-07-01"])
async def test_a_production_test_call_in_dutch_reads_both_date_forms(context, birth, dutch):
    app = ScreenApp(lambda: TestCallScreen(context, "hap-prod"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert screen.title == "Testbevraging COV"
        assert screen.query_one("#tc-birth", Input).placeholder == "DD-MM-JJJJ"
        info = str(screen.query_one("#tc-info", Static).content)
        assert info.startswith("productie  ") and ", geldig tot " in info
        assert "Productie: BSN en geboortedatum" in str(
            screen.query_one("#tc-hint", Static).content)
        assert "Geboortedatum" in screen_text(app) and "f5 Testen" in footer(app)
        await run_call(pilot)
        assert str(screen.query_one("#tc-error", Static).content).startswith("Probleem: ")
        screen.query_one("#tc-bsn", Input).value = "999900018"
        screen.query_one("#tc-birth", Input).value = birth
        await run_call(pilot, PFX_PASSWORD)
        assert screen.diagnosis is not None and screen.diagnosis.ok, str(
            screen.query_one("#tc-error", Static).content)
        for key in ("dns", "tcp", "tls", "client_certificate", "authorised", "cov"):
            assert check_line(screen, key).startswith("GOED  ")
        result = str(screen.query_one("#tc-result-text", Static).content)
        assert result.startswith("RESULTAAT: OK")
        assert "Vastgelegd bij de praktijk (tijd en uitkomst; geen persoonsgegevens)." in result
        assert all(len(line) <= 80 for line in screen_text(app).splitlines())
    # the record machines read keeps its English codes
    record = context.repository.events("hap-prod").last_test_call
    assert record.ok and record.environment == "production"
    assert "999900018" not in str(record) and birth not in str(record)


async def test_a_wrong_date_of_birth_is_refused_in_dutch_too(context, dutch):
    app = ScreenApp(lambda: TestCallScreen(context, "hap-prod"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#tc-bsn", Input).value = "999900018"
        screen.query_one("#tc-birth", Input).value = "1-7-85"
        await run_call(pilot)
        assert screen.diagnosis is None
        assert screen.focused is screen.query_one("#tc-birth", Input)
        assert str(screen.query_one("#tc-error", Static).content).startswith("Probleem: ")


async def test_the_walkthrough_note_and_restart_in_dutch(tmp_path, dutch, monkeypatch):
    monkeypatch.setenv("VECOZO_TUI_HOST", "praktijkserver")
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_feature("walkthrough", "hap-delinde", kind="renew")
        await settle(pilot)
        screen = app.screen
        assert str(screen.query_one("#wt-status", Static).content).startswith(
            "Vernieuwen: 0 van 10 klaar; ")
        body = str(screen.query_one("#wt-body", Static).content)
        assert body.startswith("Stap 1 van 10: ")
        assert "OPEN - druk op spatie als het gedaan is" in body
        assert "esc Terug" in footer(app) and "space Klaar" in footer(app)
        await pilot.press("n")
        await pilot.pause()
        note = screen_text(app)
        assert "Notitie bij: " in note
        assert "Enter bewaart, leeg wist. Nooit een wachtwoord of pincode." in note
        await pilot.press(*"Brief bij dr. Bakker", "enter")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("up")
        await pilot.pause()
        body = str(screen.query_one("#wt-body", Static).content)
        assert "KLAAR " in body and " door admin" in body
        assert "Notitie: Brief bij dr. Bakker" in body
        await pilot.press("R")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert confirm.title_text == "Dit stappenplan opnieuw beginnen?"
        assert "1 van 10 stappen klaar. Het verslag blijft in de certificaatopslag" in str(
            confirm.body)
        await pilot.press("n")
        await pilot.pause()
        assert all(len(line) <= 80 for line in screen_text(app).splitlines())


async def test_backup_and_deploy_in_dutch(tmp_path, dutch):
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_feature("backup", "fysio-centrum")
        await settle(pilot)
        screen = app.screen
        info = str(screen.query_one("#bk-info", Static).content)
        assert info.startswith("Actief certificaat geldig tot ")
        assert "\nLaatste gecontroleerde back-up: 02-11-2026 " in info  # a Dutch date
        text = screen_text(app)
        assert "Doelmap" in text and "Wachtwoord" in text
        assert "[ ] Back-up beveiligen met een nieuw wachtwoord" in text
        assert "f2 Back-up schrijven" in footer(app)
        screen.query_one("#bk-password", Input).value = DEMO_PASSWORD
        await pilot.press("f2")
        await settle(pilot)
        result = str(screen.query_one("#bk-result-text", Static).content)
        assert result.startswith("GECONTROLEERD: geschreven, teruggelezen en vergeleken")
        assert "  (actief)" in result and "  geldig tot " in result
        assert "a Nog een back-up" in footer(app)
        await pilot.press("escape")
        await settle(pilot)

        app.open_feature("deploy", "fysio-centrum")
        await settle(pilot)
        screen = app.screen
        assert screen.title == "Uitrol"
        assert str(screen.query_one("#dp-plan", Static).content).startswith(
            "Zet het actieve certificaat waar de praktijksoftware het leest")
        # the label and the field apart, as in English
        assert "Wachtwoord  van het opgeslagen certificaat" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert str(screen.query_one("#dp-error", Static).content) == (
            "Probleem: Typ het wachtwoord van het opgeslagen certificaat (opgegeven bij het "
            "importeren).")
        await pilot.press(*DEMO_PASSWORD, "enter")
        await settle(pilot)
        result = str(screen.query_one("#dp-result", Static).content)
        assert result.startswith("UITGEROLD: elk doel heeft het certificaat, gecontroleerd.")



async def test_the_test_person_is_filled_in_with_a_dutch_date(context, dutch):
    app = ScreenApp(lambda: TestCallScreen(context, "hap-zuid"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert screen.query_one("#tc-birth", Input).value == "15-03-1962"
        assert str(screen.query_one("#tc-hint", Static).content) == (
            "Acceptatie: de testpersoon van VECOZO is ingevuld. Enter start de test.")
        await run_call(pilot)
        assert screen.diagnosis is not None and screen.diagnosis.ok
    assert context.repository.events("hap-zuid").last_test_call.environment == "acceptance"
