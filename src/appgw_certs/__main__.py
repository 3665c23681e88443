"""``python -m appgw_certs``: the same as the ``appgw-certs`` command."""

from __future__ import annotations

import sys

from ._cli.main import main

if __name__ == "__main__":
    sys.exit(main())
