"""``list``, ``status``, ``show`` and ``history``: reading, never writing, no password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecozo_tui.cli.common import (
    find_practice,
    load_config_and_repository,
    machine_language,
    print_json,
)
from vecozo_tui.cli.output import (
    certificate_lines,
    certificate_width,
    environment_word,
    field,
    format_table,
    kind_code_word,
    label_width,
    level_word,
    terminal_width,
)
from vecozo_tui.i18n import N_, _, ngettext
from vecozo_tui.textfmt import (
    ago,
    ascii_terminal,
    local_date,
    local_time,
    relative_days,
    renew_from_text,
    short_date,
    short_fingerprint,
)

if TYPE_CHECKING:
    from vecozo_tui.cli.main import Invocation


# the labels of `show`'s lines about the practice
SHOW_LABELS = (N_("Contact"), N_("Level"), N_("Reasons"), N_("Last backup"),
               N_("Last test call"), N_("Installed at"))


def run_list(invocation: Invocation) -> int:
    from vecozo_tui.overview import build_overview

    config, repository = load_config_and_repository(invocation)
    now = invocation.clock.now()
    with machine_language(invocation.args.json):
        rows = build_overview(config, repository, now)
    if invocation.args.json:
        print_json(invocation, [row.to_dict() for row in rows])
        return 0
    if not rows:
        invocation.out(_("No practices in {path}. Add one with [[practices]] or in the "
                         "console.").format(path=config.path))
        return 0
    # the level and the first reason (without its detail; `show` has them all); the
    # environment and the expiry date are left to `show` and --json
    table = [(_("PRACTICE"), _("NAME"), "AGB", _("LEFT"), _("RENEW FROM"), _("LEVEL"),
              _("REASON"))]
    for row in rows:
        first = row.reasons[0].headline if row.reasons else ""
        more = f" (+{len(row.reasons) - 1})" if len(row.reasons) > 1 else ""
        table.append((row.practice.id, row.practice.name, row.practice.agb,
                      relative_days(row.days_left), renew_from_text(row.renew_from, row.today),
                      level_word(row.level), first + more))
    # a terminal: fit its width (the name, then the reason give way; on a narrow one the
    # AGB code and the days left, which the reason says too, are left out); a pipe or a
    # file: every cell whole
    invocation.out(format_table(table, shrink_columns=(1, 6), width=terminal_width(invocation),
                                drop_first=(2, 3),
                                ellipsis="~" if ascii_terminal(invocation.env) else "…"))
    return 0


def run_status(invocation: Invocation) -> int:
    from vecozo_tui.overview import build_overview, level_counts

    config, repository = load_config_and_repository(invocation)
    now = invocation.clock.now()
    with machine_language(invocation.args.json):
        rows = build_overview(config, repository, now)
    counts = level_counts(rows)
    if invocation.args.json:
        print_json(invocation, {
            "generated_at": now.isoformat(),
            "config": str(config.path),
            "repository": str(config.repository),
            "counts": {level.value: count for level, count in counts.items()},
            "practices": [row.to_dict() for row in rows],
        })
        return 0
    summary = ", ".join(f"{count} {level_word(level)}" for level, count in counts.items()
                        if count)
    invocation.out(ngettext("{count} practice on {date}: {summary}",
                            "{count} practices on {date}: {summary}", len(rows)).format(
        count=len(rows), date=short_date(now.date()), summary=summary or _("none")))
    shown = []
    for row in rows[:5]:  # the most urgent first; the first without a reason ends them
        if not row.reasons:
            break
        shown.append(row)
    # the words in one column: NO CERTIFICATE (14) in English, GEEN CERTIFICAAT in Dutch
    width = max([14, *(len(level_word(row.level)) for row in shown)])
    for row in shown:
        invocation.out(f"  {level_word(row.level):<{width}} {row.practice.id} "
                       f"({row.practice.name}): {row.reasons[0].text}")
    return 0


def run_show(invocation: Invocation) -> int:
    from vecozo_tui.clock import zone_name
    from vecozo_tui.overview import config_overview

    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, invocation.args.practice)
    now = invocation.clock.now()
    with machine_language(invocation.args.json):
        row = config_overview(practice, config, repository, now)
    history = repository.history(practice.id)
    if invocation.args.json:
        data = row.to_dict()
        data["active_certificate"] = row.active.info.to_dict() if row.active else None
        data["history"] = [_stored_dict(entry) for entry in history]
        print_json(invocation, data)
        return 0
    out = invocation.out
    width = label_width(*(_(label) for label in SHOW_LABELS))
    cert_width = certificate_width()
    out(f"{practice.name}  ({practice.id}, AGB {practice.agb}, "
        f"{environment_word(practice.environment)})")
    if practice.contact:
        out(field(_("Contact"), practice.contact, width))
    out(field(_("Level"), level_word(row.level), width))
    for number, reason in enumerate(row.reasons):
        out(field(_("Reasons") if number == 0 else "", reason.text, width))
    if row.active is None:
        out(_("No certificate imported yet: vecozo-tui import {practice} FILE.pfx").format(
            practice=practice.id))
    else:
        out("")
        out(_("Active certificate"))
        for line in certificate_lines(row.active.info, now):
            out(f"  {line}")
        out("  " + field(_("Imported"), _("{time} by {user}").format(
            time=local_time(row.active.imported_at, now), user=row.active.imported_by),
            cert_width))
        renew = renew_from_text(row.renew_from, row.today)
        if row.renew_from is not None and row.renew_from < row.today:  # overdue
            renew = _("{overdue} (since {date})").format(overdue=renew,
                                                          date=short_date(row.renew_from))
        if row.quarter_in_window:
            renew = _("{renew_from}  (before the quarter start {date})").format(
                renew_from=renew, date=short_date(row.quarter_in_window))
        out("  " + field(_("Renew from"), renew, cert_width))
    out("")
    backup = row.last_backup
    if backup is None:
        backup_text = _("never")
    else:
        backup_text = _("{when} to {target}").format(when=_when(backup.at, now),
                                                     target=backup.target)
        if row.backup_missing:
            backup_text = _("{backup}  (not of the active certificate)").format(
                backup=backup_text)
    out(field(_("Last backup"), backup_text, width))
    test = row.last_test_call
    if test is None:
        test_text = _("never")
    else:
        test_text = _("{when}: {outcome} - {summary}").format(
            when=_when(test.at, now), outcome="OK" if test.ok else _("FAILED"),
            summary=test.summary_words())
    out(field(_("Last test call"), test_text, width))
    if practice.deploy:
        out("")
        out(_("Deploy targets (where the practice software reads it)"))
        out(deploy_target_lines(row, now))
    elif practice.deploy_target:
        out(field(_("Installed at"), _("{place}  (a reminder; no deploy target)").format(
            place=practice.deploy_target), width))
    earlier = [entry for entry in history if not entry.active]
    if earlier:
        out("")
        out(ngettext("History ({count} earlier certificate)",
                     "History ({count} earlier certificates)", len(earlier)).format(
            count=len(earlier)))
        out(_history_table(earlier, now))
    out("")
    out(_("Times are in {zone}.").format(zone=zone_name(now)))
    return 0


def _when(moment, now) -> str:  # noqa: ANN001 - datetime
    return f"{local_time(moment, now)} ({ago(moment, now)})"


def deploy_target_lines(row, now) -> str:
    if not row.deploy_targets:  # no active certificate yet
        return "\n".join(f"  {n}. {t.path}" for n, t in enumerate(row.practice.deploy, 1))
    lines = []
    for state in row.deploy_targets:
        record = state.record
        when = f" ({ago(record.at, now)})" if record else ""
        lines.append(f"  {state.number}. {state.target.path}  {state.text}{when}")
    return "\n".join(lines)


def _stored_dict(entry) -> dict:
    return {
        "sha256": entry.info.sha256,
        "subject": entry.info.subject,
        "serial": entry.info.serial,
        "not_before": entry.info.not_before.isoformat(),
        "not_after": entry.info.not_after.isoformat(),
        "kind": entry.info.kind,
        "imported_at": entry.imported_at.isoformat(),
        "imported_by": entry.imported_by,
        "active": entry.active,
    }


def _history_table(entries, now) -> str:  # noqa: ANN001
    table = [("", _("IMPORTED"), _("VALID UNTIL"), _("KIND"), "SHA-256")]
    for entry in entries:
        table.append(("*" if entry.active else " ", local_date(entry.imported_at, now),
                      local_date(entry.info.not_after, now), kind_code_word(entry.info.kind),
                      short_fingerprint(entry.info.sha256)))
    return format_table(table)


def run_history(invocation: Invocation) -> int:
    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, invocation.args.practice)
    history = repository.history(practice.id)
    if invocation.args.json:
        print_json(invocation, [_stored_dict(entry) for entry in history])
        return 0
    if not history:
        invocation.out(_("No certificates stored for {practice} yet.").format(
            practice=practice.id))
        return 0
    invocation.out(ngettext("{name} ({practice}): {count} certificate, * = active",
                            "{name} ({practice}): {count} certificates, * = active",
                            len(history)).format(name=practice.name, practice=practice.id,
                                                 count=len(history)))
    invocation.out(_history_table(history, invocation.clock.now()))
    return 0
