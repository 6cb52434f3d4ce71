"""[keymap] in the configuration moves a console key, by binding id, on every screen."""

from __future__ import annotations

from tests.tui_support import make_world, settle
from vecozo_tui.config import parse_config
from vecozo_tui.tui.bindings import known_binding_ids
from vecozo_tui.tui.screens.dashboard import DashboardScreen
from vecozo_tui.tui.screens.detail import DetailScreen
from vecozo_tui.tui.screens.import_certificate import ImportScreen

SIZE = (80, 24)


async def test_a_feature_key_moves_on_the_dashboard_and_the_detail(tmp_path):
    world = make_world(tmp_path)
    world.config.keymap = {"practice.import": "f3"}
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")  # no longer the import key
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        await pilot.press("escape")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)


async def test_an_unknown_binding_id_is_named_in_a_warning(tmp_path):
    world = make_world(tmp_path)
    world.config.keymap = {"practice.imprt": "f3"}
    app = world.app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
    assert any("practice.imprt" in message for message in messages), messages


def test_the_ids_the_readme_lists_exist():
    ids = known_binding_ids()
    assert {"practice.import", "practice.test_call", "practice.walkthrough",
            "practice.backup", "app.quit", "app.help", "app.practices",
            "dashboard.filter"} <= ids
    # one rule: scope.action
    assert all("." in binding_id for binding_id in ids), sorted(ids)


def test_keymap_values_must_be_text_but_never_break_the_configuration(tmp_path):
    """The keymap matters to the console only: a mistake in it is a warning, so `check`
    (which reads the same file) keeps working."""
    repository = tmp_path / "repo"
    repository.mkdir(mode=0o700)
    text = f'[repository]\npath = "{repository}"\n[keymap]\n"practice.import" = 3\n'
    config = parse_config(text, tmp_path / "config.toml")
    assert config.keymap == {}
    assert any("keymap.practice.import" in w and "in quotes" in w for w in config.warnings)
    good = parse_config(text.replace("= 3", '= "f3, i"'), tmp_path / "config.toml")
    assert good.keymap == {"practice.import": "f3,i"}
    unquoted = parse_config(text.replace('"practice.import" = 3', 'practice.import = "f3"'),
                            tmp_path / "config.toml")
    assert unquoted.keymap == {"practice.import": "f3"} and not unquoted.warnings


async def test_configuration_text_in_a_notification_is_never_markup(tmp_path):
    """A warning quoting a path like '/srv/[/bold]x' crashed the console at start-up."""
    world = make_world(tmp_path)
    world.config.warnings.append("deploy[1].path: /srv/[/bold]x[red/]/vecozo.pfx does not exist")
    world.config.keymap = {"[/b]": "f3"}
    app = world.app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
    assert any("/srv/[/bold]x[red/]/vecozo.pfx" in message for message in messages), messages
    assert any(message.startswith("[keymap] names no key") for message in messages), messages
