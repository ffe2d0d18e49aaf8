"""TF1 ``tf.gfile``: TF1's names on TF2's ``tf.io.gfile``."""
from __future__ import annotations

from tftrain_compat._src.gfile import (  # noqa: F401
    Copy as Copy, DeleteRecursively as DeleteRecursively, Exists as Exists,
    FastGFile as FastGFile, GFile as GFile, Glob as Glob, IsDirectory as IsDirectory,
    ListDirectory as ListDirectory, MakeDirs as MakeDirs, MkDir as MkDir, Open as Open,
    Remove as Remove, Rename as Rename, Stat as Stat, Walk as Walk,
)

__all__ = sorted(name for name in dir() if not name.startswith("_") and name != "annotations")
