"""Test PKIs: chains, self-signed certificates and their PFX/PEM credentials, built for
tests and the quickstart.

May import: ``_formats``, ``_errors``.
"""
