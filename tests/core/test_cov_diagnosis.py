"""Every failure of a test call, produced for real on 127.0.0.1, gets its own diagnosis."""

from __future__ import annotations

import socket
import ssl
from datetime import date, timedelta

import pytest

from tests.cov_support import TEST_PERSON, call, cov_pki, running_server, sha256
from vecozo_tui.cov import fake_server
from vecozo_tui.cov.diagnosis import STEPS, StepState, TestPerson
from vecozo_tui.errors import VecozoError

ORDER = [key for key, _ in STEPS]


@pytest.fixture(scope="module")
def server13():
    with running_server() as server:
        yield server


@pytest.fixture(scope="module")
def server12():
    with running_server(maximum_version=ssl.TLSVersion.TLSv1_2) as server:
        yield server


def states(diagnosis) -> dict[str, str]:
    return {step.key: str(step.state) for step in diagnosis.steps}


def assert_failed_at(diagnosis, key: str, problem: str) -> None:
    assert not diagnosis.ok
    assert diagnosis.problem == problem, diagnosis.lines()
    index = ORDER.index(key)
    got = states(diagnosis)
    assert [got[k] for k in ORDER[:index]] == ["passed"] * index, diagnosis.lines()
    assert got[key] == "failed"
    assert [got[k] for k in ORDER[index + 1:]] == ["not reached"] * (len(ORDER) - index - 1)
    step = diagnosis.step(key)
    assert step.cause and step.advice, "a failed step says why and what to do"
    text = "\n".join(diagnosis.lines())
    assert "FAIL" in text and "Cause:" in text and "What to do:" in text


# --- success ---------------------------------------------------------------------------


@pytest.mark.parametrize("server_fixture, version", [("server13", "TLSv1.3"),
                                                      ("server12", "TLSv1.2")])
def test_success_every_step_passes(request, server_fixture, version):
    server = request.getfixturevalue(server_fixture)
    diagnosis = call(server.url, cov_pki().context(cov_pki().good), agb_code="01234567")
    assert diagnosis.ok, diagnosis.lines()
    assert diagnosis.problem is None
    assert set(states(diagnosis).values()) == {"passed"}
    assert diagnosis.tls_version == version
    assert "localhost" in diagnosis.step("tls").detail
    assert diagnosis.summary == ("COV answered: insured person found; active insurance "
                                 "(UZOVI 3000, Basis, active)")
    insurances = diagnosis.answer.insurances
    assert [(i.uzovi, str(i.kind), str(i.result)) for i in insurances] == [
        ("3000", "Basis", "Actief"), ("3000", "Aanvullend", "Actief")]
    assert insurances[0].start == date(2006, 1, 1)
    text = "\n".join(diagnosis.lines())
    assert text.count("PASS") == 6 and "Result: OK" in text
    assert "UZOVI 3000, Basis, active, from 2006-01-01" in text


def test_steps_are_reported_live_in_order(server13):
    seen = []
    diagnosis = call(server13.url, cov_pki().context(cov_pki().good),
                     on_step=lambda step: seen.append((step.key, str(step.state))))
    assert diagnosis.ok
    assert seen == [(key, "passed") for key in ORDER]


def test_steps_after_a_failure_are_reported_as_not_reached():
    seen = []
    port = _free_port()
    call(f"https://localhost:{port}/cov", cov_pki().context(cov_pki().good),
         on_step=lambda step: seen.append((step.key, str(step.state))))
    assert seen == [("dns", "passed"), ("tcp", "failed")] + [
        (key, "not reached") for key in ORDER[2:]]


SEARCHES = [
    # (BSN, birth date, reference date offset in days, search result, insured result)
    ("999979668", date(1962, 3, 15), 0, "Gevonden", "ActieveVerzekeringen"),
    ("999979668", date(1962, 3, 15), 30, "GevondenPeildatumInToekomst", "ActieveVerzekeringen"),
    ("999900018", date(1985, 7, 1), 0, "Gevonden", "InactieveVerzekeringen"),
    ("999900031", date(1990, 1, 20), 0, "Gevonden", "DubbeleActieveVerzekeringenGevonden"),
    ("999900006", date(1970, 1, 1), 0, "NietGevonden", None),
    ("999900055", date(1970, 1, 1), 0, "BsnOnbekend", None),
    ("999979669", date(1962, 3, 15), 0, "BsnVoldoetNietAanElfProef", None),
    ("999979668", date(1962, 3, 16), 0, "CombinatieBsnGeboortedatumOnbekend", None),
    ("999900043", date(1970, 1, 1), 0, "MeerderePersonenGevonden", None),
    ("999979668", date(1962, 3, 15), -800, "Peildatum2JaarOfOuder", None),
]


@pytest.mark.parametrize("bsn, born, offset, result, insured", SEARCHES,
                         ids=[s[3] + ("-" + s[4] if s[4] else "") for s in SEARCHES])
def test_success_with_each_result_code(server13, bsn, born, offset, result, insured):
    reference = date.today() + timedelta(days=offset)
    diagnosis = call(server13.url, cov_pki().context(cov_pki().good), TestPerson(bsn, born),
                     reference_date=reference)
    assert diagnosis.ok, diagnosis.lines()  # the certificate works, whatever the answer
    first = diagnosis.answer.first
    assert str(first.result) == result
    assert (str(first.insured.result) if first.insured else None) == insured
    assert diagnosis.summary.startswith("COV answered: ")
    assert bsn not in diagnosis.summary and bsn not in "\n".join(diagnosis.lines())
    assert str(born) not in "\n".join(diagnosis.lines())
    assert bsn not in str(diagnosis.to_dict())


def test_each_result_code_has_its_own_summary(server13):
    summaries = set()
    for bsn, born, offset, _, _ in SEARCHES:
        diagnosis = call(server13.url, cov_pki().context(cov_pki().good), TestPerson(bsn, born),
                         reference_date=date.today() + timedelta(days=offset))
        summaries.add(diagnosis.summary)
    assert len(summaries) == len(SEARCHES)


# --- failures, in the order of the chain -----------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unknown_host_name():
    diagnosis = call("https://no-such-host.invalid/cov", cov_pki().context(cov_pki().good))
    assert_failed_at(diagnosis, "dns", "dns_unknown_name")
    assert "no-such-host.invalid" in diagnosis.step("dns").cause


def test_nothing_listening():
    port = _free_port()
    diagnosis = call(f"https://127.0.0.1:{port}/cov", cov_pki().context(cov_pki().good))
    assert_failed_at(diagnosis, "tcp", "connection_refused")
    assert f"port {port}" in diagnosis.step("tcp").cause
    assert "no lookup needed" in diagnosis.step("dns").detail


def test_server_certificate_from_an_unknown_ca():
    with running_server(cov_pki().server_unknown_ca) as server:
        diagnosis = call(server.url, cov_pki().context(cov_pki().good))
    assert_failed_at(diagnosis, "tls", "server_unknown_ca")
    assert "ca_bundle" in diagnosis.step("tls").advice
    assert "Never switch certificate checking off" in diagnosis.step("tls").advice


def test_server_certificate_not_trusted_because_the_ca_bundle_is_another():
    with running_server() as server:
        context = cov_pki().context(cov_pki().good, trust=[cov_pki().other_root.certificate])
        diagnosis = call(server.url, context)
    assert_failed_at(diagnosis, "tls", "server_unknown_ca")


def test_host_name_mismatch():
    with running_server(cov_pki().server_wrong_name) as server:
        diagnosis = call(server.url, cov_pki().context(cov_pki().good))
    assert_failed_at(diagnosis, "tls", "server_hostname_mismatch")
    assert "localhost" in diagnosis.step("tls").cause


def test_host_name_mismatch_by_address(server13):
    # the demo server certificate names localhost and 127.0.0.1, not ::1 or other names
    url = server13.url.replace("localhost", "127.0.0.1")
    assert call(url, cov_pki().context(cov_pki().good)).ok
    with running_server(cov_pki().server_wrong_name) as server:
        diagnosis = call(server.url.replace("localhost", "127.0.0.1"),
                         cov_pki().context(cov_pki().good))
    assert_failed_at(diagnosis, "tls", "server_hostname_mismatch")


def test_expired_server_certificate():
    with running_server(cov_pki().server_expired) as server:
        diagnosis = call(server.url, cov_pki().context(cov_pki().good))
    assert_failed_at(diagnosis, "tls", "server_certificate_expired")
    assert "clock" in diagnosis.step("tls").cause


def test_plain_http_port_is_not_tls():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        import threading

        def answer():
            for _ in range(2):  # the TCP check, then the call
                connection, _ = listener.accept()
                with connection:
                    connection.settimeout(2)
                    try:
                        connection.recv(1024)
                        connection.sendall(b"HTTP/1.1 400 Bad Request\r\n"
                                           b"Content-Length: 0\r\n\r\n")
                    except OSError:
                        pass

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        diagnosis = call(f"https://localhost:{port}/cov", cov_pki().context(cov_pki().good))
        thread.join(5)
    assert_failed_at(diagnosis, "tls", "tls_protocol")


@pytest.mark.parametrize("server_fixture", ["server13", "server12"])
def test_client_certificate_from_another_ca(request, server_fixture):
    server = request.getfixturevalue(server_fixture)
    diagnosis = call(server.url, cov_pki().context(cov_pki().foreign))
    assert_failed_at(diagnosis, "client_certificate", "client_certificate_unknown_ca")
    assert "unknown ca" in diagnosis.step("client_certificate").cause
    assert "system certificate" in diagnosis.step("client_certificate").advice


@pytest.mark.parametrize("server_fixture", ["server13", "server12"])
def test_no_client_certificate(request, server_fixture):
    server = request.getfixturevalue(server_fixture)
    diagnosis = call(server.url, cov_pki().context(None))
    assert_failed_at(diagnosis, "client_certificate", "client_certificate_missing")
    expected = "certificate required" if server_fixture == "server13" else "handshake failure"
    assert expected in diagnosis.step("client_certificate").cause


@pytest.mark.parametrize("server_fixture", ["server13", "server12"])
def test_expired_client_certificate(request, server_fixture):
    server = request.getfixturevalue(server_fixture)
    diagnosis = call(server.url, cov_pki().context(cov_pki().expired),
                     certificate=cov_pki().loaded(cov_pki().expired).info)
    assert_failed_at(diagnosis, "client_certificate", "client_certificate_expired")
    step = diagnosis.step("client_certificate")
    assert "expired" in step.cause and "valid until" in step.cause
    assert "PIN" in step.advice


@pytest.mark.parametrize("server_fixture", ["server13", "server12"])
def test_known_but_unauthorised_certificate(request, server_fixture):
    server = request.getfixturevalue(server_fixture)
    diagnosis = call(server.url, cov_pki().context(cov_pki().unauthorised))
    assert_failed_at(diagnosis, "authorised", "not_authorised")
    step = diagnosis.step("authorised")
    assert "Niet geautoriseerd" in step.cause
    assert "Gebruikersbeheer" in step.advice
    assert diagnosis.fault is not None and diagnosis.fault.about_authorisation


def test_personal_certificate_gets_the_personal_advice():
    p = cov_pki()
    with running_server(authorised={sha256(p.good)}) as server:
        diagnosis = call(server.url, p.context(p.personal), certificate=p.loaded(p.personal).info)
    assert_failed_at(diagnosis, "authorised", "not_authorised")
    assert "personal certificate cannot do COV" in diagnosis.step("authorised").advice


def test_authorisation_can_change_while_the_server_runs():
    p = cov_pki()
    authorised: set[str] = set()
    with running_server(authorised=authorised) as server:
        assert call(server.url, p.context(p.good)).problem == "not_authorised"
        authorised.add(sha256(p.good))
        assert call(server.url, p.context(p.good)).ok


def test_soap_fault(server13):
    diagnosis = call(server13.url, cov_pki().context(cov_pki().good),
                     TestPerson(fake_server.FAULT_BSN, date(1970, 1, 1)))
    assert_failed_at(diagnosis, "cov", "soap_fault")
    assert "s:Server" in diagnosis.step("cov").cause
    assert "try again later" in diagnosis.step("cov").advice
    assert diagnosis.fault.code == "s:Server"


def test_malformed_answer(server13):
    diagnosis = call(server13.url, cov_pki().context(cov_pki().good),
                     TestPerson(fake_server.MALFORMED_BSN, date(1970, 1, 1)))
    assert_failed_at(diagnosis, "cov", "malformed_answer")
    assert "not XML" in diagnosis.step("cov").cause


def test_no_answer_in_time():
    with running_server(slow_seconds=2.0) as server:
        diagnosis = call(server.url, cov_pki().context(cov_pki().good),
                         TestPerson(fake_server.SLOW_BSN, date(1970, 1, 1)), timeout=0.5)
    assert not diagnosis.ok
    assert diagnosis.problem == "answer_timeout"
    assert diagnosis.step("cov").state == StepState.FAILED
    assert diagnosis.step("tls").state == StepState.PASSED
    assert "timeout_seconds" in diagnosis.step("cov").advice


def test_wrong_path_is_http_404(server13):
    diagnosis = call(server13.url.replace("/soap11", "/soap12"),
                     cov_pki().context(cov_pki().good))
    assert not diagnosis.ok
    assert diagnosis.problem == "http_not_found"
    assert "/cov/vz801802/v1/soap11" in diagnosis.step("cov").advice


def test_each_failure_has_its_own_diagnosis(server13, server12):
    """The list from the issue: every case gives a distinct problem code and cause."""
    p = cov_pki()
    results = {}
    results["nothing listening"] = call(f"https://127.0.0.1:{_free_port()}/x", p.context(p.good))
    for name, issued in (("unknown server CA", p.server_unknown_ca),
                         ("host name mismatch", p.server_wrong_name)):
        with running_server(issued) as server:
            results[name] = call(server.url, p.context(p.good))
    results["client certificate from another CA"] = call(server13.url, p.context(p.foreign))
    results["no client certificate"] = call(server13.url, p.context(None))
    results["expired client certificate"] = call(server13.url, p.context(p.expired))
    results["unauthorised"] = call(server13.url, p.context(p.unauthorised))
    results["SOAP fault"] = call(server13.url, p.context(p.good),
                                 TestPerson(fake_server.FAULT_BSN, date(1970, 1, 1)))
    results["malformed answer"] = call(server13.url, p.context(p.good),
                                       TestPerson(fake_server.MALFORMED_BSN, date(1970, 1, 1)))
    assert all(not d.ok for d in results.values())
    problems = {name: d.problem for name, d in results.items()}
    assert len(set(problems.values())) == len(problems), problems
    causes = {d.failed_step.cause for d in results.values()}
    assert len(causes) == len(results)


def test_endpoint_must_be_https():
    with pytest.raises(VecozoError, match="https://"):
        call("http://localhost/cov", cov_pki().context(cov_pki().good))


def test_diagnosis_to_dict_is_json_ready(server13):
    import json

    diagnosis = call(server13.url, cov_pki().context(cov_pki().good))
    data = json.loads(json.dumps(diagnosis.to_dict()))
    assert data["ok"] is True
    assert [s["state"] for s in data["steps"]] == ["passed"] * 6
    assert data["answer"]["searches"][0]["result"] == "Gevonden"
    assert TEST_PERSON.bsn not in json.dumps(data)
    assert "1962-03-15" not in json.dumps(data)
