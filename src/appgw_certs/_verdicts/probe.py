"""Read the certificate chain a live backend presents, exactly as it sends it.

The gateway judges the chain in the order the backend sends it (leaf first,
intermediates next), so this reader returns the certificates unchanged:
nothing is verified, reordered, completed or dropped. Python 3.11's ``ssl``
cannot return the peer's chain, hence pyOpenSSL.
"""

from __future__ import annotations

import ipaddress
import selectors
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from cryptography import x509
from OpenSSL import SSL, crypto

from .._errors import InvalidArgumentError, ProbeError
from .._formats.inputs import checked_instance, checked_optional

__all__ = ["fetch_presented_chain"]


def fetch_presented_chain(
    host: str, port: int = 443, *, server_name: str | None = None, timeout: float = 10.0
) -> list[x509.Certificate]:
    """The certificates a TLS server at ``host:port`` sends, in the order it sends them.

    ``server_name`` is the SNI to send (default: ``host``): pass the name the
    gateway's health probe sends (the "SNI" of :func:`check_backend`'s
    details), since a backend may choose its certificate by it. An IP
    literal, as host or as server name, or an empty server name, sends no SNI,
    as the gateway does (RFC 6066).
    ``host`` may be a name, an IPv4 literal or an IPv6 literal (``::1`` or
    ``[::1]``). ``timeout`` (seconds) bounds the connection and the handshake
    together. Unreachable hosts, timeouts, peers that do not complete a TLS
    handshake and certificates that cannot be read raise :class:`ProbeError`;
    an empty host, a port outside 1-65535 or a timeout that is not a positive
    number of seconds raise an :class:`AppGwCertError` that is also a
    ``ValueError``, and arguments of the wrong type ``TypeError``.

    Example::

        chain = fetch_presented_chain("10.0.1.4", 443, server_name="backend.contoso.com")
        report = check_backend(chain, sku="Standard_v2", backend_address="10.0.1.4",
                               host_name="backend.contoso.com", trusted_roots=[root_cer])
    """
    _check_arguments(host, port, server_name, timeout)
    address = _strip_brackets(host)
    sni = _sni_for(server_name if server_name is not None else address)
    where = f"{host}:{port}" if ":" not in address else f"[{address}]:{port}"
    budget = _Budget(where, timeout, time.monotonic() + timeout)
    with _connected(address, port, timeout, where) as sock:
        connection = _tls_client(sock, sni)
        _handshake(connection, sock, budget)
        chain = connection.get_peer_cert_chain()
        _close_quietly(connection)
    if not chain:
        raise ProbeError(f"{where} completed the TLS handshake without sending a certificate")
    return [_readable(cert, i, where) for i, cert in enumerate(chain)]


#: Longer than any probe needs; a timeout past it is a mistake, not a wish.
_MAX_TIMEOUT = 24 * 3600.0


def _check_arguments(host: object, port: object, server_name: object, timeout: object) -> None:
    name = checked_instance(host, str, "host")
    checked_optional(server_name, str, "server_name")
    number = checked_instance(port, int, "port")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TypeError(f"timeout: expected seconds (int or float), not {type(timeout).__name__}")
    if not name or "\0" in name or isinstance(port, bool) or not 0 < number < 65536:
        raise InvalidArgumentError(
            f"expected a host and a TCP port (1-65535), got {name[:80]!r}, {port!r}"
        )
    if not 0 < timeout <= _MAX_TIMEOUT:  # NaN is not
        raise InvalidArgumentError(
            f"timeout must be positive seconds, at most {_MAX_TIMEOUT:g}, got {timeout!r}"
        )


def _readable(cert: crypto.X509, index: int, where: str) -> x509.Certificate:
    """A certificate the peer sent, as cryptography reads it; ProbeError when it cannot
    (OpenSSL accepts encodings that cryptography refuses)."""
    der = crypto.dump_certificate(crypto.FILETYPE_ASN1, cert)
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        # The parser's own words (ASN.1 paths) are not for a person; the cause keeps them.
        where_in_chain = "" if index == 0 else f" (number {index + 1} of its chain)"
        raise ProbeError(
            f"{where} presents a certificate{where_in_chain} that cannot be parsed as X.509"
        ) from exc


def _strip_brackets(host: str) -> str:
    """``[::1]`` (URL form) -> ``::1``."""
    if host.startswith("[") and host.endswith("]"):
        return host[1:-1]
    return host


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _sni_for(name: str) -> bytes | None:
    """The SNI bytes to send for ``name``, or None for an IP literal or an empty name."""
    name = _strip_brackets(name).rstrip(".")
    if not name or _is_ip_literal(name):
        return None
    try:
        return name.encode("idna")
    except UnicodeError as exc:
        raise ProbeError(f"{name!r} is not a valid host name to send as SNI") from exc


@contextmanager
def _connected(address: str, port: int, timeout: float, where: str) -> Iterator[socket.socket]:
    """A TCP connection to ``address:port``, closed on exit; OSError becomes ProbeError."""
    try:
        sock = socket.create_connection((address, port), timeout=timeout)
    except ConnectionRefusedError as exc:
        raise ProbeError(f"connection to {where} refused: nothing listens on that port") from exc
    except TimeoutError as exc:
        raise ProbeError(f"connecting to {where} timed out after {timeout:g} s") from exc
    except socket.gaierror as exc:
        raise ProbeError(f"cannot resolve {address!r}: {exc.strerror or exc}") from exc
    except (UnicodeError, ValueError) as exc:  # a name IDNA refuses (a label too long...)
        raise ProbeError(f"cannot resolve {address[:80]!r}: not a valid host name") from exc
    except OSError as exc:
        raise ProbeError(f"cannot connect to {where}: {exc.strerror or exc}") from exc
    try:
        sock.setblocking(False)  # the handshake loop below waits with its own deadline
        yield sock
    finally:
        sock.close()


def _tls_client(sock: socket.socket, sni: bytes | None) -> SSL.Connection:
    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    # We only read what the server sends: no verification, and no security
    # level, so that a legacy backend (TLS 1.0, 1024-bit key, SHA-1) can still
    # be read — the gateway talks TLS 1.0-1.2 to backends.
    context.set_verify(SSL.VERIFY_NONE)
    context.set_cipher_list(b"ALL:@SECLEVEL=0")
    context.set_min_proto_version(SSL.TLS1_VERSION)
    connection = SSL.Connection(context, sock)
    if sni is not None:
        connection.set_tlsext_host_name(sni)
    connection.set_connect_state()
    return connection


@dataclass(frozen=True)
class _Budget:
    """How long the whole probe may take, and whom to name when it runs out."""

    where: str
    timeout: float
    deadline: float

    def wait(self, sock: socket.socket, event: int) -> None:
        """Wait until ``sock`` is ready for ``event``; ProbeError when time is up."""
        remaining = self.deadline - time.monotonic()
        with selectors.DefaultSelector() as selector:
            selector.register(sock, event)
            ready = remaining > 0 and selector.select(remaining)
        if not ready:
            raise ProbeError(
                f"TLS handshake with {self.where} timed out after {self.timeout:g} s: "
                "the peer accepted the connection but did not answer as a TLS server"
            )


def _handshake(connection: SSL.Connection, sock: socket.socket, budget: _Budget) -> None:
    """Run the handshake on a non-blocking socket until done or out of time."""
    while True:
        try:
            connection.do_handshake()
        except SSL.WantReadError:
            budget.wait(sock, selectors.EVENT_READ)
        except SSL.WantWriteError:
            budget.wait(sock, selectors.EVENT_WRITE)
        except SSL.Error as exc:
            if connection.get_peer_cert_chain():
                raise ProbeError(_failure_after_certificates(exc, budget.where)) from exc
            raise ProbeError(_handshake_failure(exc, budget.where)) from exc
        else:
            return


def _failure_after_certificates(exc: SSL.Error, where: str) -> str:
    # TLS 1.2: the server's certificates came, then it refused to go on; the usual
    # reason is a demand for a client certificate, which the gateway cannot meet.
    return (
        f"TLS handshake with {where} failed after the server sent its certificates "
        f"({_openssl_reasons(exc)}): it probably requires a client certificate, and "
        "Application Gateway does not present one to backends"
    )


def _handshake_failure(exc: SSL.Error, where: str) -> str:
    """A message for a failed handshake that says what the peer probably is."""
    if isinstance(exc, SSL.ZeroReturnError | SSL.SysCallError):
        return (
            f"{where} closed the connection during the TLS handshake "
            "(not a TLS server, or it refused our hello)"
        )
    reason = _openssl_reasons(exc)
    if any(
        word in reason
        for word in (
            "wrong version number",
            "packet length too long",
            "unknown protocol",
            "record layer failure",
        )
    ):
        return f"{where} does not speak TLS on this port ({reason})"
    return f"TLS handshake with {where} failed: {reason or exc.__class__.__name__}"


def _openssl_reasons(exc: SSL.Error) -> str:
    """The reason strings of an OpenSSL error queue, e.g. 'wrong version number'."""
    entries = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
    reasons = [str(entry[2]) for entry in entries if isinstance(entry, tuple) and len(entry) == 3]
    return "; ".join(reasons) or str(exc)


def _close_quietly(connection: SSL.Connection) -> None:
    """Send close_notify if the peer still listens; a probe does not care if it cannot."""
    with suppress(SSL.Error):
        connection.shutdown()
