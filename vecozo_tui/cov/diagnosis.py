"""A test COV call as a chain of checks, each passed, failed or not reached.

    name resolution -> TCP connect -> TLS handshake (server certificate trusted, host
    name matches) -> client certificate accepted -> authorised for COV -> COV answered

Name resolution and the TCP connection are checked here with plain sockets, so "the
name does not exist", "nothing listens there" and "a firewall drops it" are told
apart. The TLS handshake and the SOAP call then go through httpx with the practice's
:class:`~vecozo_tui.cov.tls.CovSSLContext`, whose handshake log tells a certificate
*we* refused (the server's) from one the *server* refused (ours). In TLS 1.3 the
server checks the client certificate after the client considers the handshake done, so
a refusal shows up only when the answer is read, as an SSL alert ("tlsv13 alert
certificate required", "tlsv1 alert unknown ca", "sslv3 alert certificate expired");
in TLS 1.2 the same alerts end the handshake itself.

Where a step fails the diagnosis says why in plain language and what to do next. It
never holds the BSN or the date of birth; the COV answer (which does hold personal
data) is kept only for the screen and summarised without it.

``timeout`` bounds the whole call, from the name lookup to the last byte of the answer
(:class:`~vecozo_tui.cov.deadline.Deadline`), and a :class:`Cancellation` set from
another thread (the console's Escape) ends it at once.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

from vecozo_tui.bsn import scrub
from vecozo_tui.cov import soap
from vecozo_tui.cov.deadline import CallCancelled, Cancellation, Deadline
from vecozo_tui.cov.texts import Said, day, moment, plain, say
from vecozo_tui.cov.tls import CovSSLContext, HandshakeEvent
from vecozo_tui.errors import VecozoError
from vecozo_tui.i18n import N_, _


class StepState(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_REACHED = "not reached"  # untranslated: a --json value


STEPS = (
    ("dns", N_("Name resolution")),
    ("tcp", N_("TCP connection")),
    ("tls", N_("TLS handshake")),
    ("client_certificate", N_("Client certificate accepted")),
    ("authorised", N_("Authorised for COV")),
    ("cov", N_("COV answered")),
)
STEP_TITLES = dict(STEPS)  # English: --json, the record
MARKS = {StepState.PASSED: N_("PASS"), StepState.FAILED: N_("FAIL"),
         StepState.NOT_REACHED: "---"}


class CertificateFacts(Protocol):
    """What the diagnosis needs of the client certificate (a ``CertificateInfo``)."""

    @property
    def kind(self) -> str: ...

    @property
    def not_after(self) -> datetime: ...


@dataclass
class Step:
    """One check. ``title``, ``detail``, ``cause`` and ``advice`` are in the reader's
    language; ``english`` holds the same texts in English, for --json and the record."""

    key: str
    title: str
    state: StepState = StepState.NOT_REACHED
    detail: str = ""
    cause: str | None = None
    advice: str | None = None
    english: dict[str, str | None] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict:
        english = self.english
        return {"key": self.key, "title": STEP_TITLES.get(self.key, self.title),
                "state": str(self.state), "detail": english.get("detail", self.detail),
                "cause": english.get("cause", self.cause),
                "advice": english.get("advice", self.advice)}


@dataclass(frozen=True)
class TestPerson:
    """The person asked about; never logged, stored or put into a message."""

    __test__ = False  # not a pytest test class

    bsn: str
    birth_date: date

    def __repr__(self) -> str:
        return "TestPerson(<personal data>)"  # untranslated: a repr


@dataclass
class Diagnosis:
    endpoint: str
    environment: str | None
    steps: list[Step]
    started_at: datetime
    elapsed_seconds: float = 0.0
    problem: str | None = None  # a stable code, e.g. "server_unknown_ca"
    answer: soap.CovAnswer | None = None
    fault: soap.SoapFault | None = None
    tls_version: str | None = None

    @property
    def ok(self) -> bool:
        return all(step.state == StepState.PASSED for step in self.steps)

    @property
    def cancelled(self) -> bool:
        """Stopped by the user: no outcome, so it is not recorded."""
        return self.problem == CANCELLED

    @property
    def failed_step(self) -> Step | None:
        return next((s for s in self.steps if s.state == StepState.FAILED), None)

    def step(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)

    @property
    def summary(self) -> str:
        """One line without personal data, in the reader's language (the screen)."""
        return self._summary(english=False)

    @property
    def record_summary(self) -> str:
        """The same line in English: for the record, the audit log, --json, monitoring."""
        return self._summary(english=True)

    def _summary(self, *, english: bool) -> str:
        tr = soap.english if english else _
        if self.ok and self.answer is not None:
            return soap.untrusted_text(self.answer.summary(tr))
        failed = self.failed_step
        if failed is None:
            return tr(N_("Test call not finished"))
        detail = failed.english.get("detail", failed.detail) if english else failed.detail
        title = STEP_TITLES[failed.key] if english else failed.title
        # it is stored: bounded and scrubbed, whatever the server made of the detail
        return soap.untrusted_text(tr(N_("{title}: failed - {detail}")).format(
            title=title, detail=detail))

    def to_dict(self) -> dict:
        return {
            "endpoint": self.endpoint, "environment": self.environment, "ok": self.ok,
            "summary": self.record_summary, "problem": self.problem,
            "started_at": self.started_at.isoformat(),
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "tls_version": self.tls_version,
            "steps": [s.to_dict() for s in self.steps],
            "answer": self.answer.to_dict() if self.answer else None,
            "fault": ({"code": self.fault.code, "message": self.fault.message}
                      if self.fault else None),
        }

    def lines(self, width: int = 79) -> list[str]:
        """The diagnosis as text, one check per line (+ cause and advice where it failed),
        wrapped to ``width`` columns."""
        import textwrap

        title_width = max(len(step.title) for step in self.steps)
        indent = 6 + title_width + 2
        out = []
        for step in self.steps:
            detail = step.detail if step.state != StepState.NOT_REACHED else _("not reached")
            head = f"{_(MARKS[step.state]):<4}  {step.title:<{title_width}}  "
            wrapped = textwrap.wrap(detail, max(20, width - indent)) or [""]
            out.append((head + wrapped[0]).rstrip())
            out.extend(" " * indent + more for more in wrapped[1:])
            if step.state == StepState.FAILED:
                for label, text in ((_("Cause: "), step.cause),
                                    (_("What to do: "), step.advice)):
                    if text:
                        out.extend(textwrap.wrap(text, width, initial_indent="      " + label,
                                                 subsequent_indent="      "))
        if self.answer is not None:
            for line in answer_lines(self.answer):
                out.append(f"      {line}")
        result = (_("Result: OK - {summary}") if self.ok
                  else _("Result: FAILED - {summary}")).format(summary=self.summary)
        out.extend(textwrap.wrap(result, width, subsequent_indent="        "))
        return out


def answer_lines(answer: soap.CovAnswer) -> list[str]:
    """The answer for the screen: result codes, insurer, type and dates (no name/BSN)."""
    lines = []
    for search in answer.searches:
        lines.append(_("Search {number}: {result}").format(number=search.number or "?",
                                                            result=search.describe()))
        if search.insured is not None:
            for insurance in search.insured.insurances:
                lines.append(f"  {insurance.describe()}")
    if not answer.searches:
        lines.append(_("Request: {result}").format(
            result=soap.describe(answer.result, soap.REQUEST_RESULT_TEXT)))
    return lines


# --- advice texts ---------------------------------------------------------------------

ADVICE_PERSONAL = N_("This is a personal certificate: a personal certificate cannot do COV. "
                   "Import the practice's system certificate (no person's name in it).")
ADVICE_UNKNOWN_TO_VECOZO = N_(
    "Check that this is the VECOZO system certificate of this practice (not a personal one, "
    "not another practice's) and that it was installed at VECOZO with the user number and "
    "PIN. A certificate for acceptance also works on test, but not on production.")
ADVICE_RENEW = N_("Renew the certificate at VECOZO and import the new .pfx. After the expiry "
                "date a renewal is a new installation: it needs the user number and the PIN "
                "again.")


ADVICE_AUTHORISE = N_("Authorisation: the practice's VECOZO contact person grants this system "
                    "certificate the COV authorisation in VECOZO's Gebruikersbeheer (change "
                    "the authorisations of a certificate).")


def _ip_advice(run: _Run) -> Said:
    """What the contact person registers for VECOZO's IP check, with this server's
    outgoing address as far as it can be known without asking anyone outside."""
    address = run.local_address
    what = say(N_("IP address: the contact person registers the practice's public IP address "
                  "with the system certificate in VECOZO's portal ('controle op "
                  "IP-adressen')."))
    if address is None:
        where = say(N_("This server's public address is not known here: the network "
                       "administrator knows it, or a 'what is my IP' page opened on this "
                       "network shows it."))
    elif _is_public(address):
        where = say(N_("This server connects from {address}: register that address."),
                    address=address)
    else:
        where = say(N_("This server connects from {address}, a private address (or this "
                       "machine itself): VECOZO sees the public address of the router or "
                       "firewall in front of it. The network administrator knows it, or a "
                       "'what is my IP' page opened on this network shows it."),
                    address=address)
    return what + where + say(N_("Test again afterwards."))


def _is_public(address: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_global
    except ValueError:
        return False


class _Stop(Exception):  # noqa: N818 - ends the chain at a failed step
    pass


CANCELLED = "cancelled"


@dataclass
class _Run:
    endpoint: str
    host: str
    port: int
    timeout: float
    now: datetime
    certificate: CertificateFacts | None
    on_step: Callable[[Step], None] | None
    deadline: Deadline
    # who was asked about: masked wherever the server's words are repeated
    person: TestPerson | None = None
    steps: list[Step] = field(default_factory=lambda: [Step(k, _(t)) for k, t in STEPS])
    problem: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    local_address: str | None = None  # where this server connects from (its own side)

    def step(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)

    def clean(self, text: str, *, english: bool = False) -> str:
        """``text`` without the person's BSN or date of birth, or any BSN-like number."""
        if self.person is None:
            return scrub(text)
        scrubbed = scrub(text, [self.person.bsn])
        for written in {self.person.birth_date.isoformat(),
                        self.person.birth_date.strftime("%d-%m-%Y")}:
            scrubbed = scrubbed.replace(written, "[date of birth]" if english  # untranslated
                                        else _("[date of birth]"))
        return scrubbed

    def passed(self, key: str, detail: Said) -> None:
        step = self.step(key)
        with self.lock:
            if step.state == StepState.PASSED:
                return
            step.state, step.detail = StepState.PASSED, self.clean(detail.local)
            step.english = {"detail": self.clean(detail.english, english=True)}
        self._report(step)

    def fail(self, key: str, problem: str, detail: Said, cause: Said, advice: Said) -> _Stop:
        step = self.step(key)
        with self.lock:
            step.state, step.detail, step.cause, step.advice = (
                StepState.FAILED, self.clean(detail.local), self.clean(cause.local),
                advice.local)
            step.english = {"detail": self.clean(detail.english, english=True),
                            "cause": self.clean(cause.english, english=True),
                            "advice": advice.english}
            self.problem = problem
        self._report(step)
        return _Stop()

    def cancelled(self) -> None:
        """The step under way when the user cancelled is where the call stopped."""
        step = next((s for s in self.steps if s.state == StepState.NOT_REACHED), None)
        if step is not None:
            self.fail(step.key, CANCELLED, say(N_("cancelled")),
                      say(N_("The test call was cancelled before it finished.")),
                      say(N_("Run it again to see whether the certificate works.")))

    def _report(self, step: Step) -> None:
        if self.on_step is not None:
            self.on_step(step)

    @property
    def personal(self) -> bool:
        return self.certificate is not None and self.certificate.kind == "personal"

    def with_personal(self, advice: Said) -> Said:
        return say(ADVICE_PERSONAL) + advice if self.personal else advice


def run_test_call(endpoint: str, context: CovSSLContext, person: TestPerson, *,
                  reference_date: date, now: datetime, timeout: float = 30.0,
                  agb_code: str | None = None, environment: str | None = None,
                  certificate: CertificateFacts | None = None,
                  on_step: Callable[[Step], None] | None = None,
                  cancellation: Cancellation | None = None) -> Diagnosis:
    """Make one test call and diagnose it; never raises for network or server problems.

    ``on_step`` is called (in this thread) each time a step is decided, so a screen can
    light the checks up as they pass. ``timeout`` bounds the whole call; after
    ``cancellation.cancel()`` (from any thread) it stops at once, as
    :attr:`Diagnosis.cancelled`.
    """
    parts = urlsplit(endpoint)
    if parts.scheme != "https" or not parts.hostname:
        raise VecozoError(_("The COV endpoint must be an https:// URL, not {endpoint!r}.")
                          .format(endpoint=endpoint))
    try:
        port = parts.port or 443
    except ValueError:
        raise VecozoError(_("The COV endpoint {endpoint!r} has an invalid port.").format(
            endpoint=endpoint)) from None
    deadline = Deadline(timeout, cancellation)
    run = _Run(endpoint=endpoint, host=parts.hostname, port=port, timeout=timeout, now=now,
               certificate=certificate, on_step=on_step, deadline=deadline,
               person=person)
    diagnosis = Diagnosis(endpoint=endpoint, environment=environment, steps=run.steps,
                          started_at=now)
    started = time.perf_counter()
    context.deadline = deadline
    try:
        addresses = _check_dns(run)
        _check_tcp(run, addresses)
        _check_call(run, diagnosis, context, person, reference_date, agb_code)
    except _Stop:
        pass
    except CallCancelled:
        run.cancelled()
    finally:
        context.deadline = None
        deadline.cancellation.forget_all()
    diagnosis.problem = run.problem
    diagnosis.elapsed_seconds = time.perf_counter() - started
    for step in run.steps:  # whatever comes after a failure was not reached
        if step.state == StepState.NOT_REACHED:
            run._report(step)
    return diagnosis


# --- name resolution and TCP ----------------------------------------------------------


def _check_dns(run: _Run) -> list[tuple[Any, ...]]:
    host = run.host
    result: dict[str, Any] = {}

    done = threading.Event()

    def resolve() -> None:
        try:
            result["infos"] = socket.getaddrinfo(host, run.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError) as error:  # the idna codec refuses too
            result["error"] = error
        finally:
            done.set()

    worker = threading.Thread(target=resolve, name="cov-dns", daemon=True)
    started = time.perf_counter()
    worker.start()
    # in slices, so that a cancel is seen at once (getaddrinfo itself cannot be stopped)
    while not done.wait(min(run.deadline.remaining(), 0.05)):
        if run.deadline.cancelled:
            raise CallCancelled
        if run.deadline.remaining() <= 0:
            raise run.fail("dns", "dns_timeout", say(N_("no answer for {host}"), host=host),
                           say(N_("No DNS server answered for {host} within {seconds} s."),
                               host=host, seconds=format(run.timeout, 'g')),
                           say(N_("Check this server's DNS settings (/etc/resolv.conf) and "
                                  "network connection.")))
    error = result.get("error")
    if isinstance(error, UnicodeError | ValueError):
        raise run.fail("dns", "dns_invalid_name", say(N_("{host}: not a valid host name"),
                                                      host=_shorten(host)),
                       say(N_("{host} is not a valid host name (a part longer than 63 characters, "
                              "or characters a host name cannot have)."), host=_shorten(host)),
                       say(N_("Correct the host name in the endpoint URL ([cov.endpoints] or "
                              "--endpoint).")))
    if error is not None:
        code = getattr(error, "errno", None)
        if code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)):
            raise run.fail("dns", "dns_unknown_name", say(N_("{host}: name not found"), host=host),
                           say(N_("The name {host} cannot be found in DNS."), host=host),
                           say(N_("Check the host name in the endpoint URL ([cov.endpoints]) for "
                                  "a typo, and that this server resolves internet names (try "
                                  "`nslookup {host}`)."), host=host))
        raise run.fail("dns", "dns_failed", say(N_("{host}: lookup failed"), host=host),
                       say(N_("Looking up {host} failed: {error}."),
                           host=host, error=_os_text(error)),
                       say(N_("Check this server's DNS settings and network connection; try again "
                              "in a minute.")))
    infos: list[tuple[Any, ...]] = result["infos"]
    shown = list(dict.fromkeys(info[4][0] for info in infos))
    if _is_ip(host):
        detail = say(N_("{host} is an address; no lookup needed"), host=host)
    else:
        addresses = ", ".join(shown[:3])
        if len(shown) > 3:
            detail = say(N_("{host} -> {addresses} (+{count} more) in {time}"), host=host,
                         addresses=addresses, count=len(shown) - 3, time=_ms(started))
        else:
            detail = say(N_("{host} -> {addresses} in {time}"), host=host,
                         addresses=addresses, time=_ms(started))
    run.passed("dns", detail)
    return infos


def _check_tcp(run: _Run, infos: list[tuple[Any, ...]]) -> None:
    last: OSError | None = None
    for family, kind, proto, _name, address in infos:
        started = time.perf_counter()
        try:
            run.local_address = _connect(run.deadline, family, kind, proto, address)
        except OSError as error:
            last = error
            continue
        run.passed("tcp", say(N_("{address} port {port} in {time}"),
                              address=address[0], port=run.port,
                                  time=_ms(started)))
        return
    assert last is not None
    raise _tcp_failure(run, last)


_IN_PROGRESS = {0, errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN,
                getattr(errno, "WSAEWOULDBLOCK", errno.EWOULDBLOCK)}


def _connect(deadline: Deadline, family: int, kind: int, proto: int, address: Any) -> str:
    """Open and close a TCP connection within the deadline, looking at a cancel every
    tenth of a second; this server's own address of it, or OSError (TimeoutError when
    the time is up)."""
    with socket.socket(family, kind, proto) as sock:
        sock.setblocking(False)
        code = sock.connect_ex(address)
        if code not in _IN_PROGRESS:
            raise OSError(code, os.strerror(code))
        while code != 0:
            left = deadline.check()
            _readable, writable, failed = select.select([], [sock], [sock], min(left, 0.1))
            if writable or failed:
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    raise OSError(code, os.strerror(code))
                break
        return str(sock.getsockname()[0])


def _tcp_failure(run: _Run, error: OSError) -> _Stop:
    where = f"{run.host} port {run.port}"
    if isinstance(error, ConnectionRefusedError):
        return run.fail("tcp", "connection_refused", say(N_("{where}: connection refused"),
                                                         where=where),
                        say(N_("Nothing accepts connections on {where} (connection refused)."),
                            where=where),
                        say(N_("Check the port in the endpoint URL ([cov.endpoints]). If it is "
                               "right, the service is down or a firewall refuses the connection; "
                               "for the local test server: is `vecozo-tui fake-cov` (or the demo) "
                               "running?")))
    if isinstance(error, TimeoutError):
        return run.fail("tcp", "connect_timeout", say(N_("{where}: no answer"), where=where),
                        say(N_("{where} did not answer within {seconds} s."),
                            where=where, seconds=format(run.timeout, 'g')),
                        say(N_("A firewall probably drops outgoing connections: ask the network "
                               "administrator to allow HTTPS (port {port}) to {host}."),
                            port=run.port, host=run.host))
    if error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return run.fail("tcp", "network_unreachable", say(N_("{where}: unreachable"), where=where),
                        say(N_("{where} cannot be reached from here ({error})."),
                            where=where, error=_os_text(error)),
                        say(N_("Check this server's network connection and default route.")))
    return run.fail("tcp", "connect_failed", say(N_("{where}: {error}"),
                                                 where=where, error=_os_text(error)),
                    say(N_("Connecting to {where} failed: {error}."),
                        where=where, error=_os_text(error)),
                    say(N_("Check the endpoint URL and this server's network connection.")))


# --- TLS and the call -----------------------------------------------------------------


def _check_call(run: _Run, diagnosis: Diagnosis, context: CovSSLContext, person: TestPerson,
                reference_date: date, agb_code: str | None) -> None:
    import httpx

    from vecozo_tui.cov.client import CovClient

    context.handshakes.clear()

    def on_handshake(event: HandshakeEvent) -> None:
        if event.completed:
            diagnosis.tls_version = event.version
            run.passed("tls", _tls_detail(event, run.now))
            if event.version == "TLSv1.2" and context.has_client_certificate:
                # in TLS 1.2 the server has checked our certificate inside the handshake
                run.passed("client_certificate", say(N_("accepted in the TLS 1.2 handshake")))

    context.handshakes.listener = on_handshake
    search = soap.Search(birth_date=person.birth_date, reference_date=reference_date,
                         bsn=person.bsn)
    try:
        with CovClient(run.endpoint, context, timeout=run.deadline.check()) as client:
            raw = client.send([search], agb_code=agb_code)
    except (httpx.TimeoutException, TimeoutError) as error:
        if run.deadline.cancelled:
            raise CallCancelled from None
        raise _timeout_failure(run, context, error) from None
    except (httpx.TransportError, ssl.SSLError, OSError) as error:
        if run.deadline.cancelled:  # the cancel shut the socket: that is not the server
            raise CallCancelled from None
        raise _transport_failure(run, context, error) from None
    finally:
        context.handshakes.listener = None
    _check_answer(run, diagnosis, raw)


def _tls_detail(event: HandshakeEvent, now: datetime) -> Said:
    version = event.version or "TLS"
    text = say(N_("{version}, server trusted, name matches"), version=version)
    if event.server_certificate_der:
        from cryptography import x509

        try:
            cert = x509.load_der_x509_certificate(event.server_certificate_der)
            return say(N_("{version}, server trusted, name matches ({subject}, issued by "
                          "{issuer}, valid until {date})"), version=version,
                       subject=_common_name(cert.subject), issuer=_common_name(cert.issuer),
                       date=day(cert.not_valid_after_utc))
        except ValueError:
            pass
    return text


def _common_name(name: Any) -> str:
    from cryptography.x509.oid import NameOID

    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()


def _ssl_error(error: BaseException | None) -> ssl.SSLError | None:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, ssl.SSLError):
            return error
        error = error.__cause__ or error.__context__
        seen += 1
    return None


def _os_error(error: BaseException | None) -> OSError | None:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OSError) and not isinstance(error, ssl.SSLError):
            return error
        error = error.__cause__ or error.__context__
        seen += 1
    return None


# alerts a server sends when it refuses the client certificate
_CLIENT_CERT_ALERTS = {
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "certificate_required",
    "TLSV1_ALERT_UNKNOWN_CA": "unknown_ca",
    "SSLV3_ALERT_CERTIFICATE_EXPIRED": "expired",
    "SSLV3_ALERT_BAD_CERTIFICATE": "bad_certificate",
    "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE": "bad_certificate",
    "SSLV3_ALERT_CERTIFICATE_REVOKED": "revoked",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": "bad_certificate",
    "TLSV1_ALERT_ACCESS_DENIED": "access_denied",
    "TLSV1_ALERT_DECRYPT_ERROR": "bad_certificate",
}


def _transport_failure(run: _Run, context: CovSSLContext, error: BaseException) -> _Stop:
    event = context.handshakes.last
    ssl_error = _ssl_error(error)
    if event is None:  # failed before TLS began: the connection itself (a second time)
        os_error = _os_error(error)
        return _tcp_failure(run, os_error or OSError(str(error)))
    if not event.completed:
        if isinstance(ssl_error, ssl.SSLCertVerificationError):
            return _server_certificate_failure(run, ssl_error)
        reason = getattr(ssl_error, "reason", None) or ""
        if reason in _CLIENT_CERT_ALERTS:
            # TLS 1.2: we had already verified the server's certificate when it refused ours
            run.passed("tls", say(N_("server certificate verified; the server then refused ours")))
            return _client_certificate_failure(run, context, _CLIENT_CERT_ALERTS[reason],
                                               reason)
        if reason == "SSLV3_ALERT_HANDSHAKE_FAILURE" and not context.has_client_certificate:
            run.passed("tls", say(N_("server certificate verified; the server then wanted ours")))
            return _client_certificate_failure(run, context, "certificate_required", reason)
        return _tls_failure(run, ssl_error or error)
    # The handshake completed (TLS 1.3): the server judges our certificate afterwards.
    reason = getattr(ssl_error, "reason", None) or ""
    if reason in _CLIENT_CERT_ALERTS:
        return _client_certificate_failure(run, context, _CLIENT_CERT_ALERTS[reason], reason)
    if event.bytes_received:
        # a server that refuses a certificate sends an alert or closes; one that answered,
        # even with rubbish, took it: the fault is in the HTTP answer, not the certificate
        return _not_http_failure(run, error)
    if event.version == "TLSv1.2":  # our certificate was accepted in the handshake
        return run.fail("cov", "connection_closed", say(N_("connection closed without answer")),
                        say(N_("The server closed the connection after the request without "
                               "answering.")),
                        say(N_("Try again in a minute; if it persists, the service may refuse "
                               "this certificate silently: contact VECOZO support.")))
    return _client_certificate_failure(run, context, "closed", _describe_error(error))


def _not_http_failure(run: _Run, error: BaseException) -> _Stop:
    run.passed("client_certificate",
               say(N_("not refused: the server answered after the handshake")))
    # the HTTP parser's message quotes the server's bytes: bounded and scrubbed
    said = soap.untrusted_text(_describe_error(error), 120).rstrip(".")
    return run.fail("cov", "not_http", say(N_("the server answered, but not with HTTP/COV")),
                    say(N_("The server at {host} port {port} answered after the TLS handshake, "
                           "but not with a valid HTTP answer ({said}). It is not a COV service, "
                           "or something on the way (a proxy, a load balancer) broke the answer."),
                        host=run.host, port=run.port, said=said),
                    say(N_("Check the endpoint URL in [cov.endpoints] (host, port and path of "
                           "VECOZO's COV service) and try again later. The practice's certificate "
                           "was not refused: do not reinstall it for this.")))


def _server_certificate_failure(run: _Run, error: ssl.SSLCertVerificationError) -> _Stop:
    code = error.verify_code
    message = error.verify_message or str(error)
    host = run.host
    never = say(N_("Never switch certificate checking off: it protects the patients' data."))
    lowered = message.lower()
    mismatch = ("hostname mismatch", "ip address mismatch")  # untranslated: OpenSSL's words
    if code == 62 or any(words in lowered for words in mismatch):
        return run.fail("tls", "server_hostname_mismatch",
                        say(N_("the server's certificate is not for {host}"), host=host),
                        say(N_("The server's certificate is not valid for the name {host} "
                               "({message})."), host=host, message=message),
                        say(N_("Check the host name in the endpoint URL ([cov.endpoints]): use "
                               "the name VECOZO publishes, not an IP address. A wrong DNS entry "
                               "or a proxy may lead to another server.")) + never)
    if code == 10:
        return run.fail("tls", "server_certificate_expired", say(N_("the server's certificate "
                                                                    "expired")),
                        say(N_("The server's certificate has expired, or this server's clock is "
                               "wrong (it says {now} UTC)."), now=moment(run.now)),
                        say(N_("Check this server's date and time (`timedatectl`). If the clock "
                               "is right, the server's certificate really expired: report it to "
                               "VECOZO (or the admin of that server).")) + never)
    if code == 9:
        return run.fail("tls", "server_certificate_not_yet_valid",
                        say(N_("the server's certificate is not valid yet")),
                        say(N_("The server's certificate is not valid yet, so this server's clock "
                               "is probably wrong (it says {now} UTC)."), now=moment(run.now)),
                        say(N_("Correct this server's date and time (`timedatectl`, NTP)."))
                        + never)
    if code in (2, 18, 19, 20, 21, 27):
        return run.fail("tls", "server_unknown_ca", say(N_("the server's certificate is not "
                                                           "trusted")),
                        say(N_("The server's certificate is not issued by a certificate authority "
                               "this server trusts ({message})."), message=message),
                        say(N_("Bring the system's trust store up to date (the ca-certificates "
                               "package). If a proxy inspects HTTPS, or for the local test "
                               "server, name that CA's file in [cov] ca_bundle. A wrong endpoint "
                               "or an interception can also cause this.")) + never)
    return run.fail("tls", "server_certificate_invalid", say(N_("the server's certificate is "
                                                                "refused")),
                    say(N_("The server's certificate is refused: {message}."), message=message),
                    say(N_("Check the endpoint URL and [cov] ca_bundle; try again later.")) + never)


def _tls_failure(run: _Run, error: BaseException) -> _Stop:
    reason = getattr(error, "reason", None) or ""
    if reason in ("WRONG_VERSION_NUMBER", "UNSUPPORTED_PROTOCOL", "TLSV1_ALERT_PROTOCOL_VERSION",
                  "NO_PROTOCOLS_AVAILABLE", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"):
        return run.fail("tls", "tls_protocol", say(N_("no TLS 1.2+ conversation possible")),
                        say(N_("The server at {host} port {port} does not speak TLS 1.2 or newer "
                               "there ({error})."),
                            host=run.host, port=run.port, error=_describe_error(error)),
                        say(N_("Check that the endpoint URL points at VECOZO's HTTPS service "
                               "(https://, the right port); an old proxy or a plain-HTTP port "
                               "answers like this.")))
    if isinstance(error, ssl.SSLEOFError | ConnectionResetError) or "EOF" in reason:
        return run.fail("tls", "tls_closed", say(N_("the server closed the connection")),
                        say(N_("The server closed the connection during the TLS handshake.")),
                        say(N_("A firewall or proxy may cut HTTPS connections, or the server is "
                               "overloaded: try again in a minute; check the endpoint URL.")))
    return run.fail("tls", "tls_failed", say(N_("the TLS handshake failed")),
                    say(N_("The TLS handshake failed: {error}."), error=_describe_error(error)),
                    say(N_("Check the endpoint URL and [cov] ca_bundle; try again later.")))


def _client_certificate_failure(run: _Run, context: CovSSLContext, kind: str,
                                reason: str) -> _Stop:
    alert = reason.replace("_", " ").lower() if reason.isupper() else reason
    if kind == "certificate_required" or not context.has_client_certificate:
        return run.fail("client_certificate", "client_certificate_missing",
                        say(N_("no client certificate sent")),
                        say(N_("The server requires a client certificate and none was sent "
                               "({alert})."), alert=alert),
                        say(N_("Import the practice's system certificate with its private key, "
                               "then test again.")))
    if kind == "expired":
        cause = say(N_("The server refused the practice's certificate because it has expired."))
        if run.certificate is not None:
            cause = say(N_("The server refused the practice's certificate because it has "
                           "expired (valid until {date})."), date=day(run.certificate.not_after))
        return run.fail("client_certificate", "client_certificate_expired",
                        say(N_("refused: the certificate has expired")),
                        cause, say(ADVICE_RENEW))
    if kind == "unknown_ca":
        return run.fail("client_certificate", "client_certificate_unknown_ca",
                        say(N_("refused: issued by a CA the server does not know")),
                        say(N_("The server does not know the authority that issued the practice's "
                               "certificate ({alert}): it is not a VECOZO certificate for this "
                               "environment."),
                            alert=alert), run.with_personal(say(ADVICE_UNKNOWN_TO_VECOZO)))
    if kind == "revoked":
        return run.fail("client_certificate", "client_certificate_revoked",
                        say(N_("refused: the certificate is revoked")),
                        say(N_("The server says the practice's certificate is revoked ({alert})."),
                            alert=alert),
                        say(N_("The certificate was withdrawn at VECOZO: request a new system "
                               "certificate (the contact person does this in Gebruikersbeheer) "
                               "and import it.")))
    if kind == "closed":
        return run.fail("client_certificate", "client_certificate_rejected",
                        say(N_("connection closed right after the handshake")),
                        say(N_("The server closed the connection right after the TLS handshake "
                               "without an answer ({alert}); this is how a server refuses a "
                               "client certificate it does not accept."), alert=alert),
                        run.with_personal(say(ADVICE_UNKNOWN_TO_VECOZO)))
    return run.fail("client_certificate", "client_certificate_rejected",
                    say(N_("refused by the server")),
                    say(N_("The server refused the practice's certificate ({alert})."),
                        alert=alert),
                    run.with_personal(say(ADVICE_UNKNOWN_TO_VECOZO)))


def _timeout_failure(run: _Run, context: CovSSLContext, error: BaseException) -> _Stop:
    event = context.handshakes.last
    if event is None:
        return run.fail("tcp", "connect_timeout", say(N_("{host} port {port}: no answer"),
                                                      host=run.host, port=run.port),
                        say(N_("{host} port {port} did not answer within {seconds} s."),
                            host=run.host, port=run.port, seconds=format(run.timeout, 'g')),
                        say(N_("A firewall probably drops the connection, or the service is "
                               "overloaded: try again in a minute.")))
    if not event.completed:
        return run.fail("tls", "tls_timeout", say(N_("the TLS handshake did not finish")),
                        say(N_("The TLS handshake did not finish within {seconds} s."),
                            seconds=format(run.timeout, 'g')),
                        say(N_("The server or a proxy on the way is overloaded or cuts HTTPS: try "
                               "again in a minute; check the endpoint URL.")))
    return run.fail("cov", "answer_timeout", say(N_("no answer within {seconds} s"),
                                                 seconds=format(run.timeout, 'g')),
                    say(N_("The request was sent, but no answer came within {seconds} s."),
                        seconds=format(run.timeout, 'g')),
                    say(N_("VECOZO may be busy (the start of a quarter is the busiest time): try "
                           "again later, or raise [cov] timeout_seconds.")))


# --- the HTTP answer ------------------------------------------------------------------


def _check_answer(run: _Run, diagnosis: Diagnosis, raw: Any) -> None:
    status = raw.status_code
    if status == 401:
        raise run.fail("client_certificate", "client_certificate_rejected",
                       say(N_("refused by the service (HTTP 401)")),
                       say(N_("The service did not accept the practice's certificate (HTTP 401).")),
                       run.with_personal(say(ADVICE_UNKNOWN_TO_VECOZO)))
    run.passed("client_certificate", say(N_("accepted: the server read the request")))
    parsed: soap.CovAnswer | soap.SoapFault | None = None
    malformed: Said | None = None
    if raw.truncated:
        malformed = say(N_("the answer is too large"))
    else:
        try:
            parsed = soap.parse_response(
                raw.body, sent=[run.person.bsn] if run.person else [])
        except soap.MalformedAnswer as error:
            malformed = error.said
    fault = parsed if isinstance(parsed, soap.SoapFault) else None
    diagnosis.fault = fault
    if fault is not None and fault.about_authorisation:
        raise run.fail("authorised", "not_authorised", say(N_("not authorised (HTTP {status})"),
                                                           status=status),
                       say(N_("The certificate is known, but VECOZO refused the call as not "
                          "authorised: \"{said}\". Most likely the system certificate lacks the "
                          "COV (VZ801/802) authorisation; it may also be that this server's IP "
                          "address is not registered with the certificate."), said=fault.message)
                       if fault.message else
                       say(N_("The certificate is known, but VECOZO refused the call as not "
                              "authorised. Most likely the system certificate lacks the COV "
                              "(VZ801/802) authorisation; it may also be that this server's IP "
                              "address is not registered with the certificate.")),
                       run.with_personal(say(ADVICE_AUTHORISE) + _ip_advice(run)))
    if status == 403:
        raise run.fail("authorised", "refused_after_handshake",
                       say(N_("refused after the TLS handshake (HTTP {status})"), status=status),
                       say(N_("The certificate was accepted in the TLS handshake, but the call "
                              "was refused before any COV answer. Two causes are as likely: this "
                              "server's IP address is not registered with the system certificate "
                              "at VECOZO, or the certificate is not authorised for COV.")),
                       run.with_personal(_ip_advice(run) + say(ADVICE_AUTHORISE)))
    if fault is not None:
        run.passed("authorised", say(N_("no authorisation problem reported")))
        client_side = fault.code.split(":")[-1].lower().startswith("client") or \
            fault.code.lower().endswith("actionnotsupported")
        advice = (say(N_("The request was refused as invalid: check the date of birth; if the "
                         "problem stays, report it (the time of the call and this message) to "
                         "the vecozo-tui maintainers.")) if client_side else
                  say(N_("A problem on VECOZO's side: try again later; if it stays, contact "
                         "VECOZO support with the time of the call ({now} UTC)."),
                      now=moment(run.now)))
        raise run.fail("cov", "soap_fault", say(N_("SOAP fault {code} (HTTP {status})"),
                                                code=fault.code, status=status),
                       (say(N_("COV answered with a fault: {code}: {message} ({detail})."),
                            code=fault.code,
                           message=fault.message, detail=fault.detail) if fault.detail else
                        say(N_("COV answered with a fault: {code}: {message}."), code=fault.code,
                            message=fault.message)), advice)
    if isinstance(parsed, soap.CovAnswer) and status == 200:
        run.passed("authorised", say(N_("the request was accepted")))
        diagnosis.answer = parsed
        unknown = _unknown_code(parsed)
        if unknown is not None:  # a code we cannot read tells nothing: no pass
            raise run.fail("cov", "unknown_result", say(N_("a result code this version does not "
                                                           "know")),
                           say(N_("COV answered with the result code {unknown!r}, which this "
                                  "version of vecozo-tui does not know, so it cannot tell whether "
                                  "the call worked."), unknown=unknown),
                           say(N_("Look for a newer version of vecozo-tui; if the code stays, "
                                  "report it (as shown here) to its maintainers.")))
        run.passed("cov", say(N_("{answer} in {ms} ms"),
                              answer=Said(_short_answer(parsed, soap.english),
                                                          _short_answer(parsed, _)),
                              ms=format(raw.elapsed_seconds * 1000, ".0f")))
        return
    if status == 404:
        raise run.fail("cov", "http_not_found", say(N_("HTTP 404: no COV service at this address")),
                       say(N_("The server has no COV service at this address (HTTP 404).")),
                       say(N_("Check the path of the endpoint URL in [cov.endpoints] (it ends in "
                              "/cov/vz801802/v1/soap11).")))
    if 300 <= status < 400:
        raise run.fail("cov", "http_redirect", say(N_("HTTP {status}: redirected"), status=status),
                       say(N_("The server redirects the call elsewhere (HTTP {status})."),
                           status=status),
                       say(N_("Check the endpoint URL in [cov.endpoints]; a login page or a proxy "
                              "may answer instead of VECOZO.")))
    if status >= 500 or status in (408, 429):
        raise run.fail("cov", "http_server_error", say(N_("HTTP {status} from the server"),
                                                       status=status),
                       say(N_("The server could not handle the call (HTTP {status})."),
                           status=status),
                       say(N_("VECOZO may be in maintenance or busy: try again later.")))
    if status != 200:
        raise run.fail("cov", "http_error", plain(f"HTTP {status}"),
                       say(N_("The server answered HTTP {status} instead of a COV answer."),
                           status=status),
                       say(N_("Check the endpoint URL in [cov.endpoints]; try again later.")))
    run.passed("authorised", say(N_("the request was accepted")))
    raise run.fail("cov", "malformed_answer", say(N_("the answer is not a COV answer")),
                   say(N_("The answer is not a COV answer: {malformed}."), malformed=malformed),
                   say(N_("A proxy or a wrong endpoint may answer instead of VECOZO: check "
                          "[cov.endpoints]; try again later.")))


def _unknown_code(answer: soap.CovAnswer) -> str | None:
    """The first result code of the answer that is not one of VZ801/802's, if any."""
    if not isinstance(answer.result, soap.RequestResult):
        return str(answer.result or "")
    for search in answer.searches:
        if not isinstance(search.result, soap.SearchResult):
            return str(search.result or "")
    return None


def _short_answer(answer: soap.CovAnswer, tr: Callable[[str], str]) -> str:
    return answer.summary(tr).removeprefix(tr(N_("COV answered: ")))


def _describe_error(error: BaseException) -> str:
    ssl_error = _ssl_error(error)
    if ssl_error is not None:
        if ssl_error.reason:
            return ssl_error.reason.replace("_", " ").lower()
        return type(ssl_error).__name__
    os_error = _os_error(error)
    if os_error is not None:
        return _os_text(os_error)
    return str(error) or type(error).__name__


def _os_text(error: OSError) -> str:
    return (error.strerror or str(error) or type(error).__name__).rstrip(".")


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _ms(started: float) -> str:
    return f"{(time.perf_counter() - started) * 1000:.0f} ms"
