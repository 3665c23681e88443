"""Bytes to certificates and keys: inputs and their limits, format sniffing, PEM/DER/PKCS#7,
PFX and its layout, conversions, private keys.

May import: ``_errors`` only (and the standard library, cryptography, pyasn1).
"""
