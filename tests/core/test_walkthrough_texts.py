"""Walkthrough texts at the quarter-start rush: commands short enough to copy at 80
columns, the next renewal worded as it is, and the state of a walkthrough said in the
same words everywhere (only opened is not started)."""

from __future__ import annotations

from datetime import timedelta

from tests.core.test_walkthroughs import import_cert, practice, store  # noqa: F401
from vecozo_tui import walkthroughs as wt


def test_the_import_command_names_the_file_in_the_inbox(store):  # noqa: F811
    context = wt.make_context(practice(), store.repository,
                              inbox="/srv/a/long/path/to/the/vecozo/inbox", env={})
    text = wt.render_step(wt.get_walkthrough("renew").step("import"), context)
    assert "\n  vecozo-tui import hap-zuid hap-zuid.pfx\n" in text


def test_scp_goes_to_a_path_relative_to_the_home_when_the_inbox_is_there(store):  # noqa: F811
    context = wt.make_context(practice(), store.repository, inbox="/home/beheer/vecozo-inbox",
                              host="server", env={"USER": "beheer", "HOME": "/home/beheer"})
    text = wt.render_step(wt.get_walkthrough("renew").step("copy"), context)
    assert "\n  scp hap-zuid.pfx beheer@server:vecozo-inbox/\n" in text


def test_the_next_renewal_says_moved_earlier_only_when_it_was(store, now):  # noqa: F811
    progress = wt.start(store.repository, "hap-zuid", "renew", actor=store.actor, now=now)
    step = wt.get_walkthrough("renew").step("next-renewal")
    # expires 2029-02-20: the usual 42 days before hold no quarter start
    plain = store.test_pki.system(days_valid=820)
    import_cert(store, plain)
    text = wt.render_step(step, wt.make_context(practice(), store.repository, inbox="/in",
                                                progress=progress))
    assert "moved earlier" not in text and "quarter" not in text
    # expires 2029-04-10: the usual window holds 1 April
    crossing = store.test_pki.system(days_valid=870, starts_days_ago=1)
    import_cert(store, crossing)
    text = wt.render_step(step, wt.make_context(practice(), store.repository, inbox="/in",
                                                progress=progress))
    assert "moved earlier" in text and "2029-04-01" in text


def test_only_opened_is_not_started_and_finished_ones_are_listed(store, now):  # noqa: F811
    progress = wt.start(store.repository, "hap-zuid", "backup", actor=store.actor, now=now)
    assert wt.state_text(progress) == "opened 2026-11-22 by alice from 192.0.2.10, no step done yet"
    assert wt.progress_summary(store.repository, "hap-zuid") is None
    later = now + timedelta(days=1)
    progress = wt.tick(store.repository, "hap-zuid", "backup", "password", actor=store.actor,
                       now=later)
    assert wt.state_text(progress) == "started 2026-11-23, 1 of 4 done"
    for step in wt.get_walkthrough("backup").steps:
        progress = wt.tick(store.repository, "hap-zuid", "backup", step.key,
                           actor=store.actor, now=later)
    assert wt.state_text(progress) == "finished 2026-11-23"
    assert wt.progress_summary(store.repository, "hap-zuid") == "backup done"
