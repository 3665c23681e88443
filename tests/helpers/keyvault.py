"""Key Vault answered offline: recorded responses (tests/data/keyvault/), a transport
that serves only them, credentials whose tokens name someone, and secrets holding
PFX files exported by the ``openssl`` CLI with an empty password, as Key Vault
exports certificates.

No test that uses them touches the network: :func:`refuse_network` makes sockets
refuse to connect, and the transport (an azure-core ``HttpTransport``) answers only
the URLs a test recorded; any other request is noted in ``unexpected`` and fails.

    >>> reader, transport = reader_for({url: recorded("not-found-404.json")},
    ...                                FakeCredential({"upn": "alice@contoso.com"}))
"""

from __future__ import annotations

import base64
import copy
import io
import json
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import requests
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError
from azure.core.pipeline.transport import RequestsTransport
from cryptography import x509
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse

from appgw_certs import TestChain
from appgw_certs._gateway.keyvault import KeyVaultReader

DATA = Path(__file__).resolve().parents[1] / "data" / "keyvault"
TENANT = "11111111-2222-3333-4444-555555555555"
VERSION = "4387e9f3d6e14c459867679a90fd0f79"


def recorded(name: str) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return answer


class RecordedTransport(RequestsTransport):
    """Answers each URL (without its query) from a recorded response; a request without a
    bearer token gets Key Vault's 401 challenge. Anything else is refused and noted."""

    def __init__(self, routes: Mapping[str, dict[str, Any]]) -> None:
        session = requests.Session()
        session.mount("https://", _Answering(self))
        session.mount("http://", _Answering(self))
        super().__init__(session=session, session_owner=False)
        self.routes = routes
        self.seen: list[tuple[str, bool]] = []
        self.unexpected: list[str] = []

    def answer(self, request: requests.PreparedRequest) -> dict[str, Any]:
        url = str(request.url).split("?", 1)[0].rstrip("/")  # versionless: ".../NAME/"
        authorized = str(request.headers.get("Authorization", "")).startswith("Bearer ")
        self.seen.append((url, authorized))
        if not authorized:
            return recorded("challenge-401.json")
        if url not in self.routes:
            self.unexpected.append(url)
            raise requests.ConnectionError(f"no recorded response for {url}")
        return self.routes[url]


class _Answering(BaseAdapter):
    def __init__(self, transport: RecordedTransport) -> None:
        super().__init__()
        self._transport = transport

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: object
    ) -> requests.Response:
        answer = self._transport.answer(request)
        body = json.dumps(answer["body"]).encode()
        response = requests.Response()
        response.status_code = answer["status"]
        response.reason = answer["reason"]
        response.headers = CaseInsensitiveDict(answer["headers"])
        response.raw = HTTPResponse(
            body=io.BytesIO(body), headers=answer["headers"], preload_content=False
        )
        response._content = body
        response.url = str(request.url)
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


class FakeCredential:
    """A TokenCredential whose tokens carry ``claims`` (unsigned: Key Vault is recorded)."""

    def __init__(self, claims: dict[str, str] | None = None) -> None:
        self.claims = claims
        self.requests: list[tuple[tuple[str, ...], str | None]] = []
        self.token = ""

    def get_token(self, *scopes: str, tenant_id: str | None = None, **kwargs: Any) -> AccessToken:
        self.requests.append((scopes, tenant_id))
        payload = base64.urlsafe_b64encode(json.dumps(self.claims or {}).encode()).decode()
        self.token = f"eyJhbGciOiJub25lIn0.{payload.rstrip('=')}.sig" if self.claims else "opaque"
        return AccessToken(self.token, int(time.time()) + 3600)


class RefusingCredential:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise ClientAuthenticationError("no identity here\nsecond line")


def refuse_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sockets refuse to connect or resolve, for the rest of the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("the Key Vault tests must not touch the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def empty_password_pfx(openssl: str, tmp_path: Path, *, key: bytes, certs: bytes) -> bytes:
    """A PFX with an empty password, as Key Vault exports a certificate, by the openssl CLI."""
    (tmp_path / "key.pem").write_bytes(key)
    (tmp_path / "certs.pem").write_bytes(certs)
    out = tmp_path / "secret.pfx"
    subprocess.run(
        [openssl, "pkcs12", "-export", "-inkey", tmp_path / "key.pem", "-in",
         tmp_path / "certs.pem", "-passout", "pass:", "-out", out],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return out.read_bytes()


def full_chain_pem(chain: TestChain) -> bytes:
    return chain.backend_chain_pem() + chain.root.cer()


def secret(template: str, value: str, leaf: x509.Certificate) -> dict[str, Any]:
    """A recorded secret with its value, and its certificate's validity as nbf/exp."""
    answer = copy.deepcopy(recorded(template))
    answer["body"]["value"] = value
    answer["body"]["attributes"]["nbf"] = int(leaf.not_valid_before_utc.timestamp())
    answer["body"]["attributes"]["exp"] = int(leaf.not_valid_after_utc.timestamp())
    return answer


def vault(name: str) -> str:
    """A vault per test: the SDK caches each vault's challenge for the process."""
    return f"https://{name}.vault.azure.net"


def reader_for(
    routes: Mapping[str, dict[str, Any]], credential: object
) -> tuple[KeyVaultReader, RecordedTransport]:
    transport = RecordedTransport(routes)
    options = {"transport": transport, "retry_total": 0}
    return KeyVaultReader(credential, client_options=options), transport  # type: ignore[arg-type]
