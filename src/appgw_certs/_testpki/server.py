"""TLS servers on loopback for tests: stdlib ``ssl`` in one thread, certificates by SNI.

A :class:`LoopbackServer` binds port 0 on 127.0.0.1 (or ::1) only, accepts in a
daemon thread, serves one connection at a time with every read and write
bounded by :data:`TIMEOUT`, and stops when its ``with`` block ends: the thread
is joined and every socket closed. :class:`TLSServer` completes a handshake with
a given ``ssl.SSLContext`` and records each outcome as the server saw it;
:func:`choose_by_server_name` makes a context pick its certificate by the
client's SNI; :func:`chain_server` serves test chains that way.
"""

from __future__ import annotations

import queue
import socket
import ssl
import threading
from collections.abc import Mapping
from contextlib import suppress
from types import TracebackType
from typing import Self

from .._errors import InvalidArgumentError
from .build import TestChain

__all__ = [
    "LOOPBACK_V4",
    "LOOPBACK_V6",
    "TIMEOUT",
    "Closing",
    "LoopbackServer",
    "TLSServer",
    "chain_server",
    "choose_by_server_name",
]

LOOPBACK_V4 = "127.0.0.1"
LOOPBACK_V6 = "::1"
#: Seconds any one read, write, handshake or shutdown may take.
TIMEOUT = 5.0
#: The most of an HTTP request :class:`TLSServer` reads before it answers.
MAX_REQUEST_BYTES = 16 * 1024
_HTTP_REPLY = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
    b"Connection: close\r\n\r\nok"
)


class Closing:
    """``with`` support for anything with a ``close()``."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError


class LoopbackServer(Closing):
    """A listening socket on a loopback address, port 0, with its accept loop in a thread.

    Subclasses say what to do with each connection in :meth:`serve`.
    """

    def __init__(self, host: str = LOOPBACK_V4) -> None:
        if host not in (LOOPBACK_V4, LOOPBACK_V6):
            raise InvalidArgumentError(
                f"host: must be {LOOPBACK_V4!r} or {LOOPBACK_V6!r}, not {host!r}"
            )
        family = socket.AF_INET6 if host == LOOPBACK_V6 else socket.AF_INET
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            self._listener.bind((host, 0))
            self._listener.listen(8)
        except OSError:
            self._listener.close()
            raise
        self._listener.settimeout(0.1)  # lets the loop notice close() quickly
        self.host = host
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"appgw-tls-{self.port}")
        self._thread.daemon = True

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop accepting, wait for the connection being served, close the socket."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=4 * TIMEOUT)
        self._listener.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(TIMEOUT)
                self.serve(conn)

    def serve(self, conn: socket.socket) -> None:
        """Handle one accepted connection (closed by the caller afterwards)."""
        raise NotImplementedError


class TLSServer(LoopbackServer):
    """Serves :attr:`context` (replaceable between connections) and records, per
    client port, ``None`` for a completed handshake or the server's exception.

    After the handshake it writes ``b"ok"`` at once, or with ``http=True`` reads
    one request (at most :data:`MAX_REQUEST_BYTES`) and answers ``200 OK``.
    """

    def __init__(
        self, context: ssl.SSLContext, host: str = LOOPBACK_V4, *, http: bool = False
    ) -> None:
        super().__init__(host)
        self.context = context
        self.http = http
        #: The DER certificate each client (by port) presented; None: it sent none.
        self.peer_certificates: dict[int, bytes | None] = {}
        self._outcomes: queue.Queue[tuple[int, BaseException | None]] = queue.Queue()

    def serve(self, conn: socket.socket) -> None:
        peer_port: int = conn.getpeername()[1]
        try:
            with self.context.wrap_socket(conn, server_side=True) as tls:
                self.peer_certificates[peer_port] = tls.getpeercert(binary_form=True)
                self._outcomes.put((peer_port, None))
                with suppress(OSError):
                    if self.http:
                        _read_request(tls)
                        tls.sendall(_HTTP_REPLY)
                    else:
                        tls.sendall(b"ok")
                    tls.unwrap()
        except OSError as exc:  # ssl.SSLError is an OSError
            self._outcomes.put((peer_port, exc))

    def outcome_for(self, port: int | None = None) -> BaseException | None:
        """The server's view of the client connecting from ``port`` (earlier ones are
        skipped), or of the next finished handshake when ``port`` is None; waits up to
        :data:`TIMEOUT` for it."""
        while True:
            peer, outcome = self._outcomes.get(timeout=TIMEOUT)
            if port is None or peer == port:
                return outcome


def _read_request(tls: ssl.SSLSocket) -> None:
    received = b""
    while b"\r\n\r\n" not in received and len(received) < MAX_REQUEST_BYTES:
        data = tls.recv(4096)
        if not data:
            return
        received += data


def choose_by_server_name(
    default: ssl.SSLContext,
    by_name: Mapping[str, ssl.SSLContext],
    seen: list[str | None] | None = None,
) -> ssl.SSLContext:
    """``default``, switching to ``by_name[sni]`` for a client sending that SNI, as a
    multi-site server picks its certificate; no SNI, or another name, gets ``default``.
    Each SNI received (``None``: none) is appended to ``seen``. Names match
    case-insensitively (SNI is a DNS name)."""
    table = {name.lower(): context for name, context in by_name.items()}

    def choose(connection: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        if seen is not None:
            seen.append(name)
        if name is not None and name.lower() in table:
            connection.context = table[name.lower()]

    default.sni_callback = choose
    return default


def chain_context(chain: TestChain, client_ca: bytes | None = None) -> ssl.SSLContext:
    """A server context presenting ``chain`` (:meth:`TestChain.configure_cert`); with
    ``client_ca`` (PEM), client certificates are required and verified against it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    chain.configure_cert(context)
    if client_ca is not None:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cadata=client_ca.decode("ascii"))
    return context


def chain_server(
    default: TestChain,
    by_name: Mapping[str, TestChain] | None = None,
    *,
    client_ca: bytes | None = None,
    host: str = LOOPBACK_V4,
    seen: list[str | None] | None = None,
) -> TLSServer:
    """An HTTPS server presenting ``default``, or ``by_name[sni]`` to clients sending
    that SNI; requiring client certificates issued under ``client_ca`` when given.
    Start and stop it with ``with``."""
    contexts = {name: chain_context(chain, client_ca) for name, chain in (by_name or {}).items()}
    context = choose_by_server_name(chain_context(default, client_ca), contexts, seen)
    return TLSServer(context, host, http=True)
