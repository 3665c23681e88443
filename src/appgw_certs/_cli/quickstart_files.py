"""The files ``appgw-certs quickstart`` writes: what each one is for, its bytes, the checks
each one passes once read back from disk, and the README that explains them.

Imported by :func:`.quickstart.run` only (it loads the library), never for ``--help``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._formats.pfx import load_pfx
from .._upload.check import check_upload
from .._verdicts.backend import check_backend, check_client

if TYPE_CHECKING:
    from .._findings.report import Report
    from .._testpki.build import TestChain

__all__ = ["FILE_NAMES", "Passwords", "PkiFile", "check_files", "pki_files", "readme"]

V1, V2 = "Standard", "Standard_v2"
#: What quickstart writes; checked before any key is made (the write checks again).
FILE_NAMES = (
    "listener.pfx", "authentication.cer", "trusted-root.cer", "client-ca.cer",
    "backend-chain.pem", "backend.key", "client.pfx", "passwords.txt", "README.md",
)  # fmt: skip


@dataclass(frozen=True)
class PkiFile:
    """One file of the quickstart: its bytes, what it is for, where it goes."""

    name: str
    data: bytes
    purpose: str
    private: bool = False
    sku: str = "-"
    arm: str = "not uploaded"


@dataclass(frozen=True)
class Passwords:
    """The passwords quickstart invents (one per PFX); never in a repr."""

    listener: str
    client: str

    def __repr__(self) -> str:
        return "Passwords(<hidden>)"

    def file_text(self) -> bytes:
        return (
            "# Passwords invented by `appgw-certs quickstart`. Keep this file private (0600).\n"
            f"listener.pfx: {self.listener}\n"
            f"client.pfx: {self.client}\n"
        ).encode()


def pki_files(chain: TestChain, hostnames: list[str], backend: str, pw: Passwords) -> list[PkiFile]:
    """Every file of the quickstart, in the order the README explains them."""
    issuers = [*reversed(chain.intermediates), chain.root]
    listener = chain.issue_server(hostnames)
    client = chain.issue_client("client1@contoso.com")
    files = [
        PkiFile(
            "listener.pfx",
            listener.pfx(pw.listener, chain=issuers, friendly_name=hostnames[0]),
            f"listener certificate for {', '.join(hostnames)}: key, leaf, intermediate, root",
            private=True,
            sku="v1, v2",
            arm="`sslCertificates[].properties.data` + `.password`",
        ),
        PkiFile(
            "authentication.cer",
            chain.authentication_cer(),
            "backend authentication certificate: the backend's leaf",
            sku="v1 only",
            arm="`authenticationCertificates[].properties.data`",
        ),
        PkiFile(
            "trusted-root.cer",
            chain.trusted_root_cer(),
            "backend trusted root certificate: the root CA",
            sku="v2 only",
            arm="`trustedRootCertificates[].properties.data`",
        ),
        PkiFile(
            "client-ca.cer",
            chain.client_ca_cer(),
            "mutual TLS trusted client CA: intermediate + root in one file",
            sku="Standard_v2, WAF_v2",
            arm="`trustedClientCertificates[].properties.data`",
        ),
        PkiFile(
            "backend-chain.pem",
            chain.backend_chain_pem(),
            f"on the backend ({backend}): the chain it presents, leaf first",
        ),
        PkiFile(
            "backend.key",
            chain.server.key_pem(),
            "on the backend: its private key (unencrypted)",
            private=True,
        ),
        PkiFile(
            "client.pfx",
            client.pfx(pw.client, chain=issuers),
            "a client certificate to test mutual TLS (curl, browser)",
            private=True,
        ),
        PkiFile(
            "passwords.txt", pw.file_text(), "the passwords of the two PFX files", private=True
        ),
    ]
    text = readme(hostnames, backend, files)
    return [*files, PkiFile("README.md", text.encode(), "this guide: what goes where")]


def check_files(
    outdir: Path, hostnames: list[str], backend: str, pw: Passwords
) -> list[tuple[str, Report]]:
    """Read every written file back and check it for its slot, and the two verdicts."""

    def path(name: str) -> Path:
        return outdir / name

    client = load_pfx(path("client.pfx"), pw.client)
    presented_client = [c for c in (client.certificate, *client.chain) if c is not None]
    return [
        (
            "listener.pfx",
            check_upload(
                "listener", path("listener.pfx"), sku=V2, password=pw.listener, hostnames=hostnames
            ),
        ),
        ("authentication.cer", check_upload("authentication", path("authentication.cer"), sku=V1)),
        ("trusted-root.cer", check_upload("trusted-root", path("trusted-root.cer"), sku=V2)),
        ("client-ca.cer", check_upload("trusted-client-ca", path("client-ca.cer"), sku=V2)),
        (
            "backend-chain.pem",
            check_backend(
                path("backend-chain.pem"),
                sku=V2,
                host_name=backend,
                backend_address=backend,
                trusted_roots=[path("trusted-root.cer")],
            ),
        ),
        (
            "backend-chain.pem",
            check_backend(
                path("backend-chain.pem"),
                sku=V1,
                host_name=backend,
                backend_address=backend,
                authentication_certs=[path("authentication.cer")],
            ),
        ),
        ("client.pfx", check_client(presented_client, path("client-ca.cer"))),
    ]


def readme(hostnames: list[str], backend: str, files: list[PkiFile]) -> str:
    """The README.md written into OUTDIR: what each file is for and how to upload it."""
    rows = [
        f"| `{f.name}` | {f.purpose}{' (0600)' if f.private else ''} | {f.sku} | {f.arm} |"
        for f in files
    ]
    table = "\n".join(
        [
            "| file | what it is for | SKU | ARM property (base64 of the file) |",
            "| --- | --- | --- | --- |",
            *rows,
        ]
    )
    return _README.format(
        names=", ".join(hostnames), backend=backend, first=hostnames[0], table=table
    )


_README = """\
# Test certificates for Azure Application Gateway

Written by `appgw-certs quickstart`. One private test CA (a root and an
intermediate, keys not kept) signed every certificate here. They are for
testing only: no browser trusts this root unless you import `trusted-root.cer`.

Listener host name(s): {names}. Backend host name: {backend}.

{table}

Passwords are 12 letters and digits, as Azure requires for a listener PFX
(4-12 alphanumerics). The PFX files use the "compatible" encryption
(3DES, SHA-1 MAC) that Application Gateway and older Windows import.

## Upload with the Azure CLI

Run these from this directory. Set your resource group and gateway first:

```sh
RG=my-resource-group
GW=my-app-gateway
```

Listener certificate (v1 and v2):

```sh
az network application-gateway ssl-cert create -g "$RG" --gateway-name "$GW" \\
  -n quickstart-listener --cert-file listener.pfx \\
  --cert-password "$(sed -n 's/^listener.pfx: //p' passwords.txt)"
```

Backend authentication certificate (v1: Standard, WAF):

```sh
az network application-gateway auth-cert create -g "$RG" --gateway-name "$GW" \\
  -n quickstart-backend --cert-file authentication.cer
az network application-gateway http-settings create -g "$RG" --gateway-name "$GW" \\
  -n quickstart-https --port 443 --protocol Https --host-name {backend} \\
  --auth-certs quickstart-backend
```

Backend trusted root certificate (v2: Standard_v2, WAF_v2, Basic):

```sh
az network application-gateway root-cert create -g "$RG" --gateway-name "$GW" \\
  -n quickstart-root --cert-file trusted-root.cer
az network application-gateway http-settings create -g "$RG" --gateway-name "$GW" \\
  -n quickstart-https --port 443 --protocol Https --host-name {backend} \\
  --root-certs quickstart-root
```

Mutual TLS trusted client CA (Standard_v2, WAF_v2; then reference it from an
SSL profile on the listener):

```sh
az network application-gateway client-cert add -g "$RG" --gateway-name "$GW" \\
  -n quickstart-client-ca --data client-ca.cer
```

## ARM templates and REST

Each upload's `data` is the base64 of the file's bytes:

```sh
base64 -w0 listener.pfx        # sslCertificates[].properties.data (+ .password)
base64 -w0 authentication.cer  # authenticationCertificates[].properties.data
base64 -w0 trusted-root.cer    # trustedRootCertificates[].properties.data
base64 -w0 client-ca.cer       # trustedClientCertificates[].properties.data
```

## On the backend

Configure the backend's TLS with `backend-chain.pem` (certificate chain, leaf
first) and `backend.key` (private key), for example in nginx:

```nginx
ssl_certificate     backend-chain.pem;
ssl_certificate_key backend.key;
```

The gateway must send `{backend}` as the host name (backend setting
"host name", or a custom probe), or the name check fails.

## Check again, or test mutual TLS

```sh
appgw-certs check listener listener.pfx --sku Standard_v2 \\
  --password file:<(sed -n 's/^listener.pfx: //p' passwords.txt) --host-name {first}
appgw-certs backend backend-chain.pem --sku Standard_v2 --host-name {backend} \\
  --trusted-root trusted-root.cer
curl --cert-type P12 --cert "client.pfx:$(sed -n 's/^client.pfx: //p' passwords.txt)" \\
  https://{first}/
```
"""
