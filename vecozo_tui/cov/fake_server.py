"""A local VECOZO-like COV server: real TLS, client certificate required, VZ801/802 answers.

For the demo, the tests and trying things out; never for production. It behaves like
VECOZO where that is publicly known (``COV-VZ801802.md``):

* TLS 1.2/1.3; a client certificate is *required* and must chain to the given CA
  certificates (an unknown, missing or expired certificate is refused in the TLS
  handshake, with the alert OpenSSL sends for it);
* a known certificate must also be *authorised* for COV: its SHA-256 fingerprint must be
  in ``authorised`` (a set that may change while the server runs); otherwise HTTP 403
  with a SOAP fault "niet geautoriseerd";
* SOAP 1.1 answers to ``Controleer`` for a few test persons, SOAP faults for a wrong
  SOAPAction, a malformed request or an internal error.

Test persons (BSN, date of birth -> answer):

=========  ==========  ===============================================================
999979668  1962-03-15  Gevonden, ActieveVerzekeringen: Basis at UZOVI 3000 (+ Aanvullend)
999900018  1985-07-01  Gevonden, InactieveVerzekeringen (Basis at UZOVI 3311 ended)
999900031  1990-01-20  Gevonden, DubbeleActieveVerzekeringenGevonden (UZOVI 3000 + 3311)
999900043  any         MeerderePersonenGevonden
999900055  any         BsnOnbekend
999900067  any         a SOAP fault (s:Server, internal error)
999900079  any         a malformed answer (HTTP 200, not XML)
999900080  any         the answer comes after ``slow_seconds`` (default 5 s)
other      any         NietGevonden (a BSN failing the 11-test: BsnVoldoetNietAanElfProef;
                       a known BSN with another birth date: CombinatieBsnGeboortedatumOnbekend)
=========  ==========  ===============================================================

A reference date after today gives ``GevondenPeildatumInToekomst`` for a found person;
two years ago or older ``Peildatum2JaarOfOuder``. No BSN, insurance number or postcode
+ house number: ``GeenGeldigZoekpad``; more than one of them: ``MeerdereZoekpadenOpgegeven``.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import ssl
import threading
import time
import xml.etree.ElementTree as ET  # noqa: S405 - builds answers; requests parsed by defusedxml
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from vecozo_tui.bsn import passes_elfproef
from vecozo_tui.clock import SYSTEM_CLOCK, Clock
from vecozo_tui.cov import soap
from vecozo_tui.i18n import N_, _

if TYPE_CHECKING:
    from cryptography import x509

    from vecozo_tui import pki

COV_PATH = "/cov/vz801802/v1/soap11"
MAX_REQUEST_BYTES = 1_000_000

FAULT_BSN = "999900067"
MALFORMED_BSN = "999900079"
SLOW_BSN = "999900080"


@dataclass(frozen=True)
class _Insurance:
    result: str
    uzovi: str
    kind: str
    start: str
    end: str | None = None
    label: str = ""


@dataclass(frozen=True)
class _Person:
    bsn: str
    birth_date: str
    initials: str
    surname: str
    gender: str
    insured_result: str
    insurances: tuple[_Insurance, ...]


PERSONS = {p.bsn: p for p in (
    _Person("999979668", "1962-03-15", "J.", "Testpersoon", "Man", "ActieveVerzekeringen", (
        _Insurance("Actief", "3000", "Basis", "2006-01-01",
                   label="Demo Zorg Basis"),  # untranslated: sent by the server
        _Insurance("Actief", "3000", "Aanvullend", "2015-01-01",
                   label="Demo Zorg Extra"),  # untranslated: sent by the server
    )),
    _Person("999900018", "1985-07-01", "A.", "Voorbeeld", "Vrouw", "InactieveVerzekeringen", (
        _Insurance("Inactief", "3311", "Basis", "2019-01-01", "2025-12-31",
                   label="Oud Verzekerd Basis"),  # untranslated: sent by the server
    )),
    _Person("999900031", "1990-01-20", "K.", "Dubbel", "Vrouw",
            "DubbeleActieveVerzekeringenGevonden", (
                _Insurance("Actief", "3000", "Basis", "2024-01-01",
                           label="Demo Zorg Basis"),  # untranslated: sent by the server
                _Insurance("Actief", "3311", "Basis", "2025-01-01",
                           label="Tweede Basis"),  # untranslated: sent by the server
            )),
)}
MULTIPLE_BSN = "999900043"
UNKNOWN_BSN = "999900055"


class _Reply(Exception):  # noqa: N818 - control flow inside the handler
    def __init__(self, status: int, body: bytes, content_type: str = soap.CONTENT_TYPE):
        super().__init__(status)
        self.status, self.body, self.content_type = status, body, content_type


def fault_body(code: str, message: str, detail: str | None = None) -> bytes:
    env = ET.Element(f"{{{soap.SOAP_ENV}}}Envelope")
    fault = ET.SubElement(ET.SubElement(env, f"{{{soap.SOAP_ENV}}}Body"),
                          f"{{{soap.SOAP_ENV}}}Fault")
    ET.SubElement(fault, "faultcode").text = code
    ET.SubElement(fault, "faultstring").text = message
    if detail:
        ET.SubElement(ET.SubElement(fault, "detail"), "Melding").text = detail
    return soap._serialize(env)


def unauthorised_fault() -> bytes:
    return fault_body("s:Client", "Niet geautoriseerd",  # untranslated: sent by the server
                      "Dit certificaat is niet geautoriseerd voor de dienst COV "
                      "(VZ801/802).")  # untranslated: sent by the server


class _Answer:
    """Builds a ControleerResponse for the parsed request."""

    def __init__(self, today: date):
        self.today = today

    def respond(self, root: ET.Element) -> tuple[bytes, bool]:
        """The answer, and whether it must come slowly (the SLOW_BSN person)."""
        body = soap.soap_body(root)
        request = _find(body, "Controleer", "request")
        if request is None:
            raise soap.MalformedAnswer(N_("no Controleer/request in the Body"))
        container = soap._child(request, "Zoekopdrachten")
        searches = list(soap._children(container, "Zoekopdracht")) if container is not None \
            else []
        slow = False
        env = ET.Element(soap._q("soap", "Envelope"))
        response = ET.SubElement(ET.SubElement(env, soap._q("soap", "Body")),
                                 soap._q("v1", "ControleerResponse"))
        result = ET.SubElement(response, soap._q("v1", "ControleerResult"))
        if not searches:
            ET.SubElement(result, soap._q("m", "Resultaat")).text = "GeenZoekopdrachten"
            return soap._serialize(env), slow
        if len(searches) > soap.MAX_SEARCHES:
            ET.SubElement(result, soap._q("m", "Resultaat")).text = "MeerDan20Zoekopdrachten"
            return soap._serialize(env), slow
        ET.SubElement(result, soap._q("m", "Resultaat")).text = "VerzoekAkkoord"
        results = ET.SubElement(result, soap._q("m", "Zoekresultaten"))
        for number, search in enumerate(searches, start=1):
            bsn = soap._text(search, "Bsn")
            if bsn == FAULT_BSN:
                raise _Reply(500, fault_body(
                    "s:Server",
                    # untranslated: sent by the server (the two texts below)
                    "Er is een interne fout opgetreden. "
                    "Probeer het later opnieuw.",  # untranslated: sent by the server
                    "Interne fout bij het raadplegen van de "
                    "verzekeraar (fake server)."))  # untranslated: sent by the server
            if bsn == MALFORMED_BSN:
                raise _Reply(200, b"<html><body>Service tijdelijk niet beschikbaar",
                             "text/html")
            if bsn == SLOW_BSN:
                slow = True
            self._search(results, search, number)
        return soap._serialize(env), slow

    def _search(self, results: ET.Element, search: ET.Element, number: int) -> None:
        item = ET.SubElement(results, soap._q("t", "Zoekresultaat"))
        ET.SubElement(item, soap._q("t", "Volgnummer")).text = \
            soap._text(search, "Volgnummer") or str(number)
        code, person = self._lookup(search)
        ET.SubElement(item, soap._q("t", "Resultaat")).text = code
        reference = soap._text(search, "ReferentieZorgaanbieder")
        if reference:
            ET.SubElement(item, soap._q("t", "ReferentieZorgaanbieder")).text = reference
        if person is not None and code.startswith("Gevonden"):
            _insured_element(item, person)

    def _lookup(self, search: ET.Element) -> tuple[str, _Person | None]:
        bsn = soap._text(search, "Bsn")
        birth = soap._text(search, "Geboortedatum")
        try:
            reference = date.fromisoformat(soap._text(search, "Peildatum") or "")
            date.fromisoformat(birth or "")
        except ValueError:
            raise _Reply(500, fault_body(
                "s:Client",
                "Het verzoek voldoet niet aan het schema",  # untranslated: sent by the server
                "Geboortedatum en Peildatum zijn verplicht "
                "(JJJJ-MM-DD).")) from None  # untranslated: sent by the server
        paths = [bool(bsn), bool(soap._text(search, "Verzekerdenummer")),
                 bool(soap._text(search, "Postcode") and soap._text(search, "Huisnummer"))]
        if sum(paths) == 0:
            return "GeenGeldigZoekpad", None
        if sum(paths) > 1:
            return "MeerdereZoekpadenOpgegeven", None
        if reference <= _years_before(self.today, 2):
            return "Peildatum2JaarOfOuder", None
        if not bsn:
            return "NietGevonden", None
        if not passes_elfproef(bsn):
            return "BsnVoldoetNietAanElfProef", None
        if bsn == MULTIPLE_BSN:
            return "MeerderePersonenGevonden", None
        if bsn == UNKNOWN_BSN:
            return "BsnOnbekend", None
        person = PERSONS.get(bsn)
        if person is None:
            return "NietGevonden", None
        if person.birth_date != birth:
            return "CombinatieBsnGeboortedatumOnbekend", None
        if reference > self.today:
            return "GevondenPeildatumInToekomst", person
        return "Gevonden", person


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _find(element: ET.Element, *names: str) -> ET.Element | None:
    for name in names:
        found = soap._child(element, name)
        if found is None:
            return None
        element = found
    return element


def _insured_element(item: ET.Element, person: _Person) -> None:
    insured = ET.SubElement(item, soap._q("t", "Verzekerde"))
    for name, value in (("Resultaat", person.insured_result),
                        ("Geboortedatum", person.birth_date), ("Geslacht", person.gender),
                        ("Overleden", "false"), ("Bsn", person.bsn),
                        ("Voorletters", person.initials), ("Achternaam1", person.surname)):
        ET.SubElement(insured, soap._q("t", name)).text = value
    container = ET.SubElement(insured, soap._q("t", "Verzekeringen"))
    for number, insurance in enumerate(person.insurances, start=1):
        element = ET.SubElement(container, soap._q("t", "Verzekering"))
        fields: list[tuple[str, str | None]] = [
            ("Resultaat", insurance.result), ("UZOVI", insurance.uzovi),
            ("Verzekerdenummer", f"{insurance.uzovi}{number:05d}"),
            ("SoortVerzekering", insurance.kind), ("Labelnaam", insurance.label),
            ("Ingangsdatum", insurance.start), ("Einddatum", insurance.end)]
        for name, text in fields:
            if text:
                ET.SubElement(element, soap._q("t", name)).text = text


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: many calls on one connection
    server_version = "FakeVecozoCOV/1.0"
    sys_version = ""
    timeout = 30  # idle keep-alive connections are closed after this
    server: _HttpServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # events go to FakeCovServer.on_event, without personal data

    def _send(self, status: int, body: bytes, content_type: str = soap.CONTENT_TYPE) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self._send(405, b"Use POST with a SOAP 1.1 "
                   b"Controleer request.\n", "text/plain")  # untranslated: sent by the server

    def do_POST(self) -> None:  # noqa: N802
        fake = self.server.fake
        fingerprint = hashlib.sha256(self.connection.getpeercert(binary_form=True) or b"") \
            .hexdigest().upper()
        try:
            status, body, content_type = self._answer(fake, fingerprint)
        except _Reply as reply:
            status, body, content_type = reply.status, reply.body, reply.content_type
        fake._event(_("POST {path} -> HTTP {status} (certificate {fingerprint}...)").format(
            path=self.path, status=status, fingerprint=fingerprint[:16]))
        self._send(status, body, content_type)

    def _answer(self, fake: FakeCovServer, fingerprint: str) -> tuple[int, bytes, str]:
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.isdigit():
            self.close_connection = True
            raise _Reply(411, b"Content-Length required\n",  # untranslated: sent by the server
                         "text/plain")
        length = int(length_text)
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True
            raise _Reply(413, b"Request too large\n",  # untranslated: sent by the server
                         "text/plain")
        data = self.rfile.read(length)
        if self.path.split("?", 1)[0] != fake.path:
            raise _Reply(404, b"Not found: no such "
                         b"service here\n", "text/plain")  # untranslated: sent by the server
        if fake.registered_addresses is not None and \
                self.client_address[0] not in fake.registered_addresses:
            # VECOZO's check on the IP addresses registered with a system certificate: the
            # gateway refuses before any SOAP (what the real answer says is unknown)
            raise _Reply(403, b"403 Forbidden\n", "text/plain")
        if fingerprint not in fake.authorised:
            raise _Reply(403, unauthorised_fault())
        action = (self.headers.get("SOAPAction") or "").strip().strip('"')
        if action != soap.SOAP_ACTION:
            raise _Reply(500, fault_body(
                "a:ActionNotSupported",
                f"The message with Action '{action}' "
                "cannot be processed at the receiver."))  # untranslated: sent by the server
        if not (self.headers.get("Content-Type") or "").lower().startswith("text/xml"):
            raise _Reply(415, fault_body(
                "s:Client",
                "Content-Type must be text/xml (SOAP 1.1)"))  # untranslated: sent by the server
        try:
            root = soap.parse_xml(data)
            answer, slow = _Answer(fake.clock.now().date()).respond(root)
        except soap.MalformedAnswer as error:  # here: a malformed *request*
            raise _Reply(500, fault_body(
                "s:Client",
                "Het verzoek kan niet worden gelezen",  # untranslated: sent by the server
                error.said.english)) from None
        if slow:
            time.sleep(fake.slow_seconds)
        return 200, answer, soap.CONTENT_TYPE


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], fake: FakeCovServer):
        self.fake = fake
        super().__init__(address, _Handler)

    def finish_request(self, request, client_address) -> None:
        # runs in the connection's own thread: the TLS handshake happens here, so a slow
        # or failing client never holds up the others
        fake = self.fake
        request.settimeout(10)
        with contextlib.suppress(OSError):  # headers and body leave at once (no 40 ms stall)
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            connection = fake._context.wrap_socket(request, server_side=True)
        except ssl.SSLEOFError:
            return  # a connection test (the diagnosis' TCP step) or a client that left
        except ssl.SSLError as error:
            fake._event(_("TLS handshake refused: {reason}").format(reason=_ssl_reason(error)))
            return
        except OSError as error:
            fake._event(_("connection closed during the TLS handshake ({error})").format(
                error=type(error).__name__))
            return
        fake._track(connection, True)
        try:
            _Handler(connection, client_address, self)
        except (OSError, ssl.SSLError):
            pass  # the client went away
        finally:
            fake._track(connection, False)
            with contextlib.suppress(OSError):
                connection.close()

    def handle_error(self, request, client_address) -> None:  # no tracebacks on stderr
        pass


def _ssl_reason(error: ssl.SSLError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return _("client certificate not accepted: {reason}").format(
            reason=error.verify_message)
    return (error.reason or str(error)).replace("_", " ").lower()


class FakeCovServer:
    """A VECOZO-like COV endpoint on ``host``:``port`` (0: a free port).

    ``server_issued``: the TLS server certificate and key (for "localhost" and
    "127.0.0.1" in the demo). ``ca_certificates``: client certificates must chain to
    these. ``authorised``: SHA-256 fingerprints (uppercase hex) allowed to use COV;
    the set is read on every request, so it may be changed after :meth:`start`.
    ``registered_addresses``: when given, only calls from these client addresses get
    past the IP check (VECOZO's "controle op IP-adressen"); the others get HTTP 403.
    """

    def __init__(self, server_issued: pki.Issued, ca_certificates: list[x509.Certificate],
                 authorised: set[str] | None = None, host: str = "127.0.0.1", port: int = 0,
                 *, clock: Clock = SYSTEM_CLOCK, maximum_version: ssl.TLSVersion | None = None,
                 path: str = COV_PATH, url_host: str = "localhost",
                 on_event: Callable[[str], None] | None = None, slow_seconds: float = 5.0,
                 registered_addresses: set[str] | None = None):
        self.authorised = authorised if authorised is not None else set()
        self.registered_addresses = registered_addresses
        self.host, self.port, self.path, self.url_host = host, port, path, url_host
        self.clock = clock
        self.on_event = on_event
        self.slow_seconds = slow_seconds
        self._context = _server_context(server_issued, ca_certificates, maximum_version)
        self._server: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[ssl.SSLSocket] = set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"https://{self.url_host}:{self.port}{self.path}"

    def start(self) -> FakeCovServer:
        if self._server is not None:
            return self
        self._server = _HttpServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=f"fake-cov-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # wake up idle keep-alive handlers
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeCovServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _track(self, connection: ssl.SSLSocket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _event(self, text: str) -> None:
        if self.on_event is not None:
            with contextlib.suppress(Exception):
                self.on_event(text)


def _intermediates(certificate: x509.Certificate, ca_certificates: list[x509.Certificate]
                   ) -> list[x509.Certificate]:
    """The CA certificates between ``certificate`` and its root (the root left out)."""
    by_subject = {c.subject: c for c in ca_certificates}
    chain: list[x509.Certificate] = []
    current = certificate
    while current.issuer in by_subject and current.issuer != current.subject:
        parent = by_subject[current.issuer]
        if parent.issuer == parent.subject or parent in chain:
            break
        chain.append(parent)
        current = parent
    return chain


def _server_context(issued: pki.Issued, ca_certificates: list[x509.Certificate],
                    maximum_version: ssl.TLSVersion | None) -> ssl.SSLContext:
    from vecozo_tui import pki
    from vecozo_tui.cov.tls import load_certificate_and_key

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if maximum_version is not None:
        context.maximum_version = maximum_version
    load_certificate_and_key(context, issued.certificate, issued.key,
                             _intermediates(issued.certificate, ca_certificates))
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=b"".join(pki.pem(c) for c in ca_certificates)
                                  .decode("ascii"))
    return context


# --- `vecozo-tui fake-cov` -----------------------------------------------------------


def files_directory(given: str | Path | None) -> Path:
    """Where ``fake-cov`` writes its CA, example certificates and password: a new private
    directory (a temporary one when none is given), or an existing *empty* one, whose
    mode is left as it is: it may be shared (/tmp-like), and it is not ours."""
    import tempfile

    from vecozo_tui.errors import VecozoError
    from vecozo_tui.fsutil import ensure_private_dir

    if given is None:
        return Path(tempfile.mkdtemp(prefix="vecozo-fake-cov-"))  # mkdtemp: mode 0700
    directory = Path(given)
    if not directory.exists():
        ensure_private_dir(directory)
        return directory
    if not directory.is_dir():
        raise VecozoError(_("{path} is not a directory; give a new or an empty one.").format(
            path=directory))
    try:
        holds_files = any(directory.iterdir())
    except OSError as error:
        raise VecozoError(_("Cannot read {path}: {error}.").format(
            path=directory, error=error.strerror)) from None
    if holds_files:
        raise VecozoError(_("{path} is not empty: fake-cov writes its CA, example "
                            "certificates and password there and never overwrites a file. "
                            "Give a new or an empty directory.").format(path=directory))
    return directory
