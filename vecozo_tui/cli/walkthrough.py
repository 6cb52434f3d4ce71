"""``vecozo-tui walkthrough``: show, tick, note, restart and export a checklist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecozo_tui.cli.common import (
    find_practice,
    load_config_and_repository,
    machine_language,
    print_json,
)
from vecozo_tui.cli.exit_codes import EXIT_USAGE
from vecozo_tui.i18n import _
from vecozo_tui.walkthroughs import (
    CHECK_VERIFIED_BACKUP,
    backup_warning,
    export_record,
    format_progress,
    get_walkthrough,
    make_context,
    refresh_automatic,
    render_step,
    start,
    tick,
)

if TYPE_CHECKING:
    from vecozo_tui.cli.main import Invocation


def run_walkthrough(invocation: Invocation) -> int:
    """``vecozo-tui walkthrough PRACTICE KIND [--tick STEP | --untick STEP] [--note TEXT]
    [--all] [--restart] [--export FILE] [--host NAME] [--json]``.

    Showing a walkthrough starts it (the active certificate then is the baseline
    of the automatic import check) or resumes it; automatic steps are evaluated
    each time. STEP is a step key or its number.
    """
    from vecozo_tui.repository import Actor

    args = invocation.args
    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, args.practice)
    walkthrough = get_walkthrough(args.kind)
    now = invocation.clock.now()
    actor = Actor.current(invocation.env)
    tick_key = getattr(args, "tick", None)
    untick_key = getattr(args, "untick", None)
    note = getattr(args, "note", None)
    if tick_key and untick_key:
        invocation.err("vecozo-tui: " + _("use --tick or --untick, not both."))
        return EXIT_USAGE
    if note is not None and not (tick_key or untick_key):
        invocation.err("vecozo-tui: " + _("--note needs --tick STEP (or --untick STEP)."))
        return EXIT_USAGE

    progress = start(repository, practice.id, walkthrough.kind, actor=actor, now=now,
                     restart=bool(getattr(args, "restart", False)))
    progress = refresh_automatic(repository, practice.id, walkthrough.kind, now,
                                 actor=actor, deploy_targets=practice.deploy) or progress
    step_key = tick_key or untick_key
    if step_key:
        progress = tick(repository, practice.id, walkthrough.kind, step_key,
                        done=bool(tick_key), note=note, actor=actor, now=now)

    export = getattr(args, "export", None)
    if export:
        record = export_record(repository, practice, walkthrough.kind, now,
                               thresholds=config.thresholds)
        if export == "-":
            invocation.out(record)
            return 0
        from pathlib import Path

        from vecozo_tui.fsutil import write_new_file

        write_new_file(Path(export), record.encode("utf-8"))  # 0600: notes may hold anything
        invocation.out(_("Wrote the record of the {kind} walkthrough to {file}.").format(
            kind=walkthrough.kind, file=export))
        return 0

    context = make_context(practice, repository, inbox=config.inbox,
                           thresholds=config.thresholds, host=getattr(args, "host", None),
                           progress=progress, env=dict(invocation.env))
    if getattr(args, "json", False):
        with machine_language():  # the English titles and texts (title_id, body_id)
            data = progress.to_dict()
            data["practice"] = practice.id
            data["title"] = walkthrough.title
            data["steps"] = [
                {"key": step.key, "title": step.title, "check": step.check,
                 "body": render_step(step, context), **progress.state(step.key).to_dict()}
                for step in walkthrough.steps
            ]
            print_json(invocation, data)
        return 0
    invocation.out(format_progress(progress, context, show_all=bool(getattr(args, "all", False))))
    if any(step.check == CHECK_VERIFIED_BACKUP for step in walkthrough.steps):
        warning = backup_warning(repository, practice.id)
        if warning:
            invocation.err(_("WARNING: {warning}").format(warning=warning))
    return 0
