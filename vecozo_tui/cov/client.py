"""The COV call itself: SOAP 1.1 over HTTPS (mutual TLS) with httpx.

httpx gets the ready-made :class:`~vecozo_tui.cov.tls.CovSSLContext` as ``verify=``
(httpx 0.28 ignores ``cert=`` when ``verify`` is a path, so the client certificate is
loaded into the context by :mod:`vecozo_tui.cov.tls`). Proxy variables from the
environment are ignored (``trust_env=False``): the diagnosis checks the direct path to
VECOZO, and a silently used proxy would make its answers wrong.

One :class:`CovClient` keeps its connection open (HTTP/1.1 keep-alive), so repeated
calls pay for the TLS handshake once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vecozo_tui.cov import soap
from vecozo_tui.i18n import N_, _

if TYPE_CHECKING:
    import ssl

USER_AGENT = "vecozo-tui (COV test call)"  # untranslated: an HTTP header


@dataclass(frozen=True)
class RawAnswer:
    status_code: int
    content_type: str
    body: bytes
    elapsed_seconds: float
    truncated: bool = False


class CovCallError(Exception):
    """The call did not give a COV answer (used by :meth:`CovClient.controleer`)."""


class CovFaultError(CovCallError):
    def __init__(self, fault: soap.SoapFault, status_code: int):
        super().__init__(_("SOAP fault {code}: {message}").format(code=fault.code,
                                                                 message=fault.message))
        self.fault, self.status_code = fault, status_code


class CovClient:
    def __init__(self, endpoint: str, context: ssl.SSLContext, *, timeout: float = 30.0):
        import httpx

        self.endpoint = endpoint
        self._client = httpx.Client(verify=context, timeout=httpx.Timeout(timeout),
                                    trust_env=False, follow_redirects=False,
                                    headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> CovClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, searches: Iterable[soap.Search], *, agb_code: str | None = None
             ) -> RawAnswer:
        """POST one Controleer request; the raw answer (httpx errors propagate)."""
        body = soap.build_request(searches, agb_code=agb_code)
        headers = {"Content-Type": soap.CONTENT_TYPE, "SOAPAction": f'"{soap.SOAP_ACTION}"'}
        started = time.perf_counter()
        with self._client.stream("POST", self.endpoint, content=body, headers=headers) as resp:
            chunks: list[bytes] = []
            size = 0
            truncated = False
            for chunk in resp.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > soap.MAX_ANSWER_BYTES:
                    truncated = True
                    break
            return RawAnswer(status_code=resp.status_code,
                             content_type=resp.headers.get("Content-Type", ""),
                             body=b"".join(chunks), elapsed_seconds=time.perf_counter() - started,
                             truncated=truncated)

    def controleer(self, searches: Iterable[soap.Search], *, agb_code: str | None = None
                   ) -> soap.CovAnswer:
        """The parsed answer; :class:`CovFaultError`, :class:`soap.MalformedAnswer` or
        an ``httpx`` error otherwise."""
        raw = self.send(searches, agb_code=agb_code)
        if raw.truncated:
            raise soap.MalformedAnswer(N_("the answer is too large"))
        try:
            parsed = soap.parse_response(raw.body)
        except soap.MalformedAnswer:
            if raw.status_code != 200:
                raise CovCallError(f"HTTP {raw.status_code}") from None
            raise
        if isinstance(parsed, soap.SoapFault):
            raise CovFaultError(parsed, raw.status_code)
        if raw.status_code != 200:
            raise CovCallError(f"HTTP {raw.status_code}")
        return parsed
