"""The cross-checks of a gateway audit: how its objects relate (GW001–GW014, and
GEN006 and LST008 judged gateway-wide).

Each function takes the normalised document and the decoded certificate
objects and returns findings whose ``location`` names the object a person
opens in the portal (gateway-json.md §4 gives the reasoning per check).

    >>> findings = [*check_references(doc), *check_listeners(doc, objects)]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from cryptography import x509
from cryptography.x509.oid import NameOID

from .._findings.report import Finding, Severity
from .._findings.rules import finding
from .._findings.sku import Sku, Slot
from .._formats.sharing import SignatureMemo
from .._x509.links import issuer_named
from .._x509.names import is_ip, matches_hostname
from .arm import Unknown
from .model import Element, GatewayDocument, Reference
from .objects import CertificateObject
from .routes import (
    Route,
    backend_names,
    listener_host_names,
    pool_members,
    probe_host,
    sends_host_name,
)

__all__ = [
    "check_backends",
    "check_client_ca_issuers",
    "check_duplicates",
    "check_limits",
    "check_listener_chains",
    "check_listeners",
    "check_probes",
    "check_references",
    "check_sku",
    "check_ssl_profiles",
    "check_unused",
    "users_of",
]

#: Documented per-gateway limits (azure-rules §2, A4, C9).
_LIMITS = {
    "sslCertificates": 100,
    "trustedRootCertificates": 100,
    "authenticationCertificates": 100,
    "trustedClientCertificates": 200,
}
_CLIENT_CAS_PER_PROFILE = 100
_HOST_NAMES_PER_LISTENER = 5
_WAF_OLD_CRS_CERTIFICATES = 40
_OLD_CRS_VERSIONS = frozenset({"2.2.9", "3.0", "3.1"})
_PRIVATE_SUFFIXES = (".local", ".internal", ".localdomain", ".lan", ".home.arpa", ".corp")
_HTTPS = frozenset({"https", "tls"})

# Who uses certificate objects: (user collection, reference field, a list of them?).
_USERS = (
    ("httpListeners", "sslcertificate", False),
    ("listeners", "sslcertificate", False),
    ("backendHttpSettingsCollection", "trustedrootcertificates", True),
    ("backendSettingsCollection", "trustedrootcertificates", True),
    ("backendHttpSettingsCollection", "authenticationcertificates", True),
    ("sslProfiles", "trustedclientcertificates", True),
)


# -- references and usage --------------------------------------------------------


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


# -- SKU and limits -------------------------------------------------------------------


def check_sku(doc: GatewayDocument, sku: Sku | None) -> Iterator[Finding]:
    """GEN006 for slots and features this SKU does not have (gateway-json.md C6)."""
    if sku is None:
        return
    for collection, slot in (
        ("authenticationCertificates", Slot.AUTHENTICATION),
        ("trustedRootCertificates", Slot.TRUSTED_ROOT),
        ("trustedClientCertificates", Slot.TRUSTED_CLIENT_CA),
    ):
        if slot.available_on(sku):
            continue
        for element in doc.elements(collection):
            yield finding(
                "GEN006",
                f"{collection} do not exist on {sku.value}: {element.location} cannot be used",
                location=element.location,
            )
    if sku.generation == 1:
        yield from _v1_features(doc, sku)
    if sku in (Sku.STANDARD, Sku.WAF, Sku.BASIC):
        for profile in doc.elements("sslProfiles"):
            if profile.refs("trustedclientcertificates"):
                yield finding(
                    "GEN006",
                    f"mutual TLS needs Standard_v2 or WAF_v2, not {sku.value}",
                    location=profile.location,
                )


def _v1_features(doc: GatewayDocument, sku: Sku) -> Iterator[Finding]:
    for cert in doc.elements("sslCertificates"):
        if cert.text("keyvaultsecretid"):
            yield finding(
                "GEN006",
                f"Key Vault certificates need a v2 SKU, not {sku.value} (K1)",
                location=cert.location,
            )
    for listener in doc.elements("httpListeners"):
        if isinstance(listener.get("hostnames"), list) and listener.get("hostnames"):
            yield finding(
                "GEN006",
                f"several host names per listener (hostNames) need a v2 SKU, not {sku.value}",
                location=listener.location,
            )
    for collection in ("listeners", "routingRules", "backendSettingsCollection"):
        for element in doc.elements(collection):
            yield finding(
                "GEN006",
                f"the TLS/TCP proxy ({collection}) is a v2 feature, not on {sku.value}",
                location=element.location,
                severity=Severity.WARNING,
            )


def check_limits(doc: GatewayDocument, sku: Sku | None) -> Iterator[Finding]:
    """GW008: documented counts per gateway, per SSL profile and per listener."""
    for collection, limit in _LIMITS.items():
        count = len(doc.elements(collection))
        if count > limit:
            yield finding(
                "GW008",
                f"{count} {collection}: the limit is {limit} per gateway",
                location=collection,
            )
    certificates = len(doc.elements("sslCertificates"))
    if sku in (Sku.WAF, Sku.WAF_V2) and _old_crs(doc) and certificates > _WAF_OLD_CRS_CERTIFICATES:
        yield finding(
            "GW008",
            f"{certificates} sslCertificates on WAF with CRS 3.1 or older: the documented cap "
            f"there is {_WAF_OLD_CRS_CERTIFICATES} (unconfirmed, U12)",
            location="sslCertificates",
            severity=Severity.WARNING,
        )
    for profile in doc.elements("sslProfiles"):
        count = len(profile.refs("trustedclientcertificates"))
        if count > _CLIENT_CAS_PER_PROFILE:
            yield finding(
                "GW008",
                f"{count} trusted client CAs: the limit is {_CLIENT_CAS_PER_PROFILE} per profile",
                location=profile.location,
            )


def _old_crs(doc: GatewayDocument) -> bool:
    config = doc.fields.get("webapplicationfirewallconfiguration")
    version = config.get("rulesetversion") if isinstance(config, Mapping) else None
    return isinstance(version, str) and version.strip() in _OLD_CRS_VERSIONS


# -- listeners --------------------------------------------------------------------------


def check_listeners(
    doc: GatewayDocument, objects: Mapping[str, CertificateObject]
) -> Iterator[Finding]:
    """GW001, GW014 and the host-name GW008 rules, per listener (GW013 for host names
    a template leaves unresolved)."""
    for collection in ("httpListeners", "listeners"):
        for listener in doc.elements(collection):
            yield from _host_name_rules(listener)
            yield from _unknown_host_names(listener)
            if listener.protocol() not in _HTTPS:
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
    if len(many) > _HOST_NAMES_PER_LISTENER:
        yield finding(
            "GW008",
            f"{len(many)} host names: the limit is {_HOST_NAMES_PER_LISTENER} per listener",
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


# -- backends and probes -----------------------------------------------------------------


def check_backends(doc: GatewayDocument, sku: Sku | None, routes: list[Route]) -> Iterator[Finding]:
    """GW004, GW005 and GW007 for every HTTPS backend setting."""
    by_settings = _routes_by_settings(routes)
    for collection in ("backendHttpSettingsCollection", "backendSettingsCollection"):
        for settings in doc.elements(collection):
            if settings.protocol() not in _HTTPS:
                continue
            mine = by_settings.get(id(settings), [])
            yield from _relaxed(settings)
            yield from _no_sni(doc, settings, mine)
            if sku is not None and sku.generation == 2:
                yield from _well_known_private(settings, mine)


def _routes_by_settings(routes: list[Route]) -> dict[int, list[Route]]:
    """The routes of each backend setting, by the setting's identity (Elements of one
    document are distinct objects; grouping once keeps a large gateway linear)."""
    grouped: dict[int, list[Route]] = {}
    for route in routes:
        if route.settings is not None:
            grouped.setdefault(id(route.settings), []).append(route)
    return grouped


def _relaxed(settings: Element) -> Iterator[Finding]:
    off = [
        key
        for key, field in (
            ("validateCertChainAndExpiry", "validatecertchainandexpiry"),
            ("validateSNI", "validatesni"),
        )
        if not settings.flag(field, default=True)
    ]
    if off:
        yield finding(
            "GW007",
            f"{' and '.join(off)} set to false: the backend certificate is not fully validated",
            location=settings.location,
        )


def _no_sni(doc: GatewayDocument, settings: Element, mine: list[Route]) -> Iterator[Finding]:
    sent = {name for route in mine for name in backend_names(route) if name and is_ip(name)}
    probe = doc.find(settings.ref("probe"))
    if probe is None:  # the default probe: its host comes from the setting alone
        pools = [r.pool for r in mine] or [None]
        sent |= {h for pool in pools for h in probe_host(None, settings, pool) if is_ip(h)}
    if sent:
        yield finding(
            "GW005",
            f"{settings.location} (or its default probe) sends {', '.join(sorted(sent))} as the "
            "host name: an IP, so no SNI; the backend's default certificate must match",
            location=settings.location,
        )


def _well_known_private(settings: Element, mine: list[Route]) -> Iterator[Finding]:
    if settings.refs("trustedrootcertificates"):
        return
    names = [sends_host_name(settings), *(m for r in mine for m in pool_members(r.pool))]
    private = sorted({n for n in names if n and _looks_private(n)})
    if private:
        yield finding(
            "GW004",
            f"{settings.location} trusts only well-known CAs, but its backend looks private "
            f"({', '.join(private[:3])}): a private CA's chain will fail backend health",
            location=settings.location,
        )


def _looks_private(name: str) -> bool:
    if is_ip(name):
        return True
    host = name.strip().rstrip(".").lower()
    return "." not in host or host.endswith(_PRIVATE_SUFFIXES)


def check_probes(doc: GatewayDocument, routes: list[Route]) -> Iterator[Finding]:
    """GW006 (HTTPS probe naming no host) and GW005 for probes that send an IP."""
    # (settings, pool) of the routes using each probe, by the probe's identity
    probed: dict[int, list[tuple[Element, Element | None]]] = {}
    for route in routes:
        if route.settings is not None:
            probe = doc.find(route.settings.ref("probe"))
            if probe is not None:
                probed.setdefault(id(probe), []).append((route.settings, route.pool))
    for probe in doc.elements("probes"):
        if probe.protocol() not in _HTTPS:
            continue
        picks = probe.flag("pickhostnamefrombackendhttpsettings", False) or probe.flag(
            "pickhostnamefrombackendsettings", False
        )
        if not probe.text("host") and not picks:
            yield finding(
                "GW006",
                f"{probe.location} names no host and does not pick one from the backend setting: "
                "it sends 127.0.0.1, so no SNI",
                location=probe.location,
            )
            continue
        sent = {
            host
            for settings, pool in probed.get(id(probe), ())
            for host in probe_host(probe, settings, pool)
            if is_ip(host)
        }
        if probe.text("host") and is_ip(probe.text("host") or ""):
            sent.add(probe.text("host") or "")
        if sent:
            yield finding(
                "GW005",
                f"{probe.location} sends {', '.join(sorted(sent))} as the host name: an IP, "
                "so no SNI",
                location=probe.location,
            )


# -- SSL profiles and client CAs -------------------------------------------------------


def check_ssl_profiles(doc: GatewayDocument) -> Iterator[Finding]:
    """GW009: a Strict client-auth profile without trusted client CAs."""
    for profile in doc.elements("sslProfiles"):
        config = profile.get("clientauthconfiguration")
        if not isinstance(config, Mapping) or profile.refs("trustedclientcertificates"):
            continue
        mode = config.get("verifyclientauthmode")
        if not isinstance(mode, str) or mode.strip().lower() == "strict":
            yield finding(
                "GW009",
                f"{profile.location} requires client certificates (Strict) but names no "
                "trusted client CA: no client can pass",
                location=profile.location,
            )


def check_client_ca_issuers(objects: Iterable[CertificateObject]) -> Iterator[Finding]:
    """GW010: ``clientCertIssuerDN`` from Azure against the DN the file implies."""
    for obj in objects:
        azure_dn = obj.element.text("clientcertissuerdn")
        if obj.slot is not Slot.TRUSTED_CLIENT_CA or not azure_dn or not obj.certificates:
            continue
        implied = _implied_issuer(obj.certificates)
        if implied is not None and _dn_key(azure_dn) != _name_key(implied):
            yield finding(
                "GW010",
                f"Azure reports clientCertIssuerDN {azure_dn!r}, but the file implies "
                f"{_name_text(implied)!r}",
                location=obj.element.location,
            )


def _implied_issuer(certs: Sequence[x509.Certificate]) -> x509.Name | None:
    from .._verdicts.backend import client_issuer_dn

    try:
        return client_issuer_dn(list(certs))
    except Exception:
        return None  # no root or no CA: the upload checks (CCA00x) say so


_AZURE_ATTRIBUTES = {"S": "ST", "E": "EMAILADDRESS", "EMAIL": "EMAILADDRESS", "SN": "SERIALNUMBER"}


def _dn_key(text: str) -> list[tuple[str, str]]:
    """A Windows-style DN (``CN=a, S=b``, most specific first) as sorted (attribute, value)."""
    pairs: list[tuple[str, str]] = []
    for part in _split_dn(text):
        attribute, _, value = part.partition("=")
        key = attribute.strip().upper()
        pairs.append((_AZURE_ATTRIBUTES.get(key, key), value.strip().strip('"')))
    return sorted(pairs)


def _split_dn(text: str) -> list[str]:
    parts, current, quoted, escaped = [], [], False, False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
            current.append(char)
        elif char in ",;+" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


_OVERRIDES = {NameOID.EMAIL_ADDRESS: "EMAILADDRESS", NameOID.SERIAL_NUMBER: "SERIALNUMBER"}


def _name_text(name: x509.Name) -> str:
    try:
        return name.rfc4514_string(_OVERRIDES)
    except Exception:
        return "<unreadable name>"


def _name_key(name: x509.Name) -> list[tuple[str, str]]:
    return _dn_key(_name_text(name))


# -- certificates across the gateway ---------------------------------------------------------


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
