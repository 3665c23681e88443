"""``appgw-certs convert IN OUT``: PFX to CER/DER, certificates + key to PFX, PFX to PFX."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING, Literal

from .options import (
    EXIT_OK,
    SPEC_HELP,
    CliError,
    add_force,
    add_password,
    add_verb,
    file_name,
    password_spec,
)

if TYPE_CHECKING:
    from pathlib import Path

    from .._formats.pfx import Pfx
    from .options import Verbs
    from .passwords import Password

__all__ = ["add_parser", "run"]

_SUFFIX_FORMATS = {".pfx": "pfx", ".p12": "pfx", ".der": "der"}


def add_parser(verbs: Verbs) -> None:
    help_ = "convert between PFX and CER (Base-64 or DER), or re-encrypt a PFX"
    sub = add_verb(verbs, "convert", help_, run)
    sub.add_argument(
        "input", type=file_name, metavar="IN", help="a certificate, bundle, PFX or PKCS#7 file"
    )
    sub.add_argument("output", type=file_name, metavar="OUT", help="the file to write")
    sub.add_argument(
        "--to",
        choices=("cer", "der", "pfx"),
        help="output format (default: from OUT's suffix: .pfx/.p12, .der, else cer)",
    )
    sub.add_argument(
        "--key", type=file_name, metavar="KEYFILE", help="private key for a PFX made from a CER"
    )
    sub.add_argument(
        "--key-password",
        type=password_spec,
        metavar="SPEC",
        help="password of KEYFILE, if encrypted",
    )
    sub.add_argument(
        "--chain", type=file_name, metavar="FILE", help="intermediates/root to add to a PFX"
    )
    add_password(sub, "password of the PFX read or written (" + SPEC_HELP + ")")
    sub.add_argument(
        "--new-password",
        type=password_spec,
        metavar="SPEC",
        help="PFX to PFX: password of the new file (default: the same as --password)",
    )
    sub.add_argument(
        "--no-password",
        action="store_true",
        help="write a PFX without a password (never the default)",
    )
    sub.add_argument(
        "--include-chain",
        action="store_true",
        help="PFX to CER: also write the chain (Base-64 only)",
    )
    sub.add_argument(
        "--profile",
        choices=("compatible", "modern"),
        default="compatible",
        help="PFX encryption: compatible (3DES, SHA-1 MAC: what Azure imports; default) "
        "or modern (AES-256, SHA-256 MAC)",
    )
    add_force(sub)


def run(args: argparse.Namespace) -> int:
    """Convert ``args.input`` to ``args.output`` in the format ``--to`` or its suffix says."""
    # deferred: keeps --help fast
    from pathlib import Path

    from .shared import write_one
    from .terminal import OutputFiles, require_readable

    source = require_readable(args.input)
    target = Path(args.output)
    fmt = args.to or _SUFFIX_FORMATS.get(target.suffix.lower(), "cer")
    OutputFiles(force=args.force).refuse_existing([target])  # before any password is asked
    if fmt == "pfx":
        data = _to_pfx(args, source)
    else:
        data = _to_cer(args, source, "der" if fmt == "der" else "base64")
    write_one(target, data, private=fmt == "pfx", force=args.force)
    return EXIT_OK


def _to_cer(args: argparse.Namespace, source: Path, encoding: Literal["base64", "der"]) -> bytes:
    # deferred: keeps --help fast
    from .._formats.convert import pfx_to_cer, to_cer
    from .shared import is_pfx, with_password

    if encoding == "der" and args.include_chain:
        raise CliError("--include-chain needs Base-64 output: DER holds one certificate")
    if is_pfx(source):
        return with_password(
            args.password,
            lambda pw: pfx_to_cer(source, pw, encoding=encoding, include_chain=args.include_chain),
            source.name,
        )
    return to_cer(source, encoding=encoding)


def _to_pfx(args: argparse.Namespace, source: Path) -> bytes:
    # deferred: keeps --help fast
    from .._formats.convert import cer_to_pfx
    from .passwords import read_password
    from .shared import is_pfx
    from .terminal import require_readable

    if is_pfx(source):
        return _pfx_to_pfx(args, source)
    if not args.key:
        raise CliError("making a PFX from certificates needs the private key: --key KEYFILE")
    key = require_readable(args.key, "--key")
    chain = require_readable(args.chain, "--chain") if args.chain else ()
    key_password = (
        read_password(args.key_password, option="--key-password") if (args.key_password) else None
    )
    password = _new_pfx_password(args, args.password)
    return cer_to_pfx(
        source,
        key,
        password=password,
        key_password=key_password,
        chain=chain,
        profile=args.profile,
    )


def _pfx_to_pfx(args: argparse.Namespace, source: Path) -> bytes:
    # deferred: keeps --help fast
    from .._formats.bundle import load_certificates
    from .._formats.convert import to_pfx
    from .._formats.pfx import load_pfx
    from .shared import with_password
    from .terminal import require_readable

    old: list[Password | None] = []

    def load(pw: Password | None) -> Pfx:
        old.append(pw)
        return load_pfx(source, pw)

    pfx = with_password(args.password, load, source.name)
    if pfx.private_key is None or pfx.certificate is None:
        raise CliError(f"{source} holds no private key and certificate to put in a new PFX")
    if args.new_password is None and not args.no_password and old[-1] is not None:
        password: Password | None = old[-1]  # same password, new encryption
    else:
        password = _new_pfx_password(args, args.new_password, option="--new-password")
    chain = list(pfx.chain) + (
        load_certificates(require_readable(args.chain)) if args.chain else []
    )
    return to_pfx(
        pfx.private_key,
        pfx.certificate,
        chain,
        password=password,
        profile=args.profile,
        friendly_name=pfx.friendly_name,
    )


def _new_pfx_password(
    args: argparse.Namespace, spec: str | None, option: str = "--password"
) -> Password | None:
    """The password of a PFX about to be written; never none unless asked for."""
    # deferred: keeps --help fast
    from .passwords import can_prompt, prompt_password, read_password

    if args.no_password:
        return None
    if spec is not None:
        password = read_password(spec, option=option)
    elif can_prompt():
        password = prompt_password("Password for the new PFX: ", confirm=True)
    else:
        raise CliError(
            f"a PFX needs a password: {option} SPEC (or --no-password to write one without)"
        )
    if not _azure_accepts(password):
        print(
            "appgw-certs: note: Application Gateway takes listener PFX passwords of "
            "4-12 letters and digits only",
            file=sys.stderr,
        )
    return password


def _azure_accepts(password: Password) -> bool:
    text = password.decode("utf-8", "replace") if isinstance(password, bytes) else password
    return bool(re.fullmatch(r"[A-Za-z0-9]{4,12}", text))
