"""Verdicts on traffic rather than uploads: backend health as the gateway would judge it,
mutual TLS client verification, and the live probe of a backend.

May import: ``_upload``, ``_findings``, ``_x509``, ``_formats``, ``_errors``.
"""
