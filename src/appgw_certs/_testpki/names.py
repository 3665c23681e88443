"""Names in a test certificate: host names checked and turned into SAN entries, subjects,
and the length limits RFC 5280 sets (checked before any key is generated).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from cryptography import x509
from cryptography.x509.oid import NameOID

from .._errors import InvalidArgumentError
from .._formats.inputs import checked_text

__all__ = [
    "MAX_NAME",
    "check_text",
    "client_san",
    "common_name_for",
    "general_names",
    "subject_name",
]

MAX_NAME = 64  # ub-common-name and ub-organization-name (RFC 5280)
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9.-]+)")


def subject_name(common_name: str, organization: str) -> x509.Name:
    """``O=organization, CN=common_name``."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def common_name_for(names: list[x509.GeneralName]) -> str:
    """The first SAN entry as text (canonical for IPs), cut to the 64 characters CN allows."""
    return str(names[0].value)[:MAX_NAME]


def client_san(subject: x509.Name) -> x509.GeneralName:
    """A client's SAN: an rfc822Name when its CN is an e-mail address, else its subject."""
    common_name = str(subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
    match = _EMAIL.fullmatch(common_name)
    if match and _dns_problem(match.group(1)) is None:
        return x509.RFC822Name(common_name)
    return x509.DirectoryName(subject)


def check_text(argument: str, value: str) -> None:
    """``ValueError`` unless ``value`` is non-empty text that fits a CN or O."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(f"{argument}: must be a non-empty string, not {value!r}")
    if len(value) > MAX_NAME:
        raise InvalidArgumentError(
            f"{argument}: at most {MAX_NAME} characters (RFC 5280), not {len(value)}"
        )
    checked_text(value, argument)


def general_names(hostnames: Sequence[str]) -> list[x509.GeneralName]:
    """Validated SAN entries for ``hostnames``: IPs become IP SANs, duplicates go."""
    if isinstance(hostnames, str):
        hostnames = [hostnames]  # one name given bare: surely not a list of characters
    names: list[x509.GeneralName] = []
    for index, host in enumerate(hostnames):
        name = _general_name(index, host)
        if name not in names:
            names.append(name)
    if not names:
        raise InvalidArgumentError("hostnames: at least one host name is needed")
    return names


def _general_name(index: int, host: str) -> x509.GeneralName:
    if not isinstance(host, str):
        raise InvalidArgumentError(
            f"hostnames[{index}]: must be a string, not {type(host).__name__}"
        )
    if "%" not in host:  # a scoped IPv6 address cannot go into a certificate
        try:
            return x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            pass
    problem = _dns_problem(host)
    if problem:
        raise InvalidArgumentError(
            f"hostnames[{index}]: {host[:80]!r} is not a valid host name: {problem}"
        )
    return x509.DNSName(host.lower())


def _dns_problem(host: str) -> str | None:
    """Why ``host`` is not a DNS name (wildcard allowed leftmost), or None."""
    if len(host) > 253:
        return f"{len(host)} characters, a DNS name has at most 253"
    labels = host.split(".")
    for position, label in enumerate(labels):
        if label == "*" and position == 0:
            if len(labels) < 3:
                return "a wildcard needs at least two labels after it (*.contoso.com)"
            continue
        if not label:
            return "empty label (two dots in a row, or a leading or trailing dot)"
        if len(label) > 63:
            return f"label of {len(label)} characters, at most 63 are allowed"
        if not _LABEL.fullmatch(label):
            return (
                f"label {label[:63]!r} may hold only ASCII letters, digits and inner hyphens"
                " (use the xn-- form for international names; '*' only as the whole first label)"
            )
    if labels[-1].isdigit():
        return "the last label is all digits (neither a DNS name nor an IP address)"
    return None
