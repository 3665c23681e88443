"""check_upload: the checks of one file for one upload slot, a module per slot on a shared
checker.

May import: ``_findings``, ``_x509``, ``_formats``, ``_errors``.
"""
