"""The local VECOZO-like COV server: answers, faults, keep-alive and `vecozo-tui fake-cov`."""

from __future__ import annotations

import io
import threading
import time
from argparse import Namespace
from datetime import date, timedelta

import httpx
import pytest

from tests.cov_support import TEST_PERSON, call, cov_pki, running_server, sha256
from vecozo_tui.cov import fake_server, soap
from vecozo_tui.cov.client import CovClient, CovFaultError
from vecozo_tui.cov.diagnosis import TestPerson
from vecozo_tui.cov.tls import client_context

TODAY = date.today()


@pytest.fixture(scope="module")
def server():
    with running_server() as server:
        yield server


@pytest.fixture
def client(server):
    with CovClient(server.url, cov_pki().context(cov_pki().good), timeout=5) as client:
        yield client


def search(bsn: str | None = "999979668", **kwargs) -> soap.Search:
    values = {"birth_date": date(1962, 3, 15), "reference_date": TODAY, "bsn": bsn}
    values.update(kwargs)
    return soap.Search(**values)


def post(server, body: bytes, headers: dict | None = None) -> httpx.Response:
    default = {"Content-Type": soap.CONTENT_TYPE, "SOAPAction": f'"{soap.SOAP_ACTION}"'}
    with httpx.Client(verify=cov_pki().context(cov_pki().good), trust_env=False) as http:
        return http.post(server.url, content=body, headers={**default, **(headers or {})})


def test_url_names_localhost_and_the_cov_path(server):
    assert server.url == f"https://localhost:{server.port}/cov/vz801802/v1/soap11"


def test_request_level_results(client):
    assert client.controleer([]).result is soap.RequestResult.GEEN_ZOEKOPDRACHTEN
    assert client.controleer([search()] * 21).result is \
        soap.RequestResult.MEER_DAN_20_ZOEKOPDRACHTEN
    answer = client.controleer([search()] * 20)
    assert answer.result is soap.RequestResult.VERZOEK_AKKOORD
    assert [s.number for s in answer.searches] == list(range(1, 21))


def test_search_path_results(client):
    none = client.controleer([search(bsn=None)]).first
    assert none.result is soap.SearchResult.GEEN_GELDIG_ZOEKPAD
    both = client.controleer([search(insurance_number="300012345")]).first
    assert both.result is soap.SearchResult.MEERDERE_ZOEKPADEN_OPGEGEVEN
    by_number = client.controleer([search(bsn=None, insurance_number="300012345")]).first
    assert by_number.result is soap.SearchResult.NIET_GEVONDEN


def test_reference_echoed(client):
    answer = client.controleer([search(reference="dossier-17")])
    assert answer.first.reference == "dossier-17"


def test_agb_code_is_accepted(client):
    assert client.controleer([search()], agb_code="01234567").first.result is \
        soap.SearchResult.GEVONDEN


def test_wrong_soap_action_is_a_fault(server):
    response = post(server, soap.build_request([search()]), {"SOAPAction": '"urn:other"'})
    assert response.status_code == 500
    fault = soap.parse_response(response.content)
    assert fault.code == "a:ActionNotSupported"


def test_malformed_request_is_a_client_fault(server):
    response = post(server, b"<not-soap/>")
    assert response.status_code == 500
    fault = soap.parse_response(response.content)
    assert fault.code == "s:Client" and "SOAP" in (fault.detail or "")
    response = post(server, soap.build_request([search(birth_date=date(1962, 3, 15))])
                    .replace(b"1962-03-15", b"15-03-1962"))
    assert soap.parse_response(response.content).code == "s:Client"


def test_entities_in_a_request_are_refused(server):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    response = post(server, bomb)
    assert response.status_code == 500
    assert "forbidden XML" in (soap.parse_response(response.content).detail or "")


def test_wrong_content_type(server):
    response = post(server, soap.build_request([search()]),
                    {"Content-Type": "application/soap+xml"})
    assert response.status_code == 415


def test_get_is_not_allowed(server):
    with httpx.Client(verify=cov_pki().context(cov_pki().good), trust_env=False) as http:
        assert http.get(server.url).status_code == 405


def test_unauthorised_certificate_gets_403_with_soap_fault(server):
    with CovClient(server.url, cov_pki().context(cov_pki().unauthorised)) as client:
        with pytest.raises(CovFaultError) as caught:
            client.controleer([search()])
    assert caught.value.status_code == 403
    assert caught.value.fault.about_authorisation


def test_fault_bsn_gives_a_server_fault(client):
    with pytest.raises(CovFaultError) as caught:
        client.controleer([search(bsn=fake_server.FAULT_BSN)])
    assert caught.value.status_code == 500 and caught.value.fault.code == "s:Server"


def test_malformed_bsn_gives_a_non_xml_answer(client):
    with pytest.raises(soap.MalformedAnswer):
        client.controleer([search(bsn=fake_server.MALFORMED_BSN)])


def test_twenty_calls_share_one_connection_and_one_handshake(server):
    context = cov_pki().context(cov_pki().good)
    with CovClient(server.url, context) as client:
        for _ in range(20):
            assert client.controleer([search()]).first.result is soap.SearchResult.GEVONDEN
    assert len(context.handshakes.events) == 1


def test_stop_closes_idle_keep_alive_connections():
    with running_server() as server:
        context = cov_pki().context(cov_pki().good)
        client = CovClient(server.url, context)
        client.controleer([search()])
        started = time.perf_counter()
        server.stop()
        assert time.perf_counter() - started < 3
        client.close()


def test_reference_date_rules(server):
    context = cov_pki().context(cov_pki().good)
    future = call(server.url, context, reference_date=TODAY + timedelta(days=1))
    assert str(future.answer.first.result) == "GevondenPeildatumInToekomst"
    old = call(server.url, context, reference_date=TODAY - timedelta(days=731))
    assert str(old.answer.first.result) == "Peildatum2JaarOfOuder"


def test_events_tell_refusals_without_personal_data():
    events: list[str] = []
    p = cov_pki()
    with running_server(on_event=events.append) as server:
        call(server.url, p.context(p.good))
        call(server.url, p.context(p.foreign))
        call(server.url, p.context(p.unauthorised))
    text = "\n".join(events)
    assert "HTTP 200" in text and "HTTP 403" in text
    assert "TLS handshake refused" in text
    assert TEST_PERSON.bsn not in text and "1962" not in text


def test_server_offers_its_intermediate():
    p = cov_pki()
    assert fake_server._intermediates(p.server.certificate, p.server_cas) == \
        [p.issuing.certificate]
    assert fake_server._intermediates(p.server.certificate, [p.root.certificate]) == []


# --- vecozo-tui fake-cov ------------------------------------------------------------------


def test_fake_cov_command_runs_until_ctrl_c(tmp_path, monkeypatch):
    """The command writes its CA and client certificates, serves them, and stops cleanly."""
    from vecozo_tui.certificates import load_pkcs12
    from vecozo_tui.cli.cov import run_fake_cov
    from vecozo_tui.cli.main import Invocation

    out = io.StringIO()
    results = {}

    def serve_then_interrupt(_seconds):
        # runs where the command waits for Ctrl+C: use the server it printed, then "press" it
        lines = out.getvalue().splitlines()
        url = next(line.split()[-1] for line in lines if line.strip().startswith("URL"))
        password = (tmp_path / "password.txt").read_text().strip()
        from vecozo_tui import pki

        ca = [c for c in _pem_certificates((tmp_path / "demo-vecozo-ca.pem").read_bytes())]
        for name in ("authorised", "not-authorised", "expired"):
            loaded = load_pkcs12((tmp_path / f"{name}.pfx").read_bytes(), password)
            context = client_context(loaded.certificate, loaded.private_key, loaded.chain,
                                     ca_certificates=ca)
            results[name] = call(url, context)
        assert pki  # the module the command uses for its certificates
        raise KeyboardInterrupt

    monkeypatch.setattr(fake_server.time, "sleep", serve_then_interrupt)
    args = Namespace(host="127.0.0.1", port=0, dir=str(tmp_path))
    code = run_fake_cov(Invocation(args=args, stdout=out, stderr=io.StringIO()))
    assert code == 0
    text = out.getvalue()
    assert "Press Ctrl+C to stop." in text and "Stopped." in text
    assert "Traceback" not in text
    assert "[cov.endpoints]" in text and "ca_bundle" in text
    assert results["authorised"].ok
    assert results["not-authorised"].problem == "not_authorised"
    assert results["expired"].problem == "client_certificate_expired"
    assert "HTTP 200" in text and "HTTP 403" in text  # its request log
    assert (tmp_path / "password.txt").stat().st_mode & 0o077 == 0


def _pem_certificates(data: bytes) -> list:
    from cryptography import x509

    return x509.load_pem_x509_certificates(data)


def test_fake_cov_command_on_a_busy_port(tmp_path):
    from vecozo_tui.cli.cov import run_fake_cov
    from vecozo_tui.cli.main import Invocation
    from vecozo_tui.errors import VecozoError

    with running_server() as server:
        args = Namespace(host="127.0.0.1", port=server.port, dir=str(tmp_path))
        with pytest.raises(VecozoError, match="Cannot listen"):
            run_fake_cov(Invocation(args=args, stdout=io.StringIO(),
                                           stderr=io.StringIO()))


def test_many_clients_at_once(server):
    p = cov_pki()
    results: list[bool] = []

    def one():
        results.append(call(server.url, p.context(p.good)).ok)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert results == [True] * 8


def test_authorised_set_is_the_one_given(server):
    p = cov_pki()
    assert sha256(p.good) in server.authorised
    assert sha256(p.unauthorised) not in server.authorised
    assert call(server.url, p.context(p.good), TestPerson("999900006", date(1970, 1, 1))).ok
