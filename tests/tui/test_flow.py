"""The real app at 80x24, driven by keys: dashboard, detail, import, practices, filter, help."""

from __future__ import annotations

import os
import tomllib
from datetime import UTC, datetime

import pytest
from textual.widgets import DataTable, Input, Static

from tests.tui_support import SNAP_ID, make_world, plain_environment, settle
from vecozo_tui.demo import DEMO_PASSWORD
from vecozo_tui.tui.screens.confirm import ConfirmScreen
from vecozo_tui.tui.screens.dashboard import DashboardScreen
from vecozo_tui.tui.screens.detail import DetailScreen
from vecozo_tui.tui.screens.help import HelpScreen
from vecozo_tui.tui.screens.import_certificate import (
    DONE,
    PASSWORD,
    PICK,
    PREVIEW,
    CertificateTree,
    ImportScreen,
)
from vecozo_tui.tui.screens.practices import AddPracticeScreen, PracticeSelectScreen

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


def row_keys(table: DataTable) -> list[str]:
    return [table.coordinate_to_cell_key((i, 0))[0].value for i in range(table.row_count)]


def cell(table: DataTable, row_key: str, column: str) -> str:
    return str(table.get_cell(row_key, column))


def static_text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def rendered_text(widget: Static) -> str:
    """What a Static holding a Rich renderable shows, as plain text."""
    from rich.console import Console

    console = Console(width=78, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(widget.content)
    return console.export_text()



async def tree_loaded(pilot, tree) -> None:
    for _ in range(100):
        if tree.root.children:
            return
        await pilot.pause(0.02)
    raise AssertionError("the file browser did not load")


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def open_import_and_pick(pilot, file_name: str, *, typed: bool = False) -> ImportScreen:
    """Type the file's name (relative to the inbox) into the path field and press Enter."""
    screen = pilot.app.screen
    assert isinstance(screen, ImportScreen)
    await pilot.press("slash")  # focus the path field
    path_input = screen.query_one("#path", Input)
    assert path_input.has_focus
    path_input.value = ""
    if typed:
        await type_text(pilot, file_name)
    else:  # typing is tested once; the other tests do not need to spend the time
        path_input.value = file_name
    await pilot.press("enter")
    await pilot.pause()
    return screen


async def give_password(pilot, password: str) -> None:
    pilot.app.screen.query_one("#password", Input).value = password
    await pilot.press("enter")
    await settle(pilot)


async def test_dashboard_detail_import_wrong_then_right_password(tmp_path):
    world = make_world(tmp_path)
    old = world.repository.active("hap-delinde")
    assert old is not None
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        table = dashboard.query_one("#practices", DataTable)
        keys = row_keys(table)
        assert keys[0] == "hap-delinde"  # expired: most urgent first
        assert cell(table, "hap-delinde", "status") == "EXPIRED"
        assert cell(table, "fysio-nieuw", "status") == "NO CERTIFICATE"
        assert cell(table, "hap-delinde", "expires") == "5 days ago"

        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, DetailScreen) and detail.practice_id == "hap-delinde"
        assert "EXPIRED  expires" in rendered_text(detail.query_one("#summary", Static))
        assert app.current_practice_id == "hap-delinde"

        await pilot.press("i")
        await pilot.pause()
        screen = await open_import_and_pick(pilot, "hap-delinde-nieuw.pfx", typed=True)
        assert screen.step == PASSWORD
        assert screen.query_one("#password", Input).has_focus
        assert screen.query_one("#password", Input).password  # masked

        await type_text(pilot, "wrong-password")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.step == PASSWORD  # retry without picking the file again
        assert "Wrong password" in static_text(screen, "#password-error")
        assert screen.query_one("#password", Input).value == ""
        assert screen._password is None
        assert world.repository.active("hap-delinde").info.sha256 == old.info.sha256

        await type_text(pilot, DEMO_PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.step == PREVIEW
        assert "No warnings" in static_text(screen, "#findings")
        assert world.repository.active("hap-delinde").info.sha256 == old.info.sha256

        await pilot.press("s")
        await settle(pilot)
        assert screen.step == DONE
        assert screen._password is None and screen._loaded is None
        new = world.repository.active("hap-delinde")
        assert new is not None and new.info.sha256 != old.info.sha256
        history = world.repository.history("hap-delinde")
        assert {h.info.sha256: h.active for h in history} == {
            new.info.sha256: True, old.info.sha256: False}
        assert new.imported_by == "admin"

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is detail
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is dashboard
        # valid now, but not yet tested nor backed up
        assert cell(table, "hap-delinde", "status") == "ATTENTION"
        assert row_keys(table)[0] != "hap-delinde"
        assert "EXPIRED 0" in str(dashboard.query_one("#counts", Static).content)


async def test_import_picks_from_the_file_browser_by_keyboard(tmp_path):
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_feature("import", "fysio-nieuw")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        tree = screen.query_one(CertificateTree)
        assert tree.has_focus
        await tree_loaded(pilot, tree)
        names = [node.label.plain.strip() for node in tree.root.children]
        assert "fysio-nieuw-west.p12" in names
        assert "LEESMIJ.txt" not in names  # only .pfx/.p12
        assert all(n.endswith((".pfx", ".p12")) for n in names)
        await pilot.pause()
        # the practice's own file is preselected (its id is in the name): Enter takes it
        assert tree.cursor_node.label.plain.strip() == "fysio-nieuw-west.p12"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.step == PASSWORD
        assert "fysio-nieuw-west.p12" in str(screen.query_one("#file-label", Static).content)
        await give_password(pilot, DEMO_PASSWORD)
        assert screen.step == PREVIEW
        await pilot.press("enter")  # no warnings: Enter stores too
        await settle(pilot)
        assert screen.step == DONE
        assert world.repository.active("fysio-nieuw") is not None


async def test_a_bad_file_shows_the_core_message_and_stays_on_the_picker(tmp_path):
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_feature("import", "hap-oost")
        await settle(pilot)
        screen = await open_import_and_pick(pilot, "kapot-bestand.pfx")
        await settle(pilot)
        assert screen.step == PICK  # said at once, without asking a password
        message = static_text(screen, "#pick-error")
        assert "kapot-bestand.pfx" in message.lower() and "PKCS#12" in message
        assert DEMO_PASSWORD not in message

        screen = await open_import_and_pick(pilot, "does-not-exist.pfx")
        assert screen.step == PICK
        assert "does not exist" in static_text(screen, "#pick-error")


async def test_workers_never_describe_their_arguments(tmp_path):
    """Textual logs a worker with its description, by default the repr() of its
    arguments: that would put the password (and the file) in the log."""
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_feature("import", "hap-oost")
        await settle(pilot)
        screen = app.screen
        stale = screen._attempt - 1  # its result is dropped
        workers = [screen._decrypt(stale, b"not a pfx", "secret-password-1", "x.pfx")]
        await settle(pilot)
        for worker in workers:
            assert "secret-password-1" not in worker.description
            assert "secret-password-1" not in repr(worker)
            assert "not a pfx" not in worker.description


async def test_leaving_during_decryption_drops_the_result(tmp_path, monkeypatch):
    import threading

    from vecozo_tui import certificates

    release = threading.Event()
    real_read = certificates.read_pkcs12

    def slow_read(*args, **kwargs):
        release.wait(10)
        return real_read(*args, **kwargs)

    # the world first: building it decrypts files too (when this test is the first of
    # its process to build the demo template, which depends on how xdist splits the suite)
    world = make_world(tmp_path)
    monkeypatch.setattr(certificates, "read_pkcs12", slow_read)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_feature("import", "hap-delinde")
        await settle(pilot)
        screen = await open_import_and_pick(pilot, "hap-delinde-nieuw.pfx")
        screen.query_one("#password", Input).value = DEMO_PASSWORD
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#password", Input).disabled  # opening the file
        await pilot.press("escape")  # changed their mind while it decrypts
        await pilot.pause()
        assert screen.step == PICK
        release.set()
        await settle(pilot)
        assert screen.step == PICK  # the late result is not shown ...
        assert screen._loaded is None and screen._password is None  # ... nor kept
        screen = await open_import_and_pick(pilot, "hap-delinde-nieuw.pfx")
        assert not screen.query_one("#password", Input).disabled


async def test_without_an_inbox_a_typed_path_works(tmp_path):
    world = make_world(tmp_path)
    real_inbox = world.config.inbox
    world.config.inbox = tmp_path / "no-such-inbox"
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_feature("import", "fysio-nieuw")
        await settle(pilot)
        screen = app.screen
        assert not screen.query(CertificateTree)
        hints = " ".join(str(w.content) for w in screen.query(Static))
        assert "does not exist" in hints
        path_input = screen.query_one("#path", Input)
        assert path_input.has_focus
        path_input.value = str(real_inbox / "fysio-nieuw-west.p12")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.step == PASSWORD


async def test_warnings_need_a_confirmation(tmp_path):
    world = make_world(tmp_path)
    before = world.repository.active("hap-persoon")
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_feature("import", "hap-persoon")
        await settle(pilot)
        screen = await open_import_and_pick(pilot, "persoonlijk-r-de-boer.pfx")
        await give_password(pilot, DEMO_PASSWORD)
        assert screen.step == PREVIEW
        assert "WARNING" in static_text(screen, "#findings")
        assert "personal certificate" in static_text(screen, "#findings")

        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and screen.step == PREVIEW
        assert world.repository.active("hap-persoon").info.sha256 == before.info.sha256

        await pilot.press("s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert screen.step == DONE
        assert world.repository.active("hap-persoon").info.sha256 != before.info.sha256


async def test_blocking_findings_prevent_storing(tmp_path):
    world = make_world(tmp_path)
    before = world.repository.active("hap-delinde")
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_feature("import", "hap-delinde")
        await settle(pilot)
        # another practice's certificate: the AGB code does not match
        screen = await open_import_and_pick(pilot, "tand-smile-windows2016.pfx")
        await give_password(pilot, DEMO_PASSWORD)
        assert screen.step == PREVIEW
        assert "ERROR" in static_text(screen, "#findings")
        assert "AGB" in static_text(screen, "#findings")
        assert "Cannot import" in static_text(screen, "#preview-status")
        await pilot.press("s")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert screen.step == PREVIEW
        assert world.repository.active("hap-delinde").info.sha256 == before.info.sha256
        await pilot.press("escape")  # back to the picker, key and password dropped
        await pilot.pause()
        assert screen.step == PICK and screen._loaded is None and screen._password is None


async def test_filter_by_name_agb_and_id(tmp_path):
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard = app.screen
        table = dashboard.query_one("#practices", DataTable)
        total = table.row_count
        await pilot.press("slash")
        assert dashboard.query_one("#filter", Input).has_focus
        await type_text(pilot, "oost")
        await pilot.pause()
        assert row_keys(table) == ["hap-oost"]
        dashboard.query_one("#filter", Input).value = ""
        await type_text(pilot, "12089012")  # an AGB code
        await pilot.pause()
        assert row_keys(table) == ["mond-noord"]
        dashboard.query_one("#filter", Input).value = ""
        await type_text(pilot, "fysio-")  # part of an id
        await pilot.pause()
        assert sorted(row_keys(table)) == ["fysio-centrum", "fysio-nieuw"]
        assert "2 of" in str(dashboard.query_one("#counts", Static).content)
        await pilot.press("enter")  # opens the highlighted match
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.practice_id in ("fysio-centrum", "fysio-nieuw")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert table.row_count == total


async def test_practice_selection_sets_the_current_practice(tmp_path):
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        select = app.screen
        assert isinstance(select, PracticeSelectScreen)
        await type_text(pilot, "zuid")
        await pilot.pause()
        assert row_keys(select.query_one("#practice-list", DataTable)) == ["hap-zuid"]
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_practice_id == "hap-zuid"
        assert isinstance(app.screen, DetailScreen) and app.screen.practice_id == "hap-zuid"
        assert "Huisartsenpraktijk Zuid" in app.sub_title

        # from a detail, choosing another practice replaces the detail (no pile-up)
        await pilot.press("p")
        await pilot.pause()
        app.screen.query_one("#search", Input).value = "oost"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.screen.practice_id == "hap-oost"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert app.current_practice_id == "hap-oost"


async def test_add_practice_writes_the_config_and_shows_errors_inline(tmp_path):
    world = make_world(tmp_path)
    config_path = world.config.path
    before = tomllib.loads(config_path.read_text(encoding="utf-8"))
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("down")  # from the search field to the list
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, AddPracticeScreen)
        await type_text(pilot, "hap-nieuw")
        await pilot.press("enter")
        await type_text(pilot, "Huisartsen Nieuw")
        await pilot.press("enter")
        await type_text(pilot, "1234x5")  # letters are refused by the field
        assert form.query_one("#add-agb", Input).value == "12345"
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is form
        assert "8 digits" in str(form.query_one("#add-error", Static).content)

        form.query_one("#add-agb", Input).value = "01011111"
        form.query_one("#add-id", Input).value = "hap-zuid"  # taken
        await pilot.press("f2")
        await pilot.pause()
        assert "already exists" in str(form.query_one("#add-error", Static).content)

        form.query_one("#add-id", Input).value = "hap-nieuw"
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, PracticeSelectScreen)
        listed = row_keys(app.screen.query_one("#practice-list", DataTable))
        assert "hap-nieuw" in listed
        await pilot.press("escape")
        await pilot.pause()
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        table = dashboard.query_one("#practices", DataTable)
        assert cell(table, "hap-nieuw", "status") == "NO CERTIFICATE"

    after = tomllib.loads(config_path.read_text(encoding="utf-8"))
    added = [p for p in after["practices"] if p["id"] == "hap-nieuw"]
    assert added == [{"id": "hap-nieuw", "name": "Huisartsen Nieuw", "agb": "01011111",
                      "environment": "production"}]
    assert after["cov"] == before["cov"] and after["import"] == before["import"]
    assert len(after["practices"]) == len(before["practices"]) + 1


async def test_help_lists_the_keys_of_the_screen_below(tmp_path):
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = dict(help_screen.under_keys)
        assert {"i", "t", "w", "b", "/", "q", "?", "p"} <= set(keys)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_every_action_is_in_the_command_palette(tmp_path):
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Open certificate detail", "Filter practices", "Import", "Test call (COV)",
                "Walkthrough (renew, new, recover, backup)", "Backup", "Choose practice",
                "Help", "Add practice", "Quit"} <= titles
        app.open_feature("detail", SNAP_ID)
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Back", "Import", "Test call (COV)", "Backup"} <= titles

        # and the palette runs them
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Add practice")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, AddPracticeScreen)


async def test_a_dropped_ssh_connection_ends_the_app_cleanly(tmp_path):
    import os
    import signal

    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        os.kill(os.getpid(), signal.SIGHUP)  # what sshd sends when the connection drops
        for _ in range(50):
            if not app.is_running:
                break
            await pilot.pause(0.02)
    assert app.return_code == 0


async def test_nothing_in_the_way_of_quitting(tmp_path):
    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_crash_report_never_shows_local_variables(tmp_path):
    """Textual prints a crash with every frame's locals; ours must not (a password could
    be one of them)."""
    from vecozo_tui.clock import FixedClock
    from vecozo_tui.config import Config
    from vecozo_tui.repository import Actor, Repository
    from vecozo_tui.tui.app import VecozoApp
    from vecozo_tui.tui.context import AppContext

    root = tmp_path / "repository"
    Repository.init(root, actor=Actor("t"))
    context = AppContext(config=Config(path=None, repository=root),
                         repository=Repository(root),
                         clock=FixedClock(datetime(2026, 11, 22, 9, 30, tzinfo=UTC)),
                         actor=Actor("t"))

    def explode(app) -> None:
        # built at run time, so the source line the report quotes does not hold the value
        password = "-".join(["Geheim", "Wachtwoord", "123"])  # noqa: F841
        raise RuntimeError("boom")

    app = VecozoApp(context, on_ready=explode)
    reports: list = []
    report_crash = app._fatal_error

    def keep_report() -> None:
        report_crash()
        reports.extend(app._exit_renderables)

    app._fatal_error = keep_report
    with pytest.raises(RuntimeError, match="boom"):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
    rendered = "".join(str(segment.text) for renderable in reports
                       for segment in renderable.segments)
    assert "RuntimeError" in rendered
    assert "Geheim-Wachtwoord-123" not in rendered


async def test_keys_typed_after_quit_open_nothing(tmp_path):
    """`q` then `t` typed ahead (a laggy SSH link): the app closes, no screen is pushed."""
    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screens = len(app.screen_stack)
        app.exit()
        app.open_feature("test_call", "hap-delinde")
        app.action_help()
        app.action_select_practice()
        app.action_add_practice()
        assert len(app.screen_stack) == screens


async def test_keys_arriving_in_one_burst_follow_the_tab(tmp_path):
    """Over a laggy SSH link keys arrive together; what is typed after a Tab must land in
    the next field, not in the one before (a BSN in the password field)."""
    from textual import events

    app = make_world(tmp_path).app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_add_practice()
        await pilot.pause()
        assert app.focused.id == "add-id"
        for key in [*"hap-x", "tab", *"Praktijk"]:
            app.post_message(events.Key(key, "\t" if key == "tab" else key))
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#add-id", Input).value == "hap-x"
        assert app.screen.query_one("#add-name", Input).value == "Praktijk"


async def test_an_import_by_another_admin_after_the_preview_stops_the_store(tmp_path):
    from vecozo_tui.certificates import load_pkcs12
    from vecozo_tui.repository import Actor, Repository

    world = make_world(tmp_path)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_feature("import", "hap-delinde")
        await pilot.pause()
        screen = await open_import_and_pick(pilot, "hap-delinde-nieuw.pfx", typed=True)
        await type_text(pilot, DEMO_PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.step == PREVIEW

        # meanwhile, in another SSH session: the same renewal, imported by someone else
        other = Repository(world.repository.root)
        data = (world.config.inbox / "hap-delinde-nieuw.pfx").read_bytes()
        other.import_certificate("hap-delinde", load_pkcs12(data, DEMO_PASSWORD),
                                 DEMO_PASSWORD, actor=Actor("bob", "192.0.2.20"))

        await pilot.press("s")
        await settle(pilot)
        assert screen.step == PREVIEW
        assert "changed meanwhile" in static_text(screen, "#preview-status")
        assert world.repository.active("hap-delinde").imported_by == "bob from 192.0.2.20"
