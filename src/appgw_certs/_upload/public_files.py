"""The two slots that take one public certificate as a ``.cer``: the v1
authentication certificate (the backend's own leaf) and the v2 trusted root
(the root CA of the backend's chain).

"Well known" (ROOT005) means in Mozilla's root store via certifi unless the
caller gives another store: Azure does not publish its list (asked in
https://github.com/MicrosoftDocs/azure-docs/issues/102116, unanswered).

    >>> check_trusted_root(checker, root_cer_bytes)
    >>> [note.code for note in checker.notes]
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Protocol

from cryptography import x509

from .._findings.report import Severity
from .._formats.bundle import CERT_LABELS, KEY_LABELS, Bundle
from .._x509.links import is_own_issuer, missing_issuer_text
from .._x509.names import is_ca, subject_text
from .checker import Checker

if TYPE_CHECKING:
    from .._x509.trust import TrustStore

__all__ = ["check_authentication", "check_trusted_root"]


def _extra_content(c: Checker, code: str, bundle: Bundle, cert: x509.Certificate) -> None:
    """``code`` for anything in a .cer besides its certificate blocks: the portal wants
    a "Base-64 encoded X.509 (.CER)" file
    (https://learn.microsoft.com/azure/application-gateway/certificates-for-backend-authentication);
    text around the block has been answered "Invalid data in .cer file"
    (https://github.com/MicrosoftDocs/azure-docs/issues/69393); and the az CLI
    base64-encodes whatever the file holds, so base64 text is encoded twice
    (``read_base_64_file`` in azure-cli's ``network/_validators.py``)."""
    others = [
        label for label in bundle.pem_labels if label not in CERT_LABELS and label not in KEY_LABELS
    ]
    if bundle.pem_extra_text:
        c.add(
            code,
            'text outside the BEGIN/END CERTIFICATE lines (e.g. "Bag Attributes" '
            'from openssl); the portal has answered "Invalid data in .cer file"',
            certificate=cert,
        )
    if others:
        c.add(code, f"PEM blocks that are not certificates: {', '.join(others)}", certificate=cert)
    if bundle.base64_wrapped:
        c.add(
            code,
            "bare base64 text without BEGIN/END lines: the az CLI encodes the file "
            "again; upload PEM or DER",
            certificate=cert,
        )


def _one_certificate(
    c: Checker, data: bytes, key_code: str, several_code: str, advice: str
) -> Bundle | None:
    """The file of a slot that takes one certificate: ``key_code`` for a private key,
    ``several_code`` (with ``advice``) when it holds more than one certificate."""
    bundle = c.bundle(data, key_code)
    if bundle is not None and len(bundle.certificates) > 1:
        count = len(bundle.certificates)
        c.add(several_code, f"{count} certificates; {advice}", certificate=bundle.certificates[0])
    return bundle


# -- authentication (v1) -------------------------------------------------------------


def check_authentication(c: Checker, data: bytes) -> None:
    bundle = _one_certificate(
        c, data, "AUTH001", "AUTH003", "v1 matches the backend's leaf exactly, upload it alone"
    )
    if bundle is None:
        return
    certs = bundle.certificates
    first = certs[0]
    if is_ca(first) and any(not is_ca(cert) for cert in certs[1:]):
        # The leaf is there, after a CA: that only the first certificate counts is not
        # documented (AUTH003 already says to upload the leaf alone), so a warning.
        c.add(
            "AUTH002",
            "the first certificate is a CA (CA:TRUE) and the backend's leaf comes later: "
            "v1 allow-lists the backend's own leaf, and which certificate of a file it "
            "takes is not documented",
            certificate=first,
            severity=Severity.WARNING,
        )
    elif is_ca(first):
        c.add(
            "AUTH002",
            "a CA certificate (CA:TRUE): v1 allow-lists the backend's own leaf "
            "certificate, not its CA",
            certificate=first,
        )
    _extra_content(c, "AUTH005", bundle, first)
    if bundle.format == "der" and not bundle.base64_wrapped:
        c.add(
            "AUTH004",
            "DER binary; the portal expects a Base-64 encoded X.509 (.CER)",
            certificate=first,
        )
    c.certificates(certs)


# -- trusted root (v2) ---------------------------------------------------------------


def check_trusted_root(c: Checker, data: bytes) -> None:
    """ROOT002 when the file holds no root at all (a documented error: v2 matches the
    backend chain's root against the uploaded ones); ROOT002 as a warning when a root
    is there but not first: which certificate of a bundle Azure takes is not
    documented (nor whether it reads more than one, ROOT004)."""
    bundle = _one_certificate(
        c,
        data,
        "ROOT001",
        "ROOT004",
        "upload the root alone (whether Azure uses every certificate of a bundle is unconfirmed)",
    )
    if bundle is None:
        return
    certs = bundle.certificates
    # A root names itself as issuer; its own signature is not relied on.
    roots = [cert for cert in certs if is_own_issuer(cert)]
    if not roots:
        c.add(
            "ROOT002",
            f"issued by {missing_issuer_text(certs[0])}: an intermediate or leaf, not "
            "the root of the backend's chain",
            certificate=certs[0],
        )
    elif roots[0] is not certs[0]:
        # That only the first certificate counts is not documented: a warning.
        c.add(
            "ROOT002",
            f"the root {subject_text(roots[0])!r} is certificate #{certs.index(roots[0]) + 1}; "
            f"the first is {subject_text(certs[0])!r}, issued by {missing_issuer_text(certs[0])}"
            " (which certificate of a file Azure takes is not documented)",
            certificate=roots[0],
            severity=Severity.WARNING,
        )
    root = roots[0] if roots else certs[0]
    if roots and not is_ca(root):
        c.add(
            "ROOT003",
            'self-signed without CA:TRUE; backend health will say "The '
            "Intermediate certificate is missing from the certificate chain presented by the "
            'backend server"',
            certificate=root,
        )
    _well_known(c, certs)
    _extra_content(c, "ROOT006", bundle, certs[0])
    c.certificates(certs)


def _well_known(c: Checker, certs: list[x509.Certificate]) -> None:
    store = c.context.store
    anchor = _well_known_root()(certs, store=store)
    if anchor is None:
        return
    if store is not None:
        where = "a CA of the trust store given to the audit"
    else:
        from .._x509.trust import APPROXIMATION_NOTE  # deferred with the module, see below

        where = f"a well-known CA ({APPROXIMATION_NOTE})"
    c.add("ROOT005", f"chains to {subject_text(anchor)!r}, {where}", certificate=certs[0])


class _WellKnownRoot(Protocol):
    def __call__(
        self, source: list[x509.Certificate], *, store: TrustStore | None = None
    ) -> x509.Certificate | None: ...


@cache
def _well_known_root() -> _WellKnownRoot:
    # Deferred to the first trusted root: importing the trust module loads the chain
    # walker and the store's reader, which `appgw-certs --help` need not. Held here
    # so that later trusted roots skip the import statement.
    from .._x509.trust import well_known_root

    return well_known_root
