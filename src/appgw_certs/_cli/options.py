"""What every verb shares before it runs: its parser and common options, the exit statuses,
and the error a user can fix.

Imported by ``appgw-certs --help``: ``argparse`` and the standard library only.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from datetime import datetime

    Verbs: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

__all__ = [
    "DEBUG_ENV",
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "FAIL_ON",
    "KEY_TYPES",
    "PROG",
    "REPORT_FORMATS",
    "SKU_HELP",
    "SPEC_HELP",
    "CliError",
    "add_force",
    "add_host_name",
    "add_json",
    "add_key_type",
    "add_password",
    "add_report_output",
    "add_verb",
    "file_name",
    "iso_datetime",
    "password_spec",
    "split_spec",
    "timeout_seconds",
    "whole_number",
]

PROG = "appgw-certs"
#: 0 no errors; 1 a check found errors; 2 usage error, unreadable input, or a
#: file that would be overwritten; 130 interrupted.
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

#: Set to see the traceback of an unexpected error (hidden by default: it may quote input).
DEBUG_ENV = "APPGW_CERTS_DEBUG"

SKU_HELP = "Standard, WAF (v1); Standard_v2, WAF_v2, Basic (v2); or v1 / v2"
#: The values of ``KeyType``, spelled out so that parsing needs no ``cryptography``.
KEY_TYPES = ("rsa2048", "rsa3072", "rsa4096", "ec-p256", "ec-p384")
#: ``--timeout`` of a probe: a backend that takes longer is down (the gateway gives up
#: sooner), and the bound keeps deadlines in range of the clock.
MAX_TIMEOUT_SECONDS = 300.0
#: ``--format`` of the verbs that print a report (``--json`` is ``--format json``).
REPORT_FORMATS = ("text", "json", "sarif", "junit", "markdown", "html")
#: ``--fail-on``: the least severe finding that makes the exit status 1.
FAIL_ON = ("error", "warning", "info")
SPEC_FORMS = "pass:TEXT, env:VAR, file:PATH, fd:N or stdin"
SPEC_HELP = (
    "password source, as openssl's -passin: pass:TEXT, env:VAR, file:PATH, fd:N, stdin "
    "(default: ask when a terminal is attached)"
)


class CliError(Exception):
    """A problem the user can fix: printed as one line, exit status 2."""


def add_verb(
    verbs: Verbs, name: str, help_: str, run: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    """A verb's parser; ``run`` is what ``main`` calls with the parsed arguments. Its
    ``--help`` ends with the verb's examples (:data:`EXAMPLES`)."""
    examples = EXAMPLES.get(name, ())
    epilog = "examples:\n" + "\n".join(f"  {line}" for line in examples) if examples else None
    sub: argparse.ArgumentParser = verbs.add_parser(
        name,
        help=help_,
        description=help_,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,  # keeps the examples' lines
    )
    sub.set_defaults(run=run)
    return sub


#: One or two examples per verb, shown at the end of its ``--help``.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "quickstart": ("appgw-certs quickstart", "appgw-certs quickstart ./pki --key-type ec-p256"),
    "chain": (
        "appgw-certs chain ./pki --host-name www.contoso.com --intermediates 1",
        "appgw-certs chain ./pki --host-name www.contoso.com --ca-cert rootCA.pem "
        "--ca-key rootCA-key.pem",
    ),
    "inspect": (
        "appgw-certs inspect listener.pfx --password env:PFX_PASS",
        "appgw-certs inspect https://backend.contoso.com --server-name backend.contoso.com",
    ),
    "convert": (
        "appgw-certs convert openssl3.pfx azure.pfx --profile compatible --password file:pw.txt",
        "appgw-certs convert listener.pfx listener.cer",
    ),
    "extract": (
        "appgw-certs extract root fullchain.pem -o root.cer",
        "appgw-certs extract root server.pem --ca company-cas.pem -o root.cer",
    ),
    "client-ca": ("appgw-certs client-ca root.pem issuing-ca.pem -o client-ca.cer",),
    "check": (
        "appgw-certs check listener azure.pfx --sku Standard_v2 --password env:PFX_PASS",
        "appgw-certs check root-cert root.cer --sku v2 --format sarif > checks.sarif",
    ),
    "backend": (
        "appgw-certs backend --probe backend.contoso.com:443 --sku v2 --trusted-root root.cer",
    ),
    "client": ("appgw-certs client client.pem --client-ca client-ca.cer --verify-issuer-dn",),
    "audit": (
        "az network application-gateway show -g RG -n GW | appgw-certs audit -",
        "terraform show -json plan.out | appgw-certs audit - --fail-on warning",
    ),
}


def add_force(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--force", action="store_true", help="replace existing files")


def add_key_type(sub: argparse.ArgumentParser, default: str | None = "rsa2048") -> None:
    shown = f"; default {default}" if default else ""
    sub.add_argument(
        "--key-type",
        choices=KEY_TYPES,
        default=default,
        help=f"key of every certificate made: RSA 2048/3072/4096 bits or EC P-256/P-384{shown}",
    )


def add_host_name(sub: argparse.ArgumentParser, option: str, dest: str, **kwargs: Any) -> None:
    """``option`` (``--host-name``, ``--backend-host-name``), and its older spelling without
    the hyphen (``--hostname``) as a hidden alias into the same ``dest``: one spelling in
    every verb's help, and command lines written with the other still work."""
    sub.add_argument(option, dest=dest, **kwargs)
    hidden = {key: value for key, value in kwargs.items() if key != "help"}
    alias = option.replace("host-name", "hostname")
    sub.add_argument(alias, dest=dest, help=argparse.SUPPRESS, **hidden)


def add_json(sub: argparse.ArgumentParser, what: str = "the report's to_dict") -> None:
    sub.add_argument("--json", action="store_true", help=f"print JSON ({what})")


def add_report_output(sub: argparse.ArgumentParser, what: str = "the report's to_dict") -> None:
    """``--format``, its alias ``--json``, and ``--fail-on``: how a report is printed and
    which findings make the exit status 1."""
    shown = sub.add_mutually_exclusive_group()
    shown.add_argument(
        "--format",
        choices=REPORT_FORMATS,
        default="text",
        help="text (default), json, sarif (SARIF 2.1.0, for code scanning), junit (JUnit "
        "XML, for test reports), markdown (a table, e.g. for $GITHUB_STEP_SUMMARY) or html "
        "(one self-contained page with diagrams; use -o FILE)",
    )
    shown.add_argument(
        "--json",
        action="store_const",
        dest="format",
        const="json",
        help=f"same as --format json ({what}, with the input and schema_version)",
    )
    sub.add_argument(
        "-o",
        "--output",
        type=file_name,
        metavar="FILE",
        help="write the report to FILE instead of stdout (never over a file without --force)",
    )
    sub.add_argument("--force", action="store_true", help="overwrite the -o FILE")
    sub.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="error",
        help="exit 1 when a finding is this severe or worse: error (default), warning "
        "(errors and warnings) or info (any finding)",
    )


def add_password(sub: argparse.ArgumentParser, help_: str = SPEC_HELP) -> None:
    sub.add_argument("--password", type=password_spec, metavar="SPEC", help=help_)


# --------------------------------------------------------------------------- argument types
# Each is an argparse ``type=``: a bad value is a usage error (one line, exit 2)
# before anything runs, never an exception deep in the library.


def whole_number(low: int, high: int, unit: str) -> Callable[[str], int]:
    """An argparse type: a whole number of ``unit`` from ``low`` to ``high``."""

    def parse(text: str) -> int:
        digits = text.strip().removeprefix("-")
        if not (digits.isascii() and digits.isdigit()):  # not "1_000", "²" or "1e3"
            message = f"expected a whole number of {unit}, not {_shown(text)}"
            raise argparse.ArgumentTypeError(message)
        # a length first: int() refuses 4,300 digits and more, and our bounds are small
        value = int(text) if len(digits) <= 18 else None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {low} to {high} {unit}, not {_shown(text)}")
        return value

    return parse


def _shown(text: str) -> str:
    """A value as an error message quotes it: escaped, and cut short."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def timeout_seconds(text: str) -> float:
    """An argparse type: seconds, more than 0 and at most :data:`MAX_TIMEOUT_SECONDS`."""
    try:
        value = float(text)
    except ValueError:
        message = f"expected a number of seconds, not {_shown(text)}"
        raise argparse.ArgumentTypeError(message) from None
    if not (math.isfinite(value) and 0 < value <= MAX_TIMEOUT_SECONDS):
        raise argparse.ArgumentTypeError(
            f"expected more than 0 and at most {MAX_TIMEOUT_SECONDS:g} seconds, not {_shown(text)}"
        )
    return value


def iso_datetime(text: str) -> datetime:
    """An argparse type: an ISO 8601 date or date and time (``2026-01-31``,
    ``2026-01-31T08:00``, ``2026-01-31T08:00+01:00``, ``...Z``); UTC when no zone is given."""
    # deferred: keeps --help fast (it imports no datetime)
    from datetime import UTC, datetime

    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        message = (
            f"expected an ISO date such as 2026-01-31 or 2026-01-31T08:00Z, not {_shown(text)}"
        )
        raise argparse.ArgumentTypeError(message) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def file_name(text: str) -> str:
    """An argparse type: a path the operating system can take (not empty, no NUL)."""
    if not text or "\x00" in text:
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a file name")
    return text


def split_spec(spec: str) -> tuple[str, str]:
    """A password SPEC's kind and text (``("stdin", "")`` for stdin); ValueError if malformed."""
    if spec == "stdin":
        return "stdin", ""
    kind, sep, rest = spec.partition(":")
    valid_fd = rest.isascii() and rest.isdigit()  # not "²": isdigit() alone takes it
    if not sep or kind not in ("pass", "env", "file", "fd") or (kind == "fd" and not valid_fd):
        raise ValueError(f"expected {SPEC_FORMS}")
    return kind, rest


def password_spec(text: str) -> str:
    """An argparse type: a well-formed SPEC (its source is read only when the verb runs)."""
    try:
        split_spec(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None  # never echoes the text
    return text
