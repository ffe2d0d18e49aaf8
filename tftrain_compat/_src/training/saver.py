"""TF1 ``tf.train.Saver``: name-based V2 checkpoints, as ops of the recorded graph.

The constructor records TF1's save and restore sub-graphs in the backing graph (under the name
scope ``save``): a filename ``save/Const`` (a PlaceholderWithDefault fed with the path),
``SaveV2`` of every saveable and ``save/control_dependency`` (the path, after the write), and
``RestoreV2`` feeding one ``AssignVariableOp`` per variable, grouped as ``save/restore_all``.
``save``/``restore`` run them with ``Session.run``; the checkpoint files, the key names
(``net/W``, ``net/W/Adam``, ``beta1_power``, ``global_step``) and the ``checkpoint`` state file are
TF1's, so TF1 and tftrain_compat read each other's checkpoints.

Saving is atomic: ``SaveV2`` writes ``PREFIX_temp/part-00000-of-00001`` and
``MergeV2Checkpoints`` then moves it onto ``PREFIX`` (TF1's sharded layout, one shard); the state
file is rewritten (whole, then renamed) only after that succeeded, and a failed save removes its
temporary folder. A failed restore changes no variable: everything it can check before running
(the files, each variable's shape) is checked first, and the single ``RestoreV2`` op reads every
tensor before any assignment runs.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import saver_pb2

from tftrain_compat._src import errors as _errors
from tftrain_compat._src import graph as _graph
from tftrain_compat._src import meta_graph
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import variables as _variables
from tftrain_compat._src.graph import GraphKeys
from tftrain_compat._src.training import checkpoint_management as _cm

_log = logging.getLogger("tftrain_compat")

SaverDef = saver_pb2.SaverDef


# ----- which tensors are saved under which names --------------------------------------------------
def _handle_of(value: Any, what: str) -> tf.Tensor:
    """A variable (or a read of one) -> its backing resource handle; TF1's TypeError otherwise."""
    if isinstance(value, _variables.Variable):
        return value._v.handle
    if isinstance(value, _tensor.Tensor):
        t = value._t
        if t.op.type == "ReadVariableOp":
            return t.op.inputs[0]
        if t.dtype == tf.resource and t.op.type == "VarHandleOp":
            return t
    raise TypeError(what)


def saveables_for(var_list: Any) -> list[tuple[str, tf.Tensor]]:
    """``var_list`` (list/tuple/set of variables, or {name: variable}) -> [(checkpoint key,
    backing handle)] sorted by key, with TF1's checks (duplicate names, one variable twice)."""
    if isinstance(var_list, dict):
        by_name = {}
        for name, var in var_list.items():
            if not isinstance(name, str):
                raise TypeError("names_to_saveables must be a dict mapping string names to "
                                f"trackable operations. Name is not a string: {name}")
            by_name[name] = _handle_of(
                var, "names_to_saveables must be a dict mapping string names to "
                f"Tensors/Variables. Not a variable: {var}")
    else:
        if not isinstance(var_list, (list, tuple, set)):
            raise TypeError(f"Variables to save should be passed in a dict or a list. Got "
                            f"{var_list}")
        flat = list(tf.nest.flatten(list(var_list)))
        by_name = {}
        for var in sorted(flat, key=lambda x: x.name):
            handle = _handle_of(var, f"Variable to save is not a Variable: {var}")
            name = handle.op.name
            if name in by_name:
                raise ValueError(f"At least two variables have the same name: {name}")
            by_name[name] = handle
    seen: set[str] = set()
    out = []
    for name in sorted(by_name):
        handle = by_name[name]
        if handle.op.name in seen:
            raise ValueError(f"The same saveable will be restored with two names: {name}")
        seen.add(handle.op.name)
        out.append((name, handle))
    return out


def _build_saver_ops(handles: list[tf.Tensor], names: list[str], scope: str | None,
                     filename: str | None, reshape: bool) -> tuple[str, str, str]:
    """Records the save and restore ops in the current (backing) graph.

    Returns (filename tensor name, save tensor name, restore op name), as in a SaverDef.
    """
    graph = handles[0].graph
    with graph.name_scope(scope or "save"):
        default = tf.raw_ops.PlaceholderWithDefault(
            input=tf.constant(filename or "model", name="filename/input"), shape=[],
            name="filename")
        # TF1 keeps the name "Const" for the filename tensor (checkpoints' .meta rely on it).
        prefix = tf.raw_ops.PlaceholderWithDefault(input=default, shape=[], name="Const")
        tensor_names = tf.constant(names, dtype=tf.string, name="SaveV2/tensor_names")
        slices = tf.constant([""] * len(names), dtype=tf.string, name="SaveV2/shape_and_slices")
        dtypes = [h.op.get_attr("dtype") for h in handles]
        reads = [tf.raw_ops.ReadVariableOp(resource=h, dtype=d) for h, d in zip(handles, dtypes)]
        temp = tf.strings.join([prefix, "_temp/part"], name="StringJoin")
        shard = tf.raw_ops.ShardedFilename(basename=temp, shard=0, num_shards=1,
                                           name="ShardedFilename")
        save = tf.raw_ops.SaveV2(prefix=shard, tensor_names=tensor_names,
                                 shape_and_slices=slices, tensors=reads, name="SaveV2")
        with tf.control_dependencies([save]):
            merge = tf.raw_ops.MergeV2Checkpoints(
                checkpoint_prefixes=tf.reshape(shard, [1]), destination_prefix=prefix,
                delete_old_dirs=True, name="MergeV2Checkpoints")
        with tf.control_dependencies([merge]):
            save_tensor = tf.identity(prefix, name="control_dependency")

        r_names = tf.constant(names, dtype=tf.string, name="RestoreV2/tensor_names")
        r_slices = tf.constant([""] * len(names), dtype=tf.string,
                               name="RestoreV2/shape_and_slices")
        restored = tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=r_names,
                                        shape_and_slices=r_slices, dtypes=dtypes,
                                        name="RestoreV2")
        assigns = []
        for handle, value in zip(handles, restored):
            if reshape:
                shape = handle.op.get_attr("shape")
                value = tf.reshape(value, shape if tf.TensorShape(shape).is_fully_defined()
                                   else tf.raw_ops.VariableShape(input=handle))
            value = tf.identity(value, name="Identity")
            assigns.append(tf.raw_ops.AssignVariableOp(resource=handle, value=value,
                                                       name="AssignVariableOp"))
        restore = tf.group(*assigns, name="restore_all")
    return prefix.name, save_tensor.name, restore.name


def _prepend_scope(name: str, scope: str | None) -> str:
    if not scope:
        return name
    return scope.rstrip("/") + "/" + name


class Saver:
    """TF1 ``tf.train.Saver(var_list=None, reshape=False, sharded=False, max_to_keep=5,
    keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
    saver_def=None, builder=None, defer_build=False, allow_empty=False,
    write_version=SaverDef.V2, pad_step_number=False, save_relative_paths=False,
    filename=None)``.

    ``var_list`` None means every global variable and saveable object; a list/tuple saves each
    variable under its op name (``net/W``), a dict under its key. ``max_to_keep`` newest
    checkpoints are kept (None or 0: all), plus one every ``keep_checkpoint_every_n_hours``.
    """

    def __init__(self, var_list=None, reshape: bool = False, sharded: bool = False,
                 max_to_keep: int | None = 5, keep_checkpoint_every_n_hours: float = 10000.0,
                 name: str | None = None, restore_sequentially: bool = False,
                 saver_def=None, builder=None, defer_build: bool = False,
                 allow_empty: bool = False, write_version: int = saver_pb2.SaverDef.V2,
                 pad_step_number: bool = False, save_relative_paths: bool = False,
                 filename: str | None = None) -> None:
        if defer_build and var_list is not None and (
                not isinstance(var_list, (list, tuple, set, dict)) or len(var_list)):
            raise ValueError("If `var_list` is provided then build cannot be deferred. Either "
                             "set defer_build=False or var_list=None.")
        if builder is not None:
            raise _errors.not_supported("Saver(builder=...): a custom SaverBuilder",
                                        "leave builder=None.", why="it builds TF1 graph ops")
        if write_version != saver_pb2.SaverDef.V2:
            raise NotImplementedError(_errors.with_help(
                "Saver(write_version=SaverDef.V1): tftrain_compat writes V2 checkpoints only (TF1 "
                "had deprecated V1).", "leave write_version at its default; V2 checkpoints are "
                "read by every TF1 release since 0.12."))
        self._graph = _graph.get_default_graph()
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._restore_sequentially = restore_sequentially
        self.saver_def = saver_def
        self._is_built = False
        self._allow_empty = allow_empty
        self._is_empty: bool | None = None
        self._write_version = write_version
        self._pad_step_number = pad_step_number
        self._filename = filename
        self._last_checkpoints: list[tuple[str, float]] = []
        self._checkpoints_to_be_deleted: list[tuple[str, float]] = []
        self._next_checkpoint_time = time.time() + keep_checkpoint_every_n_hours * 3600
        self._restore_map: list | None = None
        if not defer_build:
            self.build()
        if self.saver_def:
            self._check_saver_def()
            self._write_version = self.saver_def.version
        self._save_relative_paths = save_relative_paths

    # ----- building ------------------------------------------------------------------------
    def build(self) -> None:
        """Records the save/restore ops (once); called by the constructor unless deferred."""
        if self._is_built:
            return
        self._is_built = True
        if not self.saver_def:
            if self._var_list is None:
                graph = self._graph
                self._var_list = (graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
                                  + graph.get_collection(GraphKeys.SAVEABLE_OBJECTS))
            if isinstance(self._var_list, (list, tuple, set, dict)) and not self._var_list:
                if self._allow_empty:
                    self._is_empty = True
                    return
                raise ValueError("No variables to save")
            self._is_empty = False
            saveables = saveables_for(self._var_list)
            names = [n for n, _ in saveables]
            handles = [self._graph._wrap(h) for _, h in saveables]
            scope, filename, reshape = self._name, self._filename, self._reshape
            fname, save, restore = _tensor.call_in_graph(
                lambda hs: _build_saver_ops(hs, names, scope, filename, reshape),
                (handles,), {})
            self.saver_def = saver_pb2.SaverDef(
                filename_tensor_name=fname, save_tensor_name=save, restore_op_name=restore,
                max_to_keep=self._max_to_keep or 0, sharded=self._sharded,
                keep_checkpoint_every_n_hours=self._keep_checkpoint_every_n_hours,
                version=self._write_version)
        elif self._name:
            sd = self.saver_def
            sd.filename_tensor_name = _prepend_scope(sd.filename_tensor_name, self._name)
            sd.save_tensor_name = _prepend_scope(sd.save_tensor_name, self._name)
            sd.restore_op_name = _prepend_scope(sd.restore_op_name, self._name)
        self._check_saver_def()
        self._next_checkpoint_time = (time.time()
                                      + self.saver_def.keep_checkpoint_every_n_hours * 3600)

    def _check_saver_def(self) -> None:
        if not isinstance(self.saver_def, saver_pb2.SaverDef):
            raise ValueError(f"saver_def must be a saver_pb2.SaverDef: {self.saver_def}")
        if not self.saver_def.save_tensor_name:
            raise ValueError(f"saver_def must specify the save_tensor_name: {self.saver_def}")
        if not self.saver_def.restore_op_name:
            raise ValueError(f"saver_def must specify the restore_op_name: {self.saver_def}")

    def as_saver_def(self):
        """The ``SaverDef`` protocol buffer naming this saver's ops."""
        return self.saver_def

    def to_proto(self, export_scope: str | None = None):
        """The SaverDef with ``export_scope/`` stripped from its names (None if outside it)."""
        if export_scope is None:
            return self.saver_def
        sd = self.saver_def
        if not all(n.startswith(export_scope) for n in
                   (sd.filename_tensor_name, sd.save_tensor_name, sd.restore_op_name)):
            return None
        out = saver_pb2.SaverDef()
        out.CopyFrom(sd)
        strip = len(export_scope.rstrip("/")) + 1
        out.filename_tensor_name = sd.filename_tensor_name[strip:]
        out.save_tensor_name = sd.save_tensor_name[strip:]
        out.restore_op_name = sd.restore_op_name[strip:]
        return out

    @staticmethod
    def from_proto(saver_def, import_scope: str | None = None) -> "Saver":
        """A Saver over existing ops named by ``saver_def`` (under ``import_scope``)."""
        return Saver(saver_def=saver_def, name=import_scope)

    # ----- the checkpoints this saver keeps -------------------------------------------------
    @property
    def last_checkpoints(self) -> list[str]:
        """Paths of the checkpoints not yet deleted, oldest first."""
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints: list) -> None:
        """Replaces the list; these get timestamp +inf, so keep_checkpoint_every_n_hours
        always keeps them (TF1)."""
        assert isinstance(last_checkpoints, list)
        self._last_checkpoints = [(s, np.inf) for s in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time: list) -> None:
        """Replaces the list with (path, timestamp) pairs."""
        assert isinstance(last_checkpoints_with_time, list)
        self._last_checkpoints = last_checkpoints_with_time

    def recover_last_checkpoints(self, checkpoint_paths: list) -> None:
        """Takes over ``checkpoint_paths`` that still exist, with their files' mtimes."""
        found = []
        for path in checkpoint_paths:
            try:
                mtime = _cm.get_checkpoint_mtimes([path])
            except tf.errors.NotFoundError:
                continue
            if mtime:
                found.append((path, mtime[0]))
        self.set_last_checkpoints_with_time(found)

    def _record_last_checkpoint(self, path: str) -> None:
        if not self.saver_def.max_to_keep:
            return
        self._last_checkpoints = [p for p in self._last_checkpoints if p[0] != path]
        self._last_checkpoints.append((path, time.time()))
        if len(self._last_checkpoints) > self.saver_def.max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _maybe_delete_old_checkpoints(self, meta_graph_suffix: str = "meta") -> None:
        if not self._checkpoints_to_be_deleted:
            return
        path, stamp = self._checkpoints_to_be_deleted.pop(0)
        if stamp > self._next_checkpoint_time:
            self._next_checkpoint_time += self.saver_def.keep_checkpoint_every_n_hours * 3600
            return
        try:
            _cm.remove_checkpoint(path, self.saver_def.version, meta_graph_suffix)
        except Exception as err:  # TF1 logged and went on
            _log.warning("Ignoring: %s", err)

    # ----- save / restore ----------------------------------------------------------------
    def save(self, sess, save_path: str, global_step=None, latest_filename: str | None = None,
             meta_graph_suffix: str = "meta", write_meta_graph: bool = True,
             write_state: bool = True, strip_default_attrs: bool = False,
             save_debug_info: bool = False) -> str | None:
        """Writes the variables' values in ``sess`` to ``save_path[-global_step]`` (TF1).

        Returns the checkpoint prefix; records it in the state file ``latest_filename``
        (default ``checkpoint``) beside it, deletes checkpoints beyond ``max_to_keep``, then
        writes ``PREFIX.meta``. Returns None for an empty saver.
        """
        from tftrain_compat._src import session as _session
        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        if latest_filename is None:
            latest_filename = "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = os.fspath(save_path)
        if isinstance(save_path, bytes):
            save_path = save_path.decode()
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = int(sess.run(global_step))
            checkpoint_file = (f"{save_path}-{global_step:08d}" if self._pad_step_number
                               else f"{save_path}-{int(global_step)}")
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError(f"'latest_filename' collides with 'save_path': "
                                 f"'{latest_filename}' and '{save_path}'")
        if not isinstance(sess, _session.BaseSession):
            raise TypeError(f"'sess' must be a Session; {sess}")
        parent = os.path.dirname(save_path)
        model_checkpoint_path = None
        if not self._is_empty:
            try:
                model_checkpoint_path = sess.run(
                    self.saver_def.save_tensor_name,
                    {self.saver_def.filename_tensor_name: checkpoint_file})
            except (tf.errors.FailedPreconditionError, tf.errors.NotFoundError) as exc:
                self._remove_temp(checkpoint_file)
                if not tf.io.gfile.isdir(parent or "."):
                    raise ValueError(f"Parent directory of {save_path} doesn't exist, can't "
                                     "save.") from None
                raise
            except Exception:
                self._remove_temp(checkpoint_file)
                raise
            model_checkpoint_path = model_checkpoint_path.decode()
            if write_state:
                self._record_last_checkpoint(model_checkpoint_path)
                _cm._update_state(parent, model_checkpoint_path, self.last_checkpoints,
                                  latest_filename, self._save_relative_paths)
                self._maybe_delete_old_checkpoints(meta_graph_suffix)
        if write_meta_graph:
            self.export_meta_graph(_cm.meta_graph_filename(checkpoint_file, meta_graph_suffix),
                                   strip_default_attrs=strip_default_attrs)
        return model_checkpoint_path

    @staticmethod
    def _remove_temp(checkpoint_file: str) -> None:
        temp = checkpoint_file + "_temp"
        if tf.io.gfile.isdir(temp):
            tf.io.gfile.rmtree(temp)

    def restore(self, sess, save_path: str) -> None:
        """Assigns every saved variable its value from checkpoint ``save_path`` in ``sess``.

        TF1's errors: ``ValueError`` for a missing checkpoint; ``NotFoundError`` (a key missing)
        and ``InvalidArgumentError`` (a shape or dtype mismatch) with TF1's hint in front;
        ``DataLossError`` for a corrupt file. The session's variables are unchanged after any.
        """
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        prefix = save_path.decode() if isinstance(save_path, bytes) else os.fspath(save_path)
        if not _cm.checkpoint_exists(prefix):
            raise ValueError("The passed save_path is not a valid checkpoint: " + prefix)
        _log.info("Restoring parameters from %s", prefix)
        try:
            self._check_shapes(prefix)
            sess.run(self.saver_def.restore_op_name,
                     {self.saver_def.filename_tensor_name: prefix})
        except tf.errors.NotFoundError as err:
            raise _wrap_restore_error(err, "a Variable name or other graph key that is "
                                           "missing") from None
        except tf.errors.InvalidArgumentError as err:
            raise _wrap_restore_error(err, "a mismatch between the current graph and the "
                                           "graph") from None

    def _restore_targets(self) -> list:
        """[(AssignVariableOp name, variable shape, checkpoint key, reshape)] of the restore op,
        read from the graph (so it works for imported savers too); [] where it cannot tell."""
        if self._restore_map is not None:
            return self._restore_map
        out = []
        try:
            restore = self._graph.backing.get_operation_by_name(self.saver_def.restore_op_name)
            for op in restore.control_inputs:
                if op.type != "AssignVariableOp" or op.inputs[0].op.type != "VarHandleOp":
                    continue
                shape = tf.TensorShape(op.inputs[0].op.get_attr("shape"))
                value, reshaped = op.inputs[1], False
                while value.op.type in ("Identity", "Reshape"):
                    reshaped |= value.op.type == "Reshape"
                    value = value.op.inputs[0]
                if value.op.type != "RestoreV2":
                    continue
                keys = tf.make_ndarray(value.op.inputs[1].op.get_attr("value"))
                out.append((op.name, shape, keys[value.value_index].decode(), reshaped))
        except (KeyError, ValueError, TypeError, IndexError, AttributeError):
            out = []
        self._restore_map = out
        return out

    def _check_shapes(self, prefix: str) -> None:
        """TF1's ``Assign`` shape check, done before anything runs so no variable changes."""
        targets = self._restore_targets()
        if not targets:
            return
        try:
            shapes = tf.train.load_checkpoint(prefix).get_variable_to_shape_map()
        except tf.errors.OpError:
            return  # RestoreV2 itself reports the file's problem
        for op_name, shape, key, reshaped in targets:
            if key not in shapes or not shape.is_fully_defined():
                continue
            saved = tf.TensorShape(shapes[key])
            ok = (saved.num_elements() == shape.num_elements()) if reshaped else saved == shape
            if not ok:
                lhs = "[" + ",".join(str(d) for d in shape.as_list()) + "]"
                rhs = "[" + ",".join(str(d) for d in saved.as_list()) + "]"
                text = ("Assign requires shapes of both tensors to match. "
                        f"lhs shape= {lhs} rhs shape= {rhs}" if not reshaped else
                        f"Input to reshape is a tensor with {saved.num_elements()} values, but "
                        f"the requested shape has {shape.num_elements()}")
                raise tf.errors.InvalidArgumentError(
                    None, None, f"{text}\n\t [[{{{{node {op_name}}}}}]]")

    # ----- the graph ----------------------------------------------------------------------
    def export_meta_graph(self, filename: str | None = None, collection_list=None,
                          as_text: bool = False, export_scope: str | None = None,
                          clear_devices: bool = False, clear_extraneous_savers: bool = False,
                          strip_default_attrs: bool = False, save_debug_info: bool = False):
        """Writes this graph and this saver's SaverDef as a MetaGraphDef (TF1); returns it."""
        return meta_graph.export_meta_graph(
            filename=filename, saver_def=self.saver_def, collection_list=collection_list,
            as_text=as_text, graph=self._graph, export_scope=export_scope,
            clear_devices=clear_devices, clear_extraneous_savers=clear_extraneous_savers,
            strip_default_attrs=strip_default_attrs)


def _wrap_restore_error(err: tf.errors.OpError, what: str) -> tf.errors.OpError:
    text = ("Restoring from checkpoint failed. This is most likely due to "
            f"{what} from the checkpoint. Please ensure that you have not altered the graph "
            f"expected based on the checkpoint. Original error:\n\n{err.message}")
    return type(err)(err.node_def, err.op, text)


meta_graph.register_saver_class(Saver)
