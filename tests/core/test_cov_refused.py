"""A known certificate completes the TLS handshake, then the call is refused (HTTP 403):
VECOZO's IP-address registration is as likely as a missing COV authorisation
(COV-VZ801802.md), so the diagnosis names both, and this server's outgoing address."""

from __future__ import annotations

from tests.cov_support import call, cov_pki, running_server, sha256


def test_a_plain_403_names_ip_registration_and_the_authorisation():
    p = cov_pki()
    # the certificate is authorised for COV, but this address is not registered with it
    with running_server(authorised={sha256(p.good)}, registered_addresses={"192.0.2.7"}
                        ) as server:
        diagnosis = call(server.url, p.context(p.good))
    assert diagnosis.problem == "refused_after_handshake"
    step = diagnosis.step("authorised")
    assert step.state == "failed"
    assert diagnosis.step("client_certificate").state == "passed"
    assert "IP address" in step.cause and "authoris" in step.cause
    # what the contact person does for each, and where this server connects from
    assert "register" in step.advice and "Gebruikersbeheer" in step.advice
    assert "127.0.0.1" in step.advice  # the address the test server saw us connect from
    assert "private" in step.advice or "this machine" in step.advice


def test_a_niet_geautoriseerd_answer_names_the_authorisation_first_and_the_ip_check_too():
    p = cov_pki()
    with running_server(authorised=set()) as server:
        diagnosis = call(server.url, p.context(p.good))
    assert diagnosis.problem == "not_authorised"
    step = diagnosis.step("authorised")
    assert step.cause.index("authoris") < step.cause.index("IP address")
    assert "Gebruikersbeheer" in step.advice and "register" in step.advice


def test_a_registered_address_is_let_through():
    p = cov_pki()
    with running_server(authorised={sha256(p.good)}, registered_addresses={"127.0.0.1"}
                        ) as server:
        assert call(server.url, p.context(p.good)).ok
