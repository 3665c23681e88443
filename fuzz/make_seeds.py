"""Write the generated seeds of ``fuzz/corpus`` (see its README.txt).

    PYTHONPATH=src python fuzz/make_seeds.py

Each seed is a file whose shape is made by code, not found: the test helpers
that build it are the ones the tests use (``tests/helpers``).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the helpers that build the shapes

from helpers.hidden_work import hidden_key_bag_pfx  # noqa: E402
from helpers.read import make_chain  # noqa: E402

CORPUS = ROOT / "fuzz" / "corpus"
#: The fuzzer opens files without a password and with these (fuzz_appgw_certs.py).
FUZZ_PASSWORDS = (b"password", b"Secret123")


def main() -> None:
    chain = make_chain("fuzz")
    seeds = {
        # a 3DES certificate safe (2,048 iterations) holding a key bag that asks
        # for 2x10^9: refused before any derivation, whichever password opens it
        "hidden-key-bag-iterations.pfx": hidden_key_bag_pfx(
            chain.leaf.key, chain.leaf.cert, None, mac=False
        ),
        "hidden-key-bag-iterations-nested-mac.pfx": hidden_key_bag_pfx(
            chain.leaf.key, chain.leaf.cert, FUZZ_PASSWORDS[1], nested=True
        ),
    }
    for name, data in seeds.items():
        (CORPUS / name).write_bytes(data)
        print(f"{CORPUS / name}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
