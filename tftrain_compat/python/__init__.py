"""``tensorflow.python`` as ``python -m tftrain_compat run`` serves it to a TF1 script.

``run`` rewrites ``from tensorflow.python.X import Y`` to this package when a module of that
name exists here. Only the modules whose TF2 namesake would act on TensorFlow 2's graph instead
of the shim's are written here (``framework.ops``: ``ops.reset_default_graph()``); every other
name falls through to TensorFlow's own ``tensorflow.python`` module of the same name.

In import-line mode (``import tftrain_compat as tf`` in the script) a script's own
``from tensorflow.python.framework import ops`` still gets TensorFlow 2's module, because TF2
ships it and the import hook only serves names TF2 lacks: change that line too
(``from tftrain_compat.python.framework import ops``) or use ``run``.
"""
from __future__ import annotations

import importlib
import importlib.util
from typing import Any


def __getattr__(name: str) -> Any:
    """``tensorflow.python.<name>`` (TensorFlow's own module) for names not written here."""
    if name.startswith("__"):
        raise AttributeError(name)
    # A module written here first: `from ... import name` asks this hook before importing it.
    if importlib.util.find_spec(__name__ + "." + name) is not None:
        return importlib.import_module(__name__ + "." + name)
    return importlib.import_module("tensorflow.python." + name)
