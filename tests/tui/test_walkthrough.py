"""The walkthrough screen with Pilot at 80x24, over a real repository: choosing, ticking
with the keyboard, notes, automatic ticks, resuming in a new app, exporting the record."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from textual.widgets import OptionList, Static

from tests.factory import sha256
from tests.tui_support import ScreenApp, settle
from vecozo_tui import walkthroughs as wt
from vecozo_tui.config import Config, Practice
from vecozo_tui.repository import Actor, BackupRecord, Repository, TestCallRecord
from vecozo_tui.tui.context import AppContext
from vecozo_tui.tui.screens.walkthrough import NoteScreen, WalkthroughScreen

PASSWORD = "geheim-1"
SIZE = (80, 24)
PRACTICES = [
    Practice("hap-zuid", "Huisartsenpraktijk Zuid", "01234567", "production", "dr. J. Mulder"),
    Practice("fysio-oost", "Fysiotherapie Oost", "04011111", "production", "M. Jansen"),
    Practice("tand-oud", "Tandarts Oud", "12000001", "production"),
]



@pytest.fixture
def world(tmp_path, clock, test_pki, monkeypatch):
    monkeypatch.setenv("VECOZO_TUI_HOST", "praktijk-server.example.nl")
    root = tmp_path / "repository"
    actor = Actor(user="beheer", ssh_client="192.0.2.7")
    Repository.init(root, clock=clock, actor=actor)
    repository = Repository(root, clock=clock)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    usb = tmp_path / "usb"
    usb.mkdir()
    config = Config(path=None, repository=root, inbox=inbox, backup_target=usb,
                    practices=list(PRACTICES))
    context = AppContext(config=config, repository=repository, clock=clock, actor=actor)
    world = SimpleNamespace(root=root, repository=repository, actor=actor, clock=clock,
                            inbox=inbox, usb=usb, config=config, context=context,
                            test_pki=test_pki)
    world.old = test_pki.system(days_valid=730, starts_days_ago=700)  # 30 days left
    import_cert(world, world.old)
    # an expired one for the recover suggestion
    import_cert(world, test_pki.system("Tandarts Oud", "12000001", days_valid=730,
                                       starts_days_ago=740), practice="tand-oud")
    return world


def import_cert(world, issued, practice: str = "hap-zuid"):
    from vecozo_tui.certificates import load_pkcs12

    data = world.test_pki.pfx(issued, PASSWORD).read_bytes()
    return world.repository.import_certificate(practice, load_pkcs12(data, PASSWORD), PASSWORD,
                                               actor=world.actor)


def new_app(world, practice_id="hap-zuid", kind=None) -> ScreenApp:
    # every app gets its own Repository object, like a new process would
    context = AppContext(config=world.config, repository=Repository(world.root, clock=world.clock),
                         clock=world.clock, actor=world.actor)
    return ScreenApp(lambda: WalkthroughScreen(context, practice_id, kind))



def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def step_lines(screen) -> list[str]:
    steps = screen.query_one("#wt-steps", OptionList)
    return [str(steps.get_option_at_index(i).prompt) for i in range(steps.option_count)]


def stored(world, kind="renew", practice="hap-zuid") -> wt.Progress:
    progress = wt.load(Repository(world.root), practice, kind)
    assert progress is not None
    return progress


# --- choosing ---------------------------------------------------------------------------


@pytest.mark.parametrize(("practice", "expected"), [
    ("hap-zuid", "renew"), ("fysio-oost", "new"), ("tand-oud", "recover")])
async def test_chooser_suggests_from_the_practice_state(world, practice, expected):
    app = new_app(world, practice)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        chooser = screen.query_one("#wt-choose-list", OptionList)
        assert chooser.option_count == 4
        assert chooser.highlighted_option.id == expected
        assert "(suggested)" in str(chooser.highlighted_option.prompt)
        assert text_of(screen, "#wt-choose-why").startswith("Suggested:")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.kind == expected
        assert screen.query_one("#wt-steps", OptionList).option_count == \
            len(wt.get_walkthrough(expected).steps)
    assert stored(world, expected, practice).done_count == 0


async def test_an_unfinished_walkthrough_is_suggested_first(world, now):
    wt.tick(world.repository, "hap-zuid", "backup", "password", actor=world.actor, now=now)
    app = new_app(world)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        chooser = app.screen.query_one("#wt-choose-list", OptionList)
        assert chooser.highlighted_option.id == "backup"
        assert "1 of 4 done" in str(chooser.highlighted_option.prompt)
        assert "in progress" in text_of(app.screen, "#wt-choose-why")
        # another one can still be chosen with the arrows
        await pilot.press("up", "up", "up", "enter")
        await settle(pilot)
        assert app.screen.kind == "renew"


# --- ticking, notes, text ---------------------------------------------------------------


async def test_ticks_and_notes_with_the_keyboard_are_stored(world):
    app = new_app(world, kind="renew")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "0 of 10 done" in text_of(screen, "#wt-status")
        body = text_of(screen, "#wt-body")
        assert body.startswith("Step 1 of 10: The contact person has the PIN at hand")
        assert "dr. J. Mulder" in body and "pincode" in body

        await pilot.press("space")
        await settle(pilot)
        assert stored(world).is_done("pin")
        assert step_lines(screen)[0].startswith("[x]")
        # the highlight moved on to the next open step
        assert screen.query_one("#wt-steps", OptionList).highlighted == 1
        assert "1 of 10 done" in text_of(screen, "#wt-status")

        await pilot.press("x")  # x ticks too
        await settle(pilot)
        assert stored(world).is_done("renew")

        await pilot.press("up", "up", "space")  # untick the first one
        await settle(pilot)
        assert not stored(world).is_done("pin")

        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"letter in safe", "enter")
        await settle(pilot)
        assert app.screen is screen
        progress = stored(world)
        assert progress.state("pin").note == "letter in safe"
        assert not progress.is_done("pin")  # a note does not tick
        assert "(note)" in step_lines(screen)[0]
        assert "Note: letter in safe" in text_of(screen, "#wt-body")

        # Escape in the note dialog changes nothing
        await pilot.press("n", "z", "escape")
        await settle(pilot)
        assert stored(world).state("pin").note == "letter in safe"

        await pilot.press("escape")
        await settle(pilot)
    assert app.results == [True]
    log = (world.root / "audit.log").read_text(encoding="utf-8")
    assert "letter in safe" not in log
    assert log.count('"walkthrough-tick"') == 3


async def test_the_copy_step_shows_scp_to_this_server_and_the_inbox(world):
    app = new_app(world, kind="renew")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down")
        await settle(pilot)
        body = text_of(app.screen, "#wt-body")
        assert body.startswith("Step 4 of 10: Copy the file to this server")
        assert f"scp hap-zuid.pfx beheer@praktijk-server.example.nl:{world.inbox}/" in body
        # the export step: long, scrolls with PgDn while the list keeps the focus
        await pilot.press("up")
        await settle(pilot)
        text = app.screen.query_one("#wt-text")
        assert "Reservekopie" in text_of(app.screen, "#wt-body")
        assert text.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert text.scroll_y > 0
        assert app.screen.focused is app.screen.query_one("#wt-steps")


async def test_keys_fit_in_the_footer_at_80x24(world):
    app = new_app(world, kind="renew")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = app.screen.query_one("Footer")
        assert footer.region.bottom == 24 and footer.region.height == 1
        descriptions = {b.binding.description for b in app.screen.active_bindings.values()
                        if b.enabled and b.binding.show}
        assert {"Back", "Done", "Note", "Export"} <= descriptions
        # the step-specific keys show only on their step
        assert "Back up" not in descriptions
        await pilot.press("down", "down", "down", "down", "down", "down", "down")  # backup
        await settle(pilot)
        descriptions = {b.binding.description for b in app.screen.active_bindings.values()
                        if b.enabled and b.binding.show}
        assert "Back up" in descriptions
        # the step text has room: at least 8 lines below the list of 10 steps
        assert app.screen.query_one("#wt-text").region.height >= 8


# --- automatic ticks, resuming ----------------------------------------------------------


async def test_automatic_steps_tick_on_resume_and_survive_a_restart(world, clock):
    app = new_app(world, kind="renew")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(4):  # pin, renew, export, copy
            await pilot.press("space")
            await settle(pilot)
        assert stored(world).done_count == 4

        # meanwhile (another session, the CLI) the renewed certificate is imported
        clock.advance(minutes=10)
        new = world.test_pki.system(days_valid=800)
        import_cert(world, new)
        app.screen.refresh_data()
        await settle(pilot)
        progress = stored(world)
        assert progress.is_done("import") and progress.state("import").automatic
        assert "[x]" in step_lines(app.screen)[4] and "(auto)" in step_lines(app.screen)[4]
        # the highlight follows to the deploy step (the target holds the old certificate)
        assert app.screen.query_one("#wt-steps", OptionList).highlighted == 5
        assert "checked automatically" not in text_of(app.screen, "#wt-body")
        await pilot.press("up")
        await settle(pilot)
        assert "checked automatically" in text_of(app.screen, "#wt-body")

    # a new app (after a restart, or in another SSH session) resumes where it was
    clock.advance(minutes=10)
    world.repository.record_test_call("hap-zuid", TestCallRecord(
        at=clock.now(), sha256=sha256(new), environment="production", ok=True,
        summary="COV answered"), actor=world.actor)
    app = new_app(world)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        chooser = app.screen.query_one("#wt-choose-list", OptionList)
        assert chooser.highlighted_option.id == "renew"
        assert "5 of 10 done" in str(chooser.highlighted_option.prompt)
        await pilot.press("enter")
        await settle(pilot)
        assert stored(world).is_done("test-call")  # ticked on opening
        assert "6 of 10 done" in text_of(app.screen, "#wt-status")
        # the first open step: the deploy (its target still holds the old certificate)
        assert app.screen.query_one("#wt-steps", OptionList).highlighted == 5


async def test_backup_from_the_backup_step_ticks_it(world, clock):
    from textual.widgets import Input

    from vecozo_tui.tui.screens.backup import BackupScreen

    app = new_app(world, kind="backup")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        walkthrough_screen = app.screen
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BackupScreen)
        assert app.screen.query_one("#bk-target", Input).value == str(world.usb)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert "VERIFIED" in text_of(app.screen, "#bk-result-text")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is walkthrough_screen
        assert stored(world, "backup").is_done("backup")
        assert step_lines(walkthrough_screen)[0].startswith("[x]")


async def test_finished_walkthrough_exports_a_record_never_overwriting(world, clock):
    wt.start(world.repository, "hap-zuid", "backup", actor=world.actor, now=clock.now())
    for key in ("password", "import-elsewhere", "test-elsewhere"):
        wt.tick(world.repository, "hap-zuid", "backup", key, actor=world.actor,
                now=clock.now())
    world.repository.record_backup("hap-zuid", BackupRecord(
        at=clock.now(), sha256=sha256(world.old), target=str(world.usb), verified=True),
        actor=world.actor)
    app = new_app(world, kind="backup")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "4 of 4 done, finished" in text_of(app.screen, "#wt-status")
        await pilot.press("e")
        await settle(pilot)
        first = app.screen.last_export
        assert first is not None and first.parent == world.inbox
        assert first.name == "hap-zuid-backup-walkthrough-20261122-0930.md"
        assert str(first) in text_of(app.screen, "#wt-status")
        record = first.read_text(encoding="utf-8")
        assert record.startswith("# Back up, or move to another computer: "
                                 "Huisartsenpraktijk Zuid (hap-zuid)")
        assert "4 of 4 steps done" in record and "(checked automatically)" in record
        assert f"last backup 2026-11-22 09:30 UTC in {world.usb}, verified" in record
        assert "same disk" in record  # tmp_path: the repository's disk
        assert (first.stat().st_mode & 0o777) == 0o600
        await pilot.press("e")
        await settle(pilot)
        second = app.screen.last_export
        assert second != first and second.name.endswith("-2.md")
        assert first.read_text(encoding="utf-8") == record  # untouched


async def test_export_without_an_inbox_says_what_to_do(world, clock):
    world.config.inbox = world.inbox / "missing"
    world.config.backup_target = None
    app = new_app(world, kind="renew")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        error = text_of(app.screen, "#wt-error")
        assert "does not exist" in error and "missing" in error
        assert app.screen.query_one("#wt-error").has_class("shown")


async def test_other_walkthrough_and_back_without_changes(world, now):
    wt.start(world.repository, "hap-zuid", "renew", actor=world.actor, now=now)
    app = new_app(world, kind="renew")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert app.screen.kind is None
        assert app.screen.query_one("#wt-choose-list", OptionList).has_focus
        await pilot.press("escape")
        await settle(pilot)
    assert app.results == [False]  # resuming and looking changed nothing


async def test_a_busy_repository_is_shown_not_crashed(world, now):
    import fcntl
    import os

    app = new_app(world, kind="renew")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app_repository = app.screen.context.repository
        app_repository.lock_wait_seconds = 0.1
        handle = os.open(world.root / ".lock", os.O_RDWR)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            await pilot.press("space")
            await settle(pilot)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            os.close(handle)
        error = text_of(app.screen, "#wt-error")
        assert "busy" in error
        await pilot.press("space")
        await settle(pilot)
        assert not app.screen.query_one("#wt-error").has_class("shown")
        assert stored(world).is_done("pin")



# --- done when: the renew walkthrough on the demo, in the full app ---------------------------


@pytest.fixture
def demo_world(tmp_path, clock):
    from vecozo_tui.config import load_config
    from vecozo_tui.demo import build_demo

    demo = build_demo(tmp_path / "demo", clock.now(), start_server=False)
    return SimpleNamespace(demo=demo, config_path=demo.config_path, clock=clock,
                           actor=Actor(user="beheer", ssh_client="192.0.2.7"),
                           load_config=load_config)


def full_app(world):
    from vecozo_tui.tui.app import VecozoApp

    config = world.load_config(world.config_path)  # a new process reads everything again
    context = AppContext(config=config, repository=Repository(config.repository,
                                                              clock=world.clock),
                         clock=world.clock, actor=world.actor, demo=world.demo)
    return VecozoApp(context)


async def open_walkthrough(pilot, practice_id: str) -> WalkthroughScreen:
    await settle(pilot)
    pilot.app.screen.select_practice(practice_id)
    await pilot.press("w")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WalkthroughScreen)
    return screen


async def test_renew_on_the_demo_from_start_to_finish_with_a_restart(demo_world):
    from textual.widgets import Input

    from vecozo_tui.demo import DEMO_PASSWORD
    from vecozo_tui.tui.screens.backup import BackupScreen
    from vecozo_tui.tui.screens.import_certificate import ImportScreen

    world, practice = demo_world, "fysio-centrum"  # 5 days left, its renewal in the inbox
    app = full_app(world)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_walkthrough(pilot, practice)
        chooser = screen.query_one("#wt-choose-list", OptionList)
        assert chooser.highlighted_option.id == "renew"
        await pilot.press("enter")
        await settle(pilot)
        for _ in range(4):  # PIN at hand, renewed at VECOZO, exported, copied
            await pilot.press("space")
            await settle(pilot)
        assert screen.progress.done_count == 4
        assert screen.query_one("#wt-steps", OptionList).highlighted_option.id == "import"

        # the import, from the walkthrough, with the import screen of the app
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        await pilot.press("slash")
        app.screen.query_one("#path", Input).value = str(
            world.demo.directory / "inbox" / "fysio-centrum-verlengd.pfx")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*DEMO_PASSWORD, "enter")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert screen.progress.is_done("import") and screen.progress.state("import").automatic
        # the import deployed at once ([deploy] automatic): that step ticked itself too
        assert screen.progress.is_done("deploy") and screen.progress.state("deploy").automatic
        assert screen.query_one("#wt-steps", OptionList).highlighted_option.id == "test-call"

        # the backup, from its step, ticks itself
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BackupScreen)
        await pilot.press(*DEMO_PASSWORD, "enter")
        await settle(pilot)
        assert "VERIFIED" in text_of(app.screen, "#bk-result-text")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert screen.progress.is_done("backup") and screen.progress.state("backup").automatic
        assert "7 of 10 done" in text_of(screen, "#wt-status")
        # the dashboard shows the progress
        await pilot.press("escape")
        await settle(pilot)
        from vecozo_tui.walkthroughs import progress_summary

        assert progress_summary(app.context.repository, practice) == "renew 7/10"

    # meanwhile a test call with the new certificate succeeds (another session, the CLI)
    repository = Repository(world.load_config(world.config_path).repository)
    active = repository.active(practice)
    world.clock.advance(minutes=30)
    repository.record_test_call(practice, TestCallRecord(
        at=world.clock.now(), sha256=active.info.sha256, environment="production", ok=True,
        summary="COV answered: insured person found"), actor=world.actor)

    # the app is started again: the walkthrough resumes where it was
    app = full_app(world)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_walkthrough(pilot, practice)
        chooser = screen.query_one("#wt-choose-list", OptionList)
        assert chooser.highlighted_option.id == "renew"
        assert "in progress, 7 of 10 done" in str(chooser.highlighted_option.prompt)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.progress.is_done("test-call")  # ticked itself on opening
        steps = screen.query_one("#wt-steps", OptionList)
        assert steps.highlighted_option.id == "remove-old"
        await pilot.press("space")
        await settle(pilot)
        body = text_of(screen, "#wt-body")
        assert body.startswith("Step 10 of 10: Note when the next renewal is due")
        assert f"valid until {active.info.not_after:%Y-%m-%d}" in body
        await pilot.press("space")
        await settle(pilot)
        assert screen.progress.finished
        assert "10 of 10 done, finished" in text_of(screen, "#wt-status")
        await pilot.press("e")
        await settle(pilot)
        record = screen.last_export.read_text(encoding="utf-8")
        assert "10 of 10 steps done" in record
        assert f"Certificate after: SHA-256 {active.info.sha256[:2]}:" in record
        await pilot.press("escape")
        await settle(pilot)
        from vecozo_tui.walkthroughs import progress_summary

        # finished: the dashboard's column says so (it stayed empty before)
        assert progress_summary(app.context.repository, practice) == "renew done"


async def test_ticks_from_another_session_show_up_without_losing_the_place(world, clock):
    app = new_app(world, kind="renew")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("down", "down")  # the long export step
        await settle(pilot)
        await pilot.press("pagedown")
        await pilot.pause()
        text = screen.query_one("#wt-text")
        place = text.scroll_y
        assert place > 0
        screen._poll()  # what the timer does every few seconds: nothing new, nothing moves
        await settle(pilot)
        assert text.scroll_y == place
        # another SSH session ticks the first step
        other = Repository(world.root, clock=clock)
        wt.tick(other, "hap-zuid", "renew", "pin", actor=Actor(user="collega"), now=clock.now())
        screen._poll()
        await settle(pilot)
        assert step_lines(screen)[0].startswith("[x]")
        assert "1 of 10 done" in text_of(screen, "#wt-status")
        assert screen.query_one("#wt-steps", OptionList).highlighted_option.id == "export"


async def test_start_again_keeps_the_record_so_far(world):
    app = new_app(world, kind="renew")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert stored(world).done_count == 1
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("n")  # the question is asked; no keeps everything
        await settle(pilot)
        assert stored(world).done_count == 1
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert stored(world).done_count == 0
        assert "0 of 10 done" in text_of(app.screen, "#wt-status")
    states = world.root / "practices" / "hap-zuid" / "state"
    archived = [p.name for p in states.iterdir() if p.name.startswith("walkthrough-renew-")]
    assert len(archived) == 1
