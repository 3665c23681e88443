"""The user's own code under test: a tiny backend health check and a gateway reader."""

from __future__ import annotations

import socket
import ssl


def backend_is_healthy(host: str, port: int, server_name: str, context: ssl.SSLContext) -> bool:
    """True when the HTTPS backend at ``host:port``, reached as ``server_name``, answers 200."""
    try:
        with (
            socket.create_connection((host, port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname=server_name) as tls,
        ):
            tls.sendall(f"GET / HTTP/1.1\r\nHost: {server_name}\r\n\r\n".encode())
            return tls.recv(64).startswith(b"HTTP/1.1 200")
    except (OSError, ssl.SSLError):
        return False


def https_listener_hosts(gateway: dict) -> list[str]:
    """The host names of a gateway's HTTPS listeners (REST GET body)."""
    listeners = gateway["properties"].get("httpListeners", [])
    return [
        listener["properties"]["hostName"]
        for listener in listeners
        if listener["properties"].get("protocol") == "Https"
    ]
