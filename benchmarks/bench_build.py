"""Test chains: ours against trustme, bare key generation and Microsoft's openssl recipe.

- EC P-256 root + intermediate + server against trustme building the same
  (goal: within 1.3x).
- RSA-2048 root + intermediate + server against the three key generations it
  needs (goal: within 1.1x: everything but key generation is overhead).
- EC P-256 root + server against the openssl CLI commands of Microsoft's
  "Generate an Azure Application Gateway self-signed certificate with a custom
  root CA" (goal: at least 10x faster).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import trustme
from cryptography.hazmat.primitives.asymmetric import rsa

from appgw_certs import KeyType, build_test_chain
from benchmarks._harness import Comparison

# Microsoft's article, with -subj added so that no command prompts.
OPENSSL_RECIPE = [
    "ecparam -out contoso.key -name prime256v1 -genkey",
    "req -new -sha256 -key contoso.key -out contoso.csr -subj /CN=www.contoso.com",
    "x509 -req -sha256 -days 365 -in contoso.csr -signkey contoso.key -out contoso.crt",
    "ecparam -out fabrikam.key -name prime256v1 -genkey",
    "req -new -sha256 -key fabrikam.key -out fabrikam.csr -subj /CN=www.fabrikam.com",
    "x509 -req -in fabrikam.csr -CA contoso.crt -CAkey contoso.key -CAcreateserial"
    " -out fabrikam.crt -days 365 -sha256",
]


def ours_ec_chain() -> object:
    return build_test_chain(["www.contoso.com"], intermediates=1, key_type=KeyType.EC_P256)


def trustme_ec_chain() -> object:
    root = trustme.CA()  # ECDSA P-256 by default, like its leaves
    return root.create_child_ca().issue_cert("www.contoso.com")


def ours_rsa_chain() -> object:
    return build_test_chain(["www.contoso.com"], intermediates=1, key_type=KeyType.RSA_2048)


def bare_rsa_keys() -> object:
    return [rsa.generate_private_key(65537, 2048) for _ in range(3)]


def ours_root_and_server() -> object:
    return build_test_chain(["www.fabrikam.com"], intermediates=0, key_type=KeyType.EC_P256)


def openssl_recipe() -> object:
    openssl = shutil.which("openssl")
    assert openssl, "the openssl CLI is needed for this comparison"
    with tempfile.TemporaryDirectory(prefix="appgw-bench-") as workdir:
        for command in OPENSSL_RECIPE:
            subprocess.run(
                [openssl, *command.split()], cwd=workdir, check=True, capture_output=True
            )
        return Path(workdir, "fabrikam.crt").read_bytes()


def comparisons() -> list[Comparison]:
    return [
        Comparison(
            name="EC P-256 chain (root, intermediate, server)",
            ours=ours_ec_chain,
            baseline=trustme_ec_chain,
            baseline_label="trustme CA + child CA + leaf",
            max_ratio=1.3,
            number=20,
            note="ours adds validation, distinct CA names and SAN/EKU a WebPKI verifier accepts",
        ),
        Comparison(
            name="RSA-2048 chain (root, intermediate, server)",
            ours=ours_rsa_chain,
            baseline=bare_rsa_keys,
            baseline_label="3 x rsa.generate_private_key(65537, 2048)",
            max_ratio=1.1,
            rounds=40,
            number=4,
            note=(
                "RSA key generation takes a random time (prime search): 40 rounds of 4 chains"
                " each keep the noise of the ratio near 5%; signing adds about 1%"
            ),
        ),
        Comparison(
            name="EC P-256 root + server certificate",
            ours=ours_root_and_server,
            baseline=openssl_recipe,
            baseline_label="openssl CLI recipe of Microsoft's self-signed-certificates article",
            max_ratio=0.1,
            rounds=10,
            note="6 openssl processes (ecparam, req, x509 twice each)",
        ),
    ]
