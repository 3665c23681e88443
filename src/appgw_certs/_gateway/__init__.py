"""A whole gateway: its JSON (az CLI, REST, ARM templates and parameters), routes from
listeners to backends, its certificate objects, cross-checks and audit_gateway.

May import every layer below it: ``_verdicts``, ``_upload``, ``_findings``, ``_x509``,
``_formats``, ``_errors``.
"""
