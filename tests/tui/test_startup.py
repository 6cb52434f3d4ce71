"""The console's start: the first screenful of a big fleet is painted before the rest of
the rows, with the counts of the whole fleet; what the user does meanwhile (move the
cursor, type a filter) holds once every row is in; the start loads no other screen, and
Textual's footer is rebuilt once, not once per binding change."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import pytest
from textual.widgets import DataTable, Footer, Input
from textual.widgets._footer import FooterKey

from tests.tui_support import World, make_world, plain_environment, settle
from vecozo_tui.tui.app import VecozoApp
from vecozo_tui.tui.widgets import FooterKeys, KeysFooter, StatusCounts

SIZE = (80, 24)
EXTRA = 150  # more practices than fit on the screen


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


def big_world(tmp_path) -> World:
    world = make_world(tmp_path)
    template = world.config.practices[0]
    world.config.practices += [
        template._replace(id=f"extra-{i:03}", name=f"Praktijk {i:03}",
                            agb=f"{20000000 + i}") for i in range(EXTRA)]
    return world


def counts_text(app: VecozoApp) -> str:
    return str(app.screen.query_one(StatusCounts).content)


def row_ids(table: DataTable) -> list[str]:
    return [str(key.value) for key in table.rows]


async def test_the_first_paint_has_the_counts_of_every_practice(tmp_path):
    world = big_world(tmp_path)
    total = len(world.config.practices)
    seen: list[tuple[int, str]] = []
    app = VecozoApp(world.context(), on_ready=lambda app: seen.append(
        (app.screen.query_one("#practices", DataTable).row_count, counts_text(app))))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows_at_ready, counts_at_ready = seen[0]
        assert SIZE[1] <= rows_at_ready < total  # the first screenful, not every row
        assert counts_at_ready == counts_text(app)  # the same counts once all are in
        assert f"{total} practices" in counts_at_ready
        assert app.screen.query_one("#practices", DataTable).row_count == total


async def test_the_cursor_stays_where_the_user_put_it_while_the_rest_arrives(tmp_path):
    world = big_world(tmp_path)
    chosen: list[str] = []

    def move_down(app: VecozoApp) -> None:  # before the rest of the rows is added
        table = app.screen.query_one("#practices", DataTable)
        table.move_cursor(row=5)
        chosen.append(row_ids(table)[5])

    app = VecozoApp(world.context(), on_ready=move_down)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#practices", DataTable)
        assert table.row_count == len(world.config.practices)
        assert row_ids(table)[table.cursor_row] == chosen[0]
        assert app.current_practice_id == chosen[0]


async def test_a_filter_typed_while_the_rest_arrives_still_applies(tmp_path):
    world = big_world(tmp_path)

    def type_filter(app: VecozoApp) -> None:  # before the rest of the rows is added
        app.screen.query_one("#filter", Input).value = "praktijk 14"

    app = VecozoApp(world.context(), on_ready=type_filter)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)  # past the filter's typing pause
        table = app.screen.query_one("#practices", DataTable)
        assert sorted(row_ids(table)) == [f"extra-{i}" for i in range(140, 150)]
        assert f"10 of {len(world.config.practices)}" in counts_text(app)


async def test_the_collector_waits_for_the_start_up_and_runs_again_after_it(tmp_path):
    assert gc.isenabled()
    during: list[bool] = []
    app = VecozoApp(big_world(tmp_path).context(),
                    on_ready=lambda app: during.append(gc.isenabled()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert during == [False]  # paused until the rest of the rows is in
        assert gc.isenabled()
    assert gc.isenabled()


async def test_an_app_that_ends_early_turns_the_collector_back_on(tmp_path):
    app = VecozoApp(make_world(tmp_path).context(), on_ready=lambda app: app.exit())
    async with app.run_test(size=SIZE):
        pass
    assert gc.isenabled()


async def test_the_footer_shows_its_keys_at_once_and_is_rebuilt_only_for_a_change(
        tmp_path, monkeypatch):
    rebuilds: list[int] = []
    recompose = KeysFooter.recompose

    async def counted(self: KeysFooter) -> None:
        rebuilds.append(1)
        await recompose(self)

    monkeypatch.setattr(KeysFooter, "recompose", counted)
    keys_at_ready: list[list[str]] = []
    app = VecozoApp(make_world(tmp_path).context(), on_ready=lambda app: keys_at_ready.append(
        app.screen.query_one(KeysFooter).shown_descriptions()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert rebuilds == []  # the focus and the rows arriving changed no key shown
        assert {"Open", "Import", "Quit"} <= set(keys_at_ready[0])
        for _ in range(3):
            app.screen.refresh_bindings()
        await settle(pilot)
        assert rebuilds == []
        app.screen.query_one("#filter", Input).value = "oost"  # "Clear filter" applies
        for _ in range(3):
            app.screen.refresh_bindings()
        await settle(pilot)
        assert len(rebuilds) == 1
        footer = app.screen.query_one(KeysFooter)
        assert "Clear filter" in footer.shown_descriptions()


def footer_line(app: VecozoApp) -> list[tuple[str, object]]:
    """The bottom line of the screen as drawn: its text in runs of one style (mouse
    data left out: it names the widget under each cell)."""
    runs: list[tuple[str, object]] = []
    for segment in app.screen._compositor.render_strips()[-1]:
        style = segment.style.clear_meta_and_links() if segment.style else None
        if runs and runs[-1][1] == style:
            runs[-1] = (runs[-1][0] + segment.text, style)
        else:
            runs.append((segment.text, style))
    return runs


@pytest.mark.parametrize("case", ["practices", "no practices", "plain terminal", "no colour"])
async def test_the_footer_draws_its_keys_as_textuals_footer_does(tmp_path, monkeypatch, case):
    """The keys are one widget, not one each: the line is the one Textual's footer (a
    FooterKey per key) draws, with dimmed keys, ASCII key names and NO_COLOR too."""
    if case == "plain terminal":
        monkeypatch.setenv("TERM", "linux")
    if case == "no colour":
        monkeypatch.setenv("NO_COLOR", "1")

    async def drawn(directory, textuals: bool) -> list[tuple[str, object]]:
        world = make_world(directory)
        if case == "no practices":
            world.config.practices = []
        with monkeypatch.context() as patch:
            if textuals:
                patch.setattr(KeysFooter, "compose", Footer.compose)
                patch.setattr(KeysFooter, "bindings_changed", Footer.bindings_changed)
            app = world.app()
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                keys = app.screen.query(FooterKey)
                assert any(isinstance(key, FooterKeys) for key in keys) != textuals
                return footer_line(app)

    ours = await drawn(tmp_path / "ours", textuals=False)
    assert ours == await drawn(tmp_path / "textual", textuals=True)
    styles = dict(ours)
    if case == "no practices":  # nothing to act on: the feature keys are dimmed
        assert styles[" Import"] != styles[" Quit"]
    elif case == "practices":
        assert styles[" Import"] == styles[" Quit"]


async def test_a_click_on_a_footer_key_presses_it_and_shows_its_tooltip(tmp_path, monkeypatch):
    app = make_world(tmp_path).app()
    bells: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app, "bell", lambda: bells.append(1))
        pressed: list[str] = []
        simulate_key = app.simulate_key
        monkeypatch.setattr(app, "simulate_key",
                            lambda key: pressed.append(key) or simulate_key(key))
        keys = app.screen.query_one(FooterKeys)
        start = {entry.description: start for start, _end, entry in keys._spans}
        before = footer_line(app)
        await pilot.hover(keys, offset=(start["Help"] + 1, 0))
        await pilot.pause()
        assert keys.tooltip == "All keys of this screen"
        assert footer_line(app) == before  # the pointer does not light up the whole line
        await pilot.click(keys, offset=(start["Help"] + 1, 0))
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        assert bells == []
        assert pressed == ["question_mark"]  # that key, and no other


async def test_a_click_on_a_dimmed_footer_key_rings_the_bell(tmp_path, monkeypatch):
    world = make_world(tmp_path)
    world.config.practices = []
    app = world.app()
    bells: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app, "bell", lambda: bells.append(1))
        keys = app.screen.query_one(FooterKeys)
        start = {entry.description: start for start, _end, entry in keys._spans}
        await pilot.click(keys, offset=(start["Import"] + 1, 0))
        await settle(pilot)
        assert bells == [1]
        assert type(app.screen).__name__ == "DashboardScreen"


DASHBOARD_ONLY = textwrap.dedent("""
    import sys
    from vecozo_tui.clock import SYSTEM_CLOCK
    from vecozo_tui.config import load_config
    from vecozo_tui.repository import Actor, Repository
    from vecozo_tui.tui.app import VecozoApp
    from vecozo_tui.tui.context import AppContext

    config = load_config(sys.argv[1])
    context = AppContext(config, Repository(config.repository), SYSTEM_CLOCK, Actor.current())

    def ready(app):
        names = sorted(name for name in sys.modules if name.startswith("vecozo_tui"))
        print("LOADED", " ".join(names), flush=True)
        app.exit()

    VecozoApp(context, on_ready=ready).run(headless=True, size=(80, 24))
""")


def modules_at_ready(config) -> set[str]:  # noqa: ANN001 - Path
    """The vecozo_tui modules a fresh console process has loaded once it is ready."""
    result = subprocess.run([sys.executable, "-c", DASHBOARD_ONLY, str(config)],
                            capture_output=True, text=True, timeout=120)
    line = next((out for out in result.stdout.splitlines() if out.startswith("LOADED")), "")
    assert line, result.stdout + result.stderr
    return set(line.split()[1:])


def test_the_deploy_module_waits_for_a_practice_with_deploy_targets(tmp_path):
    world = make_world(tmp_path)
    original = (world.directory / "config.toml").read_text(encoding="utf-8")
    settings = original[:original.index("[[practices]]")]
    practices = "".join(
        f'\n[[practices]]\nid = "{p.id}"\nname = "{p.name}"\nagb = "{p.agb}"\n'
        f'environment = "{p.environment}"\n' for p in world.config.practices)
    config = world.directory / "no-targets.toml"  # the same practices, no deploy targets
    config.write_text(settings + practices, encoding="utf-8")
    assert "vecozo_tui.deploy" not in modules_at_ready(config)
    assert "vecozo_tui.deploy" in modules_at_ready(world.directory / "config.toml")


def test_the_dashboard_starts_without_the_other_screens(tmp_path):
    world = big_world(tmp_path)  # a fleet above the inline walkthrough column
    world.config.practices += [
        world.config.practices[0]._replace(id=f"more-{i:03}",
                            name=f"Meer {i:03}", agb=f"{30000000 + i}") for i in range(60)]
    config = world.directory / "big.toml"  # beside the original: its paths are relative
    original = (world.directory / "config.toml").read_text(encoding="utf-8")
    extra = "".join(
        f'\n[[practices]]\nid = "{p.id}"\nname = "{p.name}"\nagb = "{p.agb}"\n'
        f'environment = "{p.environment}"\n'
        for p in world.config.practices if p.id.startswith(("extra-", "more-")))
    config.write_text(original + extra, encoding="utf-8")
    loaded = modules_at_ready(config)
    screens = {name for name in loaded if name.startswith("vecozo_tui.tui.screens.")}
    assert screens == {"vecozo_tui.tui.screens.dashboard"}
    # nor what only the other screens (or the walkthrough column, later) need
    for module in ("vecozo_tui.walkthroughs", "vecozo_tui.backup", "vecozo_tui.cov",
                   "vecozo_tui.demo"):
        assert module not in loaded, module


@pytest.mark.parametrize("kind", ["compact", "key group"])
async def test_a_compact_footer_or_key_groups_get_textuals_own_keys(kind):
    """FooterKeys draws the console's footer (neither compact nor grouped keys); any
    other footer is Textual's, a widget per key."""
    from textual.app import App
    from textual.binding import Binding

    group = Binding.Group("Move") if kind == "key group" else None

    class OneFooter(App[None]):
        BINDINGS = [Binding("a", "left", "Left", group=group),
                    Binding("b", "right", "Right", group=group)]

        def action_left(self) -> None: ...

        def action_right(self) -> None: ...

        def compose(self):  # noqa: ANN202
            yield KeysFooter(compact=kind == "compact")

    app = OneFooter()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
        assert keys and not any(isinstance(key, FooterKeys) for key in keys)
        assert {key.key for key in keys} >= {"a", "b"}


CONSOLE_START = r"""
import gc, json, sys
from vecozo_tui import overview, read_ahead

read_ahead.usable_cores = lambda: 2  # the helper's condition, on any machine
built_here = []
build_overview = overview.build_overview
overview.build_overview = lambda *args: built_here.append(1) or build_overview(*args)
helper = []  # the collector's state when the helper starts (before Textual is imported)
start = read_ahead.ReadAhead.start.__func__
read_ahead.ReadAhead.start = classmethod(
    lambda cls, work: helper.append(gc.isenabled()) or start(cls, work))

from vecozo_tui.cli.console import run_tui
from vecozo_tui.cli.main import Invocation, build_parser

def row_words(rows):
    return [(row.practice.id, row.level.value, [reason.text for reason in row.reasons])
            for row in rows]

seen = {}
def ready(app):
    screen = app.screen
    seen["built here"] = len(built_here)
    seen["shown"] = row_words(screen.rows)
    seen["practices are the config's"] = all(
        row.practice is app.context.practice(row.practice.id) for row in screen.rows)
    seen["read here"] = row_words(build_overview(app.context.config, app.context.repository,
                                                 screen._now))
    app.exit()

code = run_tui(Invocation(build_parser().parse_args(["--config", sys.argv[1]])),
               on_ready=ready, headless_size=(80, 24))
seen.update(code=code, helper=helper, collecting_after=gc.isenabled())
print(json.dumps(seen))
"""


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_console_shows_what_its_helper_read_as_it_would_have_read_it(tmp_path, language):
    """`vecozo-tui`: the configuration and the rows are read in a helper process while
    Textual is imported; the dashboard shows the same rows, reasons in the same language,
    as its own reading would, and reads nothing itself for its first paint."""
    import json

    world = make_world(tmp_path)
    config = world.directory / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[ui]\nlanguage = "{language}"\n',
                      encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", CONSOLE_START, str(config)], capture_output=True,
                          text=True, timeout=60, env=dict(__import__("os").environ,
                                                          TERM="xterm-256color"))
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["helper"] == [False]  # started once, the collector paused already
    assert seen["built here"] == 0  # the helper's reading, not the dashboard's own
    assert seen["shown"] == seen["read here"]
    assert len(seen["shown"]) == len(world.config.practices)
    assert seen["practices are the config's"]
    reasons = " ".join(text for _id, _level, texts in seen["shown"] for text in texts)
    assert ("verloopt" in reasons) == (language == "nl")
    assert seen["collecting_after"] is True
    assert seen["code"] == 0
