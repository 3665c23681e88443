"""Throw-away PKI for a gateway: a root, intermediates, server and client leaves.

:func:`build_test_chain` and :func:`build_self_signed` check every argument, then
generate fresh keys (:mod:`.keys`) and sign certificates with the profile that
:mod:`.issue` describes; :class:`.credential.Credential` writes them out as files.
Key generation is nearly all of the cost. Nothing is cached across calls: every
chain is fresh.
"""

from __future__ import annotations

import secrets
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .._errors import InvalidArgumentError
from .credential import Credential, certificate_bytes
from .existing import check_existing_ca
from .issue import ca_extensions, issue, leaf_extensions, server_extensions, validity
from .keys import KeyType, parse_key_type
from .names import check_text, client_san, common_name_for, general_names, subject_name
from .pictures import ROOT_ROLES, SERVER_ROLES, credentials_svg

__all__ = ["Credential", "KeyType", "TestChain", "build_self_signed", "build_test_chain"]

#: The most intermediates :func:`build_test_chain` builds (real chains have 0-3).
MAX_INTERMEDIATES = 5
#: Organization of :func:`build_self_signed` certificates.
SELF_SIGNED_ORGANIZATION = "appgw-certs test"


@dataclass(frozen=True)
class TestChain:
    """A root, its intermediates (root-most first) and a server leaf, with their keys.

    >>> chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    >>> chain.issuer is chain.intermediates[-1]
    True
    """

    __test__ = False  # a library class, not a pytest test class

    root: Credential
    intermediates: tuple[Credential, ...]
    server: Credential
    #: .. versionadded:: 0.2
    #:
    #: Built on an existing intermediate CA (``build_test_chain(ca=..., ca_chain=...)``):
    #: that CA's issuers up to its root, leaf-nearest first, without keys; ``root`` is
    #: then that CA. Empty otherwise.
    ca_chain: tuple[x509.Certificate, ...] = ()

    @property
    def issuer(self) -> Credential:
        """The CA that signs leaves: the last intermediate, else the root."""
        return self.intermediates[-1] if self.intermediates else self.root

    def issue_server(
        self,
        hostnames: Sequence[str],
        *,
        key_type: KeyType | str | None = None,
        valid_days: int = 365,
        not_before: datetime | None = None,
    ) -> Credential:
        """Another server leaf signed by :attr:`issuer` (key type defaults to the issuer's).

        >>> api = chain.issue_server(["api.contoso.com", "10.0.0.4"])
        """
        names = general_names(hostnames)
        kind = self._key_type(key_type)
        window = validity(valid_days, not_before)
        subject = subject_name(common_name_for(names), self._organization())
        return issue(subject, kind.generate(), self.issuer, server_extensions(kind, names), window)

    def issue_client(
        self,
        common_name: str,
        *,
        key_type: KeyType | str | None = None,
        valid_days: int = 365,
        not_before: datetime | None = None,
    ) -> Credential:
        """A client leaf (clientAuth) signed by :attr:`issuer`, for mutual TLS.

        Its SAN is an rfc822Name when ``common_name`` is an e-mail address,
        else a directoryName equal to the subject.

        >>> alice = chain.issue_client("alice@contoso.com")
        """
        check_text("common_name", common_name)
        kind = self._key_type(key_type)
        window = validity(valid_days, not_before)
        subject = subject_name(common_name, self._organization())
        extensions = leaf_extensions(kind, ExtendedKeyUsageOID.CLIENT_AUTH, [client_san(subject)])
        return issue(subject, kind.generate(), self.issuer, extensions, window)

    def listener_pfx(
        self,
        password: str | bytes | None,
        *,
        profile: Literal["compatible", "modern"] = "compatible",
    ) -> bytes:
        """The listener upload: server key, server, intermediates (leaf-nearest first), root.

        >>> pfx = chain.listener_pfx("Passw0rd")
        """
        return self.server.pfx(password, chain=self.issuer_chain(), profile=profile)

    def backend_chain_pem(self) -> bytes:
        """What a backend presents: the server leaf, then intermediates, leaf-nearest first.

        >>> chain.backend_chain_pem().count(b"BEGIN CERTIFICATE")
        2
        """
        presented = [c.certificate for c in (self.server, *reversed(self.intermediates))]
        if self.ca_chain:  # ``root`` is an intermediate CA: everything up to the real root
            presented += [self.root.certificate, *self.ca_chain[:-1]]
        return _pem(presented)

    def trusted_root_cer(self, encoding: Literal["base64", "der"] = "base64") -> bytes:
        """The v2 trusted root upload: the root certificate alone."""
        if self.ca_chain:
            return certificate_bytes(self.ca_chain[-1], encoding)
        return self.root.cer(encoding)

    def authentication_cer(self, encoding: Literal["base64", "der"] = "base64") -> bytes:
        """The v1 authentication certificate upload: the server leaf alone."""
        return self.server.cer(encoding)

    def client_ca_cer(self) -> bytes:
        """The mutual-TLS client CA upload: intermediates (leaf-nearest first), then the root.

        One PEM file, in the order of Azure's example (``type intermediateCA.cer
        rootCA.cer > combined.cer``).

        >>> chain.client_ca_cer().count(b"BEGIN CERTIFICATE")
        2
        """
        return _pem(self.issuer_chain())

    def issuer_chain(self) -> list[x509.Certificate]:
        """The CAs above a leaf, leaf-nearest first, up to the root: what a PFX carries.

        .. versionadded:: 0.2
        """
        cas = [c.certificate for c in (*reversed(self.intermediates), self.root)]
        return [*cas, *self.ca_chain]

    def _repr_html_(self) -> str:
        """The chain as a diagram in Jupyter: root at the top, each box with its role.

        .. versionadded:: 0.2
        """
        # Built on an existing CA, ``root`` is that CA and ``ca_chain`` leads up to the real root.
        above: list[tuple[Credential | x509.Certificate, tuple[str, ...]]] = [
            (c, ROOT_ROLES if i == 0 else ("intermediate",))
            for i, c in enumerate(reversed(self.ca_chain))
        ]
        top_roles = ("intermediate",) if self.ca_chain else ROOT_ROLES
        chain = [
            *above,
            (self.root, top_roles),
            *((i, ("intermediate",)) for i in self.intermediates),
        ]
        return credentials_svg([*chain, (self.server, SERVER_ROLES)])

    def configure_trust(self, ssl_context: ssl.SSLContext) -> None:
        """Make ``ssl_context`` trust this chain's root (and nothing more is changed).

        A client context so configured accepts :attr:`server` (sent with its
        intermediates, as :meth:`configure_cert` does); a server context so
        configured accepts this chain's client certificates. As trustme's
        ``CA.configure_trust``.

        >>> context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        >>> chain.configure_trust(context)

        .. versionadded:: 0.2.0
        """
        _check_context(ssl_context)
        ssl_context.load_verify_locations(cadata=self.trusted_root_cer().decode("ascii"))

    def configure_cert(self, ssl_context: ssl.SSLContext) -> None:
        """Make ``ssl_context`` present :attr:`server`, its intermediates and its key.

        What a backend presents (:meth:`backend_chain_pem`); the key goes through
        a 0600 temporary file that is removed before this returns. As trustme's
        ``LeafCert.configure_cert``.

        >>> server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        >>> chain.configure_cert(server_context)

        .. versionadded:: 0.2.0
        """
        _check_context(ssl_context)
        with self.server.pem_tempfile(chain=self.issuer_chain()[:-1]) as path:
            ssl_context.load_cert_chain(path)

    def _key_type(self, key_type: KeyType | str | None) -> KeyType:
        if key_type is None:
            return KeyType.of(self.issuer.private_key)
        return parse_key_type(key_type)

    def _organization(self) -> str:
        attributes = self.issuer.certificate.subject.get_attributes_for_oid(
            NameOID.ORGANIZATION_NAME
        )
        value = attributes[0].value if attributes else SELF_SIGNED_ORGANIZATION
        return value if isinstance(value, str) else value.decode("utf-8", "replace")


def build_test_chain(
    hostnames: Sequence[str] = ("www.contoso.com",),
    *,
    intermediates: int = 1,
    key_type: KeyType | str = KeyType.RSA_2048,
    valid_days: int = 365,
    not_before: datetime | None = None,
    organization: str = "appgw-certs test",
    ca: Credential | None = None,
    ca_chain: Sequence[x509.Certificate] = (),
) -> TestChain:
    """A fresh root, ``intermediates`` intermediate CAs and a server leaf for ``hostnames``.

    Host names may be DNS names, wildcards (``*.contoso.com``) or IP addresses
    (which become IP SANs); the first one is the leaf's common name. Every
    certificate is valid from ``not_before`` (default: an hour ago) for
    ``valid_days`` days, so expired or not-yet-valid chains are one argument away.

    >>> chain = build_test_chain(["www.contoso.com", "*.contoso.com", "10.0.0.4"],
    ...                          intermediates=2, key_type=KeyType.EC_P256)
    >>> pem = chain.backend_chain_pem()

    ``ca`` issues from an existing CA instead of a fresh root (as ``step`` or
    ``mkcert`` do): the chain's ``root`` is then ``ca``, the ``intermediates``
    are new CAs below it (pass ``intermediates=0`` for leaves issued by ``ca``
    itself), and ``ca_chain`` holds ``ca``'s own issuers up to its root when ``ca``
    is an intermediate CA. :class:`InvalidArgumentError` (a ``ValueError``) when
    the key does not match the certificate, the certificate is not a CA (or may
    not sign ``intermediates`` more CAs), or ``ca_chain`` does not lead from
    ``ca`` to a root.

    >>> mine = build_test_chain(["www.contoso.com"], ca=my_ca, intermediates=0)

    .. versionadded:: 0.2
       ``ca`` and ``ca_chain``.
    """
    names = general_names(hostnames)
    _check_intermediates(intermediates)
    check_text("organization", organization)
    kind = parse_key_type(key_type)
    window = validity(valid_days, not_before)
    tag = secrets.token_hex(4)  # tells CAs of different chains apart
    above: tuple[x509.Certificate, ...] = ()
    if ca is None:
        ca = issue(
            subject_name(f"Test Root CA {tag}", organization),
            kind.generate(),
            None,
            ca_extensions(intermediates),
            window,
        )
    else:
        above = check_existing_ca(ca, ca_chain, intermediates)
    root, cas = ca, []
    for index in range(intermediates):
        ca = issue(
            subject_name(f"Test Intermediate CA {index + 1} {tag}", organization),
            kind.generate(),
            ca,
            ca_extensions(intermediates - index - 1),
            window,
        )
        cas.append(ca)
    subject = subject_name(common_name_for(names), organization)
    server = issue(subject, kind.generate(), ca, server_extensions(kind, names), window)
    return TestChain(root, tuple(cas), server, above)


def build_self_signed(
    hostnames: Sequence[str],
    *,
    ca: bool = False,
    key_type: KeyType | str = KeyType.RSA_2048,
    valid_days: int = 365,
    not_before: datetime | None = None,
) -> Credential:
    """A self-signed server certificate for ``hostnames``.

    ``ca=False`` gives a plain leaf (CA:FALSE): Azure v2 rejects it as a trusted
    root, which is what a negative test wants. ``ca=True`` gives a certificate
    that is both a CA (CA:TRUE, pathlen 0, keyCertSign) and a server leaf, so it
    can be the backend's certificate and its own v2 trusted root.

    >>> backend = build_self_signed(["backend.contoso.com"], ca=True)
    """
    names = general_names(hostnames)
    kind = parse_key_type(key_type)
    window = validity(valid_days, not_before)
    extensions = leaf_extensions(kind, ExtendedKeyUsageOID.SERVER_AUTH, names, ca=ca)
    subject = subject_name(common_name_for(names), SELF_SIGNED_ORGANIZATION)
    return issue(subject, kind.generate(), None, extensions, window)


def _check_context(ssl_context: object) -> None:
    if not isinstance(ssl_context, ssl.SSLContext):
        raise TypeError(f"ssl_context: must be an ssl.SSLContext, not {type(ssl_context).__name__}")


def _check_intermediates(intermediates: int) -> None:
    if isinstance(intermediates, bool) or not isinstance(intermediates, int):
        raise InvalidArgumentError(
            f"intermediates: must be an int, not {type(intermediates).__name__}"
        )
    if not 0 <= intermediates <= MAX_INTERMEDIATES:
        raise InvalidArgumentError(
            f"intermediates: must be between 0 and {MAX_INTERMEDIATES}, not {intermediates}"
        )


def _pem(certificates: Sequence[x509.Certificate]) -> bytes:
    return b"".join(certificate_bytes(c) for c in certificates)
