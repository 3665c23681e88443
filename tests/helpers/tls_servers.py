"""Real TLS servers on loopback for the tests: Python ``ssl`` and ``openssl s_server``.

Every server binds port 0 on 127.0.0.1 (or ::1), runs in a daemon thread or a
child process, and shuts down cleanly when its ``with`` block ends. Only
loopback addresses are ever used.

- :class:`PythonTLSServer` serves a given ``ssl.SSLContext`` (swappable between
  connections) and records each handshake's outcome as seen by the server:
  the oracle for client-certificate verdicts.
- :class:`OpenSSLServer` runs ``openssl s_server`` with a leaf, its key and an
  explicit chain file, sent as is.
- :class:`PlainTCPServer` accepts and then says nothing, or answers like an
  HTTP server: peers that do not speak TLS.
- :func:`handshake_as_client` connects with a Python ``ssl`` client trusting
  only given roots: the oracle for backend verdicts.
- :func:`choosing_by_server_name` makes a server context pick its certificate
  by the client's SNI, as a multi-site backend does.

The threaded servers, the SNI choice and the loopback constants are the
package's own (``appgw_certs._testpki.server``, which the ``appgw_backend``
fixture serves with): one implementation for the library's users and its tests.
- :class:`GoingOnVerifyServer` verifies client certificates and, as the gateway
  does, goes on after each verify error, recording them: the oracle for
  ``sslClientVerify``.
"""

from __future__ import annotations

import queue
import socket
import ssl
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from appgw_certs._testpki.server import (
    LOOPBACK_V4,
    LOOPBACK_V6,
    TIMEOUT,
    Closing,
    LoopbackServer,
    TLSServer,
)
from appgw_certs._testpki.server import choose_by_server_name as choosing_by_server_name
from helpers.pki import Issued, pem

__all__ = [
    "LOOPBACK_V4",
    "LOOPBACK_V6",
    "TIMEOUT",
    "GoingOnVerifyServer",
    "Handshake",
    "OpenSSLServer",
    "PlainTCPServer",
    "PythonTLSServer",
    "choosing_by_server_name",
    "client_context",
    "handshake_as_client",
    "refused_port",
    "server_context",
    "verify_error_text",
]


@contextmanager
def _files(leaf: Issued, chain: Sequence[x509.Certificate]) -> Iterator[tuple[str, str]]:
    """A PEM file of leaf + chain (in that order) and one of the key, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="appgw-tls-") as tmp:
        cert_file = Path(tmp, "chain.pem")
        key_file = Path(tmp, "key.pem")
        cert_file.write_bytes(pem(leaf.cert, *chain))
        key_file.write_bytes(leaf.key_pem())
        key_file.chmod(0o600)
        yield str(cert_file), str(key_file)


def server_context(
    leaf: Issued, chain: Sequence[x509.Certificate] = (), *, client_ca: bytes | None = None
) -> ssl.SSLContext:
    """A server context presenting ``leaf`` then ``chain`` exactly as given.

    With ``client_ca`` (PEM), client certificates are required and verified
    against it, as the gateway does in Strict mutual authentication.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with _files(leaf, chain) as (cert_file, key_file):
        context.load_cert_chain(cert_file, key_file)
    if client_ca is not None:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cadata=client_ca.decode("ascii"))
    return context


def client_context(
    trusted_roots: bytes | None = None,
    *,
    certificate: Issued | None = None,
    chain: Sequence[x509.Certificate] = (),
) -> ssl.SSLContext:
    """A client context: verify the server against ``trusted_roots`` (PEM) when given,
    and present ``certificate`` + ``chain`` when given."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if trusted_roots is None:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context.load_verify_locations(cadata=trusted_roots.decode("ascii"))
    if certificate is not None:
        with _files(certificate, chain) as (cert_file, key_file):
            context.load_cert_chain(cert_file, key_file)
    return context


class PythonTLSServer(TLSServer):
    """Serves ``context`` (replace :attr:`context` between connections) and records,
    per client port, ``None`` for a completed handshake or the server's exception."""

    def outcome(self, client: Handshake | None = None) -> BaseException | None:
        """The server's view of ``client``'s connection (earlier ones are skipped),
        or of the next finished connection when ``client`` is None."""
        return self.outcome_for(None if client is None else client.port)


class PlainTCPServer(LoopbackServer):
    """Accepts TCP connections; answers ``reply`` (e.g. an HTTP response) or stays silent."""

    def __init__(self, reply: bytes | None = None, host: str = LOOPBACK_V4) -> None:
        super().__init__(host)
        self.reply = reply

    def serve(self, conn: socket.socket) -> None:
        with suppress(OSError):
            conn.recv(4096)
            if self.reply is None:
                self._stop.wait(TIMEOUT)  # say nothing until the client gives up
            else:
                conn.sendall(self.reply)


@contextmanager
def refused_port(host: str = LOOPBACK_V4) -> Iterator[int]:
    """A loopback port that refuses connections: bound (so nobody else takes it), not listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        yield sock.getsockname()[1]


class OpenSSLServer(Closing):
    """``openssl s_server`` presenting ``leaf`` then ``chain`` exactly as given.

    ``for_server_name=(name, other)`` serves ``other`` alone to clients whose SNI is ``name``.
    """

    def __init__(
        self,
        openssl: str,
        leaf: Issued,
        chain: Sequence[x509.Certificate] = (),
        *,
        host: str = LOOPBACK_V4,
        for_server_name: tuple[str, Issued] | None = None,
    ) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="appgw-s_server-")
        directory = Path(self._tmp.name)
        (directory / "leaf.pem").write_bytes(pem(leaf.cert))
        (directory / "key.pem").write_bytes(leaf.key_pem())
        command = [
            openssl, "s_server", "-accept", f"[{host}]:0" if ":" in host else f"{host}:0",
            "-cert", str(directory / "leaf.pem"), "-key", str(directory / "key.pem"),
            # Never complete the chain from a system store: send what we give, as is.
            "-no-CAfile", "-no-CApath", "-no-CAstore",
        ]  # fmt: skip
        if for_server_name is not None:
            name, other = for_server_name  # served instead when the client sends this SNI
            (directory / "leaf2.pem").write_bytes(pem(other.cert))
            (directory / "key2.pem").write_bytes(other.key_pem())
            command += ["-servername", name, "-cert2", str(directory / "leaf2.pem"),
                        "-key2", str(directory / "key2.pem")]  # fmt: skip
        if chain:
            (directory / "chain.pem").write_bytes(pem(*chain))
            command += ["-cert_chain", str(directory / "chain.pem")]
        if ":" in host:
            command.append("-6")
        # stdin stays open (s_server stops at EOF on stdin); stdout is drained by a thread.
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.host = host
        self.port = self._read_port()
        self._drain = threading.Thread(target=self._discard_output, daemon=True)
        self._drain.start()

    def _read_port(self) -> int:
        assert self._process.stdout is not None
        seen: list[bytes] = []
        for line in self._process.stdout:
            seen.append(line)
            if line.startswith(b"ACCEPT"):
                return int(line.rsplit(b":", 1)[1])
        self.close()
        raise AssertionError(f"openssl s_server did not start: {b''.join(seen)!r}")

    def _discard_output(self) -> None:
        assert self._process.stdout is not None
        for _ in self._process.stdout:
            pass

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        # The process is gone, so its stdout ends: let the drain thread see the end
        # before the stream is closed under it.
        self._drain.join(timeout=TIMEOUT)
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()
        self._tmp.cleanup()


@dataclass(frozen=True)
class Handshake:
    """A client's handshake: its error (``None`` when it completed) and its local port."""

    error: ssl.SSLError | None
    port: int


def handshake_as_client(
    host: str, port: int, context: ssl.SSLContext, *, server_hostname: str | None
) -> Handshake:
    """Connect and complete a handshake as a client."""
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        local_port = sock.getsockname()[1]
        try:
            tls = context.wrap_socket(sock, server_hostname=server_hostname)
        except ssl.SSLError as exc:
            return Handshake(exc, local_port)
        with tls, suppress(ssl.SSLError, OSError):
            # TLS 1.3: the server judges our certificate after our Finished;
            # read until it answers or closes so that its verdict is in.
            tls.recv(16)
    return Handshake(None, local_port)


class GoingOnVerifyServer(LoopbackServer):
    """A pyOpenSSL server that requires a client certificate, verifies it against
    :attr:`client_ca` (PEM; replace it between connections) and, as the gateway does,
    goes on after each verify error: it records, per client port, OpenSSL's verify
    errors in the order OpenSSL meets them. The last one is the verify result.

    (The gateway's access log shows "unable to verify the first certificate" for a
    client that sends only its leaf, an error OpenSSL reports only when it goes on
    after "unable to get local issuer certificate".)
    """

    def __init__(self, identity: Issued, client_ca: bytes, host: str = LOOPBACK_V4) -> None:
        super().__init__(host)
        self.identity = identity
        self.client_ca = client_ca
        self._outcomes: queue.Queue[tuple[int, list[int]]] = queue.Queue()

    def serve(self, conn: socket.socket) -> None:
        # deferred: only the client-verdict tests need pyOpenSSL
        from OpenSSL import SSL

        peer_port: int = conn.getpeername()[1]
        errors: list[int] = []

        def remember(_c: object, _cert: object, error: int, _depth: int, ok: int) -> bool:
            if not ok:
                errors.append(error)
            return True  # go on, as the gateway does

        context = SSL.Context(SSL.TLS_SERVER_METHOD)
        context.use_certificate(self.identity.cert)
        context.use_privatekey(self.identity.key)
        with tempfile.TemporaryDirectory(prefix="appgw-verify-") as tmp:
            ca_file = Path(tmp, "client-ca.pem")
            ca_file.write_bytes(self.client_ca)
            context.load_verify_locations(str(ca_file))
        context.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, remember)
        # pyOpenSSL needs a blocking socket (a timeout makes it non-blocking underneath);
        # the client is a test's own, which answers or closes within its timeout.
        conn.setblocking(True)
        tls = SSL.Connection(context, conn)
        tls.set_accept_state()
        with suppress(SSL.Error, OSError):
            tls.do_handshake()
            tls.sendall(b"ok")
            tls.shutdown()
        self._outcomes.put((peer_port, errors))

    def errors(self, client: Handshake) -> list[int]:
        """OpenSSL's verify errors for ``client``'s connection, in order (earlier ones skipped)."""
        while True:
            port, errors = self._outcomes.get(timeout=TIMEOUT)
            if port == client.port:
                return errors


def verify_error_text(error: int) -> str:
    """OpenSSL's text for a verify error number (``X509_verify_cert_error_string``)."""
    # pyOpenSSL's binding is the only way to OpenSSL's own strings from Python
    from OpenSSL._util import ffi, lib

    return str(ffi.string(lib.X509_verify_cert_error_string(error)).decode("ascii"))
