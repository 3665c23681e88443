"""TLS policy cross-checks of a gateway audit (GW015–GW017).

A gateway's ``sslPolicy`` applies to every listener; on v2, an SSL profile's
own ``sslPolicy`` overrides it for the listeners that reference the profile
(``httpListeners[*].sslProfile``, ``listeners[*].sslProfile``). Each policy is
read into the protocols and cipher suites it enables, from the predefined
policies' table (:mod:`.tls_policies_data`) or from its own fields, then:

- GW015: a listener whose certificate's key (RSA or ECDSA) no enabled suite fits;
- GW016: a policy that allows TLS 1.0 or 1.1, or that uses a predefined policy or
  Custom-policy suites Azure retires;
- GW017: a v1 custom policy without the suite the page calls mandatory.

What the JSON leaves unknown (an expression, a policy name not on the page, the
default policy of a gateway whose creating API version is unknown) is not judged.

    >>> findings = list(check_tls_policies(doc, Sku.STANDARD_V2, objects))
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .._findings.report import Finding, Severity
from .._findings.rules import finding
from .._findings.sku import Sku
from .._formats.compat import public_key_of
from .model import Element, GatewayDocument, is_object
from .objects import CertificateObject
from .tls_policies_data import (
    DEFAULT_POLICY_NEW,
    DEFAULT_POLICY_OLD,
    DEFAULT_POLICY_SINCE_API,
    PREDEFINED,
    PROTOCOLS,
    RETIRED_CUSTOM_SUITES,
    RETIRED_PREDEFINED,
    RETIREMENT_DATE,
    TLS13_SUITES,
    V1_CUSTOM_REQUIRED_SUITE,
    V2_UNUSED_DHE_SUITES,
    suite_key_type,
)

__all__ = ["TlsPolicy", "check_tls_policies", "key_type", "read_policy"]

_GATEWAY_POLICY = "sslPolicy"  # the location of the gateway-wide policy
_HTTPS = frozenset({"https", "tls"})
_OLD_PROTOCOLS = ("TLSv1_0", "TLSv1_1")
_PROTOCOL_NAMES = {p.lower(): p for p in PROTOCOLS}


@dataclass(frozen=True)
class TlsPolicy:
    """One TLS policy as the gateway applies it.

    ``protocols`` and ``cipher_suites`` are None where the JSON leaves them
    unknown; ``cipher_suites`` include the TLS 1.3 suites a policy enables
    implicitly.
    """

    location: str  # "sslPolicy" or "sslProfiles[name]"
    kind: str  # "Predefined", "Custom", "CustomV2" or "default"
    name: str | None  # the predefined policy's name
    protocols: frozenset[str] | None
    cipher_suites: frozenset[str] | None

    @property
    def label(self) -> str:
        """How messages name the policy: "the gateway's Custom policy",
        "sslProfiles[p]'s AppGwSslPolicy20170401", "the default policy ..."."""
        if self.kind == "default":
            return f"the default policy {self.name or 'less disabledSslProtocols'}"
        owner = "the gateway's" if self.location == _GATEWAY_POLICY else f"{self.location}'s"
        return f"{owner} {self.name or f'{self.kind} policy'}"


def read_policy(value: object, location: str, default: TlsPolicy | None) -> TlsPolicy | None:
    """The policy in one ``sslPolicy`` field; ``default`` where it names none; None when
    it cannot be known offline.

    A policy or policy type that is an expression, a predefined name that is not
    on the page, or a custom policy without a readable suite list is unknown.
    """
    if value is None:
        return default
    if not is_object(value) or any(
        item is not None and not isinstance(item, str)
        for item in (value.get("policytype"), value.get("policyname"))
    ):
        return None  # an expression (or something else) where a policy or its type goes
    fields = value
    kind = _text(fields.get("policytype"))
    name = _text(fields.get("policyname"))
    if kind is None and name is None:
        return _legacy(fields, location, default)
    if (kind or "predefined").lower() == "predefined":
        known = PREDEFINED.get((name or "").lower())
        if known is None:
            return None
        return TlsPolicy(location, "Predefined", known.name, known.protocols, known.cipher_suites)
    if kind is not None and kind.lower() in ("custom", "customv2"):
        return _custom(fields, location, "CustomV2" if kind.lower() == "customv2" else "Custom")
    return None


def _custom(fields: Mapping[object, object], location: str, kind: str) -> TlsPolicy:
    minimum = _PROTOCOL_NAMES.get((_text(fields.get("minprotocolversion")) or "").lower())
    newest = "TLSv1_3" if kind == "CustomV2" else "TLSv1_2"
    first = PROTOCOLS.index(minimum) if minimum is not None else len(PROTOCOLS)
    last = PROTOCOLS.index(newest)
    protocols = frozenset(PROTOCOLS[first : last + 1]) if first <= last else None
    suites = _names(fields.get("ciphersuites"))
    if suites is not None and kind == "CustomV2" and (protocols is None or "TLSv1_3" in protocols):
        suites |= TLS13_SUITES  # "You need NOT mention these explicitly"
    return TlsPolicy(location, kind, None, protocols, suites)


def _legacy(
    fields: Mapping[object, object], location: str, default: TlsPolicy | None
) -> TlsPolicy | None:
    """No type and no name: the default policy, less any ``disabledSslProtocols``."""
    listed = fields.get("disabledsslprotocols")
    if default is None or listed is None or listed == []:
        return default
    disabled = _names(listed)
    if disabled is None:
        return None
    protocols = default.protocols
    if protocols is not None:
        protocols = protocols - {_PROTOCOL_NAMES.get(p.lower(), p) for p in disabled}
    # no longer the predefined policy itself, so not judged by its name
    return TlsPolicy(location, "default", None, protocols, default.cipher_suites)


def default_policy(doc: GatewayDocument, sku: Sku | None) -> TlsPolicy | None:
    """The policy of a gateway that names none, where the JSON tells which it is.

    The REST body of a gateway created with API version 2023-02-01 or later
    carries ``defaultPredefinedSslPolicy``; an ARM template names its API
    version. A v1 gateway created with a newer API version: unconfirmed (the
    2022 policies exist on v2 only), so unknown.
    """
    named = _text(doc.fields.get("defaultpredefinedsslpolicy"))
    api = _text(doc.fields.get("apiversion"))
    if named is None and api is not None:
        if api[:10] < DEFAULT_POLICY_SINCE_API:
            named = DEFAULT_POLICY_OLD
        elif sku is not None and sku.generation == 2:
            named = DEFAULT_POLICY_NEW
    known = PREDEFINED.get((named or "").lower())
    if known is None:
        return None
    return TlsPolicy(_GATEWAY_POLICY, "default", known.name, known.protocols, known.cipher_suites)


def key_type(cert: x509.Certificate) -> str | None:
    """``"RSA"`` or ``"ECDSA"`` for the certificate's public key; None for others or when
    the key cannot be read."""
    try:
        key = public_key_of(cert)
    except Exception:
        return None
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ECDSA"
    return None


# -- the checks -------------------------------------------------------------------------


def check_tls_policies(
    doc: GatewayDocument, sku: Sku | None, objects: Mapping[str, CertificateObject]
) -> Iterator[Finding]:
    """GW015, GW016 and GW017 for the gateway's policy, its SSL profiles' and its listeners.

    A profile that inherits the gateway's policy is judged once, at the gateway.
    """
    default = default_policy(doc, sku)
    gateway = read_policy(doc.fields.get("sslpolicy"), _GATEWAY_POLICY, default)
    profiles = {} if sku is not None and sku.generation == 1 else _profile_policies(doc, gateway)
    own = [p for p in profiles.values() if p is not None and p is not gateway]
    for judged in (gateway, *own) if gateway is not None else own:
        yield from _retired(judged)
        yield from _v1_required_suite(judged, sku)
    for collection in ("httpListeners", "listeners"):
        for listener in doc.elements(collection):
            if listener.protocol() not in _HTTPS:
                continue
            profile = doc.find(listener.ref("sslprofile"))
            policy = profiles.get(profile.location, gateway) if profile is not None else gateway
            yield from _key_type_fit(doc, listener, policy, sku, objects)


def _profile_policies(
    doc: GatewayDocument, gateway: TlsPolicy | None
) -> dict[str, TlsPolicy | None]:
    """Each SSL profile's policy; the gateway's where the profile sets none (SSL profiles
    exist on v2 only: "SSL profiles are only supported on v2 gateways")."""
    policies: dict[str, TlsPolicy | None] = {}
    for profile in doc.elements("sslProfiles"):
        value = profile.get("sslpolicy")
        if not is_object(value) or not value:
            policies[profile.location] = gateway
        else:
            policies[profile.location] = read_policy(value, profile.location, None)
    return policies


def _retired(policy: TlsPolicy) -> Iterator[Finding]:
    """GW016: TLS 1.0 or 1.1 enabled, a retired predefined policy, retired Custom suites."""
    reasons = []
    if policy.name is not None and policy.name.lower() in RETIRED_PREDEFINED:
        reasons.append("is discontinued after August 2025")
    old = [p for p in _OLD_PROTOCOLS if policy.protocols and p in policy.protocols]
    if old:
        reasons.append(f"allows {' and '.join(old)}")
    if policy.kind == "Custom" and policy.cipher_suites:
        retired = sorted(policy.cipher_suites & RETIRED_CUSTOM_SUITES)
        if retired:
            reasons.append(f"lists {', '.join(retired)}, which Custom policies stop supporting")
    if reasons:
        yield finding(
            "GW016",
            f"{_capital(policy.label)} {'; '.join(reasons)}: from {RETIREMENT_DATE} Azure "
            "supports TLS 1.2 and newer only",
            location=policy.location,
        )


def _v1_required_suite(policy: TlsPolicy, sku: Sku | None) -> Iterator[Finding]:
    """GW017: a v1 custom policy without the mandatory suite."""
    if sku is None or sku.generation != 1 or policy.kind not in ("Custom", "CustomV2"):
        return
    if policy.cipher_suites is not None and V1_CUSTOM_REQUIRED_SUITE not in policy.cipher_suites:
        yield finding(
            "GW017",
            f"{_capital(policy.label)} lacks {V1_CUSTOM_REQUIRED_SUITE}, which v1 custom "
            "policies must include",
            location=policy.location,
        )


def _key_type_fit(
    doc: GatewayDocument,
    listener: Element,
    policy: TlsPolicy | None,
    sku: Sku | None,
    objects: Mapping[str, CertificateObject],
) -> Iterator[Finding]:
    """GW015 for one listener: no enabled suite fits its certificate's key type."""
    if policy is None or policy.cipher_suites is None:
        return
    target = doc.find(listener.ref("sslcertificate"))
    obj = objects.get(target.location) if target is not None else None
    key = key_type(obj.leaf) if obj is not None and obj.leaf is not None else None
    if key is None:
        return  # no certificate, unknown content or a key type the page does not cover
    suites = policy.cipher_suites
    if sku is not None and sku.generation == 2:
        suites = suites - V2_UNUSED_DHE_SUITES  # "won't be used ... with clients" on v2
    if any(suite_key_type(s) == key for s in suites):
        return
    tls13 = any(suite_key_type(s) == "any" for s in suites)
    older = policy.protocols is None or any(p != "TLSv1_3" for p in policy.protocols)
    if not older:
        return  # TLS 1.3 only: its suites fit any key
    text = f"{listener.location} has an {key} certificate, but {policy.label} enables no {key} "
    text += "cipher suite"
    if tls13:
        text += ": TLS 1.3 clients connect, TLS 1.2 and older clients fail the handshake"
    yield finding(
        "GW015",
        text,
        certificate=obj.leaf if obj is not None else None,
        location=listener.location,
        severity=Severity.WARNING if tls13 else None,
    )


def _capital(label: str) -> str:
    """A label to start a message: "the ..." capitalised, a location as it is."""
    return "The" + label[3:] if label.startswith("the ") else label


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _names(value: object) -> frozenset[str] | None:
    """A list of names (suites, protocols), upper-cased; None when it is not one or holds
    an unknown item (an expression)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return frozenset(v.strip().upper() for v in value if isinstance(v, str))
