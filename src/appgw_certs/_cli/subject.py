"""What a CI report speaks of: one checked thing (a file, a probed backend, a gateway)
and its report. Shared by the renderers of ``--format`` (formats, sarif, junit)."""

from __future__ import annotations

from dataclasses import dataclass

from .._findings.report import Report

__all__ = ["Subject"]


@dataclass(frozen=True)
class Subject:
    """One checked thing and its report.

    ``name`` is how a person finds it: the file, ``presented by host:443``, the gateway.
    ``objects`` are, for a gateway, the locations of its certificate objects
    (``sslCertificates[web]``): each one a test case of its own in JUnit XML.
    """

    name: str
    report: Report
    objects: tuple[str, ...] = ()
