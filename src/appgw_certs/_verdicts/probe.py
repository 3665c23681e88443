"""Read the certificate chain a live backend presents, exactly as it sends it.

The gateway judges the chain in the order the backend sends it (leaf first,
intermediates next), so this reader returns the certificates unchanged:
nothing is verified, reordered, completed or dropped. The handshake itself is
``handshake``'s: Python's ``ssl`` from 3.13, pyOpenSSL before.
"""

from __future__ import annotations

import ipaddress
import selectors
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cryptography import x509

from .._errors import InvalidArgumentError, ProbeError
from .._formats.inputs import checked_instance, checked_optional
from .handshake import Handshake, handshake

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
        done = handshake(sock, sni, budget.wait)
    if done.failure is not None:
        raise ProbeError(_failure_message(done, where)) from done.failure
    chain = done.chain
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


def _readable(der: bytes, index: int, where: str) -> x509.Certificate:
    """A certificate the peer sent, as cryptography reads it; ProbeError when it cannot
    (OpenSSL accepts encodings that cryptography refuses)."""
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


def _failure_message(done: Handshake, where: str) -> str:
    if done.chain:
        return _failure_after_certificates(done.reasons, where)
    return _handshake_failure(done, where)


def _failure_after_certificates(reasons: str, where: str) -> str:
    # TLS 1.2: the server's certificates came, then it refused to go on; the usual
    # reason is a demand for a client certificate, which the gateway cannot meet.
    return (
        f"TLS handshake with {where} failed after the server sent its certificates "
        f"({reasons}): it probably requires a client certificate, and "
        "Application Gateway does not present one to backends"
    )


def _handshake_failure(done: Handshake, where: str) -> str:
    """A message for a failed handshake that says what the peer probably is."""
    if done.closed:
        return (
            f"{where} closed the connection during the TLS handshake "
            "(not a TLS server, or it refused our hello)"
        )
    reason = done.reasons
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
    return f"TLS handshake with {where} failed: {reason or done.failure.__class__.__name__}"
