"""Test PKIs: chains, self-signed certificates and their PFX/PEM credentials, built for
tests and the quickstart.

``build`` (the public builders and ``TestChain``) uses ``keys`` (key types),
``names`` (host names and subjects), ``issue`` (the certificate profile, signing),
``credential`` (a certificate with its key, written as CER, PEM or PFX, or to a
0600 temporary file by ``tempfiles``) and ``existing`` (an existing CA checked
before it issues). ``server`` serves chains over TLS on loopback and
``gateway_json`` wraps one in a gateway's JSON: both for the pytest plugin.
``pictures`` draws a test chain.

May import: ``_draw``, ``_formats``, ``_errors``.
"""
