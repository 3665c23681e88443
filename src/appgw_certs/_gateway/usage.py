"""Who uses each certificate object, and what points nowhere: dangling references
(GW002), ids not known offline (GW013), unused objects (GW003), and one certificate
under several names (GW011).

    >>> users = users_of(doc)          # {"sslCertificates[web-cert]": ("web",)}
    >>> findings = [*check_references(doc), *check_duplicates(objects)]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from cryptography import x509

from .._findings.report import Finding
from .._findings.rules import finding
from .._findings.sku import Slot
from .._formats.sharing import SignatureMemo
from .model import Element, GatewayDocument, Reference
from .objects import CertificateObject

__all__ = ["check_duplicates", "check_references", "check_unused", "users_of"]

# Who uses certificate objects: (user collection, reference field, a list of them?).
_USERS = (
    ("httpListeners", "sslcertificate", False),
    ("listeners", "sslcertificate", False),
    ("backendHttpSettingsCollection", "trustedrootcertificates", True),
    ("backendSettingsCollection", "trustedrootcertificates", True),
    ("backendHttpSettingsCollection", "authenticationcertificates", True),
    ("sslProfiles", "trustedclientcertificates", True),
)


def check_references(doc: GatewayDocument) -> Iterator[Finding]:
    """GW002 for every in-gateway id that names nothing; GW013 for ids not known offline."""
    for elements in doc.collections.values():
        for element in elements:
            distinct = {(r.raw.lower(), r.unknown): r for r in element.all_refs()}
            for ref in distinct.values():
                found = _reference_finding(doc, element, ref)
                if found is not None:
                    yield found


def _reference_finding(doc: GatewayDocument, holder: Element, ref: Reference) -> Finding | None:
    if ref.unknown:
        return finding(
            "GW013",
            f"a reference is a template expression not known offline: {ref.raw}",
            location=holder.location,
        )
    target = doc.find(ref)
    if target is None:
        return finding(
            "GW002",
            f"{holder.location} refers to {ref.target}, which is not in the gateway",
            location=holder.location,
        )
    if ref.child_collection and ref.child_name and not _has_child(target, ref):
        return finding(
            "GW002",
            f"{holder.location} refers to {ref.target}/{ref.child_collection}/{ref.child_name}, "
            "which is not in the gateway",
            location=holder.location,
        )
    return None


def _has_child(parent: Element, ref: Reference) -> bool:
    children = parent.get(str(ref.child_collection).lower())
    if not isinstance(children, list):
        return False
    wanted = str(ref.child_name).lower()
    return any(
        isinstance(c, Mapping) and str(c.get("name", "")).lower() == wanted for c in children
    )


def users_of(doc: GatewayDocument) -> dict[str, tuple[str, ...]]:
    """For each certificate object's location, the names of the listeners, settings
    or SSL profiles that point at it (one pass over the users)."""
    users: dict[str, list[str]] = {}
    for collection, key, many in _USERS:
        for user in doc.elements(collection):
            refs = user.refs(key) if many else (user.ref(key),)
            targets = {t.location for t in map(doc.find, refs) if t is not None}
            for location in targets:
                users.setdefault(location, []).append(user.name)
    return {location: tuple(names) for location, names in users.items()}


def check_unused(objects: Iterable[tuple[CertificateObject, tuple[str, ...]]]) -> Iterator[Finding]:
    """GW003 for each certificate object nothing points at."""
    for obj, users in objects:
        if not users:
            yield finding(
                "GW003",
                f"{obj.element.location} is used by no {_user_kind(obj.slot)}; "
                "it still counts toward the gateway's limits",
                location=obj.element.location,
            )


def _user_kind(slot: Slot) -> str:
    return {
        Slot.LISTENER: "listener",
        Slot.TRUSTED_ROOT: "backend setting",
        Slot.AUTHENTICATION: "backend setting",
        Slot.TRUSTED_CLIENT_CA: "SSL profile",
    }[slot]


def check_duplicates(objects: Iterable[CertificateObject]) -> Iterator[Finding]:
    """GW011: the same certificate (the object's leaf, byte for byte) under several names,
    whatever else each upload bundles with it."""
    first: SignatureMemo[x509.Certificate, CertificateObject] = SignatureMemo()
    for obj in objects:
        leaf = obj.leaf
        if leaf is None:
            continue
        seen = first.setdefault(leaf.signature, leaf, obj)
        if seen is not obj:
            yield finding(
                "GW011",
                f"{obj.element.location} holds the same certificate as {seen.element.location}",
                certificate=obj.leaf,
                location=obj.element.location,
            )
