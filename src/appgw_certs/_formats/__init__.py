"""Bytes to certificates and keys: inputs and their limits, format sniffing, PEM/DER/PKCS#7,
PFX and its layout, conversions, private keys.

Modules, each importing only modules before it: ``compat``, ``inputs``, ``der``, ``sniff``,
``pem``, ``pkcs7``, ``sharing``, ``keys``, ``pfx_decoder``, ``rc2``, ``pkcs12_kdf``,
``pbe``, ``pfx_der``, ``pfx_ber``, ``pfx_layout``, ``pfx``, ``private_keys``, ``bundle``,
``convert``.

May import: ``_errors`` only (and the standard library, cryptography, pyasn1).
"""
