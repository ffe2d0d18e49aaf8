"""TF1's checkpoint bookkeeping: the ``checkpoint`` state file and checkpoint prefixes.

A V2 checkpoint ``PREFIX`` is the files ``PREFIX.index`` (which identifies it) and
``PREFIX.data-NNNNN-of-NNNNN``, next to ``PREFIX.meta`` when the Saver wrote the graph. The
state file (default name ``checkpoint``) is a ``CheckpointState`` protocol buffer in text
format: ``model_checkpoint_path`` (the newest) and ``all_model_checkpoint_paths`` (oldest
first). ``latest_checkpoint`` and ``get_checkpoint_state`` are TF2's public functions, which
are TF1's own unchanged.
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
import uuid
from typing import Sequence

import tensorflow as tf
from google.protobuf import text_format
from tensorflow.core.protobuf import saver_pb2

_log = logging.getLogger("tftrain_compat")

# TF2 still exports these two, with TF1's behaviour (they are the same functions).
latest_checkpoint = tf.train.latest_checkpoint
get_checkpoint_state = tf.train.get_checkpoint_state


def _checkpoint_state_class() -> type:
    """The ``CheckpointState`` message class.

    TF2 exports no name for it; the generated module is private. The public fallback takes the
    class from what ``tf.train.get_checkpoint_state`` returns for a one-line state file.
    tests/test_checkpoint_management.py checks that both give the same class.
    """
    try:
        from tensorflow.python.training.checkpoint_state_pb2 import CheckpointState
        return CheckpointState
    except ImportError:  # pragma: no cover - depends on the TF release
        return _checkpoint_state_class_public()


def _checkpoint_state_class_public() -> type:
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "checkpoint"), "w") as f:
            f.write('model_checkpoint_path: "x"\n')
        return type(tf.train.get_checkpoint_state(folder))


CheckpointState = _checkpoint_state_class()


def _state_filename(save_dir: str, latest_filename: str | None) -> str:
    return os.path.join(save_dir, latest_filename or "checkpoint")


def generate_checkpoint_state_proto(save_dir: str, model_checkpoint_path: str,
                                    all_model_checkpoint_paths: Sequence[str] | None = None,
                                    all_model_checkpoint_timestamps: Sequence[float] | None = None,
                                    last_preserved_timestamp: float | None = None):
    """A ``CheckpointState`` as TF1 built it.

    ``model_checkpoint_path`` is appended to ``all_model_checkpoint_paths`` unless it is already
    the last entry; when ``save_dir`` is relative, relative paths are rewritten relative to it.
    Timestamps, when given, must be as many as the paths (TF1's ValueError otherwise).
    """
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        _log.info("%s is not in all_model_checkpoint_paths. Manually adding it.",
                  model_checkpoint_path)
        paths.append(model_checkpoint_path)
    if all_model_checkpoint_timestamps and len(all_model_checkpoint_timestamps) != len(paths):
        raise ValueError("Checkpoint timestamps, if provided, must match checkpoint paths (got "
                         f"paths {paths} and timestamps {all_model_checkpoint_timestamps})")
    if not os.path.isabs(save_dir):
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir)
        paths = [p if os.path.isabs(p) else os.path.relpath(p, save_dir) for p in paths]
    return CheckpointState(model_checkpoint_path=model_checkpoint_path,
                           all_model_checkpoint_paths=paths,
                           all_model_checkpoint_timestamps=all_model_checkpoint_timestamps,
                           last_preserved_timestamp=last_preserved_timestamp)


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str,
                            all_model_checkpoint_paths: Sequence[str] | None = None,
                            latest_filename: str | None = None,
                            all_model_checkpoint_timestamps: Sequence[float] | None = None,
                            last_preserved_timestamp: float | None = None) -> None:
    """Rewrites the state file ``save_dir/latest_filename`` (default ``checkpoint``).

    The file is written whole to a temporary name and renamed over the old one, so a reader
    never sees half of it. ``RuntimeError`` when the newest path is the state file itself.
    """
    _update_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths,
                  latest_filename, False, all_model_checkpoint_timestamps,
                  last_preserved_timestamp)


def _update_state(save_dir: str, model_checkpoint_path: str,
                  all_model_checkpoint_paths: Sequence[str] | None, latest_filename: str | None,
                  save_relative_paths: bool,
                  all_model_checkpoint_timestamps: Sequence[float] | None = None,
                  last_preserved_timestamp: float | None = None) -> None:
    state_file = _state_filename(save_dir, latest_filename)
    paths = list(all_model_checkpoint_paths or [])
    if save_relative_paths:
        def rel(p: str) -> str:
            return os.path.relpath(p, save_dir) if os.path.isabs(p) else p
        model_checkpoint_path = rel(model_checkpoint_path)
        paths = [rel(p) for p in paths]
    state = generate_checkpoint_state_proto(
        save_dir, model_checkpoint_path, all_model_checkpoint_paths=paths,
        all_model_checkpoint_timestamps=all_model_checkpoint_timestamps,
        last_preserved_timestamp=last_preserved_timestamp)
    if state_file == state.model_checkpoint_path:
        raise RuntimeError(f"Save path '{model_checkpoint_path}' conflicts with path used for "
                           "checkpoint state.  Please use a different save path.")
    atomic_write(state_file, text_format.MessageToString(state))


def atomic_write(path: str, text: str | bytes) -> None:
    """Writes ``text`` (or bytes) to a temporary file beside ``path``, then renames it onto
    ``path``, so a reader never sees half a file (TF1's ``atomic_write_string_to_file``)."""
    temp = f"{path}.tmp{uuid.uuid4().hex}"
    with tf.io.gfile.GFile(temp, "wb" if isinstance(text, bytes) else "w") as f:
        f.write(text)
    try:
        tf.io.gfile.rename(temp, path, overwrite=True)
    except Exception:
        _delete_matching(temp)
        raise


def checkpoint_exists(checkpoint_prefix: str) -> bool:
    """True when ``PREFIX.index`` (V2) or a file matching ``PREFIX`` itself (V1) exists."""
    if tf.io.gfile.glob(checkpoint_prefix + ".index"):
        return True
    return bool(tf.io.gfile.glob(checkpoint_prefix))


def get_checkpoint_mtimes(checkpoint_prefixes: Sequence[str]) -> list[float]:
    """Modification times (seconds) of the checkpoints found, V2 index first, then V1.

    Prefixes with no files are skipped, so the list can be shorter than the input (TF1).
    """
    mtimes = []
    for prefix in checkpoint_prefixes:
        for pattern in (prefix + ".index", prefix):
            found = tf.io.gfile.glob(pattern)
            if found:
                mtimes.append(tf.io.gfile.stat(found[0]).mtime_nsec / 1e9)
                break
    return mtimes


def remove_checkpoint(checkpoint_prefix: str,
                      checkpoint_format_version: int = saver_pb2.SaverDef.V2,
                      meta_graph_suffix: str = "meta") -> None:
    """Deletes ``PREFIX.meta``, then ``PREFIX.index`` and ``PREFIX.data-?????-of-?????`` (V2),
    or the file ``PREFIX`` itself (V1). Missing files are not an error."""
    _delete_matching(meta_graph_filename(checkpoint_prefix, meta_graph_suffix))
    if checkpoint_format_version == saver_pb2.SaverDef.V2:
        _delete_matching(checkpoint_prefix + ".index")
        _delete_matching(checkpoint_prefix + ".data-?????-of-?????")
    else:
        _delete_matching(checkpoint_prefix)


def _delete_matching(pattern: str) -> None:
    for path in tf.io.gfile.glob(pattern):
        try:
            tf.io.gfile.remove(path)
        except tf.errors.NotFoundError:
            _log.warning("Hit NotFoundError when deleting '%s', possibly because another "
                         "process/thread is also deleting/moving the same file", path)


def meta_graph_filename(checkpoint_filename: str, meta_graph_suffix: str = "meta") -> str:
    """``model.ckpt-123`` -> ``model.ckpt-123.meta`` (a sharded ``-?????-of-N`` tail dropped)."""
    base = re.sub(r"-[\d\?]+-of-\d+$", "", checkpoint_filename)
    return f"{base}.{meta_graph_suffix}"
