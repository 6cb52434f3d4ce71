"""Step-by-step walkthroughs (checklists) as data, and their progress per practice.

Four kinds, from the seeds: ``renew`` (verlengen), ``new`` (aanvragen en
installeren), ``recover`` (verlopen of verloren: opnieuw installeren) and
``backup`` (back-up maken / verplaatsen naar een andere computer).

A step may name an automatic check, evaluated against the repository by
:func:`refresh_automatic`:

- ``imported_newer``: a certificate newer than the one active when the
  walkthrough started was imported for the practice;
- ``test_call_ok_after_import``: the last test call succeeded, with the active
  certificate, after the last import;
- ``deployed_to_software``: every deploy target of the practice holds the active
  (newer) certificate;
- ``verified_backup``: the last backup was verified and is of the active
  certificate (in the backup walkthrough: made after the walkthrough started).

Progress lives in the repository (``state/walkthrough-<kind>.json``), written
under the repository lock, so it survives restarts and can be resumed from
another SSH session. Every tick is audited (kind, step, done); notes stay out of
the audit log because they may hold anything.

The step texts are English UI text; the Dutch words of VECOZO and of the browser
dialogs are quoted as the seeds have them. ``{placeholders}`` in a body are
filled by :func:`render_step` from a :class:`RenderContext`.
"""

from vecozo_tui.walkthroughs.progress import (
    AUTOMATIC,
    STATE_PREFIX,
    Progress,
    StepState,
    actor_label,
    backup_warning,
    evaluate_check,
    load,
    progress_summary,
    refresh_automatic,
    set_note,
    start,
    state_name,
    state_text,
    suggest,
    tick,
)
from vecozo_tui.walkthroughs.record import (
    export_record,
    write_record,
)
from vecozo_tui.walkthroughs.render import (
    HOST_ENV,
    RenderContext,
    format_progress,
    make_context,
    remote_path,
    render_step,
    when_text,
)
from vecozo_tui.walkthroughs.steps import (
    CHECK_DEPLOYED,
    CHECK_IMPORTED_NEWER,
    CHECK_TEST_CALL,
    CHECK_VERIFIED_BACKUP,
    CHECKS,
    KINDS,
    WALKTHROUGHS,
    Step,
    Walkthrough,
    get_walkthrough,
)

__all__ = [
    "AUTOMATIC",
    "CHECKS",
    "CHECK_DEPLOYED",
    "CHECK_IMPORTED_NEWER",
    "CHECK_TEST_CALL",
    "CHECK_VERIFIED_BACKUP",
    "HOST_ENV",
    "KINDS",
    "WALKTHROUGHS",
    "Progress",
    "RenderContext",
    "STATE_PREFIX",
    "Step",
    "StepState",
    "Walkthrough",
    "actor_label",
    "backup_warning",
    "evaluate_check",
    "export_record",
    "format_progress",
    "get_walkthrough",
    "load",
    "make_context",
    "progress_summary",
    "refresh_automatic",
    "remote_path",
    "render_step",
    "set_note",
    "start",
    "state_name",
    "state_text",
    "suggest",
    "tick",
    "when_text",
    "write_record",
]
