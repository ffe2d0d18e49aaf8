"""The TF1 run path (issue 7): every fetch shape TF1's ``client/session.py`` accepted, cached
without retracing; variables fetched and fed by object, value and name; nothing added to the
graph by running it; one source of truth for variable state; TF1's assign return values.

The oracle is tf.compat.v1 in a ``tf.Graph()``. Where TF1's behaviour belongs to its reference
variables (feeding ``'v:0'`` or ``v.value()``, fetching ``'v:0'``, ``tf.assign_add``'s Tensor),
the oracle makes them with ``use_resource=False`` — compat.v1's resource variables return a
resource handle there, which is not what a TF1 script saw.
"""
from __future__ import annotations

import collections
import threading

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim
from tftrain_compat._src import lowering

V1 = tf.compat.v1
Pair = collections.namedtuple("Pair", "loss y")


class AttrsLike:
    """An attrs-decorated class as TF1's _AttrsFetchMapper saw it (``__attrs_attrs__``)."""

    class _Field:
        def __init__(self, name):
            self.name = name

    __attrs_attrs__ = (_Field("loss"), _Field("y"))

    def __init__(self, loss, y):
        self.loss, self.y = loss, y

    def __eq__(self, other):
        return type(other) is AttrsLike and _eq(self.loss, other.loss) and _eq(self.y, other.y)


def _eq(a, b):
    return np.array_equal(np.asarray(a), np.asarray(b)) and np.asarray(a).dtype == np.asarray(b).dtype


def _model(t, **var_kwargs):
    x = t.placeholder(tf.float32, [None, 2], name="x")
    w = t.Variable(np.array([[1.0], [2.0]], np.float32), name="w", **var_kwargs)
    y = t.matmul(x, w, name="y")
    loss = t.reduce_sum(y, name="loss")
    train = t.train.GradientDescentOptimizer(0.1).minimize(loss)
    return x, w, y, loss, train


FETCHES = {
    "dict": lambda m: {"t": m["train"], "l": m["loss"]},
    "nested": lambda m: [m["train"], [m["loss"], (m["y"], m["loss"])]],
    "by_name": lambda m: [m["train"], "loss:0", "y:0"],
    "namedtuple": lambda m: Pair(m["loss"], m["y"]),
    "ordered_dict": lambda m: collections.OrderedDict([("y", m["y"]), ("l", m["loss"])]),
    "defaultdict": lambda m: collections.defaultdict(list, {"l": m["loss"]}),
    "attrs": lambda m: AttrsLike(m["loss"], m["y"]),
    "op": lambda m: m["w"].op,
    "variable": lambda m: [m["w"], m["loss"]],
    "variable_by_name": lambda m: ["w:0", m["loss"]],
}
FEED = np.array([[1.0, 1.0], [2.0, 0.5]], np.float32)


def _run_steps(t, graph_ctx, session_cls, fetch_fn, var_kwargs):
    with graph_ctx():
        x, w, y, loss, train = _model(t, **var_kwargs)
        m = dict(x=x, w=w, y=y, loss=loss, train=train)
        with session_cls() as sess:
            sess.run(t.global_variables_initializer())
            return [sess.run(fetch_fn(m), {x: FEED}) for _ in range(3)]


@pytest.mark.parametrize("shape", sorted(FETCHES))
def test_every_fetch_shape_matches_tf1_and_never_retraces(shape):
    fetch_fn = FETCHES[shape]
    var_kwargs = {"use_resource": False} if shape == "variable_by_name" else {}
    want = _run_steps(V1, lambda: tf.Graph().as_default(), V1.Session, fetch_fn, var_kwargs)
    graph = shim.Graph()
    with graph.as_default():
        x, w, y, loss, train = _model(shim)
        m = dict(x=x, w=w, y=y, loss=loss, train=train)
        with shim.Session() as sess:
            sess.run(shim.global_variables_initializer())
            got = [sess.run(fetch_fn(m), {x: FEED})]
            traces = lowering.trace_count()
            got += [sess.run(fetch_fn(m), {x: FEED}) for _ in range(2)]
            assert lowering.trace_count() == traces, f"{shape} fetches retraced"
    for g, o in zip(got, want):
        assert type(g) is type(o)
        if shape == "defaultdict":
            assert g.default_factory is o.default_factory
        flat_g, flat_o = tf.nest.flatten(_plain(g)), tf.nest.flatten(_plain(o))
        assert len(flat_g) == len(flat_o)
        assert all(_eq(a, b) if b is not None else a is None for a, b in zip(flat_g, flat_o))


def _plain(v):
    if isinstance(v, AttrsLike):
        return [v.loss, v.y]
    if isinstance(v, collections.defaultdict):
        return dict(v)
    return v


def test_sparse_tensor_fetch_and_feed_match_tf1():
    indices = np.array([[0, 1], [2, 3]], np.int64)
    values = np.array([5.0, 7.0], np.float32)

    def build(t):
        sp = t.sparse_placeholder(tf.float32, name="sp")
        const = t.SparseTensor(indices=[[0, 0]], values=[1.5], dense_shape=[2, 2])
        return sp, const, t.sparse.reduce_sum(sp)

    with tf.Graph().as_default():
        sp, const, total = build(V1)
        with V1.Session() as sess:
            want = sess.run([const, total, sp], {sp: (indices, values, [3, 4])})
    with shim.Graph().as_default():
        sp, const, total = build(shim)
        with shim.Session() as sess:
            feed = V1.SparseTensorValue(indices, values, np.array([3, 4], np.int64))
            got = sess.run([const, total, sp], {sp: feed})
    assert type(got[0]) is type(want[0])
    for g, w in zip(tf.nest.flatten(got), tf.nest.flatten(want)):
        assert _eq(g, w)


def test_fetching_an_unfetchable_leaf_raises_tf1_error(fresh_graph):
    c = shim.constant(1.0)
    with shim.Session() as sess:
        with pytest.raises(TypeError, match='Argument `fetch` = 3 has invalid type "int"'):
            sess.run({"a": c, "b": 3})
        with pytest.raises(TypeError, match="Cannot be None"):
            sess.run([c, None])
        with pytest.raises(TypeError, match="invalid type"):
            sess.run([c, {"x": [1]}])


def test_running_adds_nothing_and_finalized_graphs_run_load_and_eval():
    graph = shim.Graph()
    with graph.as_default():
        x, w, y, loss, train = _model(shim)
        graph.finalize()
        n_ops = len(graph.get_operations())
        with shim.Session() as sess:
            sess.run(w.initializer)
            assert sess.run(w).tolist() == [[1.0], [2.0]]
            assert w.eval(session=sess).tolist() == [[1.0], [2.0]]
            w.load(np.array([[3.0], [4.0]], np.float32), sess)
            assert sess.run("w:0").tolist() == [[3.0], [4.0]]
            assert sess.run({"l": loss, "t": train}, {x: FEED})["l"] == 15.0
            assert sess.run(y, {x: FEED, w: np.zeros((2, 1), np.float32)}).tolist() == [[0], [0]]
        assert len(graph.get_operations()) == n_ops


@pytest.mark.parametrize("how", ["object", "name", "value"])
def test_feeding_a_variable_overrides_every_read_as_tf1(how):
    def run(t, session_cls, **var_kwargs):
        x, w, y, loss, train = _model(t, **var_kwargs)
        key = {"object": w, "name": "w:0", "value": w.value()}[how]
        with session_cls() as sess:
            sess.run(w.initializer)
            fed = sess.run([loss, y], {x: FEED, key: np.full((2, 1), 3.0, np.float32)})
            return fed, sess.run(w)  # feeding does not store
    with tf.Graph().as_default():
        want = run(V1, V1.Session, use_resource=False)
    with shim.Graph().as_default():
        got = run(shim, shim.Session)
    assert all(_eq(g, w) for g, w in zip(tf.nest.flatten(got), tf.nest.flatten(want)))
    assert got[0][0] == np.float32(13.5)


def test_fresh_session_state_is_the_truth_for_in_graph_checks():
    def run(t, session_cls):
        a = t.Variable(1.0, name="a")
        b = t.Variable([2.0, 3.0], name="b")
        with session_cls() as sess:
            out = [sess.run(t.is_variable_initialized(a)),
                   sess.run(t.report_uninitialized_variables()).tolist()]
            sess.run(a.initializer)
            out.append(sess.run(t.report_uninitialized_variables()).tolist())
            # TF1's idiom: initialize only what is not yet initialized
            names = set(n.decode() for n in sess.run(t.report_uninitialized_variables()))
            sess.run(t.variables_initializer([v for v in t.global_variables()
                                              if v.op.name in names]))
            out.append(sess.run([a, b]))
            out.append(sess.run(t.report_uninitialized_variables()).tolist())
            return out
    with tf.Graph().as_default():
        want = run(V1, V1.Session)
    with shim.Graph().as_default():
        got = run(shim, shim.Session)
    assert got[:3] == want[:3]
    assert got[0] is not True and bool(got[0]) is False
    assert got[1] == [b"a", b"b"] and got[2] == [b"b"]
    assert all(_eq(g, w) for g, w in zip(got[3], want[3])) and got[4] == want[4] == []


def test_uninitialized_read_raises_tf1_error_and_changes_nothing(fresh_graph):
    a = shim.Variable(1.0, name="a")
    b = shim.Variable(2.0, name="b")
    step = b.assign_add(a)
    with shim.Session() as sess:
        sess.run(b.initializer)
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value a"):
            sess.run(step)
        assert sess.run(b) == 2.0  # the failed run changed nothing
        sess.run(a.initializer)
        assert sess.run(step) == 3.0


def test_assigning_initializes_and_assign_returns_tf1_tensors():
    def run(t, session_cls, **var_kwargs):
        a = t.Variable(3.0, name="a", **var_kwargs)
        set_a = t.assign(a, 5.0)
        add = t.assign_add(a, 1.0)
        sub = a.assign_sub(0.5)
        with session_cls() as sess:
            return ([set_a.name, add.name, sub.name],
                    [sess.run(set_a), sess.run(add * 2), sess.run(sub), sess.run(a)])
    with tf.Graph().as_default():
        want = run(V1, V1.Session, use_resource=False)
    with shim.Graph().as_default():
        got = run(shim, shim.Session)
    assert got == want
    assert got[0] == ["Assign:0", "AssignAdd:0", "AssignSub:0"]


def test_assign_validate_shape_false_changes_the_shape(fresh_graph):
    v = shim.Variable([1.0, 2.0], validate_shape=False, name="v")
    grow = shim.assign(v, [1.0, 2.0, 3.0], validate_shape=False)
    with shim.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(grow).tolist() == [1.0, 2.0, 3.0]
        assert sess.run(v).tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError):
        shim.assign(shim.Variable([1.0, 2.0]), [1.0, 2.0, 3.0])


def test_initializers_run_in_dependency_order():
    """TF1 guarded initial values that read other variables; in a fresh session
    global_variables_initializer() gives b = a's initial value * 2 (compat.v1's resource
    variables race here: the oracle fails on its first try, then agrees)."""
    with tf.Graph().as_default():
        a = V1.Variable(3.0, name="a")
        b = V1.Variable(a * 2, name="b")
        with V1.Session() as sess:
            for _ in range(5):
                try:
                    sess.run(V1.global_variables_initializer())
                    break
                except tf.errors.FailedPreconditionError:
                    continue
            want = sess.run([a, b])
    for _ in range(3):
        with shim.Graph().as_default():
            a = shim.Variable(3.0, name="a")
            b = shim.Variable(a * 2, name="b")
            c = shim.Variable(a.initialized_value() + 1, name="c")
            with shim.Session() as sess:
                sess.run(shim.global_variables_initializer())
                assert sess.run([a, b]) == want == [3.0, 6.0]
                assert sess.run(c) == 4.0


def test_legacy_keywords_apply_in_every_namespace():
    x_np = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Graph().as_default():
        x = tf.constant(x_np)
        with V1.Session() as sess:
            want = sess.run([V1.math.reduce_max(x, 1, keep_dims=True),
                             V1.math.reduce_sum(x, reduction_indices=[0])])
    with shim.Graph().as_default():
        x = shim.constant(x_np)
        with shim.Session() as sess:
            got = sess.run([shim.math.reduce_max(x, 1, keep_dims=True),
                            shim.math.reduce_sum(x, reduction_indices=[0])])
    assert all(_eq(g, w) for g, w in zip(got, want))


def test_concurrent_runs_compile_once_and_count_exactly(fresh_graph):
    """Four threads share one session: each makes the first run of new fetch signatures at the
    same time, then trains and evaluates; the counter's final value is exact and one random op's
    draws are all distinct (one stream per session, as TF1)."""
    counter = shim.Variable(0, name="counter")
    bump = shim.assign_add(counter, 1)
    noise = shim.random_uniform([], seed=7)
    x, w, y, loss, train = _model(shim)
    n_threads, n_steps = 4, 25
    draws: list = []
    errors: list = []
    with shim.Session() as sess:
        sess.run(shim.global_variables_initializer())
        traces = lowering.trace_count()
        barrier = threading.Barrier(n_threads)

        def work(i):
            try:
                barrier.wait()
                for _ in range(n_steps):
                    sess.run(bump)
                    draws.append(float(sess.run(noise)))
                    sess.run({"l": loss, "t": train} if i % 2 else [train, loss], {x: FEED})
            except Exception as err:  # pragma: no cover - reported below
                errors.append(err)
        threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert not errors
        assert sess.run(counter) == n_threads * n_steps
        assert len(set(draws)) == n_threads * n_steps
        # bump, noise, the two train signatures (compiled once each despite the race) and
        # the final read of the counter
        assert lowering.trace_count() - traces == 5
