"""Alarms for the TF entry points outside TF2's documented API (``_src/tf_private.py``).

If a TF release removes one, the shim still works through the public fallback (slower), and the
test here says which one went."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from tftrain_compat._src import tf_private


def test_flat_call_path_exists():
    fn = tf.function(lambda x: x * 2, input_signature=[tf.TensorSpec([None], tf.float32)])
    concrete = fn.get_concrete_function()
    assert hasattr(concrete, "_call_flat"), "TF removed ConcreteFunction._call_flat"
    out = tf_private.flat_caller(concrete)([tf.constant([1.0, 2.0])])
    out = out[0] if isinstance(out, (list, tuple)) else out
    assert np.array_equal(np.asarray(out), [2.0, 4.0])


def test_direct_call_path_exists_and_keeps_tfs_error_text_and_tapes():
    """The eager context's call of the AtomicFunction (no tape bookkeeping): present, the same
    outputs, an OpError with the text TF's own call gives it, and while a
    GradientTape records the call goes through ``_call_flat`` (the tape sees the function)."""
    v = tf.Variable(3.0)
    fn = tf.function(lambda x: tf.debugging.check_numerics(x * v, "bad value"),
                     input_signature=[tf.TensorSpec([None], tf.float32)])
    concrete = fn.get_concrete_function()
    assert tf_private._direct_call(concrete) is not None, (
        "TF removed AtomicFunction / context.call_function / InterpolateRuntimeError")
    call = tf_private.flat_caller(concrete)
    out = call([tf.constant([1.0, 2.0])])
    assert np.array_equal(np.asarray(out[0] if isinstance(out, (list, tuple)) else out), [3.0, 6.0])
    texts = []
    for run in (call, lambda args: concrete._call_flat(args, concrete.captured_inputs)):
        try:
            run([tf.constant([np.inf])])
            raise AssertionError("no error")
        except tf.errors.InvalidArgumentError as err:
            texts.append(err.message)
    assert "bad value" in texts[0] and texts[0] == texts[1]
    with tf.GradientTape() as tape:
        out = call([tf.constant([1.0, 2.0])])
        total = tf.reduce_sum(out[0] if isinstance(out, (list, tuple)) else out)
    assert float(tape.gradient(total, v)) == 3.0


def test_eager_tensor_conversion_path_exists():
    from tensorflow.python.framework import ops
    assert hasattr(ops, "EagerTensor"), "TF removed ops.EagerTensor"
    assert tf_private.to_tensor is not tf.convert_to_tensor
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert np.array_equal(tf_private.to_tensor(arr).numpy(), arr)
    assert np.array_equal(tf_private.to_tensor(arr.T).numpy(), arr.T)  # non-contiguous


def test_graph_function_has_no_automatic_control_dependencies():
    """wrap_function traces without automatic control dependencies: a stateful op that nothing
    depends on does not become a control output by itself (TF1 Session semantics)."""
    assert hasattr(tf.compat.v1, "wrap_function"), "TF removed tf.compat.v1.wrap_function"
    v = tf.Variable(1.0)

    def fn(x):
        v.assign_add(1.0)  # no data or control edge to the output
        return x * 2
    concrete = tf_private.graph_function(fn, [tf.TensorSpec([], tf.float32)])
    assert float(concrete(tf.constant(3.0))[0] if isinstance(concrete(tf.constant(3.0)), list)
                 else concrete(tf.constant(3.0))) == 6.0
    assert float(v.numpy()) == 1.0


def test_uninitialized_storage_carries_shape_and_reads_fail():
    from tensorflow.python.ops import handle_data_util  # the alarm: private module moved
    assert hasattr(handle_data_util, "create_handle_data")
    storage = tf_private.uninitialized_variable(tf.float32, tf.TensorShape([2, 3]), "alarm_probe")
    assert not bool(tf.raw_ops.VarIsInitializedOp(resource=storage.handle))
    assert storage.handle._handle_data.shape_and_type[0].shape.dim[1].size == 3
    try:
        tf.raw_ops.ReadVariableOp(resource=storage.handle, dtype=tf.float32)
        raise AssertionError("reading an unassigned resource must fail")
    except (tf.errors.NotFoundError, tf.errors.FailedPreconditionError):
        pass


def _op_types(build) -> set:
    g = tf.Graph()
    with g.as_default():
        p = tf.compat.v1.placeholder(tf.bool, [])
        build(p)
    return {op.type for op in g.get_operations()}


def _cond_and_loop(p) -> None:
    tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    tf.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)])


def test_tf1_control_flow_builds_tf1_nodes_and_restores_the_flag():
    """Under TF 2.x's default (control flow v2; the test process's oracle turns it off, so it is
    turned back on here): inside ``tf1_control_flow`` a plain graph's ``tf.cond`` /
    ``tf.while_loop`` are TF 1.x's Switch/Merge and Enter/Exit nodes; nested entries keep it until
    the outermost exits; a ``tf.function`` traced inside still builds TF2's functional If; after,
    TF2's own again, and the shim's graphs still get TF 1.x's nodes (a TF2 program beside it)."""
    import tftrain_compat as shim
    assert tf_private.builds_tf1_control_flow(), "TF removed control_flow_util.ENABLE_CONTROL_FLOW_V2"
    was = tf.compat.v1.control_flow_v2_enabled()
    tf.compat.v1.enable_control_flow_v2()
    try:
        with tf_private.tf1_control_flow():
            with tf_private.tf1_control_flow():
                inner = _op_types(_cond_and_loop)
            outer = _op_types(_cond_and_loop)
            traced = tf.function(lambda p: tf.cond(p, lambda: 1.0, lambda: 2.0)) \
                .get_concrete_function(tf.TensorSpec([], tf.bool)).graph.get_operations()
        assert tf.compat.v1.control_flow_v2_enabled()
        after = _op_types(_cond_and_loop)
        with shim.Graph().as_default() as g:
            p = shim.placeholder(shim.bool, [])
            shim.cond(p, lambda: shim.constant(1.0), lambda: shim.constant(2.0))
            shim.layers.dropout(shim.ones([2, 3]), 0.5, training=p)
            shim.while_loop(lambda i: i < 3, lambda i: i + 1, [shim.constant(0)])
            shim_ops = {op.type for op in g.get_operations()}
        assert tf.compat.v1.control_flow_v2_enabled()
        after_shim = _op_types(_cond_and_loop)
    finally:
        if not was:
            tf.compat.v1.disable_control_flow_v2()
    assert {"Switch", "Merge", "Enter", "Exit", "NextIteration"} <= inner
    assert {"Switch", "Merge", "Enter", "Exit"} <= outer and "If" not in outer
    assert {op.type for op in traced} & {"If", "StatelessIf"}
    assert "Switch" not in after and {"If", "StatelessIf"} & after
    assert {"Switch", "Merge", "Enter", "Exit"} <= shim_ops
    assert not {"If", "StatelessIf", "While", "StatelessWhile"} & shim_ops
    assert "Switch" not in after_shim
