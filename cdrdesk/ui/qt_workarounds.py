"""Work-arounds for defects of the Qt binding, each limited to the versions that have it.

PySide6 6.12.0 on Python 3.11 drops references it never took:
``SignalInstance.emit`` returns ``True`` without a reference of its own, and
the ``None`` returned by any Python override of a C++ virtual (``data()``,
``paint()``, ``resizeEvent()``...) loses one reference. Either count reaches zero after
enough emits or repaints, and the interpreter aborts ("bool_dealloc" or
"none_dealloc"), at the latest when it exits. Python 3.12 made both objects
immortal and PySide6 6.11 does not have the defects; the helpers here give
the reference back only where it is missing.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

import PySide6

_AFFECTED_BINDING = tuple(PySide6.__version_info__[:3]) == (6, 12, 0)
_DROPS_REFERENCES = _AFFECTED_BINDING and sys.version_info < (3, 12)


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, without the reference leak of the affected versions."""
    result = signal.emit(*args)
    if _DROPS_REFERENCES:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))


def none_result() -> None:
    """None, as an override of a C++ virtual returns it (also "no value" from ``data()``)."""
    if _DROPS_REFERENCES:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
