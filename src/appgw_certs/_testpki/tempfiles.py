"""Key material in a temporary file: 0600, in a fresh private directory, removed on exit."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["secret_tempfile"]


@contextmanager
def secret_tempfile(data: bytes, name: str) -> Iterator[Path]:
    """``data`` written to ``name`` in a new 0700 directory; both are gone when the block ends.

    The file is created 0600 under a temporary name and renamed into place, so a
    reader never sees it half written; nothing existing is ever overwritten (the
    directory is new).
    """
    directory = Path(tempfile.mkdtemp(prefix="appgw-certs-"))
    try:
        partial = directory / f".{name}.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        path = directory / name
        partial.rename(path)
        yield path
    finally:
        shutil.rmtree(directory, ignore_errors=True)
