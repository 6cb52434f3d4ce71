"""One truth per practice (issue 11): on the demo, the dashboard, the detail screen,
`status --json` and `check` give every practice the same level and the same reasons."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from textual.widgets import DataTable, Static

from tests.conftest import NOW
from tests.tui.test_flow import rendered_text
from tests.tui_support import ACTOR, plain_environment, settle
from vecozo_tui.cli.main import main
from vecozo_tui.clock import FixedClock
from vecozo_tui.config import load_config
from vecozo_tui.demo import build_demo
from vecozo_tui.repository import Repository, TestCallRecord
from vecozo_tui.tui.app import VecozoApp
from vecozo_tui.tui.context import AppContext
from vecozo_tui.tui.screens.detail import DetailScreen

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    plain_environment(monkeypatch)


@pytest.fixture
def demo(tmp_path):
    demo = build_demo(tmp_path / "demo", NOW, start_server=False)
    clock = FixedClock(NOW)
    config = load_config(demo.config_path)
    repository = Repository(config.repository, clock=clock)
    # the case: a failed test call read OK on the dashboard, WARNING in `check`
    active = repository.active("mond-noord")
    repository.record_test_call("mond-noord", TestCallRecord(
        NOW - timedelta(hours=2), active.info.sha256, "acceptance", False,
        "Authorised for COV: failed - not authorised (HTTP 403)"), actor=ACTOR)
    return demo, config, repository, clock


def cli(demo, clock, capsys, *argv) -> str:
    main([*argv, "--config", str(demo.config_path)], clock=clock)
    return capsys.readouterr().out


async def test_every_front_gives_the_same_level_and_reasons(demo, capsys):
    demo, config, repository, clock = demo

    status = json.loads(cli(demo, clock, capsys, "status", "--json"))
    from_json = {row["practice"]: (row["level"], [r["text"] for r in row["reasons"]])
                 for row in status["practices"]}

    check_lines = cli(demo, clock, capsys, "check").splitlines()
    from_check = {}
    for line in check_lines[1:]:
        if line.startswith("|"):
            break
        _state, rest = line.split(": ", 1)
        practice, rest = rest.split(" ", 1)
        level, reasons = rest.split(" - ", 1)
        from_check[practice] = (level, reasons.split("; "))

    app = VecozoApp(AppContext(config=config, repository=repository, clock=clock,
                               actor=ACTOR))
    from_dashboard, from_summary, from_detail, renew = {}, {}, {}, {}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dashboard = app.screen
        table = dashboard.query_one("#practices", DataTable)
        counts = str(dashboard.query_one("#counts", Static).content)
        assert app.title == "vecozo-tui · Sun 2026-11-22"  # today, where people look
        for index in range(table.row_count):
            practice = table.coordinate_to_cell_key((index, 0))[0].value
            from_dashboard[practice] = str(table.get_cell(practice, "status"))
            renew[practice] = str(table.get_cell(practice, "renew"))
            table.move_cursor(row=index)
            await pilot.pause()
            summary = str(dashboard.query_one("#selected-summary", Static).content)
            from_summary[practice] = summary.splitlines()[1]
        for practice in from_dashboard:
            app.push_screen(DetailScreen(app.context, practice))
            await pilot.pause()
            from_detail[practice] = rendered_text(app.screen.query_one("#summary", Static))
            app.pop_screen()
            await pilot.pause()

    assert set(from_json) == {p.id for p in config.practices} == set(from_dashboard)
    for practice, (level, reasons) in from_json.items():
        assert from_dashboard[practice] == level, practice
        # the summary line: the level word and the first reason
        if reasons:
            assert from_summary[practice].startswith(f"{level}  {reasons[0]}"), practice
        else:
            assert from_summary[practice].startswith(level), practice
        # the detail: the level and every reason
        detail = " ".join(from_detail[practice].split())
        assert f"Level {level}" in detail, practice
        for reason in reasons:
            assert " ".join(reason.split()) in detail, (practice, reason)
        # check: a practice is in its long text exactly when it is not OK
        if level == "OK":
            assert practice not in from_check and not reasons
        else:
            assert from_check[practice] == (level, reasons), practice
    # the header counts are the same levels counted
    for level in {level for level, _ in from_json.values()}:
        number = sum(1 for word, _ in from_json.values() if word == level)
        assert f"{level} {number}" in counts

    # the demo has every level but ATTENTION (mond-noord's, before its failed call), and
    # the case reads WARNING everywhere
    assert set(from_dashboard.values()) == {"EXPIRED", "CRITICAL", "WARNING",
                                            "NO CERTIFICATE", "OK"}
    assert from_dashboard["mond-noord"] == "WARNING"
    assert from_json["mond-noord"][1][0].startswith("last test call failed")
    assert from_dashboard["hap-persoon"] == "WARNING"  # a personal certificate
    # the four demo practices whose renew-from date has passed say so
    assert sorted(p for p, text in renew.items() if text == "overdue") == [
        "fysio-centrum", "hap-delinde", "hap-oost", "tand-smile"]
    assert renew["fysio-nieuw"] == "-" and renew["hap-zuid"].startswith("2027-")


def test_the_untouched_demo_has_every_level(tmp_path, capsys):
    demo = build_demo(tmp_path / "demo", NOW, start_server=False)
    status = json.loads(cli(demo, FixedClock(NOW), capsys, "status", "--json"))
    levels = {row["practice"]: row["level"] for row in status["practices"]}
    assert set(levels.values()) == {"EXPIRED", "CRITICAL", "WARNING", "NO CERTIFICATE",
                                    "ATTENTION", "OK"}
    assert levels["mond-noord"] == "ATTENTION"  # never tested
    assert status["counts"] == {"DAMAGED": 0, "EXPIRED": 1, "CRITICAL": 1, "WARNING": 3,
                                "NO CERTIFICATE": 1, "ATTENTION": 1, "OK": 1}
