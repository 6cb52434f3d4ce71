"""The import screen with files other programs write: several certificates (picked with
the keyboard), an unclear kind (its own question), no password (a new one, typed twice)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList

from tests.factory import multi_key_pkcs12
from tests.tui.test_flow import give_password, open_import_and_pick, static_text
from tests.tui_support import make_world, plain_environment, settle
from vecozo_tui.certificates import info_from_certificate, load_pkcs12
from vecozo_tui.tui.screens.confirm import ConfirmScreen
from vecozo_tui.tui.screens.import_certificate import DONE, NEW_PASSWORD, PREVIEW

SIZE = (80, 24)
PRACTICE, AGB = "fysio-nieuw", "04067890"  # a demo practice without a certificate
PASSWORD = "geheim-456"


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


def sha(issued) -> str:
    return info_from_certificate(issued.certificate).sha256


async def preview(pilot, app, name: str, password: str = PASSWORD):
    app.open_feature("import", PRACTICE)
    await settle(pilot)
    screen = await open_import_and_pick(pilot, name)
    await give_password(pilot, password)
    assert screen.step == PREVIEW, static_text(screen, "#pick-error")
    return screen


async def test_several_certificates_are_listed_and_another_is_picked_by_keyboard(
        tmp_path, test_pki):
    world = make_world(tmp_path)
    old = test_pki.system("Fysio Nieuw-West", AGB, days_valid=730, starts_days_ago=700)
    renewed = test_pki.system("Fysio Nieuw-West", AGB, days_valid=730)
    (world.inbox / "firefox.p12").write_bytes(multi_key_pkcs12(
        [renewed, old], PASSWORD, extra_certificates=test_pki.chain))
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await preview(pilot, app, "firefox.p12")
        pairs = screen.query_one("#pairs", OptionList)
        assert pairs.display and pairs.option_count == 2 and pairs.has_focus
        assert "2 certificates with a private key" in static_text(screen, "#pairs-title")
        assert screen._loaded.info.sha256 == sha(renewed)  # the default: the renewed one
        lines = [str(pairs.get_option_at_index(i).prompt) for i in range(2)]
        assert lines[0].startswith("▶ Systeemcertificaat Fysio Nieuw-West\n  system certificate")
        assert lines[1].startswith("  ")
        await pilot.press("down", "enter")  # pick last year's
        await pilot.pause()
        assert screen._loaded.info.sha256 == sha(old)
        assert str(pairs.get_option_at_index(1).prompt).startswith("▶")
        await pilot.press("up", "enter")  # and back
        await pilot.pause()
        await pilot.press("s")
        await settle(pilot)
        assert screen.step == DONE
    assert world.repository.active(PRACTICE).info.sha256 == sha(renewed)


async def test_an_ambiguous_file_waits_for_a_pick(tmp_path, test_pki):
    world = make_world(tmp_path)
    first = test_pki.system("Fysio Nieuw-West", AGB)
    second = test_pki.system("Fysio Nieuw-West Dependance", AGB)
    (world.inbox / "two.p12").write_bytes(multi_key_pkcs12(
        [first, second], PASSWORD, extra_certificates=test_pki.chain))
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await preview(pilot, app, "two.p12")
        assert screen._loaded is None
        assert "pick one" in static_text(screen, "#pairs-title")
        await pilot.press("s")  # nothing chosen: nothing to store
        await settle(pilot)
        assert screen.step == PREVIEW and world.repository.active(PRACTICE) is None
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen._loaded.info.sha256 == sha(second)
        await pilot.press("s")
        await settle(pilot)
        assert screen.step == DONE
    assert world.repository.active(PRACTICE).info.sha256 == sha(second)


async def test_an_unclear_kind_is_asked_with_the_name_shown(tmp_path, test_pki):
    world = make_world(tmp_path)
    unclear = test_pki.certificate([("CN", "Bakker"), ("OU", f"AGB {AGB}")])
    (world.inbox / "unclear.pfx").write_bytes(test_pki.pfx(unclear, PASSWORD).read_bytes())
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await preview(pilot, app, "unclear.pfx")
        await pilot.press("s")
        await pilot.pause()
        question = app.screen
        assert isinstance(question, ConfirmScreen)
        assert question.title_text == ("Is this the practice's system certificate? It shows "
                                       "no person's name.")
        assert 'CN  "Bakker"' in str(question.body)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and world.repository.active(PRACTICE) is None
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")  # it is the system certificate
        await pilot.pause()
        if isinstance(app.screen, ConfirmScreen):  # the other warnings, if any
            await pilot.press("y")
        await settle(pilot)
        assert screen.step == DONE
    assert world.repository.active(PRACTICE).info.kind == "unclear"


async def test_a_file_without_a_password_is_stored_under_a_new_one(tmp_path, test_pki):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    world = make_world(tmp_path)
    system = test_pki.system("Fysio Nieuw-West", AGB)
    (world.inbox / "keychain.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        None, system.key, system.certificate, test_pki.chain, serialization.NoEncryption()))
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await preview(pilot, app, "keychain.p12", password="")
        assert "The file has no password" in static_text(screen, "#findings")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert screen.step == NEW_PASSWORD
        assert screen.query_one("#new-password", Input).has_focus
        await pilot.press(*"nieuw-1", "enter", *"anders", "enter")
        await pilot.pause()
        assert "differ" in static_text(screen, "#new-password-error")
        assert screen.query_one("#new-password", Input).value == ""
        await pilot.press(*"nieuw-1", "enter", *"nieuw-1", "enter")
        await settle(pilot)
        assert screen.step == DONE
    stored = world.repository.read_pkcs12(PRACTICE, sha(system))
    assert load_pkcs12(stored, "nieuw-1").key_matches
