"""A hostile COV server on 127.0.0.1: real TLS (the fake server's certificate, a client
certificate required), then whatever a test wants to send back: one byte a second, a
banner that is not HTTP, endless headers, broken chunks, a fault that echoes the BSN...

``behaviour(connection, request)`` gets the TLS connection and the whole HTTP request
(headers and body) the client sent; it may send anything and return. The server records
when each connection was closed by the client (``closed_at``), so a test can prove that
a cancelled call really let go of its socket.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable

from tests.cov_support import cov_pki
from vecozo_tui.cov import fake_server

Behaviour = Callable[[ssl.SSLSocket, bytes], None]


class ClientLeft(Exception):  # noqa: N818 - the client closed the connection
    pass


class HostileServer:
    def __init__(self, behaviour: Behaviour, *, maximum_version: ssl.TLSVersion | None = None):
        p = cov_pki()
        self.behaviour = behaviour
        self.context = fake_server._server_context(p.server, p.server_cas, maximum_version)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.closed_at: list[float] = []
        self.requests: list[bytes] = []
        self._connections: list[socket.socket] = []
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}{fake_server.COV_PATH}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping = True
        with contextlib.suppress(OSError):
            self.listener.close()
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                connection.close()
        self._thread.join(5)

    def _serve(self) -> None:
        self.listener.settimeout(0.1)  # a closed listener does not wake accept()
        while not self._stopping:
            try:
                raw, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._connections.append(raw)
            threading.Thread(target=self._handle, args=(raw,), daemon=True).start()

    def _handle(self, raw: socket.socket) -> None:
        try:
            raw.settimeout(30)
            connection = self.context.wrap_socket(raw, server_side=True)
        except OSError:
            return  # the diagnosis' TCP check, or a refused handshake
        self._connections.append(connection)
        try:
            request = read_request(connection)
            self.requests.append(request)
            self.behaviour(connection, request)
        except (ClientLeft, OSError):
            self.closed_at.append(time.monotonic())
        finally:
            with contextlib.suppress(OSError):
                connection.close()


def read_request(connection: ssl.SSLSocket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise ClientLeft
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            raise ClientLeft
        body += chunk
    return head + b"\r\n\r\n" + body


def send_slowly(data: bytes, every: float = 1.0) -> Behaviour:
    """Send ``data`` one byte every ``every`` seconds (then keep the connection open)."""

    def behaviour(connection: ssl.SSLSocket, _request: bytes) -> None:
        for byte in data:
            connection.sendall(bytes([byte]))
            wait_for_close(connection, every)
        wait_for_close(connection, 60)

    return behaviour


def wait_for_close(connection: ssl.SSLSocket, seconds: float) -> None:
    """Sleep ``seconds``, but raise ClientLeft as soon as the client closes."""
    import select

    readable, _, _ = select.select([connection], [], [], seconds)
    if readable:
        connection.settimeout(1)
        if not connection.recv(1):
            raise ClientLeft


def send(data: bytes, *, then_close: bool = True) -> Behaviour:
    def behaviour(connection: ssl.SSLSocket, _request: bytes) -> None:
        connection.sendall(data)
        if not then_close:
            wait_for_close(connection, 10)

    return behaviour


def http_answer(status: int, body: bytes, content_type: str = "text/xml; charset=utf-8"
                ) -> bytes:
    return (f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def echo_bsn_in_fault(connection: ssl.SSLSocket, request: bytes) -> None:
    """A SOAP fault whose code, message and detail repeat the BSN the client sent."""
    import re

    bsn = re.search(rb"<t:Bsn>(\d+)</t:Bsn>", request).group(1).decode()
    body = fake_server.fault_body(f"s:Client.{bsn}", f"Onbekend BSN {bsn}",
                                  f"Zoekopdracht met BSN {bsn} afgewezen")
    connection.sendall(http_answer(500, body))
