"""What a check can say: the rule registry (code, severity, public source), Finding and
Report, and the SKUs and upload slots they speak of.

May import: ``_x509``, ``_draw``, ``_formats``, ``_errors``.
"""
