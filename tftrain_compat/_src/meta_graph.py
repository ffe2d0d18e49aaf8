"""TF1 ``tf.train.export_meta_graph`` / ``import_meta_graph``: a graph, its collections and its
Saver in one ``MetaGraphDef`` (the ``.meta`` file next to a checkpoint).

Export writes the backing graph's GraphDef (with output shapes, as TF1), the OpDefs of the ops it
uses, the SaverDef and every collection (variables as ``VariableDef`` bytes, tensors and ops as
names, numbers and strings as themselves). Import applies TF's ``import_graph_def`` in the backing
graph of the default shim Graph, re-creates each variable from its ``VariableDef`` over the
imported ``VarHandleOp`` (a shim Variable, whose state is per Session as for any other), refills
the collections, and returns a Saver over the imported save/restore ops.
"""
from __future__ import annotations

import logging
import os
from typing import Any

import tensorflow as tf
from google.protobuf import text_format
from tensorflow.core.framework import variable_pb2
from tensorflow.core.protobuf import meta_graph_pb2, saver_pb2

from tftrain_compat._src import errors as _errors
from tftrain_compat._src import graph as _graph
from tftrain_compat._src.graph import GraphKeys
from tftrain_compat._src.training import checkpoint_management

_log = logging.getLogger("tftrain_compat")

# Collections whose bytes_list holds VariableDef protocol buffers (TF1's list, plus the step).
VARIABLE_COLLECTIONS = frozenset({
    GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES,
    GraphKeys.MODEL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES,
    GraphKeys.MOVING_AVERAGE_VARIABLES, GraphKeys.CONCATENATED_VARIABLES,
    GraphKeys.TRAINABLE_RESOURCE_VARIABLES, GraphKeys.GLOBAL_STEP,
})
# Collections of TF1 control-flow contexts and queue runners: no graph-level meaning here.
_SKIPPED = frozenset({GraphKeys.COND_CONTEXT, GraphKeys.WHILE_CONTEXT, GraphKeys.QUEUE_RUNNERS})



# The Saver class, registered by training/saver.py (which uses this module to export): the
# dependency points one way only.
_saver_class: list = []


def register_saver_class(cls) -> None:
    _saver_class[:] = [cls]

def _strip(name: str, scope: str | None) -> str:
    if not scope:
        return name
    prefix = scope.rstrip("/") + "/"
    if name.startswith("^" + prefix):
        return "^" + name[len(prefix) + 1:]
    return name[len(prefix):] if name.startswith(prefix) else name


def _prepend(name: str, scope: str | None) -> str:
    if not scope:
        return name
    prefix = scope.rstrip("/") + "/"
    return "^" + prefix + name[1:] if name.startswith("^") else prefix + name


# ----- export ---------------------------------------------------------------------------------
def _collection_def(values: list, export_scope: str | None):
    """One collection -> CollectionDef, or None when TF1 could not serialize it either."""
    col = meta_graph_pb2.CollectionDef()
    if not values:
        return None
    if all(isinstance(v, tf.Variable) for v in values):
        protos = [v.to_proto(export_scope=export_scope) for v in values]
        if any(p is None for p in protos):
            protos = [p for p in protos if p is not None]
        col.bytes_list.value.extend(p.SerializeToString() for p in protos)
    elif all(isinstance(v, (tf.Tensor, tf.Operation)) for v in values):
        col.node_list.value.extend(_strip(v.name, export_scope) for v in values)
    elif all(isinstance(v, (bytes, str)) for v in values):
        col.bytes_list.value.extend(v.encode() if isinstance(v, str) else v for v in values)
    elif all(isinstance(v, (bool, int)) for v in values):
        col.int64_list.value.extend(int(v) for v in values)
    elif all(isinstance(v, float) for v in values):
        col.float_list.value.extend(values)
    else:
        return None
    return col


def _stripped_op_list(graph: tf.Graph):
    """The OpDefs of the ops the graph uses (TF1's ``meta_info_def.stripped_op_list``)."""
    from tensorflow.core.framework import op_def_pb2
    ops = {}
    for op in graph.get_operations():
        if op.type not in ops:
            try:
                ops[op.type] = op.op_def
            except Exception:  # a function call op: its OpDef is in the library instead
                continue
    out = op_def_pb2.OpList()
    for name in sorted(ops):
        op_def = out.op.add()
        op_def.CopyFrom(ops[name])
        # TF1 stripped the documentation from these OpDefs.
        op_def.ClearField("summary")
        op_def.ClearField("description")
        for arg in list(op_def.input_arg) + list(op_def.output_arg):
            arg.ClearField("description")
        for attr in op_def.attr:
            attr.ClearField("description")
    return out


def _strip_default_attrs(graph_def, op_list) -> None:
    defaults = {op.name: {a.name: a.default_value for a in op.attr if a.HasField("default_value")}
                for op in op_list.op}
    for node in graph_def.node:
        for name, value in defaults.get(node.op, {}).items():
            if name in node.attr and node.attr[name] == value:
                del node.attr[name]


def export_meta_graph(filename: str | None = None, meta_info_def=None, graph_def=None,
                      saver_def=None, collection_list=None, as_text: bool = False, graph=None,
                      export_scope: str | None = None, clear_devices: bool = False,
                      clear_extraneous_savers: bool = False, strip_default_attrs: bool = False,
                      save_debug_info: bool = False, **kwargs):
    """TF1 ``tf.train.export_meta_graph``: the graph (default: the default graph), its
    collections (all, or ``collection_list``) and ``saver_def`` as a ``MetaGraphDef``; written
    to ``filename`` (binary, or text when ``as_text``) when given. Returns the MetaGraphDef."""
    shim_graph = graph if graph is not None else _graph.get_default_graph()
    backing = shim_graph.backing if isinstance(shim_graph, _graph.Graph) else shim_graph
    mg = meta_graph_pb2.MetaGraphDef()
    if meta_info_def is not None:
        mg.meta_info_def.CopyFrom(meta_info_def)
    mg.meta_info_def.tensorflow_version = tf.__version__
    mg.meta_info_def.tensorflow_git_version = tf.version.GIT_VERSION
    if graph_def is None:
        graph_def = backing.as_graph_def(add_shapes=True)
    gd = mg.graph_def
    gd.CopyFrom(graph_def)
    if export_scope:
        prefix = export_scope.rstrip("/") + "/"
        keep = [n for n in gd.node if n.name.startswith(prefix)]
        del gd.node[:]
        for node in keep:
            new = gd.node.add()
            new.CopyFrom(node)
            new.name = _strip(node.name, export_scope)
            new.input[:] = [_strip(i, export_scope) for i in node.input]
            if "_class" in new.attr:
                new.attr["_class"].list.s[:] = [
                    b"loc:@" + _strip(s.decode()[5:], export_scope).encode()
                    for s in new.attr["_class"].list.s]
    if clear_devices:
        for node in gd.node:
            node.device = ""
    op_list = _stripped_op_list(backing)
    mg.meta_info_def.stripped_op_list.CopyFrom(op_list)
    if strip_default_attrs:
        _strip_default_attrs(gd, op_list)
        mg.meta_info_def.stripped_default_attrs = True
    if saver_def is not None:
        sd = saver_pb2.SaverDef()
        sd.CopyFrom(saver_def)
        if export_scope:
            sd.filename_tensor_name = _strip(sd.filename_tensor_name, export_scope)
            sd.save_tensor_name = _strip(sd.save_tensor_name, export_scope)
            sd.restore_op_name = _strip(sd.restore_op_name, export_scope)
        mg.saver_def.CopyFrom(sd)
    keys = backing.get_all_collection_keys() if collection_list is None else collection_list
    for key in sorted(keys):
        if key in _SKIPPED:
            continue
        values = backing.get_collection(key)
        if export_scope:
            prefix = export_scope.rstrip("/") + "/"
            values = [v for v in values if not hasattr(v, "name") or
                      v.name.startswith(prefix)]
        if key == GraphKeys.SAVERS:
            values = [v.saver_def.SerializeToString() if hasattr(v, "saver_def") else v
                      for v in values]
        with backing.as_default():  # VariableDefs are made in graph mode only
            col = _collection_def(values, export_scope)
        if col is None:
            if values:
                _log.warning("Issue encountered when serializing %s.\nType is unsupported, or "
                             "the types of the items don't match field type in "
                             "CollectionDef.", key)
            continue
        mg.collection_def[key].CopyFrom(col)
    if filename:
        folder, base = os.path.split(filename)
        write_graph(mg, folder or ".", base, as_text=as_text)
    return mg


def write_graph(graph_or_graph_def: Any, logdir: str, name: str, as_text: bool = True) -> str:
    """TF1 ``tf.io.write_graph``: writes a graph's ``GraphDef`` (or any protocol buffer given
    instead) to ``logdir/name``, creating ``logdir``, in text format when ``as_text``; returns the
    path. It only reads the graph, so a finalized graph can be written, as in TF1."""
    if isinstance(graph_or_graph_def, _graph.Graph):
        graph_or_graph_def = graph_or_graph_def.as_graph_def()
    elif isinstance(graph_or_graph_def, tf.Graph):
        graph_or_graph_def = graph_or_graph_def.as_graph_def()
    if not tf.io.gfile.exists(logdir):
        tf.io.gfile.makedirs(logdir)
    path = os.path.join(logdir, name)
    data = (message_text(graph_or_graph_def) if as_text
            else graph_or_graph_def.SerializeToString(deterministic=True))
    checkpoint_management.atomic_write(path, data)
    return path


def message_text(message: Any) -> str:
    """A protocol buffer in text format as TF1 wrote it (floats in their shortest exact form:
    ``float_format=''``). protobuf 7 removed ``float_format`` and prints that form by default;
    TensorFlow's own ``write_graph`` then fails (TF 2.20 with protobuf 7), so the shim writes
    its graph files itself."""
    try:
        return text_format.MessageToString(message, float_format="")
    except TypeError:
        return text_format.MessageToString(message)


# ----- import ---------------------------------------------------------------------------------
def read_meta_graph_file(filename: str):
    """A ``.meta`` file (binary, else text format) -> MetaGraphDef; IOError if missing (TF1)."""
    if not tf.io.gfile.exists(filename):
        raise IOError(f"File does not exist. Received: {filename}.")
    with tf.io.gfile.GFile(filename, "rb") as f:
        data = f.read()
    mg = meta_graph_pb2.MetaGraphDef()
    try:
        mg.ParseFromString(data)
        return mg
    except Exception:
        pass
    try:
        text_format.Merge(data.decode("utf-8"), mg)
    except text_format.ParseError as err:
        raise IOError(f"Cannot parse file {filename}: {err}.") from None
    return mg


def import_meta_graph(meta_graph_or_file, clear_devices: bool = False,
                      import_scope: str | None = None, **kwargs):
    """TF1 ``tf.train.import_meta_graph``: adds the graph of a MetaGraphDef (or ``.meta`` file)
    to the default graph, restores its collections, and returns a ``Saver`` over its save and
    restore ops (a new default Saver when it had none but has variables; else None)."""
    Saver = _saver_class[0]
    for key in ("input_map", "return_elements", "restore_collections_predicate"):
        if kwargs.get(key) is not None:
            raise _errors.not_supported(f"import_meta_graph({key}=...)",
                                        "import the whole graph.")
    if isinstance(meta_graph_or_file, meta_graph_pb2.MetaGraphDef):
        mg = meta_graph_or_file
    else:
        mg = read_meta_graph_file(os.fspath(meta_graph_or_file))
    _check_resource_variables(mg)
    graph = _graph.get_default_graph()
    if graph._finalized:
        raise RuntimeError("Graph is finalized and cannot be modified.")
    backing = graph.backing
    graph_def = mg.graph_def
    if clear_devices:
        graph_def = type(graph_def)()
        graph_def.CopyFrom(mg.graph_def)
        for node in graph_def.node:
            node.device = ""
    producer_ops = (mg.meta_info_def.stripped_op_list
                    if mg.meta_info_def.HasField("stripped_op_list") else None)
    with backing.as_default():
        scope = backing.unique_name(import_scope or "", mark_as_used=False)
        tf.graph_util.import_graph_def(graph_def, name=import_scope or scope,
                                       producer_op_list=producer_ops)
        _restore_collections(backing, mg, scope)
    saver = None
    if mg.HasField("saver_def"):
        sd = saver_pb2.SaverDef()
        sd.CopyFrom(mg.saver_def)
        with graph.as_default():
            saver = Saver(saver_def=sd, name=scope or None)
    else:
        prefix = (scope.rstrip("/") + "/") if scope else None
        if graph.get_collection(GraphKeys.GLOBAL_VARIABLES, prefix) or \
                graph.get_collection(GraphKeys.SAVEABLE_OBJECTS, prefix):
            with graph.as_default():
                saver = Saver()
        else:
            _log.info("Saver not created because there are no variables in the graph to "
                      "restore")
    return saver


_REF_VARIABLE_OPS = frozenset({"VariableV2", "Variable", "TemporaryVariable"})


def _check_resource_variables(mg) -> None:
    """Refuses, before anything is imported, a graph of TF1 reference variables."""
    for node in mg.graph_def.node:
        if node.op in _REF_VARIABLE_OPS:
            raise NotImplementedError(
                f"import_meta_graph: variable {node.name} is a TF1 reference variable "
                f"({node.op}); tftrain_compat runs resource variables only. - help: rebuild the "
                "model in code and restore the checkpoint with tf.train.Saver (checkpoints of "
                "reference variables load unchanged), or re-export the graph with "
                "use_resource=True.")


def _restore_collections(backing: tf.Graph, mg, scope: str) -> None:
    """Refills the collections of ``mg`` in ``backing`` (just imported under ``scope``)."""
    # TF1's order: trainable variables first (so their objects are the ones reused), then by key.
    order = sorted(mg.collection_def.items(),
                   key=lambda kv: (kv[0] != GraphKeys.TRAINABLE_VARIABLES, kv[0]))
    made: dict[bytes, tf.Variable] = {}
    for key, col in order:
        kind = col.WhichOneof("kind")
        if kind is None:
            _log.error("Cannot identify data type for collection %s. Skipping.", key)
            continue
        if key in _SKIPPED:
            _log.warning("The %s collection of the imported graph is not restored: "
                         "tftrain_compat has no TF1 control-flow contexts or queue runners.",
                         key)
            continue
        if kind == "bytes_list" and key in VARIABLE_COLLECTIONS:
            for value in col.bytes_list.value:
                var = made.get(value)
                if var is None:
                    proto = variable_pb2.VariableDef.FromString(value)
                    var = made[value] = tf.Variable(variable_def=proto, import_scope=scope or None)
                backing.add_to_collection(key, var)
        elif kind == "bytes_list" and key == GraphKeys.SAVERS:
            continue  # rebuilt below by the caller from saver_def when it is the graph's saver
        elif kind == "node_list":
            for value in col.node_list.value:
                backing.add_to_collection(key, backing.as_graph_element(_prepend(value, scope)))
        elif kind == "int64_list":
            for value in col.int64_list.value:
                backing.add_to_collection(key, int(value))
        elif kind == "float_list":
            for value in col.float_list.value:
                backing.add_to_collection(key, value)
        else:
            for value in col.bytes_list.value:
                backing.add_to_collection(key, _prepend(value.decode("utf-8", "replace"), scope)
                                          if scope else value)

