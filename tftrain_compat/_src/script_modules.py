"""``run`` mode for a whole program: a script's own modules get the shim too.

``python -m tftrain_compat run train.py`` rewrites train.py's TensorFlow imports; a helper it
imports from its own folder (``import mnist_inference``, which itself says ``import tensorflow
as tf``) must build its ops in the same shim graph, so it gets the same rewrite. This finder is
put in front of ``sys.meta_path`` for the run and serves only modules whose source file lies
inside the script's folder (top-level modules found on the folder itself, and submodules of
packages loaded from it); the standard library, site-packages and every other library keep the
real TensorFlow. Rewritten modules are compiled from source on every import and never written
to ``__pycache__``, so a later plain ``python`` run cannot pick up a rewritten bytecode file.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import types
from typing import Sequence

MARKER = "_tftrain_compat_script_modules"
# Never served from the script's folder even if a copy lies there: the shim and TensorFlow.
_NEVER = ("tftrain_compat", "tensorflow")


def _inside(path: str, folder: str) -> bool:
    path = os.path.realpath(path)
    return os.path.commonpath([path, folder]) == folder


class ShimSourceLoader(importlib.machinery.SourceFileLoader):
    """Loads a script-folder module with its TensorFlow imports rewritten as ``run`` does."""

    def get_code(self, fullname: str) -> types.CodeType:
        from tftrain_compat.cli import rewrite_source
        path = self.get_filename(fullname)
        code, _ = rewrite_source(self.get_data(path), path)
        return code


class ScriptModulesFinder(importlib.abc.MetaPathFinder):
    """Meta-path finder for modules whose source lies in ``folder`` (see the module docstring)."""

    _tftrain_compat_script_modules = True

    def __init__(self, folder: str) -> None:
        self.folder = os.path.realpath(folder)

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] in _NEVER:
            return None
        if path is None:  # a top-level name: only the script's folder itself is searched here
            search = [self.folder]
        else:  # a submodule: only when its package was loaded from the script's folder
            search = [entry for entry in path if _inside(entry, self.folder)]
            if not search or len(search) != len(list(path)):
                return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, search)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None  # not found there, or not plain Python source (extensions, bytecode only)
        if spec.origin is None or not _inside(spec.origin, self.folder):
            return None
        spec.loader = ShimSourceLoader(fullname, spec.origin)
        return spec


def install(folder: str) -> ScriptModulesFinder:
    """Put a finder for ``folder`` first on ``sys.meta_path`` (replacing an earlier one)."""
    uninstall()
    finder = ScriptModulesFinder(folder)
    sys.meta_path.insert(0, finder)
    return finder


def uninstall() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, MARKER, False)]
