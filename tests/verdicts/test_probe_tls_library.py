"""Which TLS library the probe's handshake uses: ssl from Python 3.13, pyOpenSSL before.

The probe's behaviour is test_probe.py's, run on both (CI runs the suite on
3.11 and on the newest Python the machine has); this says which one ran.
"""

from __future__ import annotations

import subprocess
import sys

from helpers.pki import make_leaf, make_pki
from helpers.tls_servers import PythonTLSServer, server_context

_PROGRAM = """
import sys
from appgw_certs import fetch_presented_chain
chain = fetch_presented_chain("127.0.0.1", int(sys.argv[1]), timeout=10)
print(len(chain), "OpenSSL" in sys.modules)
"""


def test_pyopenssl_is_loaded_by_a_probe_before_python_3_13_only() -> None:
    pki = make_pki(1)
    leaf = make_leaf(pki.issuer, dns_names=("backend.test",))
    with PythonTLSServer(server_context(leaf)) as server:
        ran = subprocess.run(
            [sys.executable, "-c", _PROGRAM, str(server.port)],
            capture_output=True, text=True, timeout=30, check=True,
        )  # fmt: skip
    assert ran.stdout.split() == ["1", str(sys.version_info < (3, 13))]
