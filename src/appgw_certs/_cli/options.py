"""What every verb shares before it runs: its parser and common options, the exit statuses,
and the error a user can fix.

Imported by ``appgw-certs --help``: ``argparse`` and the standard library only.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    Verbs: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "KEY_TYPES",
    "PROG",
    "SKU_HELP",
    "SPEC_HELP",
    "CliError",
    "add_force",
    "add_json",
    "add_password",
    "add_verb",
]

PROG = "appgw-certs"
#: 0 no errors; 1 a check found errors; 2 usage error, unreadable input, or a
#: file that would be overwritten; 130 interrupted.
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

SKU_HELP = "Standard, WAF (v1); Standard_v2, WAF_v2, Basic (v2); or v1 / v2"
#: The values of ``KeyType``, spelled out so that parsing needs no ``cryptography``.
KEY_TYPES = ("rsa2048", "rsa3072", "rsa4096", "ec-p256", "ec-p384")
SPEC_HELP = (
    "password source, as openssl's -passin: pass:TEXT, env:VAR, file:PATH, fd:N, stdin "
    "(default: ask when a terminal is attached)"
)


class CliError(Exception):
    """A problem the user can fix: printed as one line, exit status 2."""


def add_verb(
    verbs: Verbs, name: str, help_: str, run: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    """A verb's parser; ``run`` is what ``main`` calls with the parsed arguments."""
    sub: argparse.ArgumentParser = verbs.add_parser(name, help=help_, description=help_)
    sub.set_defaults(run=run)
    return sub


def add_force(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--force", action="store_true", help="replace existing files")


def add_json(sub: argparse.ArgumentParser, what: str = "the report's to_dict") -> None:
    sub.add_argument("--json", action="store_true", help=f"print JSON ({what})")


def add_password(sub: argparse.ArgumentParser, help_: str = SPEC_HELP) -> None:
    sub.add_argument("--password", metavar="SPEC", help=help_)
