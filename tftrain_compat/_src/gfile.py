"""TF1's ``tf.gfile`` names and argument names, on TF2's ``tf.io.gfile``.

The functions are TF2's own (the same file-system layer TF1 used, with TF1's
``tf.errors.NotFoundError`` and friends); only TF1's spellings are added here: CamelCase names,
TF1's argument names (``filename``, ``dirname``, ``oldpath``...) and ``Walk(top, in_order)``.
"""
from __future__ import annotations

from typing import Any, Iterator

import tensorflow as tf

GFile = tf.io.gfile.GFile
Open = GFile
# TF1's FastGFile(name, mode='r') behaved as its GFile (both documented as "File I/O wrappers
# without thread locking"); TF2's GFile is that class.
FastGFile = GFile


def Exists(filename: str) -> bool:  # noqa: N802 (TF1's names)
    """Whether ``filename`` exists (TF1: ``file_io.file_exists``)."""
    return tf.io.gfile.exists(filename)


def IsDirectory(dirname: str) -> bool:  # noqa: N802
    return tf.io.gfile.isdir(dirname)


def ListDirectory(dirname: str) -> list[str]:  # noqa: N802
    """Entries of ``dirname`` (no ``.``/``..``); NotFoundError when it is not a directory."""
    return tf.io.gfile.listdir(dirname)


def MakeDirs(dirname: str) -> None:  # noqa: N802
    """Creates ``dirname`` and its missing parents; no error when it exists."""
    tf.io.gfile.makedirs(dirname)


def MkDir(dirname: str) -> None:  # noqa: N802
    """Creates ``dirname``; AlreadyExistsError when it exists."""
    tf.io.gfile.mkdir(dirname)


def DeleteRecursively(dirname: str) -> None:  # noqa: N802
    tf.io.gfile.rmtree(dirname)


def Remove(filename: str) -> None:  # noqa: N802
    tf.io.gfile.remove(filename)


def Rename(oldname: str, newname: str, overwrite: bool = False) -> None:  # noqa: N802
    """Renames; AlreadyExistsError when ``newname`` exists and ``overwrite`` is False."""
    tf.io.gfile.rename(oldname, newname, overwrite)


def Copy(oldpath: str, newpath: str, overwrite: bool = False) -> None:  # noqa: N802
    """Copies; AlreadyExistsError when ``newpath`` exists and ``overwrite`` is False."""
    tf.io.gfile.copy(oldpath, newpath, overwrite)


def Glob(filename: str) -> list[str]:  # noqa: N802
    return tf.io.gfile.glob(filename)


def Stat(filename: str) -> Any:  # noqa: N802
    """A FileStatistics (``length``, ``mtime_nsec``, ``is_directory``)."""
    return tf.io.gfile.stat(filename)


def Walk(top: str, in_order: bool = True) -> Iterator[tuple[str, list[str], list[str]]]:  # noqa: N802
    """``(dirname, subdirs, files)`` per directory; ``in_order`` is TF1's name for top-down."""
    return tf.io.gfile.walk(top, topdown=in_order)
