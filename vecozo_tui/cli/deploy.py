"""``vecozo-tui deploy``, and the deploy right after ``import`` and ``activate``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecozo_tui.cli.common import (
    find_practice,
    load_config_and_repository,
    machine_language,
    print_json,
)
from vecozo_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK
from vecozo_tui.cli.prompts import with_password_retries
from vecozo_tui.i18n import _, ngettext
from vecozo_tui.textfmt import short_date, short_fingerprint

if TYPE_CHECKING:
    from vecozo_tui.certificates import LoadedPkcs12
    from vecozo_tui.cli.main import Invocation
    from vecozo_tui.config import Config, Practice
    from vecozo_tui.deploy import DeployReport
    from vecozo_tui.repository import Repository


def run_deploy(invocation: Invocation) -> int:
    """``vecozo-tui deploy PRACTICE [--target N] [--dry-run] [--json]``: exit 0 when every
    target holds the active certificate and its hook succeeded, 1 otherwise."""
    from vecozo_tui.deploy import deploy, plan, select_targets
    from vecozo_tui.errors import VecozoError
    from vecozo_tui.repository import Actor

    args = invocation.args
    config, repository = load_config_and_repository(invocation)
    practice = find_practice(config, args.practice)
    select_targets(practice, args.target)  # a wrong --target before the password is asked
    if args.dry_run:
        with machine_language(args.json):
            plans = plan(repository, practice, args.target)
        if args.json:
            print_json(invocation, {"practice": practice.id, "dry_run": True,
                                    "targets": [p.to_dict() for p in plans]})
            return EXIT_OK
        invocation.out(_("Dry run for {name} ({practice}): nothing is written.").format(
            name=practice.name, practice=practice.id))
        for entry in plans:
            for line in entry.lines():
                invocation.out(line)
        return EXIT_OK
    if repository.active(practice.id) is None:
        raise VecozoError(_("{practice} has no active certificate to deploy; import one "
                            "first.").format(practice=practice.id))
    actor = Actor.current(invocation.env)
    def attempt(password: str) -> DeployReport:
        with machine_language(args.json):  # the JSON's messages in English
            return deploy(repository, practice, password, actor=actor,
                          now=invocation.clock.now(), number=args.target)

    report = with_password_retries(
        invocation, _("Password of the stored certificate of {practice}: ").format(
            practice=practice.id), attempt)
    if args.json:
        print_json(invocation, report.to_dict())
    else:
        show_report(invocation, practice, report)
    return EXIT_OK if report.ok else EXIT_ERROR


def show_report(invocation: Invocation, practice: Practice, report: DeployReport) -> None:
    out = invocation.out
    out(_("Deploy of {fingerprint} (valid until {date}) for {practice}:").format(
        fingerprint=short_fingerprint(report.sha256), date=short_date(report.not_after),
        practice=practice.id))
    for outcome in report.outcomes:
        for line in outcome.lines():
            out(f"  {line}")
    failed = [o for o in report.outcomes if not o.ok]
    if failed:
        retry = f"vecozo-tui deploy {practice.id}"  # untranslated: a command
        if len(failed) == 1 and len(report.outcomes) > 1:
            retry += f" --target {failed[0].number}"
        invocation.err(ngettext(
            "{failed} of {count} deploy target failed; the active certificate stays as it "
            "is. Fix the problem and retry: {retry}",
            "{failed} of {count} deploy targets failed; the active certificate stays as it "
            "is. Fix the problem and retry: {retry}", len(report.outcomes)).format(
            failed=len(failed), count=len(report.outcomes), retry=retry))
    if not all(o.recorded for o in report.outcomes):
        invocation.err(_("The outcome could not be recorded in the repository (busy or not "
                         "writable); the dashboard does not know it yet. Deploy again to "
                         "record it."))


def deploy_after_change(invocation: Invocation, config: Config, repository: Repository,
                        practice: Practice, *, loaded: LoadedPkcs12 | None,
                        password: str | None) -> int:
    """After an import or activate: deploy at once when the practice has targets and
    ``[deploy] automatic`` is on and the password is in hand, else say how. The exit code
    for the deploy part (the import or activation itself is done either way)."""
    from vecozo_tui.deploy import deploy, wants_automatic_deploy
    from vecozo_tui.repository import Actor

    if not practice.deploy:
        if practice.deploy_target:
            invocation.out(_("Put it where the practice software reads it: {place}").format(
                place=practice.deploy_target))
        return EXIT_OK
    if not wants_automatic_deploy(config.deploy.automatic, practice) or loaded is None \
            or password is None:
        invocation.out(_("Put it where the practice software reads it: {place}").format(
            place=f"vecozo-tui deploy {practice.id}"))  # untranslated: a command
        return EXIT_OK
    invocation.out(_("Deploying to the practice software ([deploy] automatic = true):"))
    report = deploy(repository, practice, password, actor=Actor.current(invocation.env),
                    now=invocation.clock.now(), loaded=loaded)
    show_report(invocation, practice, report)
    return EXIT_OK if report.ok else EXIT_ERROR
