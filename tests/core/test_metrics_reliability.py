"""`vecozo-tui metrics` on a fleet: labels that survive the scrape, failures that alert.

A firm scrapes many servers with target labels of its own, and an alert must not
resolve because the repository became unreadable or was never there.
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest

from tests.monitoring_support import check, families, metrics, value
from vecozo_tui import monitoring

# labels a scrape configuration commonly puts on its targets; Prometheus renames a
# colliding exported label to exported_<name> (honor_labels: false)
COMMON_TARGET_LABELS = {"environment", "env", "instance", "job", "customer", "site", "team"}


def test_no_exported_label_collides_with_a_common_target_label(site, clock, capsys):
    site.practice("hap-zuid", days_left=400, environment="acceptance")
    code, out, _ = metrics(site, clock, capsys)
    assert code == 0
    found = families(out)
    labels = {name for family in found.values() for sample in family.samples
              for name in sample.labels}
    assert labels & COMMON_TARGET_LABELS == set()
    assert value(found, "vecozo_certificate_present", practice="hap-zuid",
                 vecozo_environment="acceptance") == 1


# --- a repository that is not there ------------------------------------------------------


def empty_the_repository(site) -> None:
    """As when the repository's file system is not mounted: the directory is empty."""
    shutil.rmtree(site.repository_path)
    site.repository_path.mkdir(mode=0o700)


def test_an_empty_repository_directory_is_unknown_not_a_warning_per_practice(site, clock,
                                                                            capsys):
    site.practice("hap-zuid", days_left=400)
    site.practice("fysio-oost", days_left=400, agb="04011111")
    empty_the_repository(site)
    code, out = check(site, clock, capsys)
    assert code == monitoring.UNKNOWN
    assert out == (f"VECOZO UNKNOWN - The repository {site.repository_path} is empty (it has "
                   "no practices directory): is its file system mounted, is the path right? "
                   "`vecozo-tui init` creates a repository.\n")
    code, out, err = metrics(site, clock, capsys)
    assert code == 1
    found = families(out)
    assert value(found, "vecozo_repository_up") == 0
    assert value(found, "vecozo_repository_error", reason="repository") == 1
    assert "is empty" in err


def test_a_missing_repository_is_reason_repository_not_config(site, clock, capsys):
    site.practice("hap-zuid", days_left=400)
    shutil.rmtree(site.repository_path)
    code, out = check(site, clock, capsys)
    assert code == monitoring.UNKNOWN
    assert out.startswith(f"VECOZO UNKNOWN - The repository {site.repository_path} does not "
                          "exist")
    code, out, _ = metrics(site, clock, capsys)
    assert code == 1
    found = families(out)
    assert value(found, "vecozo_repository_error", reason="repository") == 1
    assert [s.labels["reason"] for s in found["vecozo_repository_error"].samples] == \
        ["repository"]


def test_a_broken_configuration_is_reason_config(site, clock, capsys):
    site.config.write_text("[repository\n", encoding="utf-8")
    code, out, _ = metrics(site, clock, capsys)
    assert code == 1
    assert value(families(out), "vecozo_repository_error", reason="config") == 1


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_repository_other_users_can_write_is_refused(site, clock, capsys):
    site.practice("hap-zuid", days_left=400)
    site.repository_path.chmod(0o777)
    try:
        code, out = check(site, clock, capsys)
    finally:
        site.repository_path.chmod(0o700)
    assert code == monitoring.UNKNOWN
    assert "can be written by group or other users" in out


# --- the last known values stay while the repository cannot be read ----------------------


def test_while_the_repository_cannot_be_read_the_last_known_values_stay(site, clock, capsys,
                                                                         tmp_path, now):
    """Otherwise every per-practice series vanishes and a firing VecozoCertificateExpired
    resolves (Alertmanager sends RESOLVED) exactly when nobody can look."""
    site.practice("hap-zuid", days_left=-4)
    site.practice("fysio-oost", days_left=0, agb="04011111")  # expires in 12 hours
    site.practice("tand-west", days_left=400, agb="12022222")
    target = tmp_path / "textfile" / "vecozo.prom"
    target.parent.mkdir()
    assert metrics(site, clock, capsys, "--output", str(target))[0] == 0
    before = families(target.read_text())
    assert value(before, "vecozo_repository_last_read_timestamp_seconds") == now.timestamp()

    empty_the_repository(site)
    clock.advance(days=1)
    code, _, err = metrics(site, clock, capsys, "--output", str(target))
    assert code == 1
    assert "is empty" in err
    text = target.read_text()
    after = families(text)
    assert value(after, "vecozo_repository_up") == 0
    assert value(after, "vecozo_repository_error", reason="repository") == 1
    assert value(after, "vecozo_metrics_generated_timestamp_seconds") == \
        (now + timedelta(days=1)).timestamp()
    assert value(after, "vecozo_repository_last_read_timestamp_seconds") == now.timestamp()
    assert value(after, "vecozo_practices") == 3
    assert value(after, "vecozo_certificate_expired", practice="hap-zuid") == 1
    # it expired while the repository could not be read: the flag follows the expiry
    assert value(after, "vecozo_certificate_expired", practice="fysio-oost") == 1
    assert value(after, "vecozo_certificate_expired", practice="tand-west") == 0
    # and the day count follows the calendar
    assert value(before, "vecozo_certificate_days_left", practice="hap-zuid") == -4
    assert value(after, "vecozo_certificate_days_left", practice="hap-zuid") == -5
    assert value(after, "vecozo_certificate_days_left", practice="fysio-oost") == -1
    assert value(after, "vecozo_certificate_days_left", practice="tand-west") == 399
    for name in ("vecozo_certificate_not_after_timestamp_seconds",
                 "vecozo_backup_of_active_certificate", "vecozo_last_test_call_success"):
        assert after[name].samples == before[name].samples
    assert f"# vecozo-tui: the per-practice values are the last ones read, at {now.isoformat()}" \
        in text

    # and once the repository is back, the values are read afresh
    shutil.rmtree(site.repository_path)
    site.repository_path.mkdir(mode=0o700)
    (site.repository_path / "practices").mkdir(mode=0o700)
    assert metrics(site, clock, capsys, "--output", str(target))[0] == 0
    fresh = families(target.read_text())
    assert value(fresh, "vecozo_repository_up") == 1
    assert value(fresh, "vecozo_certificate_present", practice="hap-zuid") == 0


def test_only_our_own_well_formed_samples_are_carried_over(site, clock, capsys, tmp_path):
    target = tmp_path / "vecozo.prom"
    target.write_text(
        "node_cpu_seconds_total 5\n"
        'vecozo_certificate_expired{practice="x",agb="1",vecozo_environment="test"} many\n'
        'vecozo_repository_up 1\n'
        'vecozo_certificate_present{practice="x",agb="1",vecozo_environment="test"} 1\n'
        "# vecozo_certificate_present 1\n", encoding="utf-8")
    empty_the_repository(site)
    assert metrics(site, clock, capsys, "--output", str(target))[0] == 1
    text = target.read_text()
    found = families(text)
    assert value(found, "vecozo_repository_up") == 0
    assert value(found, "vecozo_certificate_present", practice="x") == 1
    assert found["vecozo_certificate_expired"].samples == []
    assert "node_cpu" not in text


def test_to_stdout_nothing_is_carried_over(site, clock, capsys):
    empty_the_repository(site)
    code, out, _ = metrics(site, clock, capsys)
    assert code == 1
    found = families(out)
    assert found["vecozo_certificate_present"].samples == []
    assert found["vecozo_repository_last_read_timestamp_seconds"].samples == []


@pytest.mark.parametrize("number", ["inf", "nan", "1e300", "-1e300"])
def test_an_odd_number_in_the_previous_file_is_no_traceback(site, clock, capsys, tmp_path,
                                                             number):
    target = tmp_path / "vecozo.prom"
    target.write_text(f"vecozo_repository_last_read_timestamp_seconds {number}\n")
    empty_the_repository(site)
    code, out, err = metrics(site, clock, capsys, "--output", str(target))
    assert code == 1
    assert "Traceback" not in out + err
    assert value(families(target.read_text()), "vecozo_repository_up") == 0
