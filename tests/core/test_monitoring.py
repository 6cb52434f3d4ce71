"""`vecozo-tui check` (Nagios/Icinga plugin) and `metrics` (Prometheus), end to end.

Real config files, a real repository written by Repository.import_certificate, and the
real CLI entry point; the metrics are parsed with prometheus_client's own parser.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.monitoring_support import (
    PERF_ITEM,
    check,
    families,
    metrics,
    parse_plugin_output,
    value,
)
from vecozo_tui import fsutil, monitoring
from vecozo_tui.cli import monitoring as cli_monitoring
from vecozo_tui.cli.main import main
from vecozo_tui.config import Practice

# --- check: one state each ---------------------------------------------------------------


def test_all_ok_exits_0_with_the_next_expiry(site, clock, capsys):
    site.practice("hap-zuid", days_left=400)
    site.practice("fysio-oost", days_left=300, agb="04011111")
    code, out = check(site, clock, capsys)
    assert code == monitoring.OK
    state, text, summary, long_text, perf = parse_plugin_output(out)
    assert state == "OK"
    assert text == "2 practices OK, next expiry fysio-oost in 300 days"
    assert long_text == []
    assert summary[0] == "'all practices'=2;;;0"
    assert perf == {"fysio-oost": "'fysio-oost'=300;60:;14:", "hap-zuid": "'hap-zuid'=400;60:;14:"}


def test_expiring_within_the_warning_days_is_warning(site, clock, capsys):
    site.practice("hap-zuid", days_left=30)
    site.practice("fysio-oost", days_left=400)
    code, out = check(site, clock, capsys)
    assert code == monitoring.WARNING
    state, text, _, long_text, perf = parse_plugin_output(out)
    assert state == "WARNING"
    assert text == "1 warning: hap-zuid expires in 30 days"
    assert long_text == ["WARNING: hap-zuid WARNING - expires in 30 days (2026-12-22); renewal "
                         "overdue since 2026-11-10"]
    assert perf["hap-zuid"] == "'hap-zuid'=30;60:;14:"


def test_a_renewal_window_running_into_a_quarter_start_warns_early(site, clock, capsys):
    # 70 days left on 22 Nov: the 42-day renewal window would run into 1 January
    site.practice("hap-zuid", days_left=70)
    code, out = check(site, clock, capsys)
    assert code == monitoring.WARNING
    _, text, _, long_text, _ = parse_plugin_output(out)
    assert text == "1 warning: hap-zuid renewal overdue since 2026-11-06"
    assert long_text == ["WARNING: hap-zuid WARNING - renewal overdue since 2026-11-06; renewal "
                         "window runs into the quarter start 2027-01-01: renew before it"]


def test_expiring_within_the_critical_days_is_critical(site, clock, capsys):
    site.practice("hap-zuid", days_left=5)
    site.practice("fysio-oost", days_left=30, agb="04011111")
    code, out = check(site, clock, capsys)
    assert code == monitoring.CRITICAL
    _, text, summary, long_text, perf = parse_plugin_output(out)
    assert text == "1 critical, 1 warning: hap-zuid expires in 5 days, fysio-oost expires in " \
                   "30 days"
    assert long_text[0] == ("CRITICAL: hap-zuid CRITICAL - expires in 5 days (2026-11-27); "
                            "renewal overdue since 2026-10-16")
    assert "'practices critical'=1;;;0" in summary
    assert "'fewest days left'=5;60:;14:" in summary
    assert perf["hap-zuid"] == "'hap-zuid'=5;60:;14:"


def test_an_expired_certificate_is_critical_with_negative_days(site, clock, capsys):
    site.practice("hap-zuid", days_left=-4)
    code, out = check(site, clock, capsys)
    assert code == monitoring.CRITICAL
    _, text, _, long_text, perf = parse_plugin_output(out)
    # calendar days: 21:30 on the 18th is 4 days before the 22nd
    assert text == "1 critical: hap-zuid expired 4 days ago"
    assert long_text == ["CRITICAL: hap-zuid EXPIRED - expired 4 days ago (2026-11-18): "
                         "reinstall it at VECOZO with the user number and PIN"]
    assert perf["hap-zuid"] == "'hap-zuid'=-4;60:;14:"


def test_a_practice_without_a_certificate_is_a_warning_without_days(site, clock, capsys):
    site.practice("hap-zuid", days_left=None)
    site.practice("fysio-oost", days_left=400, agb="04011111")
    code, out = check(site, clock, capsys)
    assert code == monitoring.WARNING
    _, text, summary, _, perf = parse_plugin_output(out)
    assert text == "1 warning: hap-zuid no certificate imported yet"
    assert "hap-zuid" not in perf  # no days left: counted, not a 'U' value
    assert "'practices without certificate'=1;;;0" in summary
    assert "'fewest days left'=400;60:;14:" in summary


def test_a_personal_certificate_is_a_warning(site, clock, capsys):
    site.practice("hap-zuid", days_left=400, personal=True)
    code, out = check(site, clock, capsys)
    assert code == monitoring.WARNING
    _, text, _, _, _ = parse_plugin_output(out)
    assert text == "1 warning: hap-zuid personal certificate active"
    assert "de Vries" not in out and "Jan" not in out


def test_missing_backup_warns_unless_switched_off(site, clock, capsys):
    site.practice("hap-zuid", days_left=400, backup=False)
    code, out = check(site, clock, capsys)
    assert code == monitoring.WARNING
    assert parse_plugin_output(out)[1] == \
        "1 warning: hap-zuid no verified backup of the active certificate"
    site.settings("[monitoring]\nwarn_missing_backup = false\n")
    code, out = check(site, clock, capsys)
    assert code == monitoring.OK, out


def test_a_failed_test_call_warns_unless_switched_off(site, clock, capsys):
    site.practice("hap-zuid", days_left=400, test_ok=False)
    code, out = check(site, clock, capsys)
    assert code == monitoring.WARNING
    assert parse_plugin_output(out)[1] == "1 warning: hap-zuid last test call failed"
    site.settings("[monitoring]\nwarn_failed_test_call = false\n")
    code, out = check(site, clock, capsys)
    assert code == monitoring.OK, out


def test_problems_of_one_practice_are_joined_and_the_state_is_the_worst(site, clock, capsys):
    site.practice("hap-zuid", days_left=5, backup=False, test_ok=False)
    code, out = check(site, clock, capsys)
    assert code == monitoring.CRITICAL
    _, text, _, long_text, _ = parse_plugin_output(out)
    assert text == "1 critical: hap-zuid expires in 5 days"  # the first reason, as on screen
    assert long_text[0] == (
        "CRITICAL: hap-zuid CRITICAL - expires in 5 days (2026-11-27); renewal overdue since "
        "2026-10-16; last test call failed (2026-11-21 09:30): TLS handshake failed; no "
        "verified backup of the active certificate")


def test_the_status_line_names_the_three_worst_and_counts_the_rest(site, clock, capsys):
    for number, days in enumerate([300, 40, -2, 3, 20, None]):
        site.practice(f"p{number}", days_left=days, agb=f"0000000{number}")
    code, out = check(site, clock, capsys)
    assert code == monitoring.CRITICAL
    _, text, summary, long_text, perf = parse_plugin_output(out)
    assert text == ("2 critical, 3 warnings: p2 expired 2 days ago, p3 expires in 3 days, "
                    "p4 expires in 20 days, and 2 more")
    assert [line.split()[1] for line in long_text] == ["p2", "p3", "p4", "p1", "p5"]
    assert len(perf) == 5  # p5 has no certificate
    assert summary == ["'all practices'=6;;;0", "'practices critical'=2;;;0",
                       "'practices warning'=3;;;0", "'practices unknown'=0;;;0",
                       "'practices without certificate'=1;;;0", "'fewest days left'=-2;60:;14:"]


def test_thresholds_can_be_overridden_with_w_and_c(site, clock, capsys):
    site.practice("hap-zuid", days_left=30)
    assert check(site, clock, capsys)[0] == monitoring.WARNING
    code, out = check(site, clock, capsys, "-w", "20", "-c", "10")
    assert code == monitoring.OK, out
    assert "'hap-zuid'=30;20:;10:" in out
    code, out = check(site, clock, capsys, "--critical", "40", "--warning", "90")
    assert code == monitoring.CRITICAL
    assert "'hap-zuid'=30;90:;40:" in out


def test_thresholds_from_the_config_are_used(site, clock, capsys):
    site.settings("[expiry]\nwarning_days = 20\ncritical_days = 10\nrenewal_lead_days = 15\n")
    site.practice("hap-zuid", days_left=30)
    code, out = check(site, clock, capsys)
    assert code == monitoring.OK, out
    assert "'hap-zuid'=30;20:;10:" in out


@pytest.mark.parametrize("flags, message", [
    (["-c", "70"], "the critical threshold (70 days) must be smaller than the warning "
                   "threshold (60 days)."),
    (["-w", "-1"], "-w -1: use a number of days from 0 to 730."),
])
def test_clashing_thresholds_are_unknown(site, clock, capsys, flags, message):
    site.practice("hap-zuid", days_left=5)
    code, out = check(site, clock, capsys, *flags)
    assert code == monitoring.UNKNOWN
    assert out == f"VECOZO UNKNOWN - {message}\n"


def test_no_practices_is_a_warning(site, clock, capsys):
    # an emptied configuration must not pass as OK (as VecozoNoPractices in Prometheus)
    code, out = check(site, clock, capsys)
    assert code == monitoring.WARNING
    assert out.startswith(f"VECOZO WARNING - no practices in {site.config}: nothing is "
                          "monitored | 'all practices'=0;;;0")


# --- check: UNKNOWN -----------------------------------------------------------------------


def test_a_bad_config_is_unknown_3_with_the_reason(site, clock, capsys):
    site.config.write_text('[repository]\npath = "/nowhere/at/all"\n\n[[practices]]\n'
                           'id = "hap-zuid"\nname = "x"\nagb = "123"\nenvironment = "prod"\n',
                           encoding="utf-8")
    code, out = check(site, clock, capsys)
    assert code == monitoring.UNKNOWN
    lines = out.rstrip("\n").split("\n")
    assert lines[0].startswith("VECOZO UNKNOWN - ")
    assert lines[0].endswith("(and 1 more problem)")
    assert "'123' is not an AGB code" in lines[0]
    assert "environment" in lines[1]
    assert "|" not in lines[0]
    # the repository is checked once the configuration is right (its own reason)
    assert "/nowhere/at/all" not in out


def test_a_toml_syntax_error_is_unknown(site, clock, capsys):
    site.config.write_text("[repository\npath = 1\n", encoding="utf-8")
    code, out = check(site, clock, capsys)
    assert code == monitoring.UNKNOWN
    assert out.startswith(f"VECOZO UNKNOWN - {site.config}:1")
    assert "TOML syntax error" in out


def test_a_missing_config_file_is_unknown(tmp_path, clock, capsys):
    code = main(["check", "--config", str(tmp_path / "missing.toml")], clock=clock)
    out = capsys.readouterr().out
    assert code == monitoring.UNKNOWN
    assert out.startswith(f"VECOZO UNKNOWN - Configuration file {tmp_path / 'missing.toml'} "
                          "(given by --config) does not exist.")


def test_an_unreadable_practice_is_unknown_but_the_others_are_still_checked(site, clock,
                                                                          capsys):
    site.practice("hap-zuid", days_left=400)
    site.practice("fysio-oost", days_left=400, agb="04011111")
    index = site.repository_path / "practices" / "hap-zuid" / "practice.json"
    index.write_text("{not json", encoding="utf-8")
    code, out = check(site, clock, capsys)
    assert code == monitoring.UNKNOWN
    _, text, _, long_text, perf = parse_plugin_output(out)
    assert text.startswith("1 unknown: hap-zuid cannot be read: ")
    assert "practice.json is damaged" in long_text[0]
    assert perf == {"fysio-oost": "'fysio-oost'=400;60:;14:"}
    # a critical practice still wins over an unreadable one
    site.practice("tand-west", days_left=2, agb="12022222")
    code, out = check(site, clock, capsys)
    assert code == monitoring.CRITICAL
    assert parse_plugin_output(out)[1].startswith("1 critical, 1 unknown: tand-west expires")


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="needs POSIX permissions")
def test_an_unreadable_repository_file_is_unknown_not_a_traceback(site, clock, capsys):
    site.practice("hap-zuid", days_left=400)
    index = site.repository_path / "practices" / "hap-zuid" / "practice.json"
    index.chmod(0)
    try:
        code, out = check(site, clock, capsys)
    finally:
        index.chmod(0o600)
    assert code == monitoring.UNKNOWN
    assert "hap-zuid cannot be read: Cannot read" in out


def test_a_repository_this_user_cannot_read_is_one_unknown(site, clock, capsys, monkeypatch,
                                                           tmp_path):
    site.practice("hap-zuid", days_left=400)
    real_access = os.access

    def access(path, mode, **kwargs):  # as if the repository were 0700 of another user
        if Path(path) == site.repository_path:
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(monitoring.os, "access", access)
    code, out = check(site, clock, capsys)
    assert code == monitoring.UNKNOWN
    assert out == (f"VECOZO UNKNOWN - No permission to read the repository "
                   f"{site.repository_path}; run this command as its owner or through sudo "
                   "(see docs/monitoring.md).\n")
    code, out, err = metrics(site, clock, capsys)
    assert code == 1
    assert value(families(out), "vecozo_repository_error", reason="repository") == 1
    assert "No permission to read the repository" in err


def test_a_metadata_file_that_cannot_be_opened_is_unknown(site, clock, capsys):
    # works as root too: a directory where the file should be cannot be read by anyone
    site.practice("hap-zuid", days_left=400)
    events = site.repository_path / "practices" / "hap-zuid" / "events.json"
    events.unlink()
    events.mkdir()
    code, out = check(site, clock, capsys)
    assert code == monitoring.UNKNOWN
    _, text, _, long_text, _ = parse_plugin_output(out)
    assert text.startswith("1 unknown: hap-zuid cannot be read: Cannot read ")
    assert "events.json" in long_text[0]


def test_an_internal_error_is_unknown_never_a_traceback(site, clock, capsys, monkeypatch):
    site.practice("hap-zuid", days_left=400)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_monitoring, "read_snapshot", broken)
    code, out = check(site, clock, capsys)
    assert code == monitoring.UNKNOWN
    assert out == "VECOZO UNKNOWN - internal error (RuntimeError: boom); please report this\n"


# --- perfdata details -------------------------------------------------------------------


@pytest.mark.parametrize("label, expected", [
    ("hap-zuid", "'hap-zuid'"),
    ("it's", "'it''s'"),
    ("a=b", "'a_b'"),
    ("with space", "'with space'"),
])
def test_perfdata_labels_are_quoted_per_the_guidelines(label, expected):
    assert monitoring.perf_label(label) == expected
    assert PERF_ITEM.fullmatch(f"{monitoring.perf_label(label)}=1")


def test_perf_item_drops_only_trailing_empty_fields():
    assert monitoring.perf_item("x", 5, "60:", "14:") == "'x'=5;60:;14:"
    assert monitoring.perf_item("x", 5, minimum="0") == "'x'=5;;;0"


# --- metrics ------------------------------------------------------------------------------


def test_metrics_parse_and_carry_every_fact(site, clock, capsys, now):
    sha = site.practice("hap-zuid", days_left=400)
    site.practice("fysio-oost", days_left=-4, agb="04011111", environment="acceptance",
                  backup=False, test_ok=False)
    site.practice("tand-west", days_left=None, agb="12022222", environment="test")
    assert sha
    code, out, err = metrics(site, clock, capsys)
    assert code == 0, err
    found = families(out)
    for name, _ in monitoring.FAMILIES:
        assert found[name].type == "gauge"
        assert found[name].documentation
    assert value(found, "vecozo_repository_up") == 1
    assert found["vecozo_repository_error"].samples == []
    assert value(found, "vecozo_practices") == 3
    assert value(found, "vecozo_metrics_generated_timestamp_seconds") == now.timestamp()

    zuid = {"practice": "hap-zuid", "agb": "01234567", "vecozo_environment": "production"}
    not_after = now + timedelta(days=400, hours=12)
    assert value(found, "vecozo_certificate_present", **zuid) == 1
    assert value(found, "vecozo_certificate_not_after_timestamp_seconds", **zuid) == \
        not_after.timestamp()
    assert value(found, "vecozo_certificate_not_before_timestamp_seconds", **zuid) == \
        (not_after - timedelta(days=730)).timestamp()
    assert value(found, "vecozo_certificate_expired", **zuid) == 0
    assert value(found, "vecozo_certificate_personal", **zuid) == 0
    assert value(found, "vecozo_backup_of_active_certificate", **zuid) == 1
    assert value(found, "vecozo_last_backup_timestamp_seconds", **zuid) == \
        (now - timedelta(days=2)).timestamp()
    assert value(found, "vecozo_last_test_call_success", **zuid) == 1
    assert value(found, "vecozo_last_test_call_timestamp_seconds", **zuid) == \
        (now - timedelta(days=1)).timestamp()
    renew = value(found, "vecozo_certificate_renewal_start_timestamp_seconds", **zuid)
    assert renew == (not_after - timedelta(days=42, hours=21, minutes=30)).timestamp()

    oost = {"practice": "fysio-oost", "agb": "04011111", "vecozo_environment": "acceptance"}
    assert value(found, "vecozo_certificate_expired", **oost) == 1
    assert value(found, "vecozo_backup_of_active_certificate", **oost) == 0
    assert value(found, "vecozo_last_test_call_success", **oost) == 0
    assert not [s for s in found["vecozo_last_backup_timestamp_seconds"].samples
                if s.labels["practice"] == "fysio-oost"]

    west = {"practice": "tand-west", "agb": "12022222", "vecozo_environment": "test"}
    assert value(found, "vecozo_certificate_present", **west) == 0
    assert value(found, "vecozo_practice_readable", **west) == 1
    for name in ("vecozo_certificate_not_after_timestamp_seconds",
                 "vecozo_certificate_expired", "vecozo_last_test_call_success"):
        assert all(s.labels["practice"] != "tand-west" for s in found[name].samples)
    # the status model: one level per practice, a sample per reason, calendar days left
    assert value(found, "vecozo_practice_level", **zuid, level="OK") == 1
    assert value(found, "vecozo_practice_level", **oost, level="EXPIRED") == 1
    assert value(found, "vecozo_practice_level", **west, level="NO CERTIFICATE") == 1
    assert {s.labels["reason"] for s in found["vecozo_practice_reason"].samples
            if s.labels["practice"] == "fysio-oost"} == {"expired", "test-call-failed",
                                                         "no-backup"}
    assert value(found, "vecozo_certificate_days_left", **zuid) == 400
    assert value(found, "vecozo_certificate_days_left", **oost) == -4
    # every sample has exactly the three labels (plus what the family is about)
    extra = {"vecozo_practice_level": {"level"}, "vecozo_practice_reason": {"reason"}}
    for family in found.values():
        for sample in family.samples:
            if family.name.startswith(("vecozo_certificate", "vecozo_last", "vecozo_backup",
                                       "vecozo_practice_")):
                assert set(sample.labels) == {"practice", "agb", "vecozo_environment",
                                              *extra.get(family.name, ())}


def test_metrics_hold_no_personal_data(site, clock, capsys):
    site.practice("hap-zuid", days_left=400, personal=True, name="Huisartsenpraktijk Dr. Jansen",
                  contact="dr. J. Mulder, 06-12345678")
    code, out, _ = metrics(site, clock, capsys)
    assert code == 0
    for private in ("Jansen", "Mulder", "06-12345678", "de Vries", "Jan ", "/media/usb",
                    "TLS handshake", "COV answered"):
        assert private not in out
    assert value(families(out), "vecozo_certificate_personal", practice="hap-zuid") == 1


def test_label_values_are_escaped(now):
    from vecozo_tui.config import Config
    from vecozo_tui.overview import practice_overview

    odd = Practice(id='we"ird\\id', name="x", agb="0\n1", environment="production")
    config = Config(path=None, repository=Path("/nowhere"), practices=[odd])

    class Empty:
        def active(self, practice_id):
            return None

        def events(self, practice_id):
            from vecozo_tui.repository import PracticeEvents
            return PracticeEvents()

    row = practice_overview(odd, Empty(), now, config.thresholds, config.monitoring)
    text = monitoring.metrics_text(monitoring.Snapshot(config, [row], [], now), now)
    assert 'practice="we\\"ird\\\\id",agb="0\\n1"' in text
    sample = families(text)["vecozo_certificate_present"].samples[0]
    assert sample.labels == {"practice": 'we"ird\\id', "agb": "0\n1",
                             "vecozo_environment": "production"}


def test_an_unreadable_practice_is_reported_and_the_rest_exported(site, clock, capsys):
    site.practice("hap-zuid", days_left=400)
    site.practice("fysio-oost", days_left=400, agb="04011111")
    (site.repository_path / "practices" / "hap-zuid" / "practice.json").write_text("[]")
    code, out, err = metrics(site, clock, capsys)
    assert code == 0
    found = families(out)
    assert value(found, "vecozo_practice_readable", practice="hap-zuid") == 0
    assert value(found, "vecozo_practice_readable", practice="fysio-oost") == 1
    assert value(found, "vecozo_certificate_present", practice="fysio-oost") == 1
    assert "hap-zuid" in err and "damaged" in err
    assert "# vecozo-tui: cannot read practice hap-zuid: " in out


def test_a_bad_config_still_writes_up_0_so_alerts_fire(site, clock, capsys, tmp_path):
    target = tmp_path / "textfile" / "vecozo.prom"
    target.parent.mkdir()
    site.config.write_text('[repository]\npath = 5\n', encoding="utf-8")
    code, out, err = metrics(site, clock, capsys, "--output", str(target))
    assert code == 1
    assert out == ""
    assert "repository.path" in err
    text = target.read_text(encoding="utf-8")
    found = families(text)
    assert value(found, "vecozo_repository_up") == 0
    assert value(found, "vecozo_repository_error", reason="config") == 1
    assert found["vecozo_practices"].samples == []
    assert "# vecozo-tui: could not read the repository:" in text
    assert all(line.startswith("# vecozo-tui: ") for line in text.splitlines()
               if line.startswith("#") and not line.startswith(("# HELP ", "# TYPE ")))


def test_an_internal_error_still_writes_up_0(site, clock, capsys, monkeypatch):
    site.practice("hap-zuid", days_left=400)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_monitoring, "read_snapshot", broken)
    code, out, err = metrics(site, clock, capsys)
    assert code == 1
    assert value(families(out), "vecozo_repository_error", reason="internal") == 1
    assert "RuntimeError: boom" in err
    assert "Traceback" not in out + err


def test_output_file_is_written_atomically_and_readable_by_node_exporter(site, clock, capsys,
                                                                          tmp_path):
    site.practice("hap-zuid", days_left=400)
    target = tmp_path / "textfile" / "vecozo.prom"
    target.parent.mkdir()
    code, out, err = metrics(site, clock, capsys, "--output", str(target))
    assert (code, out, err) == (0, "", "")
    assert value(families(target.read_text()), "vecozo_practices") == 1
    if os.name != "nt":
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["vecozo.prom"]


def test_a_failure_mid_write_leaves_the_old_file_intact(site, clock, capsys, tmp_path,
                                                        monkeypatch):
    site.practice("hap-zuid", days_left=400)
    target = tmp_path / "textfile" / "vecozo.prom"
    target.parent.mkdir()
    assert metrics(site, clock, capsys, "--output", str(target))[0] == 0
    old = target.read_text()
    site.practice("fysio-oost", days_left=400, agb="04011111")
    seen: dict[str, object] = {}
    real_fsync = os.fsync

    def disk_full(fd):
        # the new data is in the temporary file; the target must still be the old file,
        # and no second *.prom file exists for node_exporter to pick up half-written
        directory = target.parent
        seen["target"] = target.read_text()
        seen["prom_files"] = sorted(p.name for p in directory.iterdir()
                                    if p.name.endswith(".prom"))
        seen["temp_files"] = sorted(p.name for p in directory.iterdir() if p != target)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fsutil.os, "fsync", disk_full)
    code, _, err = metrics(site, clock, capsys, "--output", str(target))
    monkeypatch.setattr(fsutil.os, "fsync", real_fsync)
    assert code == 1
    assert "disk is full" in err
    assert seen["target"] == old
    assert seen["prom_files"] == ["vecozo.prom"]
    assert len(seen["temp_files"]) == 1 and not seen["temp_files"][0].endswith(".prom")
    assert target.read_text() == old
    assert sorted(p.name for p in target.parent.iterdir()) == ["vecozo.prom"]
    # the next run succeeds and replaces it whole
    assert metrics(site, clock, capsys, "--output", str(target))[0] == 0
    assert value(families(target.read_text()), "vecozo_practices") == 2


def test_metrics_to_a_missing_directory_fail_clearly(site, clock, capsys, tmp_path):
    code, out, err = metrics(site, clock, capsys, "--output", str(tmp_path / "no" / "x.prom"))
    assert code == 1
    assert "does not exist" in err


# --- lean start-up -------------------------------------------------------------------------


def test_check_and_metrics_load_neither_textual_nor_cryptography(site):
    site.practice("hap-zuid", days_left=400)
    site.practice("fysio-oost", days_left=None, agb="04011111")
    script = (
        "import sys\n"
        "from vecozo_tui.cli.main import main\n"
        "codes = [main(['check', '--config', sys.argv[1]]),\n"
        "         main(['metrics', '--config', sys.argv[1], '--output', sys.argv[2]])]\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "               ('textual', 'cryptography', 'rich', 'httpx', 'humanize'))\n"
        "print('CODES', codes, 'HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(site.config),
                             str(site.tmp / "out.prom")], capture_output=True, text=True,
                            timeout=60)
    assert "CODES [1, 0] HEAVY []" in result.stdout, result.stdout + result.stderr
