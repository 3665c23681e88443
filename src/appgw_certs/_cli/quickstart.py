"""``appgw-certs quickstart`` and ``chain``: test PKIs written to a directory.

``quickstart`` is the main job: a complete, checked test PKI for one gateway.

One private root and intermediate sign four things: the listener's server
certificate (PFX), the backend's server certificate (PEM chain and key), and a
client certificate (PFX) for mutual TLS. From them come the three public uploads
(v1 authentication certificate, v2 trusted root, trusted client CA). Every file
is written atomically, then read back from disk and checked against the slot it
is for; a README in the directory says what goes where, with the ``az`` commands.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .terminal import Console, OutputFiles, Password, invent_password, read_password, write_files

EXIT_OK, EXIT_FINDINGS = 0, 1

if TYPE_CHECKING:
    from .._findings.report import Report
    from .._testpki.build import TestChain

__all__ = ["run", "run_chain"]

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


def run(args: argparse.Namespace) -> int:
    """Build, write, check and explain the quickstart PKI; exit 1 if a check fails."""
    from .. import build_test_chain

    outdir = Path(args.outdir)
    OutputFiles(force=args.force).refuse_existing([outdir / name for name in FILE_NAMES])
    hostnames: list[str] = args.hostname or ["www.contoso.com"]
    chain = build_test_chain([args.backend_hostname], intermediates=1, key_type=args.key_type)
    passwords = Passwords(invent_password(), invent_password())
    files = pki_files(chain, hostnames, args.backend_hostname, passwords)
    write_files(outdir, [(f.name, f.data, f.private) for f in files], force=args.force)
    checks = check_files(outdir, hostnames, args.backend_hostname, passwords)
    ok = all(report.ok for _, report in checks)
    _print(args, outdir, files, checks, passwords)
    return EXIT_OK if ok else EXIT_FINDINGS


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
    from .. import check_backend, check_client, check_upload, load_pfx

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
                trusted_roots=[path("trusted-root.cer")],
            ),
        ),
        (
            "backend-chain.pem",
            check_backend(
                path("backend-chain.pem"),
                sku=V1,
                host_name=backend,
                authentication_certs=[path("authentication.cer")],
            ),
        ),
        ("client.pfx", check_client(presented_client, path("client-ca.cer"))),
    ]


def _print(
    args: argparse.Namespace,
    outdir: Path,
    files: list[PkiFile],
    checks: list[tuple[str, Report]],
    pw: Passwords,
) -> None:
    console = Console()
    if args.json:
        console.json(
            {
                "outdir": str(outdir),
                "files": [
                    {"name": f.name, "purpose": f.purpose, "private": f.private} for f in files
                ],
                "checks": [{"file": name, "report": r.to_dict()} for name, r in checks],
                "passwords": (
                    {"listener.pfx": pw.listener, "client.pfx": pw.client}
                    if args.show_passwords
                    else None
                ),
            }
        )
        return
    console.line(console.style(f"Wrote a test PKI for one gateway to {outdir}/", "bold"))
    console.table([(f.name, f.purpose + (" (0600)" if f.private else "")) for f in files])
    console.line()
    console.line(console.style("Checks (each file read back from disk):", "bold"))
    for name, report in checks:
        console.report(report, label=name)
    console.line()
    if args.show_passwords:
        console.table([("listener.pfx password", pw.listener), ("client.pfx password", pw.client)])
    console.line(f"Passwords: {outdir / 'passwords.txt'} (0600).")
    console.line(f"Next: read {outdir / 'README.md'} for the az commands.")


# --------------------------------------------------------------------------- chain


def run_chain(args: argparse.Namespace) -> int:
    """``chain OUTDIR --hostname H``: a test chain, written as the files a gateway wants."""
    from .. import build_test_chain

    outdir = Path(args.outdir)
    invented = None if args.password else invent_password()
    names = ["root.cer", "client-ca.cer", "server.pfx", "server.cer", "server-chain.pem"]
    names += ["server.key", *(f"client-{_slug(c)}.pfx" for c in args.client)]
    names += ["passwords.txt"] if invented else []
    OutputFiles(force=args.force).refuse_existing([outdir / name for name in names])
    password: Password = invented or read_password(args.password)
    chain = build_test_chain(
        args.hostname, intermediates=args.intermediates, key_type=args.key_type
    )
    issuers = [*reversed(chain.intermediates), chain.root]
    files: list[tuple[str, bytes, bool, str]] = [
        ("root.cer", chain.trusted_root_cer(), False, "v2 trusted root"),
        ("client-ca.cer", chain.client_ca_cer(), False, "mutual-auth trusted client CA"),
        ("server.pfx", chain.listener_pfx(password), True, "listener PFX (key + full chain)"),
        ("server.cer", chain.authentication_cer(), False, "v1 authentication certificate"),
        ("server-chain.pem", chain.backend_chain_pem(), False, "what a backend presents"),
        ("server.key", chain.server.key_pem(), True, "backend private key (unencrypted)"),
    ]
    for name in args.client:
        client = chain.issue_client(name)
        files.append(
            (
                f"client-{_slug(name)}.pfx",
                client.pfx(password, chain=issuers),
                True,
                f"client certificate for {name}",
            )
        )
    if invented:
        lines = [f"{name}: {invented}" for name, _, _, _ in files if name.endswith(".pfx")]
        text = "# Passwords invented by appgw-certs chain. Keep private.\n" + "\n".join(lines)
        files.append(("passwords.txt", (text + "\n").encode(), True, "the PFX password"))
    write_files(outdir, [(n, d, p) for n, d, p, _ in files], force=args.force)
    console = Console()
    console.line(f"wrote a test chain for {', '.join(args.hostname)} to {outdir}/")
    console.table([(name, purpose) for name, _, _, purpose in files])
    return EXIT_OK


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "client"


# --------------------------------------------------------------------------- README


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
  --password file:<(sed -n 's/^listener.pfx: //p' passwords.txt) --hostname {first}
appgw-certs backend backend-chain.pem --sku Standard_v2 --host-name {backend} \\
  --trusted-root trusted-root.cer
curl --cert-type P12 --cert "client.pfx:$(sed -n 's/^client.pfx: //p' passwords.txt)" \\
  https://{first}/
```
"""
