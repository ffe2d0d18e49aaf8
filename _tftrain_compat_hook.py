"""Start-up hook installed with tftrain_compat (``tftrain_compat_hook.pth`` imports it).

TF1 scripts often import the MNIST tutorial module *before* ``import tftrain_compat as tf``::

    from tensorflow.examples.tutorials.mnist import input_data   # TF2 wheels lack this module
    import tftrain_compat as tf

The tutorial finder is installed when ``tftrain_compat`` is imported, too late for that first
line. This module, imported at interpreter start-up by a ``.pth`` file, appends a tiny finder to
``sys.meta_path`` that answers only for ``tensorflow.examples`` and names below it, and only
after every regular finder has been asked (so a real ``tensorflow.examples`` always wins).
When such a name is imported it loads ``tftrain_compat`` (and so TensorFlow) and hands the
request to the package's own finder, which serves only the names of its table. Nothing else
is imported at start-up: this module needs only the standard library.
"""
from __future__ import annotations

import importlib.abc
import sys
from typing import Any, Sequence

_PREFIX = "tensorflow.examples"
MARKER = "_tftrain_compat_startup_hook"


class StartupFinder(importlib.abc.MetaPathFinder):
    """Delegates ``tensorflow.examples[.*]`` to tftrain_compat's tutorial finder, lazily."""

    _tftrain_compat_startup_hook = True

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: Any = None) -> Any:
        if fullname != _PREFIX and not fullname.startswith(_PREFIX + "."):
            return None
        from tftrain_compat._src import import_hook  # imports tftrain_compat, hence TensorFlow
        return import_hook.install().find_spec(fullname, path, target)


def install() -> None:
    """Append the finder to ``sys.meta_path`` once (idempotent)."""
    if not any(getattr(finder, MARKER, False) for finder in sys.meta_path):
        sys.meta_path.append(StartupFinder())
