"""The cross-checks of a gateway audit: how its objects relate (GW001–GW018, and
GEN006 and LST008, which are judged here once for the whole gateway).

Each concept has its module: who uses what (:mod:`.usage`), the SKU and its
limits (:mod:`.sku_limits`), listeners (:mod:`.listeners`), backend settings
and probes (:mod:`.backends`), mutual TLS (:mod:`.mutual_tls`) and TLS policies
(:mod:`.tls_policy`). Every finding's ``location`` names the object a person
opens in the portal.

    >>> findings = list(cross_checks(doc, doc.sku, objects, users_of(doc)))
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .._findings.report import Finding
from .._findings.sku import Sku
from .backends import check_backends, check_probes
from .listeners import check_listener_chains, check_listeners
from .model import GatewayDocument
from .mutual_tls import check_client_ca_issuers, check_ssl_profiles
from .objects import CertificateObject
from .routes import routes
from .sku_limits import check_limits, check_sku
from .tls_policy import check_tls_policies
from .usage import check_duplicates, check_references, check_unused

__all__ = ["cross_checks"]


def cross_checks(
    doc: GatewayDocument,
    sku: Sku | None,
    objects: Mapping[str, CertificateObject],
    users: Mapping[str, tuple[str, ...]],
) -> Iterator[Finding]:
    """Every cross-check, in the order a report lists them; ``objects`` and ``users``
    by the certificate object's location."""
    triples = list(routes(doc))
    decoded = list(objects.values())
    yield from check_references(doc)
    yield from check_sku(doc, sku)
    yield from check_limits(doc, sku)
    yield from check_unused((obj, users[loc]) for loc, obj in objects.items())
    yield from check_listeners(doc, objects)
    yield from check_listener_chains(decoded)
    yield from check_backends(doc, sku, triples, objects)
    yield from check_probes(doc)
    yield from check_ssl_profiles(doc)
    yield from check_client_ca_issuers(decoded)
    yield from check_duplicates(decoded)
    yield from check_tls_policies(doc, sku, objects)
