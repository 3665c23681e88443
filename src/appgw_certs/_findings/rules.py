"""The one registry of rule codes: severity, title, hint and the public page each rests on.

Every :class:`Finding` the library makes comes from :func:`finding`, which
fills severity, hint and reference from here, so a code means the same thing
everywhere. The rules themselves are written, one family of codes per module,
in ``rules_listener``, ``rules_public_slots``, ``rules_verdicts``,
``rules_gateway`` and ``rules_keyvault``; :class:`Rule` says what each field
means. The docs' rules and sources pages are generated from this module::

    python -m appgw_certs._findings.rules > docs/rules.md
    python -m appgw_certs._findings.rules sources > docs/sources.md
    python -m appgw_certs._findings.rules troubleshooting > docs/troubleshooting.md
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from cryptography import x509

from .._x509.names import subject_text
from .report import Finding, Severity
from .rule import Evidence, Rule
from .rules_gateway import GATEWAY
from .rules_keyvault import KEY_VAULT
from .rules_listener import ANY_SLOT, LISTENER
from .rules_public_slots import AUTHENTICATION, TRUSTED_CLIENT_CA, TRUSTED_ROOT
from .rules_verdicts import BACKEND, CLIENT

__all__ = [
    "RULES",
    "Evidence",
    "Rule",
    "certificate_label",
    "finding",
    "render_markdown",
    "render_sources",
    "render_troubleshooting",
]


def _registry(rules: Iterable[Rule]) -> Mapping[str, Rule]:
    registry: dict[str, Rule] = {}
    for rule in rules:
        if rule.code in registry:
            raise ValueError(f"rule code {rule.code} is defined twice")
        registry[rule.code] = rule
    return MappingProxyType(registry)


#: Every code, in documentation order.
RULES: Mapping[str, Rule] = _registry(
    (
        *ANY_SLOT,
        *LISTENER,
        *AUTHENTICATION,
        *TRUSTED_ROOT,
        *TRUSTED_CLIENT_CA,
        *BACKEND,
        *CLIENT,
        *GATEWAY,
        *KEY_VAULT,
    )
)


def certificate_label(certificate: x509.Certificate | str | None) -> str | None:
    """The RFC 4514 subject of ``certificate``, never raising for an odd certificate.

    >>> certificate_label("CN=example")
    'CN=example'
    """
    if certificate is None or isinstance(certificate, str):
        return certificate
    # subject_text never raises; an empty subject (SAN-only leaves) still needs a name.
    return subject_text(certificate) or _serial_label(certificate)


def _serial_label(certificate: x509.Certificate) -> str:
    try:
        return f"(empty subject, serial {certificate.serial_number:#x})"
    except Exception:
        return "(empty subject)"


def finding(
    code: str,
    message: str | None = None,
    *,
    certificate: x509.Certificate | str | None = None,
    hint: str | None = None,
    location: str | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding of a registered code; severity, hint and reference come from :data:`RULES`.

    ``message`` defaults to the rule's title; ``hint`` and ``severity``
    override the registry only where a rule says so (LST006 when only base64
    is over). An error of a rule with an Azure error code carries it in
    ``azure_error`` and ends its message with it; a finding lowered below
    error predicts no rejection, so it carries none.

    >>> finding("ROOT004", certificate="CN=Contoso Root").severity
    <Severity.WARNING: 'warning'>
    >>> finding("LST006").azure_error
    'ApplicationGatewaySslCertificateDataTooBig'
    """
    rule = RULES[code]
    level = severity or rule.severity
    azure = rule.azure_code if rule.azure_code and level is Severity.ERROR else None
    text = message or rule.title
    if azure and azure not in text:
        text = f"{text} ({azure})"
    return Finding(
        code=code,
        severity=level,
        message=text,
        hint=rule.hint if hint is None else hint,
        certificate=certificate_label(certificate),
        reference=rule.reference,
        location=location,
        azure_error=azure,
    )


def render_markdown() -> str:
    """The docs' rules page (``docs/rules.md``), generated from :data:`RULES`.

    >>> render_markdown().splitlines()[0]
    '# Rule codes'
    """
    from .rules_page import render_rules_page  # deferred: docs writers, not checks

    return render_rules_page(RULES.values())


def render_sources() -> str:
    """The docs' sources page (``docs/sources.md``), generated from :data:`RULES`.

    >>> render_sources().splitlines()[0]
    '# Sources'
    """
    from .rules_page import render_sources_page  # deferred: docs writers, not checks

    return render_sources_page(RULES.values())


def render_troubleshooting() -> str:
    """The docs' troubleshooting page (``docs/troubleshooting.md``), generated from :data:`RULES`.

    >>> render_troubleshooting().splitlines()[0]
    '# Troubleshooting'
    """
    # deferred: docs writers, not checks
    from .troubleshooting_page import render_troubleshooting_page

    return render_troubleshooting_page(RULES.values())


_PAGES = {
    "rules": render_markdown,
    "sources": render_sources,
    "troubleshooting": render_troubleshooting,
}


def main(argv: list[str]) -> int:
    """Print the page named by ``argv`` (``rules``, the default, ``sources`` or
    ``troubleshooting``)."""
    page = argv[0] if argv else "rules"
    if len(argv) > 1 or page not in _PAGES:
        sys.stderr.write(f"usage: python -m appgw_certs._findings.rules [{'|'.join(_PAGES)}]\n")
        return 2
    sys.stdout.write(_PAGES[page]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
