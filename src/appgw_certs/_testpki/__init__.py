"""Test PKIs: chains, self-signed certificates and their PFX/PEM credentials, built for
tests and the quickstart.

``build`` (the public builders and ``TestChain``) uses ``keys`` (key types),
``names`` (host names and subjects), ``issue`` (the certificate profile, signing),
``credential`` (a certificate with its key, written as CER, PEM or PFX) and
``existing`` (an existing CA checked before it issues).

May import: ``_draw``, ``_formats``, ``_errors``.
"""
