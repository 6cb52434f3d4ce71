"""The VZ801/802 messages: built with ElementTree, read with defusedxml."""

from __future__ import annotations

from datetime import date

import pytest
from defusedxml.ElementTree import fromstring

from vecozo_tui.bsn import passes_elfproef
from vecozo_tui.cov import soap
from vecozo_tui.cov.fake_server import fault_body

NS = {"s": soap.SOAP_ENV, "v1": soap.NS_OPERATION, "m": soap.NS_MESSAGES, "t": soap.NS_TYPES}
SEARCH = soap.Search(birth_date=date(1962, 3, 15), reference_date=date(2026, 11, 22),
                     bsn="999979668")


def test_request_shape_and_namespaces():
    root = fromstring(soap.build_request([SEARCH], agb_code="01234567"))
    request = root.find("s:Body/v1:Controleer/v1:request", NS)
    assert request is not None
    assert request.findtext("m:Zorgaanbieder/t:AGB-zorgverlenersoort", namespaces=NS) == "01"
    assert request.findtext("m:Zorgaanbieder/t:AGB-nummer", namespaces=NS) == "234567"
    searches = request.findall("m:Zoekopdrachten/t:Zoekopdracht", NS)
    assert len(searches) == 1
    assert [(child.tag.split("}")[1], child.text) for child in searches[0]] == [
        ("Volgnummer", "1"), ("Geboortedatum", "1962-03-15"), ("Peildatum", "2026-11-22"),
        ("Bsn", "999979668")]


def test_request_without_provider_and_with_more_searches():
    other = soap.Search(birth_date=date(1980, 1, 1), reference_date=date(2026, 1, 1),
                        postcode="1234AB", house_number="12", house_number_addition="bis")
    root = fromstring(soap.build_request([SEARCH, other]))
    assert root.find("s:Body/v1:Controleer/v1:request/m:Zorgaanbieder", NS) is None
    second = root.findall(".//t:Zoekopdracht", NS)[1]
    assert second.findtext("t:Volgnummer", namespaces=NS) == "2"
    assert second.findtext("t:Postcode", namespaces=NS) == "1234AB"
    assert second.findtext("t:Huisnummertoevoeging", namespaces=NS) == "bis"
    assert second.find("t:Bsn", NS) is None


def test_user_input_is_text_never_markup():
    nasty = soap.Search(birth_date=date(1980, 1, 1), reference_date=date(2026, 1, 1),
                        reference='</t:Zoekopdracht><evil/>&amp; "x"')
    data = soap.build_request([nasty])
    root = fromstring(data)
    assert root.findtext(".//t:ReferentieZorgaanbieder", namespaces=NS) == \
        '</t:Zoekopdracht><evil/>&amp; "x"'
    assert root.find(".//evil") is None


def test_agb_code_must_have_eight_digits():
    with pytest.raises(ValueError):
        soap.build_request([SEARCH], agb_code="1234")


def test_search_repr_hides_personal_data():
    assert "999979668" not in repr(SEARCH) and "1962" not in repr(SEARCH)


ANSWER = """<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
 <s:Body>
  <ControleerResponse xmlns="http://schemas.vecozo.nl/VZ801802/v1">
   {wrapper_open}
    <Resultaat xmlns="http://schemas.vecozo.nl/VZ801802/v1/messages">VerzoekAkkoord</Resultaat>
    <Zoekresultaten xmlns="http://schemas.vecozo.nl/VZ801802/v1/messages">
     <Zoekresultaat xmlns="http://schemas.vecozo.nl/VZ801802/v1/types">
      <Volgnummer>1</Volgnummer>
      <Resultaat>{code}</Resultaat>
      <Verzekerde>
       <Resultaat>ActieveVerzekeringen</Resultaat>
       <Geboortedatum>1962-03-15T00:00:00</Geboortedatum>
       <Geslacht>Man</Geslacht>
       <Overleden>false</Overleden>
       <Bsn>999979668</Bsn>
       <Voorletters>J.</Voorletters>
       <Voorvoegsel1>van</Voorvoegsel1>
       <Achternaam1>Test</Achternaam1>
       <Verzekeringen>
        <Verzekering>
         <Resultaat>Actief</Resultaat><UZOVI>3000</UZOVI><Verzekerdenummer>123</Verzekerdenummer>
         <SoortVerzekering>Basis</SoortVerzekering><Ingangsdatum>2006-01-01</Ingangsdatum>
        </Verzekering>
        <Verzekering>
         <Resultaat>Inactief</Resultaat><UZOVI>3311</UZOVI>
         <SoortVerzekering>Tand</SoortVerzekering>
         <Ingangsdatum>2010-01-01</Ingangsdatum><Einddatum>2011-12-31</Einddatum>
        </Verzekering>
       </Verzekeringen>
      </Verzekerde>
     </Zoekresultaat>
    </Zoekresultaten>
   {wrapper_close}
  </ControleerResponse>
 </s:Body>
</s:Envelope>"""


@pytest.mark.parametrize("wrapper", ["", "ControleerResult", "response"])
def test_answer_is_read_with_or_without_a_result_wrapper(wrapper):
    data = ANSWER.format(code="Gevonden", wrapper_open=f"<{wrapper}>" if wrapper else "",
                         wrapper_close=f"</{wrapper}>" if wrapper else "").encode()
    answer = soap.parse_response(data)
    assert isinstance(answer, soap.CovAnswer)
    assert answer.result is soap.RequestResult.VERZOEK_AKKOORD
    first = answer.first
    assert first.number == 1 and first.result is soap.SearchResult.GEVONDEN
    insured = first.insured
    assert insured.result is soap.InsuredResult.ACTIEVE_VERZEKERINGEN
    assert insured.birth_date == date(1962, 3, 15)
    assert insured.surname == "van Test" and insured.gender is soap.Gender.MAN
    assert not insured.deceased
    basic, dental = answer.insurances
    assert (basic.uzovi, basic.kind, basic.result, basic.start, basic.end) == (
        "3000", soap.InsuranceKind.BASIS, soap.InsuranceResult.ACTIEF, date(2006, 1, 1), None)
    assert dental.end == date(2011, 12, 31)
    assert answer.summary() == ("COV answered: insured person found; active insurance "
                                "(UZOVI 3000, Basis, active)")
    assert "999979668" not in repr(insured) and "Test" not in repr(insured)
    assert "999979668" not in str(answer.to_dict()) and "123" not in str(answer.to_dict())


def test_unknown_result_code_is_kept_not_fatal():
    data = ANSWER.format(code="IetsNieuws", wrapper_open="", wrapper_close="").encode()
    answer = soap.parse_response(data)
    assert answer.first.result == "IetsNieuws"
    assert "unknown result code 'IetsNieuws'" in answer.summary()


def test_every_search_result_code_has_a_text():
    for code in soap.SearchResult:
        assert soap.describe(code, soap.SEARCH_RESULT_TEXT) != f"unknown result code {code!r}"
    for enum, texts in ((soap.RequestResult, soap.REQUEST_RESULT_TEXT),
                        (soap.InsuredResult, soap.INSURED_RESULT_TEXT),
                        (soap.InsuranceResult, soap.INSURANCE_RESULT_TEXT)):
        assert set(enum) == set(texts)


def test_soap_fault_is_read():
    fault = soap.parse_response(fault_body("s:Client", "Niet geautoriseerd", "Geen COV."))
    assert fault == soap.SoapFault("s:Client", "Niet geautoriseerd", "Geen COV.")
    assert fault.about_authorisation
    other = soap.parse_response(fault_body("s:Server", "Interne fout"))
    assert not other.about_authorisation


@pytest.mark.parametrize("data, message", [
    (b"", "not XML"),
    (b"<html><body>Bad gateway</body></html>", "not a SOAP 1.1 envelope"),
    (b"not xml at all", "not XML"),
    (b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>',
     "not a SOAP 1.1 envelope"),
    (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>', "no Body"),
    (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x/></s:Body>'
     b"</s:Envelope>", "no ControleerResponse"),
    (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
     b"<ControleerResponse><Other/></ControleerResponse></s:Body></s:Envelope>",
     "no Resultaat"),
])
def test_malformed_answers(data, message):
    with pytest.raises(soap.MalformedAnswer, match=message):
        soap.parse_response(data)


def test_entity_expansion_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
            b"<x>&lol2;</x></s:Body></s:Envelope>")
    with pytest.raises(soap.MalformedAnswer, match="forbidden XML"):
        soap.parse_response(bomb)


def test_external_entity_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
           "<x>&x;</x></s:Body></s:Envelope>").encode()
    with pytest.raises(soap.MalformedAnswer, match="forbidden XML"):
        soap.parse_response(xxe)


def test_oversized_answer_is_refused():
    with pytest.raises(soap.MalformedAnswer, match="larger"):
        soap.parse_xml(b" " * (soap.MAX_ANSWER_BYTES + 1))


def test_bad_date_in_answer_is_malformed():
    data = ANSWER.format(code="Gevonden", wrapper_open="", wrapper_close="") \
        .replace("2006-01-01", "gisteren").encode()
    with pytest.raises(soap.MalformedAnswer, match="Ingangsdatum"):
        soap.parse_response(data)


@pytest.mark.parametrize("bsn, valid", [
    ("999979668", True), ("999900018", True), ("123456782", True), ("999979669", False),
    ("12345678", False), ("1234567890", False), ("12345678a", False), ("000000000", False),
    ("", False),
])
def test_elfproef(bsn, valid):
    assert passes_elfproef(bsn) is valid
