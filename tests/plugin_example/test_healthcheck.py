"""A user's tests with the appgw-certs fixtures (no conftest.py, no -p: the entry point)."""

from __future__ import annotations

import ssl

import pytest
from healthcheck import backend_is_healthy, https_listener_hosts

from appgw_certs import audit_gateway


def trusting(chain) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    chain.configure_trust(context)
    return context


def test_healthy_backend(appgw_backend, appgw_chain):
    context = trusting(appgw_chain)
    assert backend_is_healthy(
        appgw_backend.host, appgw_backend.port, appgw_backend.server_name, context
    )


def test_untrusted_backend_is_unhealthy(appgw_backend):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # trusts nothing
    assert not backend_is_healthy(
        appgw_backend.host, appgw_backend.port, appgw_backend.server_name, context
    )


@pytest.mark.appgw_chain(key_type="rsa2048", intermediates=2)
@pytest.mark.appgw_backend(server_names=["api.contoso.com"])
def test_sni_names_each_get_their_certificate(appgw_backend, appgw_chain):
    context = trusting(appgw_chain)
    assert backend_is_healthy(appgw_backend.host, appgw_backend.port, "api.contoso.com", context)
    assert "api.contoso.com" in appgw_backend.seen_server_names


@pytest.mark.appgw_backend(require_client_cert=True)
def test_mutual_tls_backend(appgw_backend, appgw_chain):
    context = trusting(appgw_chain)
    assert not backend_is_healthy(
        appgw_backend.host, appgw_backend.port, appgw_backend.server_name, context
    )
    client = appgw_chain.issue_client("probe@contoso.com")
    with client.pem_tempfile(chain=appgw_chain.intermediates) as path:
        context.load_cert_chain(path)
    assert backend_is_healthy(
        appgw_backend.host, appgw_backend.port, appgw_backend.server_name, context
    )


def test_gateway_listener_hosts(appgw_gateway_json, appgw_chain):
    gateway = appgw_gateway_json(appgw_chain)
    assert https_listener_hosts(gateway) == ["www.contoso.com"]
    assert audit_gateway(gateway).report.findings == ()
