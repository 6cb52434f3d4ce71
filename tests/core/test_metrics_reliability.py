"""`vecozo-tui metrics` on a fleet: labels that survive the scrape, failures that alert.

A firm scrapes many servers with target labels of its own, and an alert must not
resolve because the repository became unreadable or was never there.
"""

from __future__ import annotations

from tests.monitoring_support import families, metrics, value

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
