"""``vecozo-tui test-cov PRACTICE``, and the test call the TUI screen shares with it.

The certificate password is asked (``--password-file``, ``$VECOZO_TUI_PASSWORD`` or a
no-echo prompt), the stored PKCS#12 is decrypted in memory and the call is made with
the diagnosis of :mod:`vecozo_tui.cov.diagnosis`. In acceptance and test the test
person of the configuration is used; in production a real patient's BSN is needed: it
is read from ``$VECOZO_TUI_BSN`` or a no-echo prompt (never a command-line argument,
where ``ps`` and the shell history would show it) and never stored or logged.

The outcome (time, certificate fingerprint, environment, passed or not, a one-line
summary without personal data) is recorded with the practice. Exit code 0 only when
every check passed, 1 otherwise.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from vecozo_tui.bsn import bsn_problem
from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable

    from vecozo_tui.certificates import LoadedPkcs12
    from vecozo_tui.clock import Clock
    from vecozo_tui.config import Config, Practice
    from vecozo_tui.cov.deadline import Cancellation
    from vecozo_tui.cov.diagnosis import Diagnosis, Step, TestPerson
    from vecozo_tui.repository import Actor, Repository, StoredCertificate

BSN_ENV = "VECOZO_TUI_BSN"
BIRTH_DATE_ENV = "VECOZO_TUI_BIRTH_DATE"  # production: the patient's, never an argument
PRODUCTION = "production"


def needs_real_person(practice: Practice) -> bool:
    """Production has no test person: a real patient's BSN and birth date are needed."""
    return practice.environment == PRODUCTION


# the Dutch way (15-03-1962, also with / or .) and ISO (1962-03-15)
_DUTCH_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_birth_date(text: str) -> date:
    """A date of birth as people write it: DD-MM-YYYY (as on a Dutch ID) or YYYY-MM-DD.
    The one parser of the CLI and the console."""
    text = text.strip()
    try:
        if match := _DUTCH_DATE.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
        elif match := _ISO_DATE.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
        else:
            raise ValueError(text)
        value = date(year, month, day)
    except ValueError:
        raise VecozoError(_("The date of birth must be written as DD-MM-YYYY or YYYY-MM-DD "
                            "(e.g. 15-03-1962).")) from None
    if value.year < 1890:
        raise VecozoError(_("The date of birth is too long ago."))
    return value


def test_person(config: Config, practice: Practice, *, bsn: str | None = None,
                birth_date: str | date | None = None) -> TestPerson:
    """The person asked about: the configured test person outside production."""
    from vecozo_tui.cov.diagnosis import TestPerson

    if isinstance(birth_date, str):
        birth_date = parse_birth_date(birth_date) if birth_date.strip() else None
    if not needs_real_person(practice):
        bsn = bsn.strip() if bsn and bsn.strip() else config.cov.test_bsn
        return TestPerson(bsn=bsn, birth_date=birth_date or
                          parse_birth_date(config.cov.test_birth_date))
    problem = bsn_problem(bsn or "")
    if problem:
        raise VecozoError(problem)
    if birth_date is None:
        raise VecozoError(_("The patient's date of birth is needed for a test call in "
                            "production (DD-MM-YYYY)."))
    assert bsn is not None
    return TestPerson(bsn=bsn.strip(), birth_date=birth_date)


def active_certificate(repository: Repository, practice: Practice) -> StoredCertificate:
    stored = repository.active(practice.id)
    if stored is None:
        raise VecozoError(_("{name} ({id}) has no certificate yet: import one first "
                            "(vecozo-tui import {id} FILE.pfx).").format(name=practice.name,
                                                                          id=practice.id))
    return stored


def open_active(repository: Repository, practice: Practice, password: str
                ) -> tuple[StoredCertificate, LoadedPkcs12]:
    """The active certificate, decrypted in memory (WrongPasswordError on a bad password)."""
    from vecozo_tui.certificates import load_stored_pkcs12

    stored = active_certificate(repository, practice)
    data = repository.read_pkcs12(practice.id, stored.info.sha256)
    return stored, load_stored_pkcs12(data, password, practice_id=practice.id)


def endpoint_for(config: Config, practice: Practice, override: str | None = None) -> str:
    if override:
        from vecozo_tui.config import endpoint_problem

        problem = endpoint_problem(override)
        if problem:
            raise VecozoError(f"--endpoint: {problem}")
        return override
    try:
        return config.cov.endpoints[practice.environment]
    except KeyError:
        raise VecozoError(_("No COV endpoint configured for the environment {environment} "
                            "([cov.endpoints]).").format(
                                environment=repr(practice.environment))) from None


def run_test(config: Config, repository: Repository, practice: Practice, password: str,
             person: TestPerson, *, clock: Clock, actor: Actor, endpoint: str | None = None,
             on_step: Callable[[Step], None] | None = None,
             loaded: tuple[StoredCertificate, LoadedPkcs12] | None = None,
             cancellation: Cancellation | None = None) -> Diagnosis:
    """Decrypt the active certificate, make the test call, record the outcome.

    Raises :class:`WrongPasswordError` (nothing recorded) for a wrong password and
    :class:`VecozoError` for other problems that stop the call before it starts. A call
    stopped by ``cancellation`` has no outcome and is not recorded.
    """
    from vecozo_tui.cov.diagnosis import STEP_TITLES, run_test_call
    from vecozo_tui.cov.tls import context_from_pkcs12
    from vecozo_tui.repository import TestCallRecord

    stored, certificate = loaded or open_active(repository, practice, password)
    context = context_from_pkcs12(certificate, ca_bundle=config.cov.ca_bundle)
    now = clock.now()
    diagnosis = run_test_call(
        endpoint_for(config, practice, endpoint), context, person,
        reference_date=now.astimezone().date(), now=now,
        timeout=config.cov.timeout_seconds, agb_code=practice.agb,
        environment=practice.environment, certificate=certificate.info, on_step=on_step,
        cancellation=cancellation)
    if diagnosis.cancelled:
        return diagnosis
    repository.record_test_call(practice.id, TestCallRecord(
        at=now, sha256=stored.info.sha256, environment=practice.environment,
        ok=diagnosis.ok, summary=diagnosis.record_summary,
        failed_step=STEP_TITLES[diagnosis.failed_step.key] if diagnosis.failed_step else None),
        actor=actor)
    return diagnosis


# --- the CLI --------------------------------------------------------------------------


