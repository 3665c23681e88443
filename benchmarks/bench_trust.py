"""Chains and well-known CAs: ours against certifi + cryptography, and absolute goals.

Goals (issue 4): ``TrustStore.certifi()`` first build, in a fresh interpreter,
within 3x of locating, reading and parsing certifi's bundle with cryptography
alone; the build itself (the store forgotten, in-process) within 2x of that
read and parse; ``is_well_known`` on a three-certificate chain at or under
50 µs median after the first call; ordering a shuffled bundle of 1,000
certificates well under a second (no quadratic signature checks).
"""

from __future__ import annotations

import random
import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from appgw_certs import TrustStore, is_well_known, order_chain
from appgw_certs._x509.links import forget_links
from appgw_certs._x509.trust import roots_from_pem
from benchmarks._harness import Comparison

BUNDLE_SIZE = 1000

OURS_FRESH = "import cryptography.x509\nfrom appgw_certs import TrustStore\nTrustStore.certifi()\n"
BARE_FRESH = (
    "import warnings, certifi, cryptography.x509 as x509\n"
    "with open(certifi.where(), 'rb') as f:\n    data = f.read()\n"
    "with warnings.catch_warnings():\n"
    "    warnings.simplefilter('ignore')\n"
    "    x509.load_pem_x509_certificates(data)\n"
)


def _fresh(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True)


def _certifi_bytes() -> bytes:
    return Path(certifi.where()).read_bytes()


def _bare_parse() -> list[x509.Certificate]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return x509.load_pem_x509_certificates(_certifi_bytes())


def _certifi_first_build() -> TrustStore:
    TrustStore._certifi = None  # forgotten: built again, as on first use in a process
    return TrustStore.certifi()


def _linear_chain(length: int, keys: int = 8) -> list[x509.Certificate]:
    """A root, ``length - 2`` intermediates and a leaf, root first.

    RSA-2048, as most real bundles are; ``keys`` keys are generated and used
    in turn (each certificate is still signed by its own issuer's key).
    """
    now = datetime.now(UTC)
    pool = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(keys)]
    certs: list[x509.Certificate] = []
    signer_key = None
    signer_name = None
    for index in range(length):
        key = pool[index % len(pool)]
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"bench CA {index}")])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(signer_name or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(
                x509.BasicConstraints(ca=index < length - 1, path_length=None), critical=True
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    (signer_key or key).public_key()
                ),
                critical=False,
            )
        )
        if index == length - 1:
            san = x509.SubjectAlternativeName([x509.DNSName("www.bench.example")])
            builder = builder.add_extension(san, critical=False)
        certs.append(builder.sign(signer_key or key, hashes.SHA256()))
        signer_key, signer_name = key, name
    return certs


def comparisons() -> list[Comparison]:
    root, middle, leaf = _linear_chain(3)
    presented = [leaf, middle, root]
    certifi_store = TrustStore.certifi()
    verifier = (
        PolicyBuilder()
        .store(Store(list(certifi_store)))
        .build_server_verifier(x509.DNSName("www.bench.example"))
    )

    def bare_verify() -> bool:
        try:
            verifier.verify(leaf, [middle, root])
        except VerificationError:
            return False
        return True

    shuffled = _linear_chain(BUNDLE_SIZE)
    random.Random(4).shuffle(shuffled)
    ders = [c.public_bytes(Encoding.DER) for c in shuffled]

    def order_cold() -> list[x509.Certificate]:
        forget_links()  # time the signature checks, not the memo
        # Fresh objects: cryptography caches parsed names on each one.
        return order_chain([x509.load_der_x509_certificate(d) for d in ders])

    return [
        Comparison(
            name="TrustStore.certifi(): first build in a fresh interpreter",
            ours=lambda: _fresh(OURS_FRESH),
            baseline=lambda: _fresh(BARE_FRESH),
            baseline_label="fresh python: certifi.where() + read + load_pem_x509_certificates",
            max_ratio=3.0,
            rounds=10,
            note="both include interpreter start-up and importing cryptography",
        ),
        Comparison(
            name="TrustStore.certifi(): first build, in-process",
            ours=_certifi_first_build,
            baseline=_bare_parse,
            baseline_label="certifi.where() + read + load_pem_x509_certificates",
            max_ratio=2.0,
            rounds=20,
            note="the store forgotten each round; anchors indexed from their DER",
        ),
        Comparison(
            name="TrustStore(certificates) of certifi's parsed roots, in-process (no goal)",
            ours=lambda: TrustStore(roots_from_pem(_certifi_bytes())),
            baseline=_bare_parse,
            baseline_label="read + load_pem_x509_certificates",
            rounds=20,
            note="informational: certificate objects, whose subject names are built to index them",
        ),
        Comparison(
            name="is_well_known: 3-certificate private chain, after the first call",
            ours=lambda: is_well_known(presented),
            baseline=bare_verify,
            baseline_label="x509.verification server verifier over certifi (built once)",
            max_seconds=50e-6,
            number=1000,
        ),
        Comparison(
            name=f"order_chain: shuffled bundle of {BUNDLE_SIZE:,} certificates (cold)",
            ours=order_cold,
            max_seconds=0.5,
            rounds=5,
            note="one chain of 1,000 RSA-2048 certificates, loaded from DER each round "
            "(included); signature memo cleared each round",
        ),
    ]
