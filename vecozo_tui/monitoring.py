"""Monitoring outputs: ``check`` (a Nagios/Icinga plugin) and ``metrics`` (Prometheus).

Both read only the repository's public metadata (``active.json``, ``events.json``):
no password, no PKCS#12, no ``cryptography`` import, no Textual. Module-level
imports are the standard library only; the config, repository and overview modules
are imported when a command runs.

``check`` follows the Monitoring Plugins development guidelines
(https://www.monitoring-plugins.org/doc/guidelines.html):

- exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; never a traceback (a Python traceback
  exits 1, which a monitoring system would read as WARNING);
- the first line is ``VECOZO <STATE> - <summary> | <perfdata>`` with *all* perfdata:
  the counts, then days left per practice. Icinga 2 takes perfdata only from lines
  that hold a ``|``, Nagios 4 (and NRPE) from line 1 and after the first ``|`` of a
  later line; only line 1 serves both. Further lines are the long text: one line per
  practice that is not OK;
- perfdata is ``'label'=value;warn;crit;min;max``; labels are always single-quoted
  (a quote inside is doubled, ``=`` is not allowed and becomes ``_``). There is no
  ``U`` (Icinga 2 drops it): a practice without days left is only counted. The
  thresholds are *ranges*: days left is bad when *low*, so the warning range is ``60:``
  ("alert below 60"); a bare ``60`` would mean "alert above 60".

``metrics`` writes the Prometheus text exposition format (version 0.0.4) for
node_exporter's textfile collector. Times are Unix timestamps in seconds, like
``x509_cert_not_after`` of the x509-certificate-exporter and ``probe_ssl_earliest_
cert_expiry`` of the blackbox exporter, so alert rules do the arithmetic with
``time()``. Labels are ``practice``, ``agb`` and ``vecozo_environment``: low cardinality
and no personal data (no practice names, which often carry a doctor's name). Not
``environment``: scrape targets often carry a label of that name, and Prometheus would
rename ours to ``exported_environment``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from vecozo_tui.i18n import _, ngettext

if TYPE_CHECKING:
    from pathlib import Path

    from vecozo_tui.clock import Clock
    from vecozo_tui.config import Config, Practice
    from vecozo_tui.expiry import ExpiryThresholds
    from vecozo_tui.overview import PracticeOverview
    from vecozo_tui.repository import Repository

# Nagios plugin return codes
OK = 0
WARNING = 1
CRITICAL = 2
UNKNOWN = 3
STATE_NAMES = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL", UNKNOWN: "UNKNOWN"}
# "Worst" order for the overall state, as Icinga sorts it: CRITICAL > UNKNOWN > WARNING > OK
SEVERITY = {OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3}

NAMED_IN_STATUS_LINE = 3  # practices named on the first line; the rest are in the long text
PLUGIN_NAME = "VECOZO"
METRICS_FILE_MODE = 0o644  # node_exporter runs as its own user and must read the file


# --- reading the repository ------------------------------------------------------------


class Unreadable(NamedTuple):
    """A practice whose metadata could not be read (corrupt JSON, permissions...)."""

    practice: Practice
    reason: str


class Snapshot(NamedTuple):
    config: Config
    rows: list[PracticeOverview]
    unreadable: list[Unreadable]
    now: datetime


def os_reason(error: OSError) -> str:
    what = error.strerror or str(error)
    return f"{what}: {error.filename}" if error.filename else what


def read_snapshot(config: Config, repository: Repository, now: datetime,
                  thresholds: ExpiryThresholds | None = None) -> Snapshot:
    """Every practice's overview row; one unreadable practice does not hide the others."""
    from vecozo_tui.errors import VecozoError
    from vecozo_tui.overview import config_overview, sort_key

    thresholds = thresholds or config.thresholds
    rows: list[PracticeOverview] = []
    unreadable: list[Unreadable] = []
    summary = repository.read_summary()
    for practice in config.practices:
        try:
            rows.append(config_overview(practice, config, repository, now, thresholds,
                                        summary=summary))
        except VecozoError as error:
            unreadable.append(Unreadable(practice, str(error).splitlines()[0]))
        except OSError as error:
            unreadable.append(Unreadable(practice, os_reason(error)))
        except (ValueError, KeyError, TypeError) as error:
            # metadata that is not what the repository wrote (edited by hand, truncated)
            unreadable.append(Unreadable(practice, _("damaged metadata ({name__}: "
                                                     "{error})").format(
                name__=type(error).__name__, error=error)))
    rows.sort(key=sort_key)
    return Snapshot(config, rows, unreadable, now)


def open_repository(config: Config, clock: Clock) -> Repository:
    """The repository, after making sure it is there and this user may read it: one clear
    message beats one per practice, and an empty directory (a file system that is not
    mounted) must not read as "no certificate" for every practice.

    The configuration is loaded without its repository check (``check_repository=False``)
    so that a missing repository is reported here, as reason ``repository``."""
    from vecozo_tui.errors import VecozoError
    from vecozo_tui.repository import Repository

    problem = repository_problem(config.repository)
    if problem is not None:
        raise VecozoError(problem)
    return Repository(config.repository, clock=clock)


def repository_problem(root: Path) -> str | None:
    from vecozo_tui.fsutil import writable_by_others

    try:
        if not root.is_dir():
            if root.exists():
                return _("The repository {root} is not a directory.").format(root=root)
            return _("The repository {root} does not exist; create it with `vecozo-tui "
                     "init`.").format(root=root)
        if not os.access(root, os.R_OK | os.X_OK):
            return (_("No permission to read the repository {root}; run this command as its "
                      "owner or through sudo (see docs/monitoring.md).").format(root=root))
        if not (root / "practices").is_dir():
            return (_("The repository {root} is empty (it has no practices directory): is its "
                      "file system mounted, is the path right? `vecozo-tui init` creates a "
                      "repository.").format(root=root))
        if writable_by_others(root):
            return (_("The repository {root} can be written by group or other users; fix it "
                      "with: chmod 700 {root}").format(root=root))
    except OSError as error:
        return _("Cannot check the repository {root}: {os_reason}.").format(
            root=root, os_reason=os_reason(error))
    return None


# --- check: the Nagios/Icinga plugin ----------------------------------------------------


class PracticeCheck(NamedTuple):
    practice_id: str
    state: int
    level: str  # the status model's word: EXPIRED, ..., ATTENTION, OK
    problems: tuple[str, ...]  # the status model's reasons, most urgent first
    days_left: int | None
    headline: str = ""  # for the crowded first line: the first reason, without detail


def nagios_state(level: str) -> int:
    """The plugin state of a level (vecozo_tui.status.Level's word)."""
    if level in ("EXPIRED", "CRITICAL"):
        return CRITICAL
    if level == "OK":
        return OK
    if level == "DAMAGED":  # its metadata cannot be read: its state is not known
        return UNKNOWN
    # WARNING, NO CERTIFICATE (see docs/monitoring.md) and ATTENTION: none is an outage
    return WARNING


def assess(row: PracticeOverview) -> PracticeCheck:
    """The plugin state of one practice and why: the status model's level and reasons,
    so `check` says what the dashboard says."""
    from vecozo_tui.status import headline

    problems = tuple(reason.text for reason in row.reasons)
    level = row.level.value
    return PracticeCheck(row.practice.id, nagios_state(level), level, problems, row.days_left,
                         headline(problems[0]) if problems else "")


def perf_label(text: str) -> str:
    """A perfdata label per the plugin guidelines: quoted, ``'`` doubled, no ``=``."""
    return "'" + text.replace("=", "_").replace("|", "/").replace("'", "''") + "'"


def perf_item(label: str, value: int, warn: str = "", crit: str = "",
              minimum: str = "", maximum: str = "") -> str:
    fields = [warn, crit, minimum, maximum]
    while fields and not fields[-1]:
        fields.pop()
    return f"{perf_label(label)}={value}" + "".join(f";{f}" for f in fields)


def check_thresholds(config: Config, warning: int | None,
                     critical: int | None) -> ExpiryThresholds:
    """The config's thresholds with ``-w``/``-c`` applied; VecozoError when they clash.

    ``-w`` also caps the renewal lead (``[expiry] renewal_lead_days``), so that a
    smaller ``-w`` really warns later; the quarter rule (renew before the rush at a
    quarter start) still moves the warning earlier, as on the dashboard.
    """
    from vecozo_tui.errors import VecozoError

    thresholds = config.thresholds
    for flag, value in (("-w", warning), ("-c", critical)):
        if value is not None and not 0 <= value <= 730:
            raise VecozoError(_("{flag} {value}: use a number of days from 0 to 730.").format(
                flag=flag, value=value))
    if warning is not None:
        thresholds = thresholds._replace(warning_days=warning,
                             renewal_lead_days=min(thresholds.renewal_lead_days, warning))
    if critical is not None:
        thresholds = thresholds._replace(critical_days=critical)
    if thresholds.critical_days >= thresholds.warning_days:
        raise VecozoError(_("the critical threshold ({critical_days} days) must be "
                            "smaller than the warning threshold ({warning_days} days).").format(
            critical_days=thresholds.critical_days, warning_days=thresholds.warning_days))
    return thresholds


def check_report(snapshot: Snapshot, thresholds: ExpiryThresholds) -> tuple[int, str]:
    """(exit code, plugin output) for a snapshot."""
    config = snapshot.config
    checks = [assess(row) for row in snapshot.rows]
    checks += [PracticeCheck(u.practice.id, UNKNOWN, "UNKNOWN",
                             (_("cannot be read: {reason}").format(reason=u.reason),), None,
                             _("cannot be read: {reason}").format(reason=u.reason))
               for u in snapshot.unreadable]
    # worst first; within a state the soonest expiry first (rows are already sorted so)
    order = {id(c): i for i, c in enumerate(checks)}
    checks.sort(key=lambda c: (-SEVERITY[c.state], order[id(c)]))
    counts = dict.fromkeys(STATE_NAMES, 0)
    for entry in checks:
        counts[entry.state] += 1
    # no practices at all: an emptied configuration must not pass as OK
    state = checks[0].state if checks else WARNING

    warn_range, crit_range = f"{thresholds.warning_days}:", f"{thresholds.critical_days}:"
    dated = [(c.practice_id, c.days_left) for c in checks if c.days_left is not None]
    # the perfdata labels are the same in every language: graphs and rules read them
    perfdata = [
        perf_item("all practices", len(checks), minimum="0"),  # untranslated: perfdata
        perf_item("practices critical", counts[CRITICAL], minimum="0"),  # untranslated
        perf_item("practices warning", counts[WARNING], minimum="0"),  # untranslated
        perf_item("practices unknown", counts[UNKNOWN], minimum="0"),  # untranslated
        perf_item("practices without certificate",  # untranslated: perfdata
                  sum(1 for row in snapshot.rows if row.active is None), minimum="0"),
    ]
    # No 'U' values (Icinga 2 drops them): a practice without days left is counted above.
    if dated:
        fewest = min(days for _id, days in dated)
        perfdata.append(perf_item("fewest days left", fewest,  # untranslated: perfdata
                                  warn_range, crit_range))
    perfdata += [perf_item(practice_id, days, warn_range, crit_range)
                 for practice_id, days in dated]
    bad = [c for c in checks if c.state != OK]
    if not checks:
        text = _("no practices in {path}: nothing is monitored").format(path=config.path)
    elif not bad:
        soonest = next((c for c in checks if c.days_left is not None), None)
        text = ngettext("{count} practice OK", "{count} practices OK", len(checks)).format(
            count=len(checks))
        if soonest is not None:
            text += _(", next expiry {practice} {when}").format(
                practice=soonest.practice_id, when=relative_days_text(soonest.days_left))
    else:
        parts = [_count_text(level, counts[level])
                 for level in (CRITICAL, UNKNOWN, WARNING) if counts[level]]
        # the first reason only, as on the dashboard; the long text has them all
        named = [f"{c.practice_id} {c.headline}" for c in bad[:NAMED_IN_STATUS_LINE]]
        more = len(bad) - NAMED_IN_STATUS_LINE
        text = f"{', '.join(parts)}: {', '.join(named)}"
        if more > 0:
            text += _(", and {count} more").format(count=more)
    # All perfdata after the first line's '|': Nagios 4 and NRPE read it there, and
    # Icinga 2 reads perfdata only from lines that hold a '|' (not the lines after it).
    lines = [f"{PLUGIN_NAME} {STATE_NAMES[state]} - {_one_line(text)} | {' '.join(perfdata)}"]
    lines += [_one_line(f"{STATE_NAMES[c.state]}: {c.practice_id} {c.level} - "
                        f"{'; '.join(c.problems)}")
              for c in bad]
    return state, "\n".join(lines)


def _count_text(state: int, count: int) -> str:
    """'2 critical', '1 warning' in the human text after the plugin keyword."""
    if state == CRITICAL:
        return ngettext("{count} critical", "{count} critical", count).format(count=count)
    if state == UNKNOWN:
        return ngettext("{count} unknown", "{count} unknown", count).format(count=count)
    return ngettext("{count} warning", "{count} warnings", count).format(count=count)


def relative_days_text(days: int | None) -> str:
    from vecozo_tui.textfmt import relative_days

    return relative_days(days)


def _one_line(text: str) -> str:
    # a '|' in the text would start the perfdata; a newline would start the long text
    return " ".join(text.replace("|", "/").split())


def unknown_output(reason: str) -> str:
    lines = [line for line in (_one_line(part) for part in reason.splitlines()) if line]
    if not lines:
        lines = [_("unknown error")]
    first = lines[0]
    if len(lines) > 1:
        more = len(lines) - 1
        first += ngettext(" (and {count} more problem)", " (and {count} more problems)",
                          more).format(count=more)
    return "\n".join([f"{PLUGIN_NAME} UNKNOWN - {first}", *lines[1:]])


# --- metrics: Prometheus text format ----------------------------------------------------


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


class Exposition:
    """Metric families in the Prometheus text format, each family's samples together."""

    def __init__(self) -> None:
        self._families: dict[str, tuple[str, str]] = {}
        self._samples: dict[str, list[str]] = {}  # a thousand practices' samples each

    def family(self, name: str, kind: str, help_text: str) -> None:
        self._families.setdefault(name, (kind, help_text))
        self._samples.setdefault(name, [])

    def sample(self, name: str, value: float | int, labels: str = "") -> None:
        self._samples[name].append(f"{name}{labels} {_number(value)}")

    def line(self, name: str, sample_line: str) -> None:
        """A sample already in the text format (carried over from the previous file)."""
        self._samples[name].append(sample_line)

    def render(self, comments: Iterable[str] = ()) -> str:
        # "vecozo-tui: " first, so that no comment can start with HELP or TYPE
        out = [f"# vecozo-tui: {' '.join(line.split())}" for line in comments]
        for name, (kind, help_text) in self._families.items():
            out.append(f"# HELP {name} {_escape_help(help_text)}")
            out.append(f"# TYPE {name} {kind}")
            out.extend(self._samples[name])
        return "\n".join(out) + "\n"


def _number(value: float | int) -> str:
    kind = type(value)
    if kind is bool:
        return "1" if value else "0"
    if kind is int:
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _labels(practice: Practice) -> str:
    return (f'{{practice="{escape_label_value(practice.id)}",'
            f'agb="{escape_label_value(practice.agb)}",'
            f'vecozo_environment="{escape_label_value(practice.environment)}"}}')


# name, help; every family is declared up front so the file always has the same shape
FAMILIES = (
    ("vecozo_repository_up", "1 when the configuration and the certificate repository could be "
     "read, 0 when not (see vecozo_repository_error); at 0 the per-practice values are the "
     "last ones read (see vecozo_repository_last_read_timestamp_seconds)."),  # untranslated: HELP
    ("vecozo_repository_error", "1 for the reason the repository could not be read "
     "(reason: config, repository, internal)."),  # untranslated: HELP
    ("vecozo_metrics_generated_timestamp_seconds",
     "When vecozo-tui wrote these metrics."),  # untranslated
    ("vecozo_repository_last_read_timestamp_seconds",
     "When the per-practice values were read from the repository (Unix time)."),  # untranslated
    ("vecozo_practices", "Practices in the configuration."),  # untranslated: HELP
    ("vecozo_practice_readable",
     "1 when the practice's certificate metadata could be read."),  # untranslated
    ("vecozo_certificate_present",
     "1 when the practice has an active certificate."),  # untranslated
    ("vecozo_certificate_not_before_timestamp_seconds",
     "Start of validity of the active certificate (Unix time)."),  # untranslated: HELP
    ("vecozo_certificate_not_after_timestamp_seconds",
     "Expiry of the active certificate (Unix time)."),  # untranslated: HELP
    ("vecozo_certificate_renewal_start_timestamp_seconds",
     "When renewing the active certificate should start: the renewal lead before expiry, "
     "earlier when that runs into a quarter start (Unix time)."),  # untranslated: HELP
    ("vecozo_certificate_expired", "1 when the active certificate has expired."),  # untranslated
    ("vecozo_certificate_personal", "1 when the active certificate is a personal one "
     "(COV needs a system certificate)."),  # untranslated: HELP
    ("vecozo_backup_of_active_certificate",
     "1 when the last verified backup holds the active certificate."),  # untranslated: HELP
    ("vecozo_last_backup_timestamp_seconds",
     "Time of the last backup (Unix time), verified or not; see "
     "vecozo_backup_of_active_certificate."),  # untranslated: HELP
    ("vecozo_last_test_call_timestamp_seconds",
     "Time of the last COV test call (Unix time)."),  # untranslated
    ("vecozo_last_test_call_success", "1 when the last COV test call succeeded."),  # untranslated
    ("vecozo_practice_level", "1 for the practice's level in the status model (level: "
     "EXPIRED, CRITICAL, WARNING, NO CERTIFICATE, ATTENTION, OK), the word the dashboard "
     "and check show."),  # untranslated: HELP
    ("vecozo_practice_reason", "1 for each reason the practice is not OK (reason: a stable "
     "code such as expires-soon, renewal-overdue, no-backup, never-tested)."),  # untranslated: HELP
    ("vecozo_certificate_days_left",
     "Calendar days until the active certificate expires, "  # untranslated: HELP
     "in the server's time zone (negative: expired), as the dashboard and check count."),
    ("vecozo_deployed_certificate_is_active", "1 when every deploy target (the files the "
     "practice software reads) holds the active certificate; only for practices with deploy "
     "targets and an active certificate."),  # untranslated: HELP
    ("vecozo_last_deploy_timestamp_seconds", "When the certificate was last written and "
     "verified at one of the practice's deploy targets (Unix time)."),  # untranslated: HELP
)


def metrics_text(snapshot: Snapshot | None, now: datetime, *,
                 error: tuple[str, str] | None = None,
                 carried: Iterable[tuple[str, str]] = ()) -> str:
    """The exposition for a snapshot, or (snapshot None) for ``error`` = (reason, message)
    with the ``carried`` samples, (family, line), of the previous file."""
    metrics = Exposition()
    for name, help_text in FAMILIES:
        metrics.family(name, "gauge", help_text)
    metrics.sample("vecozo_repository_up", 0 if snapshot is None else 1)
    if error is not None:
        metrics.sample("vecozo_repository_error", 1,
                       f'{{reason="{escape_label_value(error[0])}"}}')
    metrics.sample("vecozo_metrics_generated_timestamp_seconds", _seconds(now))
    comments: list[str] = []
    if error is not None:
        comments = ["could not read the repository:",  # untranslated: metrics file comment
                    *(line for line in error[1].splitlines() if line.strip())]
    if snapshot is not None:
        metrics.sample("vecozo_repository_last_read_timestamp_seconds", _seconds(now))
        metrics.sample("vecozo_practices",
                       len(snapshot.rows) + len(snapshot.unreadable))
        for row in snapshot.rows:
            _row_samples(metrics, row, now)
        for entry in snapshot.unreadable:
            metrics.sample("vecozo_practice_readable", 0, _labels(entry.practice))
        comments += [f"cannot read practice {u.practice.id}: {u.reason}"  # untranslated
                     for u in snapshot.unreadable]
    else:
        last_read = None
        for name, line in carried:
            metrics.line(name, line)
            if name == "vecozo_repository_last_read_timestamp_seconds":
                last_read = _moment(float(line.rpartition(" ")[2]), now)
        if last_read is not None:
            comments.append(f"the per-practice values are the last ones read, at "
                            f"{last_read.isoformat()}")  # untranslated: metrics file comment
    return metrics.render(comments)


# --- carrying the last known values over ------------------------------------------------
# While the repository cannot be read, `metrics --output FILE` keeps the per-practice
# samples of the FILE it replaces, so that an alert on them keeps firing instead of
# resolving; vecozo_repository_up 0 and the last-read time say that they are old.

NOT_CARRIED = ("vecozo_repository_up", "vecozo_repository_error",
               "vecozo_metrics_generated_timestamp_seconds")
CARRIED_FAMILIES = frozenset(name for name, _ in FAMILIES if name not in NOT_CARRIED)
MAX_PREVIOUS_METRICS_BYTES = 32 * 1024 * 1024  # 1,000 practices take about 1.5 MB


def read_previous_metrics(path: Path) -> str:
    """The metrics file this run replaces; '' when there is none or it is no plain file
    of a sane size (then nothing is carried over)."""
    import stat

    try:
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return ""
            data = handle.read(MAX_PREVIOUS_METRICS_BYTES + 1)
    except OSError:
        return ""
    if len(data) > MAX_PREVIOUS_METRICS_BYTES:
        return ""
    return data.decode("utf-8", errors="replace")


def carried_samples(previous: str, now: datetime) -> list[tuple[str, str]]:
    """(family, sample line) of our own families in ``previous``. The expired flag and
    the days left are worked out again from the carried expiry: time goes on, and a
    certificate can expire meanwhile. The level and reasons stay as last read."""
    samples: list[tuple[str, str, str]] = []
    expiry: dict[str, float] = {}
    for line in previous.splitlines():
        series, _, number = line.rpartition(" ")
        name = series.split("{", 1)[0]
        if name not in CARRIED_FAMILIES or not _is_number(number):
            continue
        samples.append((name, series, number))
        if name == "vecozo_certificate_not_after_timestamp_seconds":
            expiry[series.removeprefix(name)] = float(number)
    carried = []
    for name, series, number in samples:
        labels = series.removeprefix(name)
        if name == "vecozo_certificate_expired" and labels in expiry:
            number = _number(expiry[labels] <= now.timestamp())
        elif name == "vecozo_certificate_days_left" and labels in expiry:
            number = _days_left_text(expiry[labels], now, number)
        carried.append((name, f"{series} {number}"))
    return carried


def _days_left_text(not_after_seconds: float, now: datetime, carried: str) -> str:
    from vecozo_tui.expiry import days_left

    not_after = _moment(not_after_seconds, now)
    return carried if not_after is None else _number(days_left(not_after, now))


def _moment(seconds: float, now: datetime) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, now.tzinfo)
    except (ValueError, OverflowError, OSError):  # a year beyond what datetime holds
        return None


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _row_samples(metrics: Exposition, row: PracticeOverview, now: datetime) -> None:
    labels = _labels(row.practice)
    metrics.sample("vecozo_practice_readable", 1, labels)
    metrics.sample("vecozo_practice_level", 1,
                   labels[:-1] + f',level="{escape_label_value(row.level.value)}"}}')
    for code in dict.fromkeys(reason.code for reason in row.reasons):
        metrics.sample("vecozo_practice_reason", 1,
                       labels[:-1] + f',reason="{escape_label_value(code)}"}}')
    if row.days_left is not None:
        metrics.sample("vecozo_certificate_days_left", row.days_left, labels)
    active = row.active
    metrics.sample("vecozo_certificate_present", active is not None, labels)
    if active is not None:
        info = active.info
        metrics.sample("vecozo_certificate_not_before_timestamp_seconds",
                       _seconds(info.not_before), labels)
        metrics.sample("vecozo_certificate_not_after_timestamp_seconds",
                       _seconds(info.not_after), labels)
        if row.renew_from is not None:
            start = datetime(row.renew_from.year, row.renew_from.month, row.renew_from.day,
                             tzinfo=info.not_after.tzinfo)
            metrics.sample("vecozo_certificate_renewal_start_timestamp_seconds",
                           _seconds(start), labels)
        metrics.sample("vecozo_certificate_expired", info.not_after <= now, labels)
        metrics.sample("vecozo_certificate_personal", info.kind == "personal", labels)
        metrics.sample("vecozo_backup_of_active_certificate", not row.backup_missing, labels)
    if row.last_backup is not None:
        metrics.sample("vecozo_last_backup_timestamp_seconds", _seconds(row.last_backup.at),
                       labels)
    if row.last_test_call is not None:
        metrics.sample("vecozo_last_test_call_timestamp_seconds",
                       _seconds(row.last_test_call.at), labels)
        metrics.sample("vecozo_last_test_call_success", row.last_test_call.ok, labels)
    _deploy_samples(metrics, row, labels)


def _deploy_samples(metrics: Exposition, row: PracticeOverview, labels: str) -> None:
    if not row.deploy_targets:
        return  # deploy's module only for a practice that deploys
    from vecozo_tui.deploy import last_deployed_at

    if row.deployed_is_active is not None:
        metrics.sample("vecozo_deployed_certificate_is_active", row.deployed_is_active, labels)
    deployed_at = last_deployed_at(row.deploy_targets)
    if deployed_at is not None:
        metrics.sample("vecozo_last_deploy_timestamp_seconds", _seconds(deployed_at), labels)
