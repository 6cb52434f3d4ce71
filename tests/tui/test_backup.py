"""The backup screen with Pilot at 80x24, over a real repository: a verified backup, the
same-disk warning, 3DES and a new password, and problems shown in place with the form
kept for a retry."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from textual.widgets import Checkbox, Input, Static

from tests.factory import sha256
from tests.tui_support import ScreenApp, settle
from vecozo_tui.certificates import load_pkcs12
from vecozo_tui.config import Config, Practice
from vecozo_tui.repository import Actor, Repository
from vecozo_tui.tui.context import AppContext
from vecozo_tui.tui.screens.backup import LEGACY_LABEL, BackupScreen

PASSWORD = "stored-pass-1"
NEW_PASSWORD = "backup-pass-2"
SIZE = (80, 24)




@pytest.fixture
def world(tmp_path, clock, test_pki):
    root = tmp_path / "repository"
    actor = Actor(user="beheer", ssh_client="192.0.2.7")
    Repository.init(root, clock=clock, actor=actor)
    repository = Repository(root, clock=clock)
    cert = test_pki.system()
    loaded = load_pkcs12(test_pki.pfx(cert, PASSWORD).read_bytes(), PASSWORD)
    repository.import_certificate("hap-zuid", loaded, PASSWORD, actor=actor)
    usb = tmp_path / "usb"
    usb.mkdir()
    config = Config(path=None, repository=root, inbox=tmp_path, backup_target=usb, practices=[
        Practice("hap-zuid", "Huisartsenpraktijk Zuid", "01234567", "production"),
        Practice("fysio-oost", "Fysiotherapie Oost", "04011111", "production")])
    context = AppContext(config=config, repository=repository, clock=clock, actor=actor)
    return SimpleNamespace(root=root, repository=repository, cert=cert, usb=usb, tmp=tmp_path,
                           config=config, context=context)


def new_app(world, practice_id="hap-zuid") -> ScreenApp:
    return ScreenApp(lambda: BackupScreen(world.context, practice_id))



def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def files_in(directory) -> list[str]:
    return sorted(os.listdir(directory))


async def test_a_verified_backup_with_the_same_disk_warning(world, now):
    app = new_app(world)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#bk-target", Input).value == str(world.usb)
        assert screen.focused is screen.query_one("#bk-password", Input)  # target prefilled
        assert "Last verified backup: none yet" in text(screen, "#bk-info")
        assert screen.query_one("#bk-password", Input).password  # masked
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        result = text(screen, "#bk-result-text")
        assert result.startswith("VERIFIED: written, read back and compared")
        [name] = files_in(world.usb)
        assert name in result and f"Target: {world.usb}" in result
        fp = sha256(world.cert)
        colon = ":".join(fp[i:i + 2] for i in range(0, 64, 2))
        assert colon[:47] in result and colon[48:] in result  # two lines of 16 bytes
        assert "AES-256" in result
        # tmp_path and the repository are on one disk: warned loudly, in words
        warning = screen.query_one("#bk-warning", Static)
        assert warning.has_class("shown") and warning.region.height >= 3
        assert text(screen, "#bk-warning").startswith("WARNING - SAME DISK:")
        assert "ander opslagmedium" in text(screen, "#bk-warning")
        # the form is gone, the passwords are cleared, the info says when
        assert not screen.query_one("#bk-form").display
        assert screen.query_one("#bk-password", Input).value == ""
        assert "Last verified backup: 2026-11-22 09:30" in text(screen, "#bk-info")
        assert PASSWORD not in result
        await pilot.press("escape")
        await settle(pilot)
    assert app.results == [True]
    record = world.repository.events("hap-zuid").last_backup
    assert record.verified and record.sha256 == fp and record.target == str(world.usb)
    assert load_pkcs12((world.usb / name).read_bytes(), PASSWORD).info.sha256 == fp


async def test_3des_new_password_and_history_options(world, test_pki):
    renewed = test_pki.system(days_valid=900)
    loaded = load_pkcs12(test_pki.pfx(renewed, PASSWORD).read_bytes(), PASSWORD)
    world.repository.import_certificate("hap-zuid", loaded, PASSWORD,
                                        actor=world.context.actor)
    app = new_app(world)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert LEGACY_LABEL == "3DES for older Windows (Server 2016 and earlier)"
        assert str(screen.query_one("#bk-legacy", Checkbox).label) == LEGACY_LABEL
        await pilot.press(*PASSWORD)
        screen.query_one("#bk-legacy", Checkbox).value = True
        screen.query_one("#bk-history", Checkbox).value = True
        screen.query_one("#bk-new", Checkbox).value = True
        await pilot.pause()
        assert screen.query_one("#bk-new-passwords").has_class("shown")
        assert screen.focused is screen.query_one("#bk-new-password", Input)
        # two different new passwords: refused before anything is written
        await pilot.press(*NEW_PASSWORD, "tab", *"something-else", "enter")
        await settle(pilot)
        assert "differ" in text(screen, "#bk-error")
        assert files_in(world.usb) == []
        assert screen.focused is screen.query_one("#bk-new-password-again", Input)
        await pilot.press(*NEW_PASSWORD, "enter")
        await settle(pilot)
        result = text(screen, "#bk-result-text")
        assert "3DES" in result and "the new one you set" in result
        assert "(active)" in result and "(earlier)" in result
        names = files_in(world.usb)
        assert len(names) == 2 and all(name.endswith("-3des.p12") for name in names)
        assert {load_pkcs12((world.usb / name).read_bytes(), NEW_PASSWORD).info.sha256
                for name in names} == {sha256(world.cert), sha256(renewed)}
        # another backup: the form comes back, the target is kept
        await pilot.press("a")
        await settle(pilot)
        assert screen.query_one("#bk-form").display
        assert screen.query_one("#bk-target", Input).value == str(world.usb)
        assert screen.focused is screen.query_one("#bk-password", Input)


async def test_wrong_password_and_bad_target_keep_the_form_for_a_retry(world):
    app = new_app(world)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press(*"not-it", "enter")
        await settle(pilot)
        error = text(screen, "#bk-error")
        assert "Wrong password" in error and "not-it" not in error
        assert screen.query_one("#bk-password", Input).value == ""
        assert screen.focused is screen.query_one("#bk-password", Input)
        assert screen.query_one("#bk-target", Input).value == str(world.usb)

        # a target that is not there: the password stays, the target gets the focus
        target = screen.query_one("#bk-target", Input)
        target.value = str(world.tmp / "not-mounted")
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert "does not exist" in text(screen, "#bk-error")
        assert "form keeps what you typed" in text(screen, "#bk-error")
        assert screen.focused is target
        assert screen.query_one("#bk-password", Input).value == PASSWORD
        assert files_in(world.usb) == []

        # fix only the target and press Enter: done
        target.value = str(world.usb)
        await pilot.press("enter")
        await settle(pilot)
        assert not screen.query_one("#bk-error").has_class("shown")
        assert "VERIFIED" in text(screen, "#bk-result-text")
        assert len(files_in(world.usb)) == 1


async def test_an_existing_file_is_never_overwritten(world):
    """The same backup again: the file there verifies, so it is recorded, not rewritten."""
    app = new_app(world)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        [name] = files_in(world.usb)
        before = (world.usb / name).read_bytes()
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert "was already there" in text(app.screen, "#bk-result-text")
        assert (world.usb / name).read_bytes() == before
        assert files_in(world.usb) == [name]


async def test_empty_fields_are_asked_for(world):
    world.config.backup_target = None
    app = new_app(world)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.focused is screen.query_one("#bk-target", Input)
        await pilot.press("f2")
        await settle(pilot)
        assert "Type the target directory" in text(screen, "#bk-error")
        screen.query_one("#bk-target", Input).value = str(world.usb)
        await pilot.press("enter")
        await settle(pilot)
        assert "Type the password" in text(screen, "#bk-error")
        assert screen.focused is screen.query_one("#bk-password", Input)


async def test_no_active_certificate(world):
    app = new_app(world, "fysio-oost")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "No active certificate" in text(screen, "#bk-info")
        assert screen.query_one("#bk-form").disabled
        assert not any(b.binding.action == "write" and b.enabled
                       for b in screen.active_bindings.values())
        await pilot.press("escape")
        await settle(pilot)
    assert app.results == [False]


async def test_fits_80x24_with_the_keys_in_the_footer(world):
    app = new_app(world)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#bk-new", Checkbox).value = True  # the tallest form
        await pilot.pause()
        for selector in ("#bk-new-password-again", "#bk-write"):
            assert screen.query_one(selector).region.bottom <= 23, selector
        footer = screen.query_one("Footer")
        assert footer.region.bottom == 24
        shown = {b.binding.description for b in screen.active_bindings.values()
                 if b.enabled and b.binding.show}
        assert {"Back", "Write backup"} <= shown
