"""What several verbs do when they run: open a file that may need a password, tell a PFX
from other files, print a report, write one file.

Imported by the verbs' ``run`` functions only (it loads the library), never for ``--help``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .._errors import AppGwCertError, PfxPasswordError
from .._formats.inputs import read_bytes
from .._formats.sniff import could_be_pfx
from .formats import Subject, fails, render, with_input
from .options import EXIT_FINDINGS, EXIT_OK, CliError
from .passwords import Password, can_prompt, prompt_password, read_password
from .terminal import Console, OutputFiles

if TYPE_CHECKING:
    from .._findings.report import Report

__all__ = ["chain_pictures", "emit_report", "is_pfx", "with_password", "write_one"]

T = TypeVar("T")


def emit_report(
    report: Report,
    args: argparse.Namespace,
    label: str | None = None,
    pictures: Callable[[], str] | None = None,
) -> int:
    """Print one report in ``args.format`` (to ``-o FILE`` when given) and return the exit
    status ``args.fail_on`` gives it; ``label`` names what was checked (the input of the
    JSON and SARIF); ``pictures`` draws the chain for ``--format html``."""
    subjects = [Subject(label or report.title, report)]
    if args.output is not None:
        if args.format == "text":
            text = str(report)
        elif args.format == "json":
            text = json.dumps(with_input(report.to_dict(), label), indent=2, ensure_ascii=False)
        else:
            text = _rendered(args.format, label, subjects, pictures)
        write_one(Path(args.output), text.encode("utf-8"), private=False, force=args.force)
    elif args.format == "text":
        Console().report(report, label=label)
    elif args.format == "json":
        Console().json(with_input(report.to_dict(), label))
    else:
        print(_rendered(args.format, label, subjects, pictures))
    return EXIT_FINDINGS if fails([report], args.fail_on) else EXIT_OK


def _rendered(
    fmt: str, label: str | None, subjects: list[Subject], pictures: Callable[[], str] | None
) -> str:
    if fmt != "html":
        return render(fmt, label, subjects)
    # deferred: the page loads only for its own format
    from .html_report import html_page

    return html_page(label, subjects, pictures() if pictures is not None else "")


def chain_pictures(report: Report) -> Callable[[], str]:
    """Draws, for ``--format html``, the chain ``report``'s check read, with its slot's
    roles and the gap the report names; nothing when the check read no certificate."""

    def draw() -> str:
        # deferred: only --format html draws
        from .._findings.report import gap_code

        if report.chain is None:
            return ""
        return report.chain.svg(gap_code(report.findings))

    return draw


def with_password(spec: str | None, action: Callable[[Password | None], T], what: str) -> T:
    """Run ``action`` with the SPEC's password, or none; ask once if one is needed.

    Without a SPEC the action first runs without a password; only when the
    file turns out to need one, and a person is at a terminal, is it asked
    for (no echo). Otherwise the error says how to give one.
    """
    if spec is not None:
        return action(read_password(spec))
    try:
        return action(None)
    except PfxPasswordError:
        if not can_prompt():
            raise CliError(
                f"{what} is protected by a password: give it with --password SPEC "
                "(pass:TEXT, env:VAR, file:PATH, fd:N or stdin)"
            ) from None
    return action(prompt_password(f"Password for {what}: ") or None)


def is_pfx(path: Path) -> bool:
    """True when the file's structure is PKCS#12 (read without decrypting)."""
    data = read_bytes(path)
    if not could_be_pfx(data):  # PEM, a certificate...: no PFX decoder need load
        return False
    # deferred: the PFX decoders load for a file that could be one only
    from .._formats.pfx import read_pfx_encryption

    try:
        read_pfx_encryption(data)
    except AppGwCertError:
        return False
    return True


def write_one(target: Path, data: bytes, *, private: bool, force: bool) -> None:
    """Write one file atomically and say so (on stderr: stdout may be data)."""
    with OutputFiles(force=force) as out:
        out.add(target, data, private=private)
        out.commit()
    mode = " (0600)" if private else ""
    print(f"wrote {target}{mode}", file=sys.stderr)
