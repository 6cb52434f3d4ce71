"""`vecozo-tui metrics` on a fleet: labels that survive the scrape, failures that alert.

A firm scrapes many servers with target labels of its own, and an alert must not
resolve because the repository became unreadable or was never there.
"""

from __future__ import annotations

import os
import shutil

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
