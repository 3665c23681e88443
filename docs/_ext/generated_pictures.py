"""Sphinx hook: the pictures of docs/pictures.md, drawn by the library at build time.

On ``builder-inited`` it writes ``docs/_generated/`` (not in git): a test chain's
diagram, a sample gateway's expiry timeline and chains, and the standalone HTML report
``appgw-certs audit --format html`` writes for that gateway. Nothing is drawn by hand.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

import appgw_certs as ag
from appgw_certs._cli.formats import Subject
from appgw_certs._cli.html_report import audit_page

GENERATED = Path(__file__).resolve().parents[1] / "_generated"
_PREFIX = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw"


def _ref(collection: str, name: str) -> dict[str, str]:
    return {"id": f"{_PREFIX}/{collection}/{name}"}


def _listener(name: str, chain: ag.TestChain) -> dict[str, object]:
    certs = [chain.server.certificate, *(c.certificate for c in chain.intermediates)]
    data = base64.b64encode(pkcs7.serialize_certificates(certs, Encoding.DER)).decode()
    return {"name": name, "publicCertData": data}


def sample_gateway(now: datetime) -> dict[str, object]:
    """A v2 gateway: a valid listener, one about to expire, a Key Vault one, a root."""
    web = ag.build_test_chain(["www.contoso.com"], key_type=ag.KeyType.EC_P256,
                              not_before=now - timedelta(days=60))  # fmt: skip
    soon = ag.build_test_chain(["shop.contoso.com"], key_type=ag.KeyType.EC_P256,
                               not_before=now - timedelta(days=350))  # fmt: skip
    root = base64.b64encode(web.trusted_root_cer()).decode()
    return {
        "name": "contoso-gw",
        "sku": {"name": "Standard_v2", "tier": "Standard_v2"},
        "sslCertificates": [
            _listener("www-cert", web),
            _listener("shop-cert", soon),
            {"name": "vault-cert", "keyVaultSecretId": "https://kv.vault.azure.net/secrets/www"},
        ],
        "trustedRootCertificates": [{"name": "backend-root", "data": root}],
        "httpListeners": [
            {"name": "www", "protocol": "Https", "hostName": "www.contoso.com",
             "sslCertificate": _ref("sslCertificates", "www-cert")},
            {"name": "shop", "protocol": "Https", "hostName": "shop.contoso.com",
             "sslCertificate": _ref("sslCertificates", "shop-cert")},
        ],
    }  # fmt: skip


def write_pictures(_app: object = None) -> None:
    """Write the pictures and the sample report into :data:`GENERATED`."""
    GENERATED.mkdir(exist_ok=True)
    now = datetime.now(UTC)
    chain = ag.build_test_chain(["www.contoso.com"], key_type=ag.KeyType.EC_P256)
    (GENERATED / "chain.svg").write_text(chain._repr_html_(), encoding="utf-8")
    audit = ag.audit_gateway(sample_gateway(now), now=now)
    pictures = audit.pictures_html()
    timeline = pictures[pictures.index("<svg") : pictures.index("</svg>") + len("</svg>")]
    (GENERATED / "timeline.svg").write_text(timeline, encoding="utf-8")
    page = audit_page("gw.json", [audit], [Subject(audit.gateway, audit.report)], as_list=False)
    (GENERATED / "report.html").write_text(page, encoding="utf-8")
