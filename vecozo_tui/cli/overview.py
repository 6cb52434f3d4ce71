"""``list``, ``status``, ``show`` and ``history``: reading, never writing, no password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecozo_tui.cli.common import find_practice, load_config_and_repository, print_json
from vecozo_tui.cli.output import certificate_lines, format_table, terminal_width
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


def run_list(invocation: Invocation) -> int:
    from vecozo_tui.overview import build_overview

    config, repository = load_config_and_repository(invocation)
    now = invocation.clock.now()
    rows = build_overview(config, repository, now)
    if invocation.args.json:
        print_json(invocation, [row.to_dict() for row in rows])
        return 0
    if not rows:
        invocation.out(f"No practices in {config.path}. Add one with [[practices]] or in the "
                       "console.")
        return 0
    # the level and the first reason (without its detail; `show` has them all); the
    # environment and the expiry date are left to `show` and --json
    table = [("PRACTICE", "NAME", "AGB", "LEFT", "RENEW FROM", "LEVEL", "REASON")]
    for row in rows:
        first = row.reasons[0].headline if row.reasons else ""
        more = f" (+{len(row.reasons) - 1})" if len(row.reasons) > 1 else ""
        table.append((row.practice.id, row.practice.name, row.practice.agb,
                      relative_days(row.days_left), renew_from_text(row.renew_from, row.today),
                      row.level.value, first + more))
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
    summary = ", ".join(f"{count} {level.value}" for level, count in counts.items() if count)
    invocation.out(f"{len(rows)} practices on {now.date().isoformat()}: {summary or 'none'}")
    for row in rows[:5]:
        if not row.reasons:
            break
        invocation.out(f"  {row.level.value:<14} {row.practice.id} ({row.practice.name}): "
                       f"{row.reasons[0].text}")
    return 0


def run_show(invocation: Invocation) -> int:
    from vecozo_tui.clock import zone_name
    from vecozo_tui.overview import config_overview

    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, invocation.args.practice)
    now = invocation.clock.now()
    row = config_overview(practice, config, repository, now)
    history = repository.history(practice.id)
    if invocation.args.json:
        data = row.to_dict()
        data["active_certificate"] = row.active.info.to_dict() if row.active else None
        data["history"] = [_stored_dict(entry) for entry in history]
        print_json(invocation, data)
        return 0
    out = invocation.out
    out(f"{practice.name}  ({practice.id}, AGB {practice.agb}, {practice.environment})")
    if practice.contact:
        out(f"Contact        {practice.contact}")
    out(f"Level          {row.level.value}")
    for number, reason in enumerate(row.reasons):
        out(f"{'Reasons' if number == 0 else '':<15}{reason.text}")
    if row.active is None:
        out("No certificate imported yet: vecozo-tui import "
            f"{practice.id} FILE.pfx")
    else:
        out("")
        out("Active certificate")
        for line in certificate_lines(row.active.info, now):
            out(f"  {line}")
        out(f"  Imported       {local_time(row.active.imported_at, now)} by "
            f"{row.active.imported_by}")
        renew = renew_from_text(row.renew_from, row.today)
        out(f"  Renew from     {renew}"
            + (f" (since {short_date(row.renew_from)})" if renew == "overdue" else "")
            + (f"  (before the quarter start {short_date(row.quarter_in_window)})"
               if row.quarter_in_window else ""))
    out("")
    backup = row.last_backup
    out(f"Last backup    {_when(backup.at, now) if backup else 'never'}"
        + (f" to {backup.target}" if backup else "")
        + ("  (not of the active certificate)" if backup and row.backup_missing else ""))
    test = row.last_test_call
    out(f"Last test call {_when(test.at, now) if test else 'never'}"
        + (f": {'OK' if test.ok else 'FAILED'} - {test.summary}" if test else ""))
    if practice.deploy:
        out("")
        out("Deploy targets (where the practice software reads it)")
        out(deploy_target_lines(row, now))
    elif practice.deploy_target:
        out(f"Installed at   {practice.deploy_target}  (a reminder; no deploy target)")
    earlier = [entry for entry in history if not entry.active]
    if earlier:
        out("")
        out(f"History ({len(earlier)} earlier certificate{'s' if len(earlier) != 1 else ''})")
        out(_history_table(earlier, now))
    out("")
    out(f"Times are in {zone_name(now)}.")
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
    table = [("", "IMPORTED", "VALID UNTIL", "KIND", "SHA-256")]
    for entry in entries:
        table.append(("*" if entry.active else " ", local_date(entry.imported_at, now),
                      local_date(entry.info.not_after, now), entry.info.kind,
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
        invocation.out(f"No certificates stored for {practice.id} yet.")
        return 0
    invocation.out(f"{practice.name} ({practice.id}): {len(history)} certificate(s), "
                   "* = active")
    invocation.out(_history_table(history, invocation.clock.now()))
    return 0
