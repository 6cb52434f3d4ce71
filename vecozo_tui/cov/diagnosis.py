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
from vecozo_tui.cov.tls import CovSSLContext, HandshakeEvent
from vecozo_tui.errors import VecozoError


class StepState(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_REACHED = "not reached"


STEPS = (
    ("dns", "Name resolution"),
    ("tcp", "TCP connection"),
    ("tls", "TLS handshake"),
    ("client_certificate", "Client certificate accepted"),
    ("authorised", "Authorised for COV"),
    ("cov", "COV answered"),
)
STEP_TITLES = dict(STEPS)
MARKS = {StepState.PASSED: "PASS", StepState.FAILED: "FAIL", StepState.NOT_REACHED: "---"}


class CertificateFacts(Protocol):
    """What the diagnosis needs of the client certificate (a ``CertificateInfo``)."""

    @property
    def kind(self) -> str: ...

    @property
    def not_after(self) -> datetime: ...


@dataclass
class Step:
    key: str
    title: str
    state: StepState = StepState.NOT_REACHED
    detail: str = ""
    cause: str | None = None
    advice: str | None = None

    def to_dict(self) -> dict:
        return {"key": self.key, "title": self.title, "state": str(self.state),
                "detail": self.detail, "cause": self.cause, "advice": self.advice}


@dataclass(frozen=True)
class TestPerson:
    """The person asked about; never logged, stored or put into a message."""

    __test__ = False  # not a pytest test class

    bsn: str
    birth_date: date

    def __repr__(self) -> str:
        return "TestPerson(<personal data>)"


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
        """One line without personal data: for the record, the dashboard and monitoring."""
        if self.ok and self.answer is not None:
            return soap.untrusted_text(self.answer.summary())
        failed = self.failed_step
        if failed is None:
            return "Test call not finished"
        # it is stored: bounded and scrubbed, whatever the server made of the detail
        return soap.untrusted_text(f"{failed.title}: failed - {failed.detail}")

    def to_dict(self) -> dict:
        return {
            "endpoint": self.endpoint, "environment": self.environment, "ok": self.ok,
            "summary": self.summary, "problem": self.problem,
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

        title_width = max(len(title) for _, title in STEPS)
        indent = 6 + title_width + 2
        out = []
        for step in self.steps:
            detail = step.detail if step.state != StepState.NOT_REACHED else "not reached"
            head = f"{MARKS[step.state]:<4}  {step.title:<{title_width}}  "
            wrapped = textwrap.wrap(detail, max(20, width - indent)) or [""]
            out.append((head + wrapped[0]).rstrip())
            out.extend(" " * indent + more for more in wrapped[1:])
            if step.state == StepState.FAILED:
                for label, text in (("Cause: ", step.cause), ("What to do: ", step.advice)):
                    if text:
                        out.extend(textwrap.wrap(text, width, initial_indent="      " + label,
                                                 subsequent_indent="      "))
        if self.answer is not None:
            for line in answer_lines(self.answer):
                out.append(f"      {line}")
        out.extend(textwrap.wrap(f"Result: {'OK' if self.ok else 'FAILED'} - {self.summary}",
                                 width, subsequent_indent="        "))
        return out


def answer_lines(answer: soap.CovAnswer) -> list[str]:
    """The answer for the screen: result codes, insurer, type and dates (no name/BSN)."""
    lines = []
    for search in answer.searches:
        lines.append(f"Search {search.number or '?'}: {search.describe()}")
        if search.insured is not None:
            for insurance in search.insured.insurances:
                lines.append(f"  {insurance.describe()}")
    if not answer.searches:
        lines.append(f"Request: {soap.describe(answer.result, soap.REQUEST_RESULT_TEXT)}")
    return lines


# --- advice texts ---------------------------------------------------------------------

ADVICE_PERSONAL = ("This is a personal certificate: a personal certificate cannot do COV. "
                   "Import the practice's system certificate (no person's name in it).")
ADVICE_UNKNOWN_TO_VECOZO = (
    "Check that this is the VECOZO system certificate of this practice (not a personal one, "
    "not another practice's) and that it was installed at VECOZO with the user number and "
    "PIN. A certificate for acceptance also works on test, but not on production.")
ADVICE_RENEW = ("Renew the certificate at VECOZO and import the new .pfx. After the expiry "
                "date a renewal is a new installation: it needs the user number and the PIN "
                "again.")


ADVICE_AUTHORISE = ("Authorisation: the practice's VECOZO contact person grants this system "
                    "certificate the COV authorisation in VECOZO's Gebruikersbeheer (change "
                    "the authorisations of a certificate).")


def _ip_advice(run: _Run) -> str:
    """What the contact person registers for VECOZO's IP check, with this server's
    outgoing address as far as it can be known without asking anyone outside."""
    address = run.local_address
    what = ("IP address: the contact person registers the practice's public IP address "
            "with the system certificate in VECOZO's portal ('controle op IP-adressen').")
    if address is None:
        where = ("This server's public address is not known here: the network administrator "
                 "knows it, or a 'what is my IP' page opened on this network shows it.")
    elif _is_public(address):
        where = f"This server connects from {address}: register that address."
    else:
        where = (f"This server connects from {address}, a private address (or this machine "
                 "itself): VECOZO sees the public address of the router or firewall in "
                 "front of it. The network administrator knows it, or a 'what is my IP' "
                 "page opened on this network shows it.")
    return f"{what} {where} Test again afterwards."


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
    steps: list[Step] = field(default_factory=lambda: [Step(k, t) for k, t in STEPS])
    problem: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    local_address: str | None = None  # where this server connects from (its own side)

    def step(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)

    def clean(self, text: str) -> str:
        """``text`` without the person's BSN or date of birth, or any BSN-like number."""
        if self.person is None:
            return scrub(text)
        return scrub(text, [self.person.bsn]).replace(self.person.birth_date.isoformat(),
                                                      "[date of birth]")

    def passed(self, key: str, detail: str) -> None:
        step = self.step(key)
        with self.lock:
            if step.state == StepState.PASSED:
                return
            step.state, step.detail = StepState.PASSED, self.clean(detail)
        self._report(step)

    def fail(self, key: str, problem: str, detail: str, cause: str, advice: str) -> _Stop:
        step = self.step(key)
        with self.lock:
            step.state, step.detail, step.cause, step.advice = (
                StepState.FAILED, self.clean(detail), self.clean(cause), advice)
            self.problem = problem
        self._report(step)
        return _Stop()

    def cancelled(self) -> None:
        """The step under way when the user cancelled is where the call stopped."""
        step = next((s for s in self.steps if s.state == StepState.NOT_REACHED), None)
        if step is not None:
            self.fail(step.key, CANCELLED, "cancelled", "The test call was cancelled before "
                      "it finished.", "Run it again to see whether the certificate works.")

    def _report(self, step: Step) -> None:
        if self.on_step is not None:
            self.on_step(step)

    @property
    def personal(self) -> bool:
        return self.certificate is not None and self.certificate.kind == "personal"

    def with_personal(self, advice: str) -> str:
        return f"{ADVICE_PERSONAL} {advice}" if self.personal else advice


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
        raise VecozoError(f"The COV endpoint must be an https:// URL, not {endpoint!r}.")
    try:
        port = parts.port or 443
    except ValueError:
        raise VecozoError(f"The COV endpoint {endpoint!r} has an invalid port.") from None
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
            raise run.fail("dns", "dns_timeout", f"no answer for {host}",
                           f"No DNS server answered for {host} within {run.timeout:g} s.",
                           "Check this server's DNS settings (/etc/resolv.conf) and network "
                           "connection.")
    error = result.get("error")
    if isinstance(error, UnicodeError | ValueError):
        raise run.fail("dns", "dns_invalid_name", f"{_shorten(host)}: not a valid host name",
                       f"{_shorten(host)} is not a valid host name (a part longer than 63 "
                       "characters, or characters a host name cannot have).",
                       "Correct the host name in the endpoint URL ([cov.endpoints] or "
                       "--endpoint).")
    if error is not None:
        code = getattr(error, "errno", None)
        if code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)):
            raise run.fail("dns", "dns_unknown_name", f"{host}: name not found",
                           f"The name {host} cannot be found in DNS.",
                           "Check the host name in the endpoint URL ([cov.endpoints]) for a "
                           f"typo, and that this server resolves internet names (try "
                           f"`nslookup {host}`).")
        raise run.fail("dns", "dns_failed", f"{host}: lookup failed",
                       f"Looking up {host} failed: {_os_text(error)}.",
                       "Check this server's DNS settings and network connection; try again "
                       "in a minute.")
    infos: list[tuple[Any, ...]] = result["infos"]
    shown = list(dict.fromkeys(info[4][0] for info in infos))
    if _is_ip(host):
        detail = f"{host} is an address; no lookup needed"
    else:
        more = f" (+{len(shown) - 3} more)" if len(shown) > 3 else ""
        detail = f"{host} -> {', '.join(shown[:3])}{more} in {_ms(started)}"
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
        run.passed("tcp", f"{address[0]} port {run.port} in {_ms(started)}")
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
        return run.fail("tcp", "connection_refused", f"{where}: connection refused",
                        f"Nothing accepts connections on {where} (connection refused).",
                        "Check the port in the endpoint URL ([cov.endpoints]). If it is right, "
                        "the service is down or a firewall refuses the connection; for the "
                        "local test server: is `vecozo-tui fake-cov` (or the demo) running?")
    if isinstance(error, TimeoutError):
        return run.fail("tcp", "connect_timeout", f"{where}: no answer",
                        f"{where} did not answer within {run.timeout:g} s.",
                        "A firewall probably drops outgoing connections: ask the network "
                        f"administrator to allow HTTPS (port {run.port}) to {run.host}.")
    if error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return run.fail("tcp", "network_unreachable", f"{where}: unreachable",
                        f"{where} cannot be reached from here ({_os_text(error)}).",
                        "Check this server's network connection and default route.")
    return run.fail("tcp", "connect_failed", f"{where}: {_os_text(error)}",
                    f"Connecting to {where} failed: {_os_text(error)}.",
                    "Check the endpoint URL and this server's network connection.")


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
                run.passed("client_certificate", "accepted in the TLS 1.2 handshake")

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


def _tls_detail(event: HandshakeEvent, now: datetime) -> str:
    text = f"{event.version or 'TLS'}, server trusted, name matches"
    if event.server_certificate_der:
        from cryptography import x509

        try:
            cert = x509.load_der_x509_certificate(event.server_certificate_der)
            text += (f" ({_common_name(cert.subject)}, issued by {_common_name(cert.issuer)},"
                     f" valid until {cert.not_valid_after_utc.date().isoformat()})")
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
            run.passed("tls", "server certificate verified; the server then refused ours")
            return _client_certificate_failure(run, context, _CLIENT_CERT_ALERTS[reason],
                                               reason)
        if reason == "SSLV3_ALERT_HANDSHAKE_FAILURE" and not context.has_client_certificate:
            run.passed("tls", "server certificate verified; the server then wanted ours")
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
        return run.fail("cov", "connection_closed", "connection closed without answer",
                        "The server closed the connection after the request without answering.",
                        "Try again in a minute; if it persists, the service may refuse this "
                        "certificate silently: contact VECOZO support.")
    return _client_certificate_failure(run, context, "closed", _describe_error(error))


def _not_http_failure(run: _Run, error: BaseException) -> _Stop:
    run.passed("client_certificate", "not refused: the server answered after the handshake")
    # the HTTP parser's message quotes the server's bytes: bounded and scrubbed
    said = soap.untrusted_text(_describe_error(error), 120).rstrip(".")
    return run.fail("cov", "not_http", "the server answered, but not with HTTP/COV",
                    f"The server at {run.host} port {run.port} answered after the TLS "
                    f"handshake, but not with a valid HTTP answer ({said}). It is not a COV "
                    "service, or something on the way (a proxy, a load balancer) broke the "
                    "answer.",
                    "Check the endpoint URL in [cov.endpoints] (host, port and path of "
                    "VECOZO's COV service) and try again later. The practice's certificate "
                    "was not refused: do not reinstall it for this.")


def _server_certificate_failure(run: _Run, error: ssl.SSLCertVerificationError) -> _Stop:
    code = error.verify_code
    message = error.verify_message or str(error)
    host = run.host
    never = " Never switch certificate checking off: it protects the patients' data."
    if code == 62 or "hostname mismatch" in message.lower() or "ip address mismatch" in \
            message.lower():
        return run.fail("tls", "server_hostname_mismatch",
                        f"the server's certificate is not for {host}",
                        f"The server's certificate is not valid for the name {host} "
                        f"({message}).",
                        "Check the host name in the endpoint URL ([cov.endpoints]): use the name "
                        "VECOZO publishes, not an IP address. A wrong DNS entry or a proxy may "
                        "lead to another server." + never)
    if code == 10:
        return run.fail("tls", "server_certificate_expired", "the server's certificate expired",
                        "The server's certificate has expired, or this server's clock is wrong "
                        f"(it says {run.now:%Y-%m-%d %H:%M} UTC).",
                        "Check this server's date and time (`timedatectl`). If the clock is "
                        "right, the server's certificate really expired: report it to VECOZO "
                        "(or the admin of that server)." + never)
    if code == 9:
        return run.fail("tls", "server_certificate_not_yet_valid",
                        "the server's certificate is not valid yet",
                        "The server's certificate is not valid yet, so this server's clock is "
                        f"probably wrong (it says {run.now:%Y-%m-%d %H:%M} UTC).",
                        "Correct this server's date and time (`timedatectl`, NTP)." + never)
    if code in (2, 18, 19, 20, 21, 27):
        return run.fail("tls", "server_unknown_ca", "the server's certificate is not trusted",
                        "The server's certificate is not issued by a certificate authority "
                        f"this server trusts ({message}).",
                        "Bring the system's trust store up to date (the ca-certificates package). "
                        "If a proxy inspects HTTPS, or for the local test server, name that "
                        "CA's file in [cov] ca_bundle. A wrong endpoint or an interception can "
                        "also cause this." + never)
    return run.fail("tls", "server_certificate_invalid", "the server's certificate is refused",
                    f"The server's certificate is refused: {message}.",
                    "Check the endpoint URL and [cov] ca_bundle; try again later." + never)


def _tls_failure(run: _Run, error: BaseException) -> _Stop:
    reason = getattr(error, "reason", None) or ""
    if reason in ("WRONG_VERSION_NUMBER", "UNSUPPORTED_PROTOCOL", "TLSV1_ALERT_PROTOCOL_VERSION",
                  "NO_PROTOCOLS_AVAILABLE", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"):
        return run.fail("tls", "tls_protocol", "no TLS 1.2+ conversation possible",
                        f"The server at {run.host} port {run.port} does not speak TLS 1.2 or "
                        f"newer there ({_describe_error(error)}).",
                        "Check that the endpoint URL points at VECOZO's HTTPS service (https://, "
                        "the right port); an old proxy or a plain-HTTP port answers like this.")
    if isinstance(error, ssl.SSLEOFError | ConnectionResetError) or "EOF" in reason:
        return run.fail("tls", "tls_closed", "the server closed the connection",
                        "The server closed the connection during the TLS handshake.",
                        "A firewall or proxy may cut HTTPS connections, or the server is "
                        "overloaded: try again in a minute; check the endpoint URL.")
    return run.fail("tls", "tls_failed", "the TLS handshake failed",
                    f"The TLS handshake failed: {_describe_error(error)}.",
                    "Check the endpoint URL and [cov] ca_bundle; try again later.")


def _client_certificate_failure(run: _Run, context: CovSSLContext, kind: str,
                                reason: str) -> _Stop:
    alert = reason.replace("_", " ").lower() if reason.isupper() else reason
    if kind == "certificate_required" or not context.has_client_certificate:
        return run.fail("client_certificate", "client_certificate_missing",
                        "no client certificate sent",
                        "The server requires a client certificate and none was sent "
                        f"({alert}).",
                        "Import the practice's system certificate with its private key, then "
                        "test again.")
    if kind == "expired":
        until = ""
        if run.certificate is not None:
            until = f" (valid until {run.certificate.not_after:%Y-%m-%d})"
        return run.fail("client_certificate", "client_certificate_expired",
                        "refused: the certificate has expired",
                        f"The server refused the practice's certificate because it has expired"
                        f"{until}.", ADVICE_RENEW)
    if kind == "unknown_ca":
        return run.fail("client_certificate", "client_certificate_unknown_ca",
                        "refused: issued by a CA the server does not know",
                        "The server does not know the authority that issued the practice's "
                        f"certificate ({alert}): it is not a VECOZO certificate for this "
                        "environment.", run.with_personal(ADVICE_UNKNOWN_TO_VECOZO))
    if kind == "revoked":
        return run.fail("client_certificate", "client_certificate_revoked",
                        "refused: the certificate is revoked",
                        f"The server says the practice's certificate is revoked ({alert}).",
                        "The certificate was withdrawn at VECOZO: request a new system "
                        "certificate (the contact person does this in Gebruikersbeheer) and "
                        "import it.")
    if kind == "closed":
        return run.fail("client_certificate", "client_certificate_rejected",
                        "connection closed right after the handshake",
                        "The server closed the connection right after the TLS handshake "
                        f"without an answer ({alert}); this is how a server refuses a client "
                        "certificate it does not accept.",
                        run.with_personal(ADVICE_UNKNOWN_TO_VECOZO))
    return run.fail("client_certificate", "client_certificate_rejected",
                    "refused by the server",
                    f"The server refused the practice's certificate ({alert}).",
                    run.with_personal(ADVICE_UNKNOWN_TO_VECOZO))


def _timeout_failure(run: _Run, context: CovSSLContext, error: BaseException) -> _Stop:
    event = context.handshakes.last
    if event is None:
        return run.fail("tcp", "connect_timeout", f"{run.host} port {run.port}: no answer",
                        f"{run.host} port {run.port} did not answer within {run.timeout:g} s.",
                        "A firewall probably drops the connection, or the service is "
                        "overloaded: try again in a minute.")
    if not event.completed:
        return run.fail("tls", "tls_timeout", "the TLS handshake did not finish",
                        f"The TLS handshake did not finish within {run.timeout:g} s.",
                        "The server or a proxy on the way is overloaded or cuts HTTPS: try "
                        "again in a minute; check the endpoint URL.")
    return run.fail("cov", "answer_timeout", f"no answer within {run.timeout:g} s",
                    f"The request was sent, but no answer came within {run.timeout:g} s.",
                    "VECOZO may be busy (the start of a quarter is the busiest time): try again "
                    "later, or raise [cov] timeout_seconds.")


# --- the HTTP answer ------------------------------------------------------------------


def _check_answer(run: _Run, diagnosis: Diagnosis, raw: Any) -> None:
    status = raw.status_code
    if status == 401:
        raise run.fail("client_certificate", "client_certificate_rejected",
                       "refused by the service (HTTP 401)",
                       "The service did not accept the practice's certificate (HTTP 401).",
                       run.with_personal(ADVICE_UNKNOWN_TO_VECOZO))
    run.passed("client_certificate", "accepted: the server read the request")
    parsed: soap.CovAnswer | soap.SoapFault | None = None
    malformed: str | None = None
    if raw.truncated:
        malformed = "the answer is too large"
    else:
        try:
            parsed = soap.parse_response(
                raw.body, sent=[run.person.bsn] if run.person else [])
        except soap.MalformedAnswer as error:
            malformed = str(error)
    fault = parsed if isinstance(parsed, soap.SoapFault) else None
    diagnosis.fault = fault
    if fault is not None and fault.about_authorisation:
        said = f": \"{fault.message}\"" if fault.message else ""
        raise run.fail("authorised", "not_authorised", f"not authorised (HTTP {status})",
                       "The certificate is known, but VECOZO refused the call as not "
                       f"authorised{said}. Most likely the system certificate lacks the COV "
                       "(VZ801/802) authorisation; it may also be that this server's IP "
                       "address is not registered with the certificate.",
                       run.with_personal(f"{ADVICE_AUTHORISE} {_ip_advice(run)}"))
    if status == 403:
        raise run.fail("authorised", "refused_after_handshake",
                       f"refused after the TLS handshake (HTTP {status})",
                       "The certificate was accepted in the TLS handshake, but the call was "
                       "refused before any COV answer. Two causes are as likely: this "
                       "server's IP address is not registered with the system certificate "
                       "at VECOZO, or the certificate is not authorised for COV.",
                       run.with_personal(f"{_ip_advice(run)} {ADVICE_AUTHORISE}"))
    if fault is not None:
        run.passed("authorised", "no authorisation problem reported")
        client_side = fault.code.split(":")[-1].lower().startswith("client") or \
            fault.code.lower().endswith("actionnotsupported")
        advice = ("The request was refused as invalid: check the date of birth; if the "
                  "problem stays, report it (the time of the call and this message) to the "
                  "vecozo-tui maintainers." if client_side else
                  "A problem on VECOZO's side: try again later; if it stays, contact VECOZO "
                  f"support with the time of the call ({run.now:%Y-%m-%d %H:%M} UTC).")
        raise run.fail("cov", "soap_fault", f"SOAP fault {fault.code} (HTTP {status})",
                       f"COV answered with a fault: {fault.code}: {fault.message}"
                       + (f" ({fault.detail})" if fault.detail else "") + ".", advice)
    if isinstance(parsed, soap.CovAnswer) and status == 200:
        run.passed("authorised", "the request was accepted")
        diagnosis.answer = parsed
        unknown = _unknown_code(parsed)
        if unknown is not None:  # a code we cannot read tells nothing: no pass
            raise run.fail("cov", "unknown_result", "a result code this version does not know",
                           f"COV answered with the result code {unknown!r}, which this "
                           "version of vecozo-tui does not know, so it cannot tell whether "
                           "the call worked.",
                           "Look for a newer version of vecozo-tui; if the code stays, "
                           "report it (as shown here) to its maintainers.")
        run.passed("cov", f"{_short_answer(parsed)} in {raw.elapsed_seconds * 1000:.0f} ms")
        return
    if status == 404:
        raise run.fail("cov", "http_not_found", "HTTP 404: no COV service at this address",
                       "The server has no COV service at this address (HTTP 404).",
                       "Check the path of the endpoint URL in [cov.endpoints] (it ends in "
                       "/cov/vz801802/v1/soap11).")
    if 300 <= status < 400:
        raise run.fail("cov", "http_redirect", f"HTTP {status}: redirected",
                       f"The server redirects the call elsewhere (HTTP {status}).",
                       "Check the endpoint URL in [cov.endpoints]; a login page or a proxy may "
                       "answer instead of VECOZO.")
    if status >= 500 or status in (408, 429):
        raise run.fail("cov", "http_server_error", f"HTTP {status} from the server",
                       f"The server could not handle the call (HTTP {status}).",
                       "VECOZO may be in maintenance or busy: try again later.")
    if status != 200:
        raise run.fail("cov", "http_error", f"HTTP {status}",
                       f"The server answered HTTP {status} instead of a COV answer.",
                       "Check the endpoint URL in [cov.endpoints]; try again later.")
    run.passed("authorised", "the request was accepted")
    raise run.fail("cov", "malformed_answer", "the answer is not a COV answer",
                   f"The answer is not a COV answer: {malformed}.",
                   "A proxy or a wrong endpoint may answer instead of VECOZO: check "
                   "[cov.endpoints]; try again later.")


def _unknown_code(answer: soap.CovAnswer) -> str | None:
    """The first result code of the answer that is not one of VZ801/802's, if any."""
    if not isinstance(answer.result, soap.RequestResult):
        return str(answer.result or "")
    for search in answer.searches:
        if not isinstance(search.result, soap.SearchResult):
            return str(search.result or "")
    return None


def _short_answer(answer: soap.CovAnswer) -> str:
    return answer.summary().removeprefix("COV answered: ")


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
