"""Azure's TLS policies, written down once as the public pages state them.

Sources (quoted exactly where a constant rests on a sentence):

- TLS policy overview, https://learn.microsoft.com/azure/application-gateway/application-gateway-ssl-policy-overview
  (its "Predefined TLS policy" table, "Default TLS policy", "Custom TLS policy" and
  "Limitations" sections);
- TLS 1.0 and 1.1 retirement, https://learn.microsoft.com/azure/application-gateway/application-gateway-tls-version-retirement
  ("Frontend TLS connections").

What no page states is marked *unconfirmed* where it is used (:mod:`.tls_policy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from .._findings import sources as src

__all__ = [
    "DEFAULT_POLICY_NEW",
    "DEFAULT_POLICY_OLD",
    "DEFAULT_POLICY_SINCE_API",
    "PREDEFINED",
    "PROTOCOLS",
    "RETIRED_CUSTOM_SUITES",
    "RETIRED_PREDEFINED",
    "RETIREMENT_DATE",
    "TLS13_SUITES",
    "V1_CUSTOM_REQUIRED_SUITE",
    "V2_UNUSED_DHE_SUITES",
    "PredefinedPolicy",
    "suite_key_type",
]

#: The protocol versions a policy names, oldest first, as the REST API spells them.
PROTOCOLS = ("TLSv1_0", "TLSv1_1", "TLSv1_2", "TLSv1_3")


@dataclass(frozen=True)
class PredefinedPolicy:
    """One predefined policy: its enabled protocols and cipher suites, and its page."""

    name: str
    protocols: frozenset[str]
    cipher_suites: frozenset[str]
    source: str = src.TLS_POLICY_PREDEFINED


# The page's table, column by column: "Predefined policy names (AppGwSslPolicy<YYYYMMDD>) |
# 20150501 | 20170401 | 20170401S | 20220101 | 20220101S".
_COLUMNS = ("20150501", "20170401", "20170401S", "20220101", "20220101S")
# "Enabled protocol versions | 1.0 1.1 1.2 | 1.1 1.2 | 1.2 | 1.2 1.3 | 1.2 1.3"
_ENABLED = ("1.0 1.1 1.2", "1.1 1.2", "1.2", "1.2 1.3", "1.2 1.3")
# The table's rows in its order: Y for &check;, - for &cross;, one mark per column.
_ROWS = """
TLS_AES_128_GCM_SHA256                   - - - Y Y
TLS_AES_256_GCM_SHA384                   - - - Y Y
TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384    Y Y Y Y Y
TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256    Y Y Y Y Y
TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384    Y - - Y -
TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256    Y - - Y -
TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA       Y Y Y - -
TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA       Y Y Y - -
TLS_DHE_RSA_WITH_AES_256_GCM_SHA384      Y - - - -
TLS_DHE_RSA_WITH_AES_128_GCM_SHA256      Y - - - -
TLS_DHE_RSA_WITH_AES_256_CBC_SHA         Y - - - -
TLS_DHE_RSA_WITH_AES_128_CBC_SHA         Y - - - -
TLS_RSA_WITH_AES_256_GCM_SHA384          Y Y Y - -
TLS_RSA_WITH_AES_128_GCM_SHA256          Y Y Y - -
TLS_RSA_WITH_AES_256_CBC_SHA256          Y Y Y - -
TLS_RSA_WITH_AES_128_CBC_SHA256          Y Y Y - -
TLS_RSA_WITH_AES_256_CBC_SHA             Y Y Y - -
TLS_RSA_WITH_AES_128_CBC_SHA             Y Y Y - -
TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384  Y Y Y Y Y
TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256  Y Y Y Y Y
TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384  Y Y Y Y -
TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256  Y Y Y Y -
TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA     Y Y Y - -
TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA     Y Y Y - -
TLS_DHE_DSS_WITH_AES_256_CBC_SHA256      Y - - - -
TLS_DHE_DSS_WITH_AES_128_CBC_SHA256      Y - - - -
TLS_DHE_DSS_WITH_AES_256_CBC_SHA         Y - - - -
TLS_DHE_DSS_WITH_AES_128_CBC_SHA         Y - - - -
TLS_RSA_WITH_3DES_EDE_CBC_SHA            Y - - - -
TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA        Y - - - -
"""


def _read_table() -> dict[str, PredefinedPolicy]:
    rows = [line.split() for line in _ROWS.strip().splitlines()]
    policies: dict[str, PredefinedPolicy] = {}
    for column, (date, enabled) in enumerate(zip(_COLUMNS, _ENABLED, strict=True)):
        name = f"AppGwSslPolicy{date}"
        protocols = frozenset(f"TLSv{v.replace('.', '_')}" for v in enabled.split())
        suites = frozenset(row[0] for row in rows if row[1 + column] == "Y")
        policies[name.lower()] = PredefinedPolicy(name, protocols, suites)
    return policies


#: The predefined policies by lower-cased name (Azure matches names case-insensitively).
PREDEFINED = MappingProxyType(_read_table())

# "For API versions 2023-02-01 or higher, the minimum protocol version is set to 1.2
# (version up to 1.3 is supported). The gateways created with these API versions will
# see a read-only property defaultPredefinedSslPolicy:AppGwSslPolicy20220101"; "For
# older API versions < 2023-02-01, the minimum protocol version is set to 1.0 (versions
# up to 1.2 are supported) as they use the predefined policy AppGwSslPolicy20150501 as
# default." Which default a v1 gateway created with a newer API version gets is not
# stated: "The 2022 Predefined and Customv2 policies that support TLS v1.3 are available
# only with Application Gateway V2 SKUs".
DEFAULT_POLICY_SINCE_API = "2023-02-01"
DEFAULT_POLICY_NEW = "AppGwSslPolicy20220101"
DEFAULT_POLICY_OLD = "AppGwSslPolicy20150501"

# "The cipher suites "TLS_AES_128_GCM_SHA256" and "TLS_AES_256_GCM_SHA384" are mandatory
# for TLSv1.3. You need NOT mention these explicitly when setting a CustomV2 policy with
# minimum protocol version 1.2 or 1.3"
TLS13_SUITES = frozenset({"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"})

# "If you're using a custom SSL policy in Application Gateway v1 SKU (Standard or WAF),
# make sure that you add the mandatory cipher "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" to
# the list. This cipher is required to enable metrics and logging in the Application
# Gateway v1 SKU. This is not mandatory for Application Gateway v2 SKU"
V1_CUSTOM_REQUIRED_SUITE = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"

# "Application Gateway v2 doesn't support the following DHE ciphers. These won't be used
# for the TLS connections with clients even though they are mentioned in the predefined
# policies."
V2_UNUSED_DHE_SUITES = frozenset(
    {
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
        "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
        "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
        "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
    }
)

# The retirement page: "Starting 31st August 2025, Azure Application Gateway will no
# longer support TLS (Transport Layer Security) versions 1.0 and 1.1."
RETIREMENT_DATE = "31 August 2025"
# "The predefined policies 20150501 and 20170401 that support TLS v1.0 and 1.1 will be
# discontinued and can no longer be associated with an Application Gateway resource after
# August 2025." (V1: "The V1 SKU will only support the 20170401S policy after the older
# policies with TLS versions 1.0 and 1.1 are discontinued.")
RETIRED_PREDEFINED = frozenset({"appgwsslpolicy20150501", "appgwsslpolicy20170401"})
# "Beyond August 2025, the older Custom policy will support only TLS v1.2 and the
# following cipher suites won't be supported." (the same list for V2 and V1 SKUs)
RETIRED_CUSTOM_SUITES = frozenset(
    {
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
        "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
        "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
        "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
    }
)

# The key a TLS 1.2 suite's server authenticates with is named between "TLS_" and
# "_WITH_" (RFC 5246, RFC 8422). A TLS 1.3 suite (no "_WITH_") fits any key type.
_AUTHENTICATION = {
    "RSA": "RSA",
    "DHE_RSA": "RSA",
    "ECDHE_RSA": "RSA",
    "ECDHE_ECDSA": "ECDSA",
    "DHE_DSS": "DSA",
}


def suite_key_type(suite: str) -> str | None:
    """The key type a suite needs: ``"RSA"``, ``"ECDSA"``, ``"DSA"``, ``"any"`` (TLS 1.3),
    or None for a name that is not a TLS suite.

    >>> suite_key_type("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
    'ECDSA'
    >>> suite_key_type("TLS_AES_128_GCM_SHA256")
    'any'
    """
    if not suite.startswith("TLS_"):
        return None
    exchange, found, _ = suite[4:].partition("_WITH_")
    if not found:
        return "any"
    return _AUTHENTICATION.get(exchange)
