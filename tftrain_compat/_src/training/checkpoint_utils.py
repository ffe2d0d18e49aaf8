"""TF1's checkpoint readers and ``tf.train.init_from_checkpoint``.

``load_checkpoint`` / ``list_variables`` / ``load_variable`` are TF2's public functions, which are
TF1's own (they read TF1 checkpoints unchanged). ``NewCheckpointReader(prefix)`` is TF1's reader
of one checkpoint prefix. ``init_from_checkpoint`` follows TF1's assignment-map rules and makes
each mapped variable's initializer load from the checkpoint instead.
"""
from __future__ import annotations

import logging
import os
from collections import abc
from typing import Any

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import variables as _variables

_log = logging.getLogger("tftrain_compat")

load_checkpoint = tf.train.load_checkpoint
list_variables = tf.train.list_variables
load_variable = tf.train.load_variable


def NewCheckpointReader(filepattern: str):  # noqa: N802 - TF1's name
    """TF1's ``CheckpointReader`` of the checkpoint ``filepattern`` (a prefix, not a folder):
    ``get_variable_to_shape_map()``, ``get_variable_to_dtype_map()``, ``get_tensor(name)``,
    ``has_tensor(name)``, ``debug_string()``. A missing checkpoint is TF1's NotFoundError."""
    path = os.fspath(filepattern)
    if isinstance(path, bytes):
        path = path.decode()
    if tf.io.gfile.isdir(path):
        # load_checkpoint would look for the newest checkpoint in a folder; TF1's reader did not.
        raise tf.errors.NotFoundError(
            None, None, "Unsuccessful TensorSliceReader constructor: Failed to find any "
            f"matching files for {path}")
    return tf.train.load_checkpoint(path)


def _checkpoint_file(ckpt_dir_or_file: str) -> str:
    path = os.fspath(ckpt_dir_or_file)
    if tf.io.gfile.isdir(path):
        found = tf.train.latest_checkpoint(path)
        if found is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given "
                             f"directory {path}")
        return found
    return path


def _set_initializer_from_checkpoint(var: "_variables.Variable", ckpt_file: str,
                                     tensor_name: str) -> None:
    """Makes ``var.initializer`` assign the checkpoint's ``tensor_name`` (TF1's rewrite).

    TF1 replaced the variable's initializer op and initial value with a ``RestoreV2`` read
    (``checkpoint_initializer``); TF2 variables offer no public setter, so this sets the same
    two attributes TF1's ``init_from_checkpoint`` set. tests/test_checkpoint_utils.py fails if a
    TF release renames them (the initializer would then still be the old one).
    """
    backing = var._v

    def build(handle):
        restored = tf.raw_ops.RestoreV2(
            prefix=ckpt_file, tensor_names=[tensor_name], shape_and_slices=[""],
            dtypes=[backing.dtype.base_dtype], name="checkpoint_initializer")[0]
        restored.set_shape(backing.shape)
        init = tf.raw_ops.AssignVariableOp(resource=handle, value=tf.identity(restored))
        return init, restored

    init, restored = _tensor.call_in_graph(build, (var._graph._wrap(backing.handle),), {})
    if not hasattr(backing, "_initializer_op") or not hasattr(backing, "_initial_value"):
        raise RuntimeError("init_from_checkpoint: this TensorFlow release's variables lack "
                           "_initializer_op/_initial_value; tftrain_compat needs updating.")
    backing._initializer_op = _tensor.unwrap(init)
    backing._initial_value = _tensor.unwrap(restored)


def init_from_checkpoint(ckpt_dir_or_file: str, assignment_map: Any) -> None:
    """TF1 ``tf.train.init_from_checkpoint``: variables' initializers load from a checkpoint.

    ``assignment_map`` (a dict, or (key, value) pairs), processed in sorted key order:
    ``'ckpt/name': 'graph/name'`` or ``'ckpt/name': variable`` maps one variable;
    ``'ckpt_scope/': 'graph_scope/'`` maps every ``get_variable`` variable under the scope
    (``'/'`` is the root on either side). TF1's ValueErrors for a missing tensor, a shape
    mismatch and a scope mapped to a single name.
    """
    from tftrain_compat._src import variable_scope as _vs
    ckpt_file = _checkpoint_file(ckpt_dir_or_file)
    variable_map = tf.train.load_checkpoint(ckpt_file).get_variable_to_shape_map()
    pairs = assignment_map.items() if isinstance(assignment_map, abc.Mapping) else assignment_map
    store_vars = _vs._store().vars
    # Every entry is checked before any initializer changes, so an error changes nothing.
    todo: list[tuple[_variables.Variable, str]] = []
    for tensor_name, current in sorted(pairs, key=lambda pair: pair[0]):
        var: _variables.Variable | None
        if isinstance(current, _variables.Variable):
            var = current
        else:
            var = store_vars.get(current)
        if var is not None:
            if tensor_name not in variable_map:
                raise ValueError(f"Tensor {tensor_name} is not found in {ckpt_dir_or_file} "
                                 f"checkpoint {variable_map}")
            if not var.get_shape().is_compatible_with(variable_map[tensor_name]):
                raise ValueError(
                    f"Shape of variable {var.name} ({var.get_shape()}) doesn't match with shape "
                    f"of tensor {tensor_name} ({variable_map[tensor_name]}) from checkpoint "
                    "reader.")
            todo.append((var, tensor_name))
            continue
        scopes = current[:current.rindex("/")] if "/" in current else ""
        if not tensor_name.endswith("/"):
            raise ValueError(f"Assignment map with scope only name {scopes} should map to scope "
                             f"only {tensor_name}. Should be 'scope/': 'other_scope/'.")
        in_scope = sorted(n for n in store_vars if not scopes or n.startswith(scopes + "/"))
        for var_name in in_scope:
            full = var_name[len(scopes):]
            if current != "/":
                full = full[1:]
            if tensor_name != "/":
                full = tensor_name + full
            if full.endswith("/"):
                full = full[:-1]
            if full not in variable_map:
                raise ValueError(f"Tensor {full} ({var_name[len(scopes) + 1:]} in {tensor_name}) "
                                 f"is not found in {ckpt_dir_or_file} checkpoint")
            todo.append((store_vars[var_name], full))
    for var, tensor_name in todo:
        _set_initializer_from_checkpoint(var, ckpt_file, tensor_name)
        _log.debug("Initialize variable %s from checkpoint %s with %s", var.name,
                   ckpt_dir_or_file, tensor_name)
