"""Session and feed/fetch errors: TF1's error class and text (tf.compat.v1 on TF2 is the oracle),
and a failed run changes nothing: the variables keep their values and the session stays usable."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim


def _oracle_error(build_and_run):
    """Runs ``build_and_run(v1, sess)`` under tf.compat.v1 and returns the exception it raised."""
    v1 = tf.compat.v1
    with tf.Graph().as_default():
        with v1.Session() as sess:
            try:
                build_and_run(v1, sess)
            except Exception as err:  # noqa: BLE001 - we return it to compare
                return err
    raise AssertionError("the oracle raised nothing")


def _shim_error(build_and_run):
    graph = shim.Graph()
    with graph.as_default(), shim.Session() as sess:
        try:
            build_and_run(shim, sess)
        except Exception as err:  # noqa: BLE001
            return err
    raise AssertionError("tftrain_compat raised nothing")


def _same_error(build_and_run, exact: bool = True):
    want, got = _oracle_error(build_and_run), _shim_error(build_and_run)
    assert type(got) is type(want), (got, want)
    if exact:
        assert str(got) == str(want)
    return got, want


def test_wrong_feed_shape_same_text():
    def run(t, sess):
        x = t.placeholder(tf.float32, [None, 3], name="x")
        sess.run(x * 2, {x: np.zeros((2, 4))})
    got, _ = _same_error(run)
    assert str(got) == "Cannot feed value of shape (2, 4) for Tensor x:0, which has shape (None, 3)"


@pytest.mark.parametrize("dtype,shape,line", [
    (tf.float32, [None, 3], "You must feed a value for placeholder tensor 'x' with dtype float and shape [?,3]"),
    (tf.float32, None, "You must feed a value for placeholder tensor 'x' with dtype float"),
    (tf.int32, [None], "You must feed a value for placeholder tensor 'x' with dtype int32 and shape [?]"),
])
def test_unfed_placeholder(dtype, shape, line):
    def run(t, sess):
        x = t.placeholder(dtype, shape, name="x")
        sess.run(x + 1)
    got, want = _same_error(run, exact=False)
    assert isinstance(got, tf.errors.InvalidArgumentError)
    assert line in str(want)  # the oracle really says this...
    assert str(got).startswith(line)  # ...and so do we, first
    if shape is None:
        assert line + " and shape" not in str(got)


@pytest.mark.parametrize("fetch,cls", [
    (None, TypeError), (3, TypeError), ("nonexistent:0", ValueError), ("y:1", ValueError),
])
def test_bad_fetch_same_text(fetch, cls):
    def run(t, sess):
        t.constant(1.0, name="y")
        sess.run(fetch)
    got, _ = _same_error(run)
    assert isinstance(got, cls)


def test_fetch_none_inside_list_same_text():
    def run(t, sess):
        sess.run([t.constant(1.0), None])
    _same_error(run)


def test_fetch_from_another_graph():
    other = shim.Graph()
    with other.as_default():
        c = shim.constant(1.0)
    with shim.Graph().as_default(), shim.Session() as sess:
        shim.constant(2.0)
        with pytest.raises(ValueError, match=r"is not an element of this graph"):
            sess.run(c)


@pytest.mark.parametrize("key", ["int", "op", "opname"])
def test_bad_feed_key_same_text(key):
    def run(t, sess):
        x = t.placeholder(tf.float32, [], name="x")
        op = t.group(x, name="g")
        k = {"int": 3, "op": op, "opname": "x"}[key]
        sess.run(x, {k: 1.0})
    _same_error(run)


def test_tensor_as_feed_value_same_text():
    def run(t, sess):
        x = t.placeholder(tf.float32, [None, 3], name="x")
        c = t.constant([[1.0, 2.0, 3.0]])
        sess.run(x, {x: c})
    _same_error(run)


def test_int_overflow_feed_same_text():
    def run(t, sess):
        x = t.placeholder(tf.int32, [], name="x")
        sess.run(x, {x: 1 << 40})
    _same_error(run)


def test_closed_session():
    with shim.Graph().as_default():
        c = shim.constant(1.0)
        sess = shim.Session()
        sess.close()
        sess.close()  # idempotent
        with pytest.raises(RuntimeError) as err:
            sess.run(c)
    assert str(err.value) == "Attempted to use a closed Session."


def test_empty_graph_same_text():
    v1 = tf.compat.v1
    with tf.Graph().as_default(), v1.Session() as sess:
        with pytest.raises(RuntimeError) as want:
            sess.run([])
    with shim.Graph().as_default(), shim.Session() as sess:
        with pytest.raises(RuntimeError) as got:
            sess.run([])
    assert str(got.value) == str(want.value)


def test_session_context_not_reentrant():
    with shim.Graph().as_default():
        sess = shim.Session()
        with sess:
            with pytest.raises(RuntimeError, match="not re-entrant"):
                sess.__enter__()


def test_eval_without_default_session_same_text():
    v1 = tf.compat.v1
    with tf.Graph().as_default():
        with pytest.raises(ValueError) as want:
            v1.constant(1.0).eval()
    with shim.Graph().as_default():
        with pytest.raises(ValueError) as got:
            shim.constant(1.0).eval()
    assert str(got.value) == str(want.value)


def test_uninitialized_variable():
    with shim.Graph().as_default():
        w = shim.Variable(np.ones(2, np.float32), name="w")
        with shim.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError,
                               match="Attempting to use uninitialized value w"):
                sess.run(w)
            with pytest.raises(tf.errors.FailedPreconditionError,
                               match="Attempting to use uninitialized value w"):
                sess.run(w * 2)
            sess.run(w.initializer)
            assert np.array_equal(sess.run(w), [1.0, 1.0])


def test_new_session_starts_uninitialized_and_state_is_per_session():
    with shim.Graph().as_default():
        w = shim.Variable(1.0, name="w")
        inc = w.assign_add(1.0)
        s1, s2 = shim.Session(), shim.Session()
        s1.run(shim.global_variables_initializer())
        s2.run(shim.global_variables_initializer())
        s1.run(inc)
        s1.run(inc)
        assert s1.run(w) == 3.0 and s2.run(w) == 1.0
        s3 = shim.Session()
        with pytest.raises(tf.errors.FailedPreconditionError):
            s3.run(w)


def test_failed_runs_change_nothing():
    """Every failure above, during training: variables unchanged, the session still works."""
    with shim.Graph().as_default():
        x = shim.placeholder(tf.float32, [None, 2], name="x")
        y = shim.placeholder(tf.float32, [None, 1], name="y")
        w = shim.Variable(np.full((2, 1), 0.5, np.float32), name="w")
        loss = shim.reduce_mean(shim.square(shim.matmul(x, w) - y))
        step = shim.train.get_or_create_global_step()
        train = shim.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
        good = {x: np.ones((4, 2)), y: np.zeros((4, 1))}
        with shim.Session() as sess:
            sess.run(shim.global_variables_initializer())
            sess.run(train, good)
            before = sess.run([w, step])
            failures = [
                lambda: sess.run(train, {x: np.ones((4, 3)), y: np.zeros((4, 1))}),  # shape
                lambda: sess.run(train, {x: np.ones((4, 2))}),                       # unfed y
                lambda: sess.run([train, None], good),                               # bad fetch
                lambda: sess.run(train, {x: shim.constant(np.ones((4, 2), np.float32)),
                                         y: np.zeros((4, 1))}),                      # tensor value
                lambda: sess.run(train, {3: 1.0, **good}),                           # bad key
                lambda: sess.run(train, {x: [["a", "b"]], y: np.zeros((1, 1))}),     # bad value
            ]
            for fail in failures:
                with pytest.raises((ValueError, TypeError, tf.errors.InvalidArgumentError)):
                    fail()
                after = sess.run([w, step])
                assert np.array_equal(after[0], before[0]) and after[1] == before[1]
            sess.run(train, good)
            assert sess.run(step) == before[1] + 1
