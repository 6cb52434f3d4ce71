"""The VZ801/802 ``Controleer`` message: building the request, reading the answer.

SOAP 1.1, document/literal. The request is built with :mod:`xml.etree.ElementTree`
(user input only ever becomes element *text*, escaped by the library); the answer is
parsed with :mod:`defusedxml`, which refuses DTDs, entity declarations and external
references, so an answer cannot make us expand entities or fetch anything.

The answer is read by *local* element names: which namespace VECOZO puts on the
response wrapper is not publicly documented (see ``COV-VZ801802.md``), and a
namespace-tolerant reader accepts every plausible variant. Unknown result codes are
kept as their text (a new code from VECOZO must not break the call) and described as
unknown; a test call does not pass on one.

Every text of the answer that may be stored or shown is untrusted: scrubbed of
BSN-like numbers (and of the BSN sent), stripped of control and formatting characters
and bounded in length (:func:`untrusted_text`).

Nothing here logs. The answer holds personal data (name, BSN, date of birth): it is
handed back to the caller only, and :meth:`CovAnswer.summary` never includes it.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET  # noqa: S405 - used to *build* XML only
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from vecozo_tui.bsn import scrub
from vecozo_tui.i18n import N_, _

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"  # untranslated: a SOAP name
NS_OPERATION = "http://schemas.vecozo.nl/VZ801802/v1"  # untranslated: a SOAP name
NS_MESSAGES = "http://schemas.vecozo.nl/VZ801802/v1/messages"  # untranslated: a SOAP name
NS_TYPES = "http://schemas.vecozo.nl/VZ801802/v1/types"  # untranslated: a SOAP name
SOAP_ACTION = "http://schemas.vecozo.nl/VZ801802/v1/Controleer"  # untranslated: a SOAP name
CONTENT_TYPE = "text/xml; charset=utf-8"  # untranslated: an HTTP header
MAX_SEARCHES = 20
MAX_ANSWER_BYTES = 2_000_000  # a 20-person answer is a few tens of kB

_PREFIXES = {"soap": SOAP_ENV, "v1": NS_OPERATION, "m": NS_MESSAGES, "t": NS_TYPES}


class MalformedAnswer(ValueError):  # noqa: N818 - reads as the diagnosis it leads to
    """The server's answer is not a VZ801/802 answer (not XML, no Body, wrong shape).
    ``message`` is English (marked with N_); ``said`` has it in both languages."""

    def __init__(self, message: str, /, **values: object) -> None:
        from vecozo_tui.cov.texts import say

        self.said = say(message, **values)
        super().__init__(self.said.local)


# --- result codes --------------------------------------------------------------------


class RequestResult(StrEnum):
    """``Resultaat`` of the whole answer (RetourberichtresultaatType)."""

    VERZOEK_AKKOORD = "VerzoekAkkoord"
    GEEN_ZOEKOPDRACHTEN = "GeenZoekopdrachten"
    MEER_DAN_20_ZOEKOPDRACHTEN = "MeerDan20Zoekopdrachten"


class SearchResult(StrEnum):
    """``Zoekresultaat/Resultaat`` (ZoekresultaatType)."""

    GEVONDEN = "Gevonden"
    GEVONDEN_PEILDATUM_IN_TOEKOMST = "GevondenPeildatumInToekomst"
    NIET_GEVONDEN = "NietGevonden"
    BSN_ONBEKEND = "BsnOnbekend"
    BSN_VOLDOET_NIET_AAN_ELFPROEF = "BsnVoldoetNietAanElfProef"
    COMBINATIE_BSN_GEBOORTEDATUM_ONBEKEND = "CombinatieBsnGeboortedatumOnbekend"
    GEEN_GELDIG_ZOEKPAD = "GeenGeldigZoekpad"
    MEERDERE_ZOEKPADEN_OPGEGEVEN = "MeerdereZoekpadenOpgegeven"
    MEERDERE_PERSONEN_GEVONDEN = "MeerderePersonenGevonden"
    PEILDATUM_2_JAAR_OF_OUDER = "Peildatum2JaarOfOuder"


class InsuredResult(StrEnum):
    """``Verzekerde/Resultaat``."""

    ACTIEVE_VERZEKERINGEN = "ActieveVerzekeringen"
    DUBBELE_ACTIEVE_VERZEKERINGEN = "DubbeleActieveVerzekeringenGevonden"
    INACTIEVE_VERZEKERINGEN = "InactieveVerzekeringen"


class InsuranceResult(StrEnum):
    """``Verzekering/Resultaat``."""

    ACTIEF = "Actief"
    INACTIEF = "Inactief"
    NIET_GEAUTORISEERD = "NietGeautoriseerdVoorZorgverzekeraar"


class InsuranceKind(StrEnum):
    """``Verzekering/SoortVerzekering``."""

    BASIS = "Basis"
    AANVULLEND = "Aanvullend"
    AANVULLEND_PLUS_TAND = "AanvullendPlusTand"
    TAND = "Tand"
    HOOFDVERZEKERING = "Hoofdverzekering"
    AWBZ = "AWBZ"


class Gender(StrEnum):
    MAN = "Man"
    VROUW = "Vrouw"
    ONBEKEND = "Onbekend"
    NIET_GESPECIFICEERD = "NietGespecificeerd"


REQUEST_RESULT_TEXT = {
    RequestResult.VERZOEK_AKKOORD: N_("request accepted"),
    RequestResult.GEEN_ZOEKOPDRACHTEN: N_("the request held no search"),
    RequestResult.MEER_DAN_20_ZOEKOPDRACHTEN: N_("the request held more than 20 searches"),
}

SEARCH_RESULT_TEXT = {
    SearchResult.GEVONDEN: N_("insured person found"),
    SearchResult.GEVONDEN_PEILDATUM_IN_TOEKOMST: N_("insured person found (reference date in "
                                                 "the future)"),
    SearchResult.NIET_GEVONDEN: N_("no insured person found"),
    SearchResult.BSN_ONBEKEND: N_("BSN unknown"),
    SearchResult.BSN_VOLDOET_NIET_AAN_ELFPROEF: N_("the BSN fails the 11-test"),
    SearchResult.COMBINATIE_BSN_GEBOORTEDATUM_ONBEKEND: N_("BSN and date of birth do not match"),
    SearchResult.GEEN_GELDIG_ZOEKPAD: N_("no valid search path (BSN, or insurance number, or "
                                      "postcode + house number)"),
    SearchResult.MEERDERE_ZOEKPADEN_OPGEGEVEN: N_("more than one search path given"),
    SearchResult.MEERDERE_PERSONEN_GEVONDEN: N_("more than one person found"),
    SearchResult.PEILDATUM_2_JAAR_OF_OUDER: N_("reference date two years ago or older"),
}

INSURED_RESULT_TEXT = {
    InsuredResult.ACTIEVE_VERZEKERINGEN: N_("active insurance"),
    InsuredResult.DUBBELE_ACTIEVE_VERZEKERINGEN: N_("two active basic insurances (double "
                                                 "insured)"),
    InsuredResult.INACTIEVE_VERZEKERINGEN: N_("no active insurance on the reference date"),
}

INSURANCE_RESULT_TEXT = {
    InsuranceResult.ACTIEF: N_("active"),
    InsuranceResult.INACTIEF: N_("inactive"),
    InsuranceResult.NIET_GEAUTORISEERD: N_("not authorised for this insurer"),
}


# What a server's text may take up once stored or shown (on one line).
MAX_CODE_CHARS = 64
MAX_TEXT_CHARS = 300


def untrusted_text(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Text from a server, made safe to store and show: BSN-like numbers scrubbed, control
    and formatting characters (newlines, escape sequences, bidi overrides) gone, one
    line, at most ``limit`` characters."""
    printable = "".join(c if c.isprintable() else " " for c in scrub(text))
    line = " ".join(printable.split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _code(enum: type[StrEnum], text: str) -> StrEnum | str:
    """A known code, or the unknown one as (bounded, scrubbed) text."""
    try:
        return enum(text)
    except ValueError:
        return untrusted_text(text, MAX_CODE_CHARS)


def english(message: str) -> str:
    """The English text: the ``tr`` of a record, the audit log and --json."""
    return message


def describe(code: StrEnum | str | None, texts: dict,
             tr: Callable[[str], str] = _) -> str:
    if code is None:
        return tr(N_("no result given"))
    if code in texts:
        return tr(texts[code])
    return tr(N_("unknown result code {code!r}")).format(code=code)


# --- the request ---------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """One ``Zoekopdracht``. The personal fields are never logged or stored."""

    birth_date: date
    reference_date: date
    bsn: str | None = None
    insurance_number: str | None = None
    postcode: str | None = None
    house_number: str | None = None
    house_number_addition: str | None = None
    reference: str | None = None

    def __repr__(self) -> str:  # keep personal data out of tracebacks and logs
        when = self.reference_date.isoformat()
        return f"Search(reference_date={when}, <personal data>)"  # untranslated: a repr


def _q(prefix: str, name: str) -> str:
    return f"{{{_PREFIXES[prefix]}}}{name}"


def _add(parent: ET.Element, prefix: str, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _q(prefix, name))
    if text is not None:
        element.text = text
    return element


def build_request(searches: Iterable[Search], *, agb_code: str | None = None) -> bytes:
    """The SOAP envelope of a ``Controleer`` request, UTF-8 encoded."""
    envelope = ET.Element(_q("soap", "Envelope"))
    body = _add(envelope, "soap", "Body")
    request = _add(_add(body, "v1", "Controleer"), "v1", "request")
    if agb_code:
        if not (len(agb_code) == 8 and agb_code.isdigit()):
            raise ValueError("an AGB code has 8 digits")  # untranslated: a programming error
        provider = _add(request, "m", "Zorgaanbieder")
        _add(provider, "t", "AGB-zorgverlenersoort", agb_code[:2])
        _add(provider, "t", "AGB-nummer", agb_code[2:])
    container = _add(request, "m", "Zoekopdrachten")
    for number, search in enumerate(searches, start=1):
        item = _add(container, "t", "Zoekopdracht")
        _add(item, "t", "Volgnummer", str(number))
        _add(item, "t", "Geboortedatum", search.birth_date.isoformat())
        _add(item, "t", "Peildatum", search.reference_date.isoformat())
        for name, value in (("Bsn", search.bsn), ("Verzekerdenummer", search.insurance_number),
                            ("Postcode", search.postcode),
                            ("ReferentieZorgaanbieder", search.reference),
                            ("Huisnummer", search.house_number),
                            ("Huisnummertoevoeging", search.house_number_addition)):
            if value:
                _add(item, "t", name, value)
    return _serialize(envelope)


def _serialize(root: ET.Element) -> bytes:
    for prefix, uri in _PREFIXES.items():
        ET.register_namespace(prefix, uri)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- the answer ----------------------------------------------------------------------


@dataclass(frozen=True)
class Insurance:
    result: InsuranceResult | str | None
    uzovi: str | None
    kind: InsuranceKind | str | None
    start: date | None
    end: date | None
    insurance_number: str | None = None
    package_code: str | None = None
    package_name: str | None = None
    label_code: str | None = None
    label_name: str | None = None

    def describe(self, tr: Callable[[str], str] = _) -> str:
        """UZOVI, type, status and dates: no personal data."""
        from vecozo_tui.textfmt import short_date

        def when(value: date) -> str:
            return value.isoformat() if tr is english else short_date(value)

        parts = [f"UZOVI {self.uzovi or '?'}", str(self.kind or tr(N_("unknown type"))),
                 describe(self.result, INSURANCE_RESULT_TEXT, tr)]
        if self.start and self.end:
            parts.append(tr(N_("from {start} until {end}")).format(start=when(self.start),
                                                                  end=when(self.end)))
        elif self.start:
            parts.append(tr(N_("from {start}")).format(start=when(self.start)))
        elif self.end:
            parts.append(tr(N_("until {end}")).format(end=when(self.end)))
        return ", ".join(parts)

    def to_dict(self) -> dict:
        """For --json: insurer and type, never the insurance number."""
        return {"result": _str(self.result), "uzovi": self.uzovi, "kind": _str(self.kind),
                "start": _iso(self.start), "end": _iso(self.end),
                "label": self.label_name, "package": self.package_name}


@dataclass(frozen=True)
class Insured:
    """``Verzekerde``: personal data; shown to the user once, never stored or logged."""

    result: InsuredResult | str | None
    birth_date: date | None
    gender: Gender | str | None
    bsn: str | None
    initials: str | None
    surname: str | None
    deceased: bool
    insurances: tuple[Insurance, ...]

    def __repr__(self) -> str:
        return (f"Insured(result={self.result!r}, insurances={self.insurances!r}, "
                "<personal data>)")  # untranslated: a repr


@dataclass(frozen=True)
class SearchAnswer:
    number: int | None
    result: SearchResult | str | None
    insured: Insured | None
    reference: str | None = None

    def describe(self, tr: Callable[[str], str] = _) -> str:
        text = describe(self.result, SEARCH_RESULT_TEXT, tr)
        if self.insured is not None and self.insured.result is not None:
            text += f"; {describe(self.insured.result, INSURED_RESULT_TEXT, tr)}"
        return text


@dataclass(frozen=True)
class CovAnswer:
    result: RequestResult | str | None
    searches: tuple[SearchAnswer, ...] = field(default_factory=tuple)

    @property
    def first(self) -> SearchAnswer | None:
        return self.searches[0] if self.searches else None

    @property
    def insurances(self) -> tuple[Insurance, ...]:
        first = self.first
        return first.insured.insurances if first and first.insured else ()

    def summary(self, tr: Callable[[str], str] = _) -> str:
        """One line without personal data; ``tr=english`` for the test-call record."""
        answered = tr(N_("COV answered: "))
        if self.result != RequestResult.VERZOEK_AKKOORD:
            return answered + describe(self.result, REQUEST_RESULT_TEXT, tr)
        first = self.first
        if first is None:
            return answered + tr(N_("request accepted, but no search result"))
        text = answered + first.describe(tr)
        basic = [i for i in self.insurances if i.kind in (InsuranceKind.BASIS,
                                                         InsuranceKind.HOOFDVERZEKERING)]
        shown = basic[0] if basic else (self.insurances[0] if self.insurances else None)
        if shown is not None:
            kind = shown.kind or tr(N_("unknown type"))
            text += f" (UZOVI {shown.uzovi or '?'}, {kind}, " \
                    f"{describe(shown.result, INSURANCE_RESULT_TEXT, tr)})"
        return text

    def to_dict(self) -> dict:
        """For --json: result codes, insurers, types and dates; no name, BSN or birth date."""
        return {
            "result": _str(self.result),
            "searches": [{
                "number": s.number, "result": _str(s.result),
                "insured_result": _str(s.insured.result) if s.insured else None,
                "insurances": [i.to_dict() for i in (s.insured.insurances if s.insured else ())],
            } for s in self.searches],
        }


@dataclass(frozen=True)
class SoapFault:
    code: str
    message: str
    detail: str | None = None

    @property
    def about_authorisation(self) -> bool:
        """Whether the fault says the certificate may not use COV (VECOZO: 'niet geautoriseerd')."""
        text = f"{self.code} {self.message} {self.detail or ''}".lower()
        return any(word in text for word in ("geautoriseerd", "autorisatie", "authoriz",
                                             "authoris", "unauthori", "forbidden"))


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) == name)


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next(_children(element, name), None)


def _text(element: ET.Element, name: str) -> str | None:
    child = _child(element, name)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _shown_text(element: ET.Element, name: str) -> str | None:
    """A field the screen and --json show (insurer, package): bounded and scrubbed."""
    text = _text(element, name)
    return None if text is None else untrusted_text(text, MAX_CODE_CHARS)


def _date(element: ET.Element, name: str) -> date | None:
    text = _text(element, name)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])  # xs:date, sometimes as a dateTime
    except ValueError:
        raise MalformedAnswer(N_("{name} is not a date"), name=name) from None


def parse_xml(data: bytes) -> ET.Element:
    """Parse untrusted XML: no DTD, no entities, no external references."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    if len(data) > MAX_ANSWER_BYTES:
        raise MalformedAnswer(N_("the answer is larger than {limit} bytes"),
                              limit=MAX_ANSWER_BYTES)
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise MalformedAnswer(N_("the answer uses forbidden XML ({kind})"),
                              kind=type(error).__name__) from None
    except ParseError as error:
        raise MalformedAnswer(N_("the answer is not XML ({error})"), error=error) from None


def soap_body(root: ET.Element) -> ET.Element:
    if _local(root.tag) != "Envelope" or not root.tag.startswith(f"{{{SOAP_ENV}}}"):
        raise MalformedAnswer(N_("the answer is not a SOAP 1.1 envelope"))
    body = _child(root, "Body")
    if body is None:
        raise MalformedAnswer(N_("the SOAP envelope has no Body"))
    return body


def find_fault(body: ET.Element) -> SoapFault | None:
    fault = _child(body, "Fault")
    if fault is None:
        return None
    detail = _child(fault, "detail")
    detail_text = None
    if detail is not None:
        detail_text = " ".join(t.strip() for t in detail.itertext() if t.strip()) or None
    return SoapFault(code=untrusted_text(_text(fault, "faultcode") or "", 100),
                     message=untrusted_text(_text(fault, "faultstring") or ""),
                     detail=untrusted_text(detail_text) if detail_text else None)


def parse_response(data: bytes, *, sent: Iterable[str] = ()) -> CovAnswer | SoapFault:
    """A ``ControleerResponse`` or a SOAP fault; :class:`MalformedAnswer` otherwise.

    Every text in it is scrubbed of BSN-like numbers and of the BSN(s) ``sent``.
    """
    parsed = _parse_response(data)
    sent = tuple(value for value in sent if value)
    return _scrubbed(parsed, sent) if sent else parsed


def _scrubbed(value: Any, sent: tuple[str, ...]) -> Any:
    """``value`` (a parsed answer) with the BSN(s) ``sent`` masked in every text field."""
    if isinstance(value, StrEnum):
        return value
    if isinstance(value, str):
        return scrub(value, sent)
    if isinstance(value, tuple):
        return tuple(_scrubbed(item, sent) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{
            f.name: _scrubbed(getattr(value, f.name), sent) for f in dataclasses.fields(value)})
    return value


def _parse_response(data: bytes) -> CovAnswer | SoapFault:
    body = soap_body(parse_xml(data))
    fault = find_fault(body)
    if fault is not None:
        return fault
    response = _child(body, "ControleerResponse")
    if response is None:
        raise MalformedAnswer(N_("the SOAP Body holds no ControleerResponse"))
    container = _result_container(response)
    if container is None:
        raise MalformedAnswer(N_("the ControleerResponse holds no Resultaat"))
    searches: list[SearchAnswer] = []
    results = _child(container, "Zoekresultaten")
    if results is not None:
        for item in _children(results, "Zoekresultaat"):
            searches.append(_search_answer(item))
    return CovAnswer(result=_code(RequestResult, _text(container, "Resultaat") or ""),
                     searches=tuple(searches))


def _result_container(response: ET.Element) -> ET.Element | None:
    """The element holding ``Resultaat`` and ``Zoekresultaten`` (the response, or a
    ``ControleerResult`` / ``response`` wrapper inside it)."""
    queue = [response]
    for _depth in range(3):
        following: list[ET.Element] = []
        for element in queue:
            if _child(element, "Resultaat") is not None:
                return element
            following.extend(element)
        queue = following
    return None


def _search_answer(item: ET.Element) -> SearchAnswer:
    number_text = _text(item, "Volgnummer")
    try:
        number = int(number_text) if number_text is not None else None
    except ValueError:
        raise MalformedAnswer(N_("Volgnummer is not a number")) from None
    insured_element = _child(item, "Verzekerde")
    insured = _insured(insured_element) if insured_element is not None else None
    return SearchAnswer(number=number, result=_code(SearchResult, _text(item, "Resultaat") or ""),
                        insured=insured, reference=_text(item, "ReferentieZorgaanbieder"))


def _insured(element: ET.Element) -> Insured:
    insurances = []
    container = _child(element, "Verzekeringen")
    if container is not None:
        for item in _children(container, "Verzekering"):
            kind = _text(item, "SoortVerzekering")
            result = _text(item, "Resultaat")
            insurances.append(Insurance(
                result=_code(InsuranceResult, result) if result else None,
                uzovi=_shown_text(item, "UZOVI"),
                kind=_code(InsuranceKind, kind) if kind else None,
                start=_date(item, "Ingangsdatum"), end=_date(item, "Einddatum"),
                insurance_number=_text(item, "Verzekerdenummer"),
                package_code=_shown_text(item, "Pakketcode"),
                package_name=_shown_text(item, "Pakketnaam"),
                label_code=_shown_text(item, "Labelcode"),
                label_name=_shown_text(item, "Labelnaam"),
            ))
    result = _text(element, "Resultaat")
    gender = _text(element, "Geslacht")
    surname = " ".join(p for p in (_text(element, "Voorvoegsel1"),
                                   _text(element, "Achternaam1")) if p) or None
    return Insured(
        result=_code(InsuredResult, result) if result else None,
        birth_date=_date(element, "Geboortedatum"),
        gender=_code(Gender, gender) if gender else None,
        bsn=_text(element, "Bsn"), initials=_text(element, "Voorletters"), surname=surname,
        deceased=(_text(element, "Overleden") or "").lower() in ("true", "1"),
        insurances=tuple(insurances),
    )
