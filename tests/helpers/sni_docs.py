"""The names of the SNI scenario tables, and the documentation lines their rows encode
(shared by the check_backend tables and the audit's)."""

from __future__ import annotations

from appgw_certs._findings.sources import BACKEND_SNI, HEALTH_NAME_MISMATCH, SETTINGS_VALIDATION

PROBE, SETTING, POOL, IP = (
    "probe.contoso.com",
    "setting.contoso.com",
    "pool.contoso.com",
    "10.0.0.4",
)

V2_ORDER = (BACKEND_SNI, "The order of precedence is custom probe > HTTP settings > backend pool.")
V2_IP = (BACKEND_SNI, "if they have IP address as hostname, then SNI won't be set as per RFC 6066")
V2_NONE = (
    BACKEND_SNI,
    "SNI also won't be set in v2 probes if no custom probe is configured and no hostname is "
    "set on HTTP settings or backend pool",
)
V2_DEFAULT_PROBE = (
    BACKEND_SNI,
    "the 127.0.0.1 mentioned here is only used as HTTP host header and as per RFC 6066, won't "
    "be used as SNI header",
)
PICKED = (
    BACKEND_SNI,
    'If "pick hostname from backend target" is chosen instead of the Host field in the backend '
    "http setting, then the SNI header is always set to the backend pool FQDN",
)
V1_POOL = (
    HEALTH_NAME_MISMATCH,
    "For V1, verify the backend pool target's FQDN is the same as the CN",
)
V1_HOST_HEADER = (
    HEALTH_NAME_MISMATCH,
    "In the V1 SKU, the probe Host value serves only as the host header. SNI comes from the "
    "backend pool FQDN.",
)
V1_IP = (
    BACKEND_SNI,
    "the backend server should be able to return a default/fallback certificate and this "
    "should be allow-listed in HTTP settings under authentication certificate",
)
SNI_NAME = (SETTINGS_VALIDATION, "You can specify an SNI value to match the common name")
