"""Listeners and their certificates: host names the certificate does not cover
(GW001), wildcards it covers one label deep only (GW014), host-name rules (GW008),
and listener chains that come without the leaf's issuer (LST008, judged here alike
for a PFX and a ``publicCertData`` bundle).

    >>> findings = [*check_listeners(doc, objects), *check_listener_chains(objects.values())]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from cryptography import x509

from .._findings.report import Finding
from .._findings.rules import finding
from .._findings.sku import Slot
from .._x509.links import issuer_named
from .._x509.names import matches_hostname
from .arm import Unknown
from .model import Element, GatewayDocument
from .objects import CertificateObject
from .routes import HTTPS_PROTOCOLS, listener_host_names
from .sku_limits import HOST_NAMES_PER_LISTENER

__all__ = ["check_listener_chains", "check_listeners"]


def check_listeners(
    doc: GatewayDocument, objects: Mapping[str, CertificateObject]
) -> Iterator[Finding]:
    """GW001, GW014 and the host-name GW008 rules, per listener (GW013 for host names
    a template leaves unresolved)."""
    for collection in ("httpListeners", "listeners"):
        for listener in doc.elements(collection):
            yield from _host_name_rules(listener)
            yield from _unknown_host_names(listener)
            if listener.protocol() not in HTTPS_PROTOCOLS:
                continue
            target = doc.find(listener.ref("sslcertificate"))
            obj = objects.get(target.location) if target is not None else None
            if obj is None or obj.leaf is None:
                continue  # no certificate, dangling (GW002) or unknown (GW013)
            for name in listener_host_names(listener):
                yield from _coverage(listener, name, obj.leaf)


def _unknown_host_names(listener: Element) -> Iterator[Finding]:
    names = listener.get("hostnames")
    values = [listener.get("hostname"), *(names if isinstance(names, list) else [names])]
    for value in values:
        if isinstance(value, Unknown):
            yield finding(
                "GW013",
                f"a host name is a template expression not known offline ({value.expression}): "
                "it was not checked against the certificate",
                location=listener.location,
            )


def _host_name_rules(listener: Element) -> Iterator[Finding]:
    names = listener.get("hostnames")
    many = [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
    if len(many) > HOST_NAMES_PER_LISTENER:
        yield finding(
            "GW008",
            f"{len(many)} host names: the limit is {HOST_NAMES_PER_LISTENER} per listener",
            location=listener.location,
        )
    if many and listener.text("hostname"):
        yield finding(
            "GW008",
            "hostName and hostNames are both set: a listener takes one or the other",
            location=listener.location,
        )
    for name in many:
        if _bad_wildcard(name):
            yield finding(
                "GW008",
                f"host name {name!r}: at most 2 '*' and 4 wildcard characters, no '**' or '*?'",
                location=listener.location,
            )


def _bad_wildcard(name: str) -> bool:
    stars = name.count("*")
    return stars > 2 or stars + name.count("?") > 4 or any(p in name for p in ("**", "*?", "?*"))


# Labels standing in for "any name the listener wildcard admits"; a certificate
# with an exact SAN equal to them is not a realistic concern.
_ONE_LABEL = "zz-appgw-audit"
_DEEPER = "zz-appgw-audit.zz-deeper"


def _coverage(listener: Element, pattern: str, leaf: x509.Certificate) -> Iterator[Finding]:
    """Listener wildcards (``*`` spans dots, ``?`` one character) against TLS names."""
    sample = pattern.replace("*", _ONE_LABEL).replace("?", "z")
    try:
        covered = matches_hostname(leaf, sample)
        deeper_covered = "*" not in pattern or matches_hostname(
            leaf, pattern.replace("*", _DEEPER).replace("?", "z")
        )
    except Exception:
        return  # a certificate whose names cannot be read: the upload checks say so
    if not covered:
        yield finding(
            "GW001",
            f"host name {pattern!r} of {listener.location} is not covered by its certificate",
            certificate=leaf,
            location=listener.location,
        )
    elif not deeper_covered:
        deep = pattern.replace("*", "a.b", 1)
        yield finding(
            "GW014",
            f"{listener.location} admits {pattern!r}, which also matches deeper names such as "
            f"{deep!r}; the certificate covers one label only",
            certificate=leaf,
            location=listener.location,
        )


def check_listener_chains(objects: Iterable[CertificateObject]) -> Iterator[Finding]:
    """LST008: a listener bundle whose leaf (not self-signed) comes without its issuer."""
    for obj in objects:
        leaf = obj.leaf
        if obj.slot is not Slot.LISTENER or leaf is None:
            continue
        if _has_issuer(leaf, obj.certificates[1:]):
            continue
        yield finding(
            "LST008",
            "the listener certificate comes without its intermediates: clients that do not "
            "fetch them will fail to build the chain",
            certificate=leaf,
            location=obj.element.location,
        )


def _has_issuer(leaf: x509.Certificate, others: Iterable[x509.Certificate]) -> bool:
    """Self-issued, or its issuer's name is among ``others``; True when that cannot be
    told. Names suffice: the question is what the bundle holds, not whether it verifies
    (the upload checks and backend verdicts verify signatures)."""
    try:
        return issuer_named(leaf, leaf) or any(issuer_named(leaf, c) for c in others)
    except Exception:
        return True
