"""A thousand certificates sharing one name: every verb and function that walks chains.

1,000 self-signed CAs with one name and no key identifiers (441 KB, under every
limit) took 75 s in ``appgw-certs extract root`` and 236 s in ``check
trusted-client-ca``: each CA was signature-checked against every other. Here
each verb and public function that walks chains is run on such crowds, cold
(remembered checks forgotten), and must stay under two CPU seconds; where the
answer is unique (the CA that really issued a leaf) it must still be found.

Crowds (EC P-256, generated here): one key for all or a key each, with and
without key identifiers, with a leaf issued by one of them; and 1,000 that a
key outside the set signed, where no key in the set verifies anything and the
search runs out of signature checks (it must say so, and stop).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from appgw_certs import (
    AppGwCertError,
    ChainError,
    Slot,
    TrustStore,
    audit_gateway,
    check_backend,
    check_client,
    check_upload,
    client_issuer_dn,
    describe,
    extract_authentication_cert,
    extract_trusted_root,
    find_root,
    order_chain,
    to_cer,
)
from appgw_certs._cli.main import main
from appgw_certs._x509.graph import issued_none, path_up
from appgw_certs._x509.links import forget_links
from appgw_certs._x509.signatures import (
    SIGNATURE_CHECKS_PER_CERTIFICATE,
    recording_capped_searches,
)
from appgw_certs._x509.trust import forget_anchors
from appgw_certs._x509.walk import End, walk_to_anchor
from helpers.gateway import GatewayBuilder

CROWD = 1000  # the most certificates one PEM bundle may hold
CPU_SECONDS = 2.0
HOST = "www.contoso.com"
NOW = datetime.now(UTC).replace(microsecond=0)
SAME_NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Contoso"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Contoso Same Name CA"),
    ]
)


@dataclass
class Crowd:
    """CAs sharing one name; with a leaf issued by one of them (``issuer``), when made so."""

    cas: list[x509.Certificate]
    leaf: x509.Certificate | None = None
    issuer: x509.Certificate | None = None
    written: dict[tuple[int, int], bytes] = field(default_factory=dict)

    @property
    def bundle(self) -> list[x509.Certificate]:
        """The leaf (if any) and CAs, at most a bundle's worth, the leaf's issuer among them."""
        if self.leaf is None:
            return self.cas
        return [self.leaf, *self.cas[: CROWD - 1]]

    def pem(self, certs: list[x509.Certificate] | None = None) -> bytes:
        """The bundle as PEM, or ``certs``; written once for each list asked."""
        chosen = self.bundle if certs is None else certs
        key = (id(chosen), len(chosen))
        if key not in self.written:
            self.written[key] = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chosen)
        return self.written[key]


def _signed(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    signer: ec.EllipticCurvePrivateKey,
    serial: int,
    *,
    ca: bool,
    key_ids: bool,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(SAME_NAME)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        usage = x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False,
        )  # fmt: skip
        builder = builder.add_extension(usage, critical=True)
    else:
        names = x509.SubjectAlternativeName([x509.DNSName(HOST)])
        builder = builder.add_extension(names, critical=False)
    if key_ids:
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key())
        builder = builder.add_extension(ski, critical=False)
        builder = builder.add_extension(aki, critical=False)
    return builder.sign(signer, hashes.SHA256())


@cache
def crowd(kind: str) -> Crowd:
    """``shared``/``distinct`` keys, ``-ids`` with key identifiers, ``-leaf`` with a leaf;
    ``outsider``: distinct keys, no identifiers, all signed by a key outside the set;
    ``-p521``: P-521 keys, about five times as slow to verify with as P-256."""
    curve = ec.SECP521R1() if kind.endswith("-p521") else ec.SECP256R1()
    shared_key = ec.generate_private_key(curve) if kind.startswith("shared") else None
    outsider = ec.generate_private_key(curve) if kind.startswith("outsider") else None
    key_ids = "-ids" in kind
    keys, cas = [], []
    for serial in range(1, CROWD + 1):
        key = shared_key or ec.generate_private_key(curve)
        keys.append(key)
        cas.append(_signed(SAME_NAME, key, outsider or key, serial, ca=True, key_ids=key_ids))
    made = Crowd(cas)
    if kind.endswith("-leaf"):
        middle = CROWD // 2  # the issuer: somewhere in the middle of the bundle
        leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
        leaf_key = ec.generate_private_key(ec.SECP256R1())
        made.leaf = _signed(leaf_name, leaf_key, keys[middle], 0x1EAF, ca=False, key_ids=key_ids)
        made.issuer = cas[middle]
    return made


KINDS = [
    "distinct",
    "distinct-ids",
    "shared",
    "shared-ids",
    "distinct-leaf",
    "distinct-ids-leaf",
    "shared-leaf",
    "shared-ids-leaf",
    "outsider",
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    directory = tmp_path_factory.mktemp("same-name")

    def written(kind: str) -> Path:
        path = directory / f"{kind}.pem"
        if not path.exists():
            path.write_bytes(crowd(kind).pem())
        return path

    return written


def cold_cpu(call: Callable[[], object]) -> tuple[float, object]:
    """CPU seconds of one call, with every remembered signature check forgotten first."""
    forget_links()
    forget_anchors()
    start = time.process_time()
    try:
        result = call()
    except AppGwCertError as exc:
        result = exc
    return time.process_time() - start, result


def _gateway(data: bytes) -> dict[str, object]:
    g = GatewayBuilder()
    g.add("trustedClientCertificates", "crowd", data=base64.b64encode(data).decode())
    g.add("trustedRootCertificates", "crowd", data=base64.b64encode(data).decode())
    g.add(
        "sslProfiles",
        "mtls",
        clientAuthConfiguration={"verifyClientCertIssuerDN": True},
        trustedClientCertificates=[g.ref("trustedClientCertificates", "crowd")],
    )
    return g.rest()


def _cli(*argv: str) -> int:
    return main(list(argv))


def _check(slot: str, path: Path) -> int:
    return _cli("check", slot, "--sku", "v1" if slot == "authentication" else "v2", str(path))


CALLS: dict[str, Callable[[Crowd, Path], object]] = {
    "cli extract root": lambda c, f: _cli("extract", "root", str(f)),
    "cli extract auth": lambda c, f: _cli("extract", "auth", str(f)),
    "cli check trusted-client-ca": lambda c, f: _check("trusted-client-ca", f),
    "cli check trusted-root": lambda c, f: _check("trusted-root", f),
    "cli check authentication": lambda c, f: _check("authentication", f),
    "cli inspect": lambda c, f: _cli("inspect", str(f)),
    "order_chain": lambda c, f: order_chain(c.pem()),
    "find_root": lambda c, f: find_root(c.pem()),
    "extract_trusted_root": lambda c, f: extract_trusted_root(c.pem()),
    "extract_authentication_cert": lambda c, f: extract_authentication_cert(c.pem()),
    "describe": lambda c, f: str(describe(c.pem())),
    "check_upload trusted-client-ca": lambda c, f: check_upload(
        Slot.TRUSTED_CLIENT_CA, c.pem(), sku="v2"
    ),
    "check_upload trusted-root": lambda c, f: check_upload(Slot.TRUSTED_ROOT, c.pem(), sku="v2"),
    "check_backend as presented, trusting the file": lambda c, f: check_backend(
        f, sku="v2", host_name=HOST, trusted_roots=[c.pem()]
    ),
    "check_backend against certifi": lambda c, f: check_backend(f, sku="v2", use_well_known=True),
    "check_client": lambda c, f: check_client(
        c.pem([c.leaf or c.cas[0]]), c.pem(c.cas), verify_issuer_dn=True
    ),
    "check_client presenting the file": lambda c, f: check_client(f, c.pem(c.cas[:1])),
    "client_issuer_dn": lambda c, f: client_issuer_dn(c.pem(c.cas)),
    "audit_gateway": lambda c, f: audit_gateway(_gateway(c.pem(c.cas))).to_json(),
}  # fmt: skip


SLOW_KEY_CALLS = ["order_chain", "check_upload trusted-client-ca", "cli extract root"]


@pytest.mark.parametrize(
    ("kind", "call"),
    [(kind, call) for kind in KINDS for call in sorted(CALLS)]
    # Keys dearer to verify with: the bound counts what each check costs.
    + [("outsider-p521", call) for call in SLOW_KEY_CALLS],
)
def test_every_chain_walk_stays_near_linear(
    kind: str, call: str, files: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    seconds, result = cold_cpu(lambda: CALLS[call](crowd(kind), files(kind)))
    capsys.readouterr()
    assert seconds < CPU_SECONDS, f"{call} on {CROWD} {kind}: {seconds:.2f} s of CPU"
    assert not isinstance(result, AppGwCertError) or isinstance(result, ChainError), result


# -- the answers that are unique are still found --------------------------------------------


def _holds_key(cert: x509.Certificate, of: x509.Certificate) -> bool:
    return cert.subject == of.subject and cert.public_key() == of.public_key()


@pytest.mark.parametrize("kind", [k for k in KINDS if k.endswith("-leaf")])
def test_the_issuer_of_the_leaf_is_found_among_the_crowd(kind: str) -> None:
    made = crowd(kind)
    leaf, issuer = made.leaf, made.issuer
    assert leaf is not None
    assert issuer is not None
    # With a key each, only the issuer holds the key that signed the leaf; with one
    # key for all, any of them does (each is as good an issuer as the other).
    right = issuer if kind.startswith("distinct") else None

    def is_right(found: x509.Certificate) -> bool:
        return found == right if right is not None else _holds_key(found, issuer)

    seconds, path = cold_cpu(lambda: path_up(leaf, made.cas))
    assert seconds < CPU_SECONDS
    assert isinstance(path, list)
    assert len(path) == 2
    assert is_right(path[1])
    store = TrustStore(made.cas)
    anchored = walk_to_anchor([leaf], 0, store, in_order=False)
    assert anchored.end is End.TRUSTED
    assert is_right(anchored.path[1])
    presented = walk_to_anchor(made.bundle, 0, TrustStore([]), in_order=True)
    assert presented.end is End.UNTRUSTED_ROOT
    assert is_right(presented.path[1])
    assert not presented.capped
    assert is_right(find_root([leaf], store=store))
    report = check_client(made.pem([leaf]), made.pem(made.cas))
    assert "MT002" not in report.codes, str(report)
    if right is None:  # one key for all: the bundle is one chain, the leaf first
        ordered = order_chain(made.bundle)
        assert ordered[0] == leaf
        assert is_right(ordered[1])
        assert extract_authentication_cert(made.pem()) == to_cer(leaf)
        assert is_right(x509.load_pem_x509_certificate(extract_trusted_root(made.pem())))
    else:  # a key each: the other 998 CAs are roots of nothing, chains of their own
        with pytest.raises(ChainError, match="999 unrelated chains"):
            order_chain(made.bundle)


@pytest.mark.parametrize("kind", ["distinct", "distinct-ids", "shared", "shared-ids"])
def test_who_issued_whom_among_the_crowd(kind: str) -> None:
    made = crowd(kind)
    tips = issued_none(made.cas)
    if kind.startswith("distinct"):  # each CA issued only itself: each is a chain's end
        assert tips == made.cas
        assert client_issuer_dn(made.pem(made.cas)) == SAME_NAME
        with pytest.raises(ChainError, match=f"{CROWD:,} unrelated chains"):
            order_chain(made.cas)
    else:  # one key: each CA issued every other, a loop without an end
        assert tips == []
        with pytest.raises(ChainError, match="no leaf certificate"):
            order_chain(made.cas)


# -- past the bound, the search stops and says so ---------------------------------------------


def test_a_search_that_runs_out_of_checks_stops_and_says_so() -> None:
    made = crowd("outsider")
    with recording_capped_searches() as capped:
        seconds, error = cold_cpu(lambda: order_chain(made.cas))
    assert seconds < CPU_SECONDS
    assert isinstance(error, ChainError)
    assert f"stopped at {SIGNATURE_CHECKS_PER_CERTIFICATE} signature checks" in str(error)
    # Each tries up to 999 keys: the first few spend the set's checks, the rest are cut.
    crowd_ids = {id(cert) for cert in made.cas}
    assert CROWD // 2 < len(capped) < CROWD
    assert all(id(cert) in crowd_ids for cert in capped.certificates)
