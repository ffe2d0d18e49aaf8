"""Serve ``tensorflow.examples.tutorials.mnist.input_data`` and ``.mnist``, and ``tensorflow.contrib``'s
``rnn``, ``layers`` and ``framework``, which TF2 wheels no longer ship.

The finder is installed when ``tftrain_compat`` is imported, so a script whose first line became
``import tftrain_compat as tf`` can keep ``from tensorflow.contrib import rnn``. The start-up hook
installed with the package (``_tftrain_compat_hook.py``) forwards only ``tensorflow.examples``:
``tensorflow.contrib`` stays missing in processes that never import the shim, so TF2 code that
probes for it still finds no TF1.

One table (``tables.SERVED_MODULES``, ``SERVED`` here) drives the finder and the tests. The finder is *appended* to
``sys.meta_path``, so every regular finder is asked first: a real ``tensorflow.examples...`` (an
old TF, or a package that provides it) always wins, and only the names in the table are served.

Packages are served as small alias modules whose ``__path__`` is empty: with the real package's
``__path__``, Python's PathFinder would find ``input_data.py`` there and load a second copy of it
under the ``tensorflow.*`` name. With an empty path the submodule request comes back to this
finder, which serves the very module object imported as ``tftrain_compat...input_data``.
Attribute lookups on an alias package fall through to the package it stands for.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any, Sequence

from tftrain_compat._src.tables import SERVED_MODULES

# Served name -> the tftrain_compat module it stands for (the table lives in tables.py).
SERVED: dict[str, str] = SERVED_MODULES
# Served names that have served children: these are served as alias packages.
_PACKAGES = frozenset(name.rpartition(".")[0] for name in SERVED) & frozenset(SERVED)
MARKER = "_tftrain_compat_import_hook"


def _alias_getattr(alias: str, target: str) -> Any:
    def __getattr__(name: str) -> Any:
        child = alias + "." + name
        if child in SERVED:  # import it under the served name, so sys.modules has it
            return importlib.import_module(child)
        if name.startswith("__"):  # module machinery (__path__, __file__, ...) is the alias's own
            raise AttributeError("module %r has no attribute %r" % (alias, name))
        return getattr(importlib.import_module(target), name)

    return __getattr__


class TutorialsFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Meta-path finder and loader for the names in ``SERVED`` (find_spec/create_module/exec_module)."""

    _tftrain_compat_import_hook = True  # the marker install() looks for

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in SERVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=fullname in _PACKAGES)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        target = importlib.import_module(SERVED[spec.name])
        if spec.name in _PACKAGES:
            alias = types.ModuleType(spec.name, target.__doc__)
            alias.__path__ = []  # never a real folder: see the module docstring
            setattr(alias, "__getattr__", _alias_getattr(spec.name, target.__name__))  # PEP 562 hook
            return alias
        spec.loader_state = target.__spec__  # the import system is about to overwrite it
        return target

    def exec_module(self, module: types.ModuleType) -> None:
        original = module.__spec__.loader_state if module.__spec__ is not None else None
        if original is not None:
            # The shared module object keeps its own spec, so reload() and pickling use its real name.
            module.__spec__ = original


def install() -> TutorialsFinder:
    """Append the finder to ``sys.meta_path`` unless one is there already; returns the one in use."""
    for finder in sys.meta_path:
        if getattr(finder, MARKER, False):
            return finder  # type: ignore[return-value]
    finder = TutorialsFinder()
    sys.meta_path.append(finder)
    return finder


def uninstall() -> None:
    """Remove the finder (modules it already served stay in ``sys.modules``)."""
    sys.meta_path[:] = [finder for finder in sys.meta_path if not getattr(finder, MARKER, False)]
