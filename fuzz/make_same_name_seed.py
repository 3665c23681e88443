"""Write fuzz/corpus/same-name-cas.pem: CAs that share one name, for the fuzzer to mutate.

    python fuzz/make_same_name_seed.py

Twelve self-signed CAs with one key, twelve with a key each (none with key
identifiers, all named alike) and a leaf issued by one of them: past the eight
holders of a name that the issuer search asks one by one, so that mutations
reach the search by key and its bound (docs/robustness.md, "Chain search").
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the crowd's maker lives with the benchmarks

from benchmarks.bench_hostile import pem, same_name_crowd  # noqa: E402

SEED = ROOT / "fuzz" / "corpus" / "same-name-cas.pem"


def main() -> None:
    crowd = [*same_name_crowd(13, leaf=True), *same_name_crowd(12, shared_key=True)]
    SEED.write_bytes(pem(tuple(crowd)))
    print(f"wrote {SEED} ({len(crowd)} certificates)")


if __name__ == "__main__":
    main()
