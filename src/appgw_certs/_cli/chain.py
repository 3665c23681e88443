"""``appgw-certs chain OUTDIR --host-name H``: a test chain, as the files a gateway wants."""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING

from .options import (
    EXIT_OK,
    KEY_TYPES,
    CliError,
    add_force,
    add_host_name,
    add_password,
    add_verb,
    file_name,
    whole_number,
)

if TYPE_CHECKING:
    from .options import Verbs
    from .passwords import Password

__all__ = ["MAX_INTERMEDIATES", "add_parser", "run"]

#: The library's ``MAX_INTERMEDIATES`` (``_testpki.build``), spelled out so that
#: parsing needs no ``cryptography``; a test keeps the two equal.
MAX_INTERMEDIATES = 5


def add_parser(verbs: Verbs) -> None:
    sub = add_verb(verbs, "chain", "build a self-signed test chain", run)
    sub.add_argument("outdir", type=file_name, metavar="OUTDIR")
    # required, checked in run(): argparse would not count the alias as the option given
    add_host_name(
        sub,
        "--host-name",
        "hostname",
        action="append",
        metavar="H",
        help="a name the server certificate is for (required, repeatable)",
    )
    sub.add_argument(
        "--intermediates",
        type=whole_number(0, MAX_INTERMEDIATES, "intermediates"),
        default=1,
        metavar="N",
        help=f"intermediate CAs between the root and the leaves (0-{MAX_INTERMEDIATES}; default 1)",
    )
    sub.add_argument("--key-type", choices=KEY_TYPES, default="rsa2048")
    sub.add_argument(
        "--client",
        action="append",
        default=[],
        metavar="NAME",
        help="also issue a client certificate (repeatable)",
    )
    add_password(sub, "password of the PFX files (default: invent one, saved in passwords.txt)")
    add_force(sub)


def run(args: argparse.Namespace) -> int:
    """Build a test chain for ``args.hostname`` and write its files into ``args.outdir``."""
    if not args.hostname:
        raise CliError("the following arguments are required: --host-name")
    # deferred: keeps --help fast
    from pathlib import Path

    from .._testpki.build import build_test_chain
    from .passwords import invent_password, read_password
    from .terminal import Console, OutputFiles, write_files

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
