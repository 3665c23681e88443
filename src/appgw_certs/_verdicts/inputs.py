"""What both verdicts read: the moment judged, the presented chain and the uploads.

Inputs given as bytes or text are parsed once and remembered (they are
immutable, so a remembered answer cannot differ); files are read each time. A
source that cannot be read becomes a GEN001 finding, never an exception.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache

from cryptography import x509

from .._errors import AppGwCertError
from .._findings.report import Finding
from .._findings.rules import finding
from .._formats.inputs import CertSource, checked_moment
from .._x509.walk import certificates_of

__all__ = [
    "MAX_DEPTH",
    "as_uploads",
    "certificates",
    "load_uploads",
    "moment",
    "parse_remembered",
    "read_presented",
]

MAX_DEPTH = 32  # OpenSSL's default verify depth is 100; real chains are 2-5 long
# Chain files are a few KB: remember parsed inputs up to this size, 128 at most (8 MiB).
_CACHED_INPUT_BYTES = 64 * 1024


def moment(now: datetime | None) -> datetime:
    """``now``, or the current time; InvalidArgumentError (a ValueError) for a naive
    datetime, TypeError for anything else."""
    return checked_moment(now) or datetime.now(UTC)


def certificates(source: CertSource) -> list[x509.Certificate]:
    """The certificates of ``source``; bytes and text are parsed once and remembered."""
    if isinstance(source, bytes | str) and len(source) <= _CACHED_INPUT_BYTES:
        return list(parse_remembered(source))
    return certificates_of(source)


@lru_cache(maxsize=128)
def parse_remembered(data: bytes | str) -> tuple[x509.Certificate, ...]:
    """The certificates in ``data``, remembered (``parse_remembered.cache_clear()`` forgets)."""
    return tuple(certificates_of(data))


def read_presented(source: CertSource, what: str) -> tuple[list[x509.Certificate], Finding | None]:
    """The presented certificates in order; an empty input is an empty chain."""
    if isinstance(source, bytes | str) and not source.strip():
        return [], None
    try:
        return certificates(source), None
    except AppGwCertError as exc:
        return [], finding("GEN001", f"{what}: {exc}")


def as_uploads(sources: Iterable[CertSource]) -> list[CertSource]:
    """Each upload of an ``Iterable[CertSource]``; a lone source counts as one upload."""
    if isinstance(sources, bytes | str | os.PathLike | x509.Certificate):
        return [sources]
    return list(sources)


def load_uploads(
    sources: Iterable[CertSource], what: str
) -> tuple[list[x509.Certificate], list[Finding]]:
    """The certificates of every upload, and a GEN001 for each that cannot be read."""
    certs: list[x509.Certificate] = []
    problems: list[Finding] = []
    for number, source in enumerate(as_uploads(sources), 1):
        try:
            certs += certificates(source)
        except AppGwCertError as exc:
            problems.append(finding("GEN001", f"{what} #{number}: {exc}"))
    return certs, problems
