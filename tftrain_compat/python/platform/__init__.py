"""``tensorflow.python.platform`` under ``run``: the modules written here, else TensorFlow's own."""
from __future__ import annotations

import importlib
import importlib.util
from typing import Any


def __getattr__(name: str) -> Any:
    """``tensorflow.python.platform.<name>`` (TensorFlow's own module) for names not written here."""
    if name.startswith("__"):
        raise AttributeError(name)
    # A module written here first: `from ... import name` asks this hook before importing it.
    if importlib.util.find_spec(__name__ + "." + name) is not None:
        return importlib.import_module(__name__ + "." + name)
    return importlib.import_module("tensorflow.python.platform." + name)
