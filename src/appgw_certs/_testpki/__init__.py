"""Test PKIs: chains, self-signed certificates and their PFX/PEM credentials, built for
tests and the quickstart.

``build`` (the public builders and ``TestChain``) uses ``keys`` (key types),
``names`` (host names and subjects), ``issue`` (the certificate profile, signing)
and ``credential`` (a certificate with its key, written as CER, PEM or PFX, or to a
0600 temporary file by ``tempfiles``). ``server`` serves chains over TLS on
loopback and ``gateway_json`` wraps one in a gateway's JSON: both for the pytest
plugin.

May import: ``_formats``, ``_errors``.
"""
