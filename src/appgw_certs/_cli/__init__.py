"""The ``appgw-certs`` command: the parser and entry point, terminal and file output, and a
module per verb. Heavy layers are imported only when a verb runs, so ``--help`` stays fast.

Ctrl-C is one line and exit status 130 from the first line of the command line's own code:
:func:`.main.main` catches ``KeyboardInterrupt`` around all it does (deferred imports
included), and the hooks installed here, first thing, take care of the rest:

- one that arrives while these modules load, or after ``main`` returns, reaches
  :data:`sys.excepthook` uncaught: one line, exit 130, no traceback;
- one that lands where Python can only report it as "Exception ignored" (a weakref
  callback or ``__del__``, as import locks are released) is raised again, in the
  code that was running, instead of being printed and lost.

Both act on ``KeyboardInterrupt`` only, and leave an interactive session to Python.

May import every layer (and the public package).
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["caused_by_ctrl_c"]


def caused_by_ctrl_c(exc: BaseException) -> bool:
    """True for a ``KeyboardInterrupt``, or an error Python raised because of one
    (``RuntimeError: Error calling __set_name__`` when it lands in class creation)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _exit_when_interrupted(
    kind: type[BaseException], value: BaseException, traceback: TracebackType | None
) -> None:
    if not hasattr(sys, "ps1") and caused_by_ctrl_c(value):
        try:
            os.write(2, b"appgw-certs: error: interrupted\n")
        finally:
            os._exit(130)  # the exit status of a Ctrl-C, without Python's traceback
    _python_excepthook(kind, value, traceback)


def _raise_again_when_interrupted(unraisable: sys.UnraisableHookArgs) -> None:
    if unraisable.exc_value is None or not caused_by_ctrl_c(unraisable.exc_value):
        _python_unraisablehook(unraisable)
        return
    # Sent from another thread, the signal trips once this hook has returned (sent from
    # here, it would land in the hook itself, and be lost again).
    _thread.start_new_thread(os.kill, (os.getpid(), signal.SIGINT))


_python_excepthook = sys.excepthook
_python_unraisablehook = sys.unraisablehook
sys.excepthook = _exit_when_interrupted
sys.unraisablehook = _raise_again_when_interrupted
