"""The probe's TLS client handshake: the one place where two TLS libraries meet.

Python's ``ssl`` returns the chain a peer presented, unverified, from Python 3.13
(``SSLSocket.get_unverified_chain``), also after a handshake that failed once
the certificates had come (a TLS 1.2 server demanding a client certificate).
Before 3.13 it cannot, and pyOpenSSL does (``Connection.get_peer_cert_chain``);
pyOpenSSL is therefore a dependency on Python 3.11 and 3.12 only. Both run over
a non-blocking socket with the same settings: nothing verified, TLS 1.0 and up,
OpenSSL security level 0, so that a legacy backend can still be read.
"""

from __future__ import annotations

import selectors
import socket
import ssl
import sys
import warnings
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

__all__ = ["Handshake", "handshake"]

#: Waits until a socket is ready for a ``selectors`` event, or raises when time is up.
Wait = Callable[[socket.socket, int], None]

_CIPHERS = "ALL:@SECLEVEL=0"


@dataclass(frozen=True)
class Handshake:
    """What a handshake gave: the certificates presented (DER, in the order sent)
    and, when it failed, the TLS library's error and OpenSSL's reasons for it."""

    chain: list[bytes]
    failure: Exception | None = None
    #: The peer closed the connection (or reset it) during the handshake.
    closed: bool = False
    #: OpenSSL's reason strings, e.g. "wrong version number"; empty when none.
    reasons: str = ""


def _stdlib_handshake(sock: socket.socket, sni: bytes | None, wait: Wait) -> Handshake:
    """The handshake with Python's ``ssl`` (3.13 and later)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers(_CIPHERS)
    with warnings.catch_warnings():
        # Deprecated for clients that send data; the gateway still talks TLS 1.0 to
        # backends, and the probe only reads what a legacy backend presents.
        warnings.filterwarnings("ignore", "ssl.TLSVersion.TLSv1", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    name = None if sni is None else sni.decode("ascii")
    with context.wrap_socket(sock, server_hostname=name, do_handshake_on_connect=False) as tls:
        while True:
            try:
                tls.do_handshake()
            except ssl.SSLWantReadError:
                wait(tls, selectors.EVENT_READ)  # the socket ssl took over
            except ssl.SSLWantWriteError:
                wait(tls, selectors.EVENT_WRITE)
            except OSError as exc:  # ssl.SSLError is one
                closed = isinstance(
                    exc, ssl.SSLZeroReturnError | ssl.SSLEOFError | ssl.SSLSyscallError
                ) or not isinstance(exc, ssl.SSLError)
                return Handshake(_unverified_chain(tls), exc, closed, _stdlib_reason(exc))
            else:
                break
        chain = _unverified_chain(tls)
        with suppress(OSError):  # close_notify, if the peer still listens
            tls.unwrap()
    return Handshake(chain)


def _unverified_chain(tls: ssl.SSLSocket) -> list[bytes]:
    chain: list[bytes] = tls.get_unverified_chain()  # type: ignore[attr-defined,unused-ignore]
    return chain


def _stdlib_reason(exc: OSError) -> str:
    """``WRONG_VERSION_NUMBER`` -> ``wrong version number``, as OpenSSL writes it."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and reason:
        return reason.lower().replace("_", " ")
    return str(exc.strerror or exc)


if sys.version_info >= (3, 13):
    handshake = _stdlib_handshake
else:
    from OpenSSL import SSL, crypto

    def handshake(sock: socket.socket, sni: bytes | None, wait: Wait) -> Handshake:
        """The handshake with pyOpenSSL (before Python 3.13)."""
        context = SSL.Context(SSL.TLS_CLIENT_METHOD)
        context.set_verify(SSL.VERIFY_NONE)
        context.set_cipher_list(_CIPHERS.encode("ascii"))
        context.set_min_proto_version(SSL.TLS1_VERSION)
        connection = SSL.Connection(context, sock)
        if sni is not None:
            connection.set_tlsext_host_name(sni)
        connection.set_connect_state()
        while True:
            try:
                connection.do_handshake()
            except SSL.WantReadError:
                wait(sock, selectors.EVENT_READ)
            except SSL.WantWriteError:
                wait(sock, selectors.EVENT_WRITE)
            except SSL.Error as exc:
                closed = isinstance(exc, SSL.ZeroReturnError | SSL.SysCallError)
                return Handshake(_peer_chain(connection), exc, closed, _openssl_reasons(exc))
            else:
                break
        chain = _peer_chain(connection)
        with suppress(SSL.Error):  # close_notify, if the peer still listens
            connection.shutdown()
        return Handshake(chain)

    def _peer_chain(connection: SSL.Connection) -> list[bytes]:
        # The DER as sent: as_cryptography=True would parse it, and a certificate
        # OpenSSL accepts but cryptography refuses must still be named by its place.
        chain = connection.get_peer_cert_chain() or []
        return [crypto.dump_certificate(crypto.FILETYPE_ASN1, cert) for cert in chain]

    def _openssl_reasons(exc: SSL.Error) -> str:
        """The reason strings of an OpenSSL error queue, e.g. 'wrong version number'."""
        entries = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
        reasons = [
            str(entry[2]) for entry in entries if isinstance(entry, tuple) and len(entry) == 3
        ]
        return "; ".join(reasons) or str(exc)
