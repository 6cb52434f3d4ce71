"""After the TLS handshake, a server that answers with anything but HTTP has taken the
client certificate: the diagnosis says "the server answered, but not with HTTP/COV", not
"client certificate not accepted" (which would send the admin to reinstall it)."""

from __future__ import annotations

import ssl

import pytest

from tests.cov_support import call, cov_pki
from tests.hostile_tls import ClientLeft, HostileServer, send
from vecozo_tui.cov.diagnosis import StepState

NOT_HTTP = {
    "banner": b"SSH-2.0-OpenSSH_9.6\r\n",
    "endless-headers": b"HTTP/1.1 200 OK\r\n" + b"X-Pad: aaaaaaaaaaaaaaaaaaaaaaa\r\n" * 4000,
    "broken-chunks": (b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\nZZZ\r\nnot a chunk\r\n"),
    "cut-body": (b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5000\r\n"
                 b"\r\n<soap:Envelope"),
}
VERSIONS = {"TLSv1.3": None, "TLSv1.2": ssl.TLSVersion.TLSv1_2}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("answer", NOT_HTTP)
def test_an_answer_that_is_not_http_is_not_a_refused_certificate(answer, version):
    with HostileServer(send(NOT_HTTP[answer]), maximum_version=VERSIONS[version]) as server:
        diagnosis = call(server.url, cov_pki().context(cov_pki().good), timeout=5)
    assert diagnosis.tls_version == version
    assert diagnosis.problem == "not_http", diagnosis.lines()
    assert diagnosis.step("client_certificate").state == StepState.PASSED
    step = diagnosis.step("cov")
    assert step.state == StepState.FAILED
    assert "answered, but not with HTTP/COV" in step.detail
    assert "PIN" not in step.advice and "certificate" not in step.advice.split(".")[0]
    assert len(step.cause) < 600  # the server's bytes are not repeated at length


def test_a_close_right_after_the_tls_13_handshake_still_reads_as_refused():
    def close_at_once(_connection, _request):
        raise ClientLeft  # closes without a byte, like a server refusing the certificate

    with HostileServer(close_at_once) as server:
        diagnosis = call(server.url, cov_pki().context(cov_pki().good), timeout=5)
    assert diagnosis.tls_version == "TLSv1.3"
    assert diagnosis.problem == "client_certificate_rejected", diagnosis.lines()
