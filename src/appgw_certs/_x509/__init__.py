"""Facts about certificates: names and host matching, issuer links and the chain walker,
the trust store of well-known roots, descriptions, extraction of what each SKU wants.

May import: ``_draw``, ``_formats``, ``_errors``.
"""
