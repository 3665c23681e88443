"""Rule codes of the slots that take only public certificates: the v1 authentication
certificate (AUTH), the v2 trusted root (ROOT) and the trusted client CA of mutual TLS (CCA).

A private key in any of them is an error by this library's policy, whatever Azure
does: it would expose the key to everyone who can read the gateway's configuration.
"""

from __future__ import annotations

from . import seen
from . import sources as src
from .report import Severity
from .rule import Evidence, Rule

__all__ = ["AUTHENTICATION", "TRUSTED_CLIENT_CA", "TRUSTED_ROOT"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741
DOCUMENTED, INFERRED, UNCONFIRMED = Evidence.DOCUMENTED, Evidence.INFERRED, Evidence.UNCONFIRMED

AUTHENTICATION = (
    Rule(
        code="AUTH001",
        severity=E,
        scope="authentication",
        title="The authentication certificate file holds a private key",
        hint="Upload only the backend's public certificate: `appgw-certs extract auth IN -o "
        "out.cer` (`extract_authentication_cert`). Never upload a key where none is wanted.",
        source=src.EXPORT_AUTHENTICATION,
        summary='The authentication certificate is the public key, exported with "No, do not '
        'export the private key".',
        evidence=DOCUMENTED,
    ),
    Rule(
        code="AUTH002",
        severity=E,
        scope="authentication",
        title="A CA / root certificate, not the backend's leaf",
        hint="v1 allow-lists the backend's own leaf: `appgw-certs extract auth chain.pem -o "
        "leaf.cer` (`extract_authentication_cert`).",
        source=src.END_TO_END_V1,
        summary="v1 needs an exact match of the backend server's certificate, not of its root "
        "certificate.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="AUTH003",
        severity=W,
        scope="authentication",
        title="More than one certificate in the file",
        hint="Upload the backend's leaf alone: `appgw-certs extract auth IN -o leaf.cer` "
        "(`extract_authentication_cert`).",
        source=src.END_TO_END_V1,
        summary="v1 matches the backend's own certificate exactly; a file of several "
        "certificates is not described.",
        evidence=INFERRED,
    ),
    Rule(
        code="AUTH004",
        severity=I,
        scope="authentication",
        title="DER binary; the portal expects Base-64 (.cer)",
        hint="Convert it: `appgw-certs convert in.der out.cer --to cer` (`to_cer(data)`).",
        source=src.EXPORT_AUTHENTICATION,
        summary="The authentication certificate is exported in Base-64 encoded X.509 (.CER) "
        "format.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="AUTH005",
        severity=W,
        scope="authentication",
        title="Text around the PEM block or other non-certificate content",
        hint="Keep only the BEGIN/END CERTIFICATE block: `appgw-certs extract auth IN -o "
        "leaf.cer` (`extract_authentication_cert`).",
        source=src.EXPORT_AUTHENTICATION,
        summary="Editors can add unintended formatting to the exported .CER text, which "
        "creates problems on upload.",
        evidence=DOCUMENTED,
    ),
)

TRUSTED_ROOT = (
    Rule(
        code="ROOT001",
        severity=E,
        scope="trusted-root",
        title="The trusted root file holds a private key",
        hint="Upload only the root's public certificate: `appgw-certs extract root IN -o "
        "root.cer` (`extract_trusted_root`). Never upload a key where none is wanted.",
        source=src.EXPORT_TRUSTED_ROOT,
        summary="The trusted root is the root's public certificate, exported without its key "
        "as Base-64 .CER.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="ROOT002",
        severity=E,
        scope="trusted-root",
        title="No root in the file: an intermediate or leaf, not self-signed",
        hint="Upload the root CA at the top of the backend's chain: `appgw-certs extract root "
        "chain.pem -o root.cer` (`extract_trusted_root`).",
        source=src.END_TO_END_V2,
        summary="v2 talks only to backends whose certificate's root matches one of the "
        "uploaded trusted root certificates.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="ROOT003",
        severity=E,
        scope="trusted-root",
        title="Self-signed but not a CA (no CA:TRUE)",
        hint='Backend health will say "The Intermediate certificate is missing". Issue the '
        "backend's certificate from a private root CA (`build_test_chain`) and upload that root.",
        source=src.HEALTH_NO_INTERMEDIATE,
        summary="A self-signed certificate that is not a Certificate Authority gives the "
        '"Intermediate certificate is missing" error.',
        evidence=DOCUMENTED,
        seen_as=(seen.INTERMEDIATE_MISSING,),
    ),
    Rule(
        code="ROOT004",
        severity=W,
        scope="trusted-root",
        title="More than one certificate in the file",
        hint="Upload one root per trusted root object: `appgw-certs extract root IN -o "
        "root.cer` (`extract_trusted_root`).",
        source=src.EXPORT_TRUSTED_ROOT,
        summary="The steps export one root certificate per file; whether Azure reads a bundle "
        "of several is not documented.",
        evidence=UNCONFIRMED,
    ),
    Rule(
        code="ROOT005",
        severity=I,
        scope="trusted-root",
        title='A well-known CA: "Use well known CA certificate" would do instead',
        hint='Set "Use well known CA certificate" to Yes on the backend setting and skip the '
        "upload. Approximation: Azure's store is undocumented; Mozilla's (certifi) is used.",
        source=src.SETTINGS_TRUSTED_ROOT,
        summary="A backend certificate from a public CA needs no upload: the default store "
        "holds popular CA certificates (list not published).",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="ROOT006",
        severity=W,
        scope="trusted-root",
        title="Text around the PEM block(s) or other non-certificate "
        'content ("Invalid data in .cer file")',
        hint="Keep only the BEGIN/END CERTIFICATE block: `appgw-certs convert in.cer out.cer "
        "--to cer` (`to_cer`).",
        source=src.ISSUE_INVALID_CER,
        summary='The portal answered "Invalid data in .cer file" for a .cer made with openssl; '
        "the cause was never documented.",
        evidence=Evidence.PUBLIC_ISSUE,
        seen_as=(seen.INVALID_CER,),
    ),
)


def _client_ca(*, code: str, azure_code: str, title: str, hint: str, summary: str) -> Rule:
    """A trusted client CA rule Azure answers with its own error code, documented per code."""
    return Rule(
        code=code,
        severity=E,
        scope="trusted-client-ca",
        title=f"{title} ({azure_code})",
        hint=hint,
        source=src.mtls_error_code(azure_code),
        summary=summary,
        evidence=DOCUMENTED,
        azure_code=azure_code,
    )


TRUSTED_CLIENT_CA = (
    _client_ca(
        code="CCA001",
        azure_code="ApplicationGatewayTrustedClientCertificateMustSpecifyData",
        title="Empty data",
        hint="Upload a PEM file holding the root CA and any intermediates.",
        summary="Certificate data is missing: the uploaded file could have been empty.",
    ),
    _client_ca(
        code="CCA002",
        azure_code="ApplicationGatewayTrustedClientCertificateMustNotHavePrivateKey",
        title="Holds a private key",
        hint="Upload only the CA certificates, PEM: `appgw-certs convert in.pfx ca.cer "
        "--include-chain` (`pfx_to_cer(..., include_chain=True)`), or delete the PRIVATE KEY "
        "block.",
        summary="There shouldn't be a private key in the certificate chain.",
    ),
    _client_ca(
        code="CCA003",
        azure_code="ApplicationGatewayTrustedClientCertificateInvalidData",
        title="Not PEM-delimited certificates",
        hint="Upload PEM (Base-64 .cer) with each certificate between BEGIN/END CERTIFICATE "
        "lines: `appgw-certs convert IN out.cer --to cer` (`to_cer`).",
        summary="The chain must be PEM with each certificate delimited; delimiters without "
        "certificate data fail too.",
    ),
    _client_ca(
        code="CCA004",
        azure_code="ApplicationGatewayTrustedClientCertificateDoesNotContainAnyCACertificate",
        title="No CA certificate",
        hint="Upload the CA that issued the client certificates (CA:TRUE), not a client "
        "certificate.",
        summary="A file with only a leaf and no CA certificate (basic constraints CA) is refused.",
    ),
    _client_ca(
        code="CCA005",
        azure_code="ApplicationGatewayOnlyOneRootCAAllowedInTrustedClientCertificate",
        title="Not exactly one root CA",
        hint="Put one root CA (with its intermediates) in each file; upload other chains as "
        "separate trusted client CA objects.",
        summary="The upload must contain exactly one root CA certificate, plus any intermediates.",
    ),
    Rule(
        code="CCA006",
        severity=E,
        scope="trusted-client-ca",
        title="File over 25 KB",
        hint="Drop certificates the clients do not chain to; split chains into separate objects.",
        source=src.MTLS_UPLOAD,
        summary="The maximum size of each uploaded trusted client CA file is 25 KB.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="CCA007",
        severity=W,
        scope="trusted-client-ca",
        title="More than one chain in the file",
        hint="With the issuer DN check on, only clients of the extracted DN pass: upload one "
        "chain per object.",
        source=src.MTLS_ISSUER_DN,
        summary="Upload one certificate chain per file, above all with the client certificate "
        "issuer DN check on.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="CCA008",
        severity=W,
        scope="trusted-client-ca",
        title="An intermediate does not chain to the file's root",
        hint="Remove it, or add the root it chains to as a separate trusted client CA object.",
        source=src.MTLS_UPLOAD,
        summary="A file holds one root and that root's intermediates; an intermediate of "
        "another root is not described.",
        evidence=INFERRED,
    ),
    Rule(
        code="CCA009",
        severity=I,
        scope="trusted-client-ca",
        title="A leaf certificate is included; the gateway ignores it",
        hint="Remove the leaf to keep the file to CA certificates.",
        source=src.mtls_error_code(
            "ApplicationGatewayTrustedClientCertificateDoesNotContainAnyCACertificate"
        ),
        summary="A leaf uploaded next to CA certificates is acceptable: the leaf is ignored.",
        evidence=DOCUMENTED,
    ),
)
