"""What a COV server sends is never trusted: a fault that echoes the BSN, a huge or unknown
result code. Nothing of it reaches the disk, the screen or the audit trail unscrubbed or
unbounded, an unknown code is not a pass, and nothing ends in a traceback."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.cov_support import call, cov_pki, make_setup
from tests.hostile_tls import HostileServer, echo_bsn_in_fault, http_answer, send
from vecozo_tui.cli.main import main
from vecozo_tui.cov import soap
from vecozo_tui.cov.diagnosis import TestPerson

TEST_BSN = "999979668"  # what the acceptance practice sends (the configured test person)


def all_text_under(directory: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in directory.rglob("*")
                     if p.is_file() and p.suffix != ".p12")


def answer_with(result: str, search_result: str = "Gevonden") -> bytes:
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="{soap.SOAP_ENV}"><s:Body>
<ControleerResponse xmlns="{soap.NS_OPERATION}"><ControleerResult>
<Resultaat>{result}</Resultaat>
<Zoekresultaten><Zoekresultaat><Volgnummer>1</Volgnummer>
<Resultaat>{search_result}</Resultaat></Zoekresultaat></Zoekresultaten>
</ControleerResult></ControleerResponse></s:Body></s:Envelope>"""
    return http_answer(200, body.encode())


def run_cli(setup, *args, capsys):
    code = main([args[0], "--config", str(setup.config_path), *args[1:]], env={})
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_fault_echoing_the_bsn_is_diagnosed_and_the_bsn_kept_nowhere(tmp_path, capsys):
    with HostileServer(echo_bsn_in_fault) as server:
        setup = make_setup(tmp_path, server)
        code, output = run_cli(setup, "test-cov", "hap-zuid", "--password-file",
                               str(setup.password_file), capsys=capsys)
        assert code == 1, output
        assert "SOAP fault" in output and "Traceback" not in output
        code_json, output_json = run_cli(setup, "test-cov", "hap-zuid", "--json",
                                         "--password-file", str(setup.password_file),
                                         capsys=capsys)
    assert code_json == 1 and json.loads(output_json)["problem"] == "soap_fault"
    shown = [output, output_json]
    for command in (["show", "hap-zuid"], ["show", "hap-zuid", "--json"],
                    ["status", "--json"], ["list"]):
        code, text = run_cli(setup, *command, capsys=capsys)
        assert code == 0, text
        shown.append(text)
    for text in [*shown, all_text_under(setup.repository_path)]:
        assert TEST_BSN not in text
    assert "[BSN]" in all_text_under(setup.repository_path / "practices" / "hap-zuid")


def test_the_bsn_sent_is_scrubbed_even_when_it_fails_the_11_test():
    sent = "123456789"  # not a BSN by the 11-test, but what the user typed
    with HostileServer(echo_bsn_in_fault) as server:
        diagnosis = call(server.url, cov_pki().context(cov_pki().good),
                         TestPerson(sent, date(1970, 1, 1)))
    text = json.dumps(diagnosis.to_dict()) + "\n".join(diagnosis.lines())
    assert diagnosis.problem == "soap_fault"
    assert sent not in text and "[BSN]" in text


def test_a_huge_unknown_result_code_is_no_pass_and_is_not_stored_whole(tmp_path, capsys):
    with HostileServer(send(answer_with("Q" * 1_900_000))) as server:
        setup = make_setup(tmp_path, server)
        code, output = run_cli(setup, "test-cov", "hap-zuid", "--password-file",
                               str(setup.password_file), capsys=capsys)
    assert code == 1, output[:2000]
    assert len(output) < 10_000
    assert "does not know" in output
    practice = setup.repository_path / "practices" / "hap-zuid"
    events = json.loads((practice / "events.json").read_text(encoding="utf-8"))
    assert events["last_test_call"]["ok"] is False
    assert len(events["last_test_call"]["summary"]) <= 300
    assert (setup.repository_path / "audit.log").stat().st_size < 10_000


@pytest.mark.parametrize("result, search_result", [
    ("VerzoekAkkoordNieuw", "Gevonden"),
    ("VerzoekAkkoord", "EenNieuweCode"),
    ("", "Gevonden"),
], ids=["request", "search", "empty"])
def test_an_unknown_result_code_is_not_a_pass(result, search_result):
    with HostileServer(send(answer_with(result, search_result))) as server:
        diagnosis = call(server.url, cov_pki().context(cov_pki().good))
    assert not diagnosis.ok
    assert diagnosis.problem == "unknown_result", diagnosis.lines()
    assert diagnosis.step("authorised").state == "passed"


def test_fault_texts_are_bounded_and_single_line():
    fault = soap.parse_response(
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
        b"<faultcode>s:Client." + b"9" * 5000 + b"</faultcode><faultstring>line one\n&#x9B;31m"
        b"red&#x202E; 999979668</faultstring></s:Fault></s:Body></s:Envelope>")
    assert isinstance(fault, soap.SoapFault)
    assert len(fault.code) <= 100 and "\n" not in fault.message
    assert "\x9b" not in fault.message and "\u202e" not in fault.message
    assert "999979668" not in fault.message
