"""Seeded randomness as TF1 had it: the same numbers as tf.compat.v1 under set_random_seed, and
one stream per random op per Session, advanced by every run that evaluates it — whichever
fetches that run compiled to (so an evaluation with keep_prob 1.0 still moves the dropout
stream) — and restarted by a new Session."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim
from support import assert_bitwise_equal, both

V1 = tf.compat.v1


def _in_oracle(fn):
    with tf.Graph().as_default():
        return fn(V1)


def _in_shim(fn):
    with shim.Graph().as_default():
        return fn(shim)


def test_stream_shared_across_fetch_structures_and_restarted_per_session():
    def program(t):
        t.set_random_seed(7)
        x = t.placeholder(tf.float32, [None, 4])
        d = t.nn.dropout(x, 0.5)
        u = t.random_uniform([3])
        n = t.random_normal([2], seed=11)
        out = []
        ones = np.ones((5, 4), np.float32)
        with t.Session() as sess:
            out.append(sess.run(d, {x: ones}))
            out.append(sess.run([d, u], {x: ones}))   # another compiled signature, same streams
            out.append(sess.run(u))
            out.append(sess.run({"u": u, "n": n}))
            out.append(sess.run(d, {x: ones}))
        with t.Session() as sess:                      # a new session restarts every stream
            out.append(sess.run([d, u, n], {x: ones}))
        return out
    got, want = _in_shim(program), _in_oracle(program)
    flat = lambda o: [np.asarray(v) for v in tf.nest.flatten(o)]  # noqa: E731
    for g, w in zip(got, want):
        for a, b in zip(flat(g), flat(w)):
            assert np.array_equal(a, b)


def _int_streams_program(t):
    """``random_uniform(dtype=int32/int64)`` (RandomUniformInt) at the top level, in a cond branch
    and in a while body, fetched in changing combinations over two sessions."""
    t.set_random_seed(5)
    a = t.random_uniform([2, 3], 0, 50, dtype=tf.int32)
    b = t.random_uniform([4], -3, 9, dtype=tf.int64, seed=11)
    p = t.placeholder(tf.bool, [])
    c = t.cond(p, lambda: t.random_uniform([3], 0, 1000, dtype=tf.int32),
               lambda: t.zeros([3], tf.int32))
    loop = t.while_loop(lambda i, s: i < 3, lambda i, s: (
        i + 1, s + t.random_uniform([2], 0, 10, dtype=tf.int32)),
        (t.constant(0), t.zeros([2], tf.int32)))[1]
    u = t.random_uniform([2])
    out = []
    for _ in range(2):  # a new session restarts every stream
        with t.Session() as sess:
            out += [sess.run(a), sess.run([a, b]), sess.run(b), sess.run(c, {p: True}),
                    sess.run(c, {p: False}), sess.run([c, a], {p: True}), sess.run(loop),
                    sess.run([loop, u])]
    return out


def test_random_uniform_int_keeps_one_stream_per_session_across_fetch_sets():
    ours, tf1 = both(_int_streams_program)
    assert_bitwise_equal(ours, tf1)
    assert not np.array_equal(ours[0], ours[1][0])  # the second fetch set continued the stream
    assert not np.array_equal(ours[6], ours[7][0])
    assert np.array_equal(ours[0], ours[8])  # and the second session restarted it


def _shuffle_streams_program(t):
    """``random_shuffle`` at the top level (1-D, 2-D, one row, a fed vector of changing length)
    and in a cond branch, fetched in changing combinations over two sessions."""
    t.set_random_seed(5)
    a = t.random_shuffle(t.range(10))
    b = t.random_shuffle(t.reshape(t.range(12.0), [6, 2]), seed=3)
    one_row = t.random_shuffle(t.constant([[1, 2, 3]]))
    x = t.placeholder(tf.int32, [None])
    fed = t.random_shuffle(x)
    p = t.placeholder(tf.bool, [])
    c = t.cond(p, lambda: t.random_shuffle(t.range(5)), lambda: t.zeros([5], tf.int32))
    out = []
    for _ in range(2):
        with t.Session() as sess:
            out += [sess.run(a), sess.run([a, b]), sess.run(b), sess.run(one_row),
                    sess.run(fed, {x: [1]}), sess.run(fed, {x: np.arange(9)}),
                    sess.run([fed, a], {x: np.arange(7)}), sess.run(c, {p: True}),
                    sess.run(c, {p: False}), sess.run([c, a], {p: True})]
    return out


def test_random_shuffle_keeps_one_stream_per_session_across_fetch_sets():
    """TF1's kernel reserved ceil((n - 1) / 4) Philox samples per run (none for n <= 1)."""
    ours, tf1 = both(_shuffle_streams_program)
    assert_bitwise_equal(ours, tf1)
    assert not np.array_equal(ours[0], ours[1][0])  # the second fetch set continued the stream
    assert np.array_equal(ours[0], ours[10])  # a new session restarted it


def _seeded_script(t, log):
    """A TF1-style script: seeded random initializers, dropout, evaluations between steps."""
    t.set_random_seed(1234)
    rng = np.random.RandomState(0)
    data_x = rng.rand(64, 12).astype(np.float32)
    data_y = np.eye(3, dtype=np.float32)[rng.randint(0, 3, 64)]
    x = t.placeholder(tf.float32, [None, 12])
    y = t.placeholder(tf.float32, [None, 3])
    keep_prob = t.placeholder(tf.float32)
    w1 = t.Variable(t.truncated_normal([12, 16], stddev=0.1))
    b1 = t.Variable(t.constant(0.1, shape=[16]))
    w2 = t.Variable(t.random_normal([16, 3], stddev=0.1))
    b2 = t.Variable(t.random_uniform([3], -0.1, 0.1))
    h = t.nn.dropout(t.nn.relu(t.matmul(x, w1) + b1), keep_prob)
    logits = t.matmul(h, w2) + b2
    loss = t.reduce_mean(t.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    train = t.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    with t.Session() as sess:
        sess.run(t.global_variables_initializer())
        for step in range(12):
            batch = slice((step * 16) % 64, (step * 16) % 64 + 16)
            _, l = sess.run([train, loss], {x: data_x[batch], y: data_y[batch], keep_prob: 0.5})
            log.append(f"step {step} loss {l!r}")
            if step % 3 == 0:
                ev = sess.run(loss, {x: data_x, y: data_y, keep_prob: 1.0})
                log.append(f"eval {ev!r}")
        for v in sess.run([w1, b1, w2, b2]):
            log.append(hashlib.sha256(v.tobytes()).hexdigest())


def test_seeded_script_prints_exactly_what_tf_compat_v1_prints():
    got, want = [], []
    _in_shim(lambda t: _seeded_script(t, got))
    _in_oracle(lambda t: _seeded_script(t, want))
    assert got == want
    assert len(got) == 12 + 4 + 4


@pytest.mark.parametrize("seed", [None, 5])
def test_unseeded_ops_differ_between_sessions_but_not_within_a_run(seed):
    with shim.Graph().as_default():
        u = shim.random_uniform([8], seed=seed)
        both = [u, u * 1.0]
        with shim.Session() as s1:
            a, a2 = s1.run(both)
            assert np.array_equal(a, a2)  # one evaluation per run
            b = s1.run(u)
        with shim.Session() as s2:
            c = s2.run(u)
    assert not np.array_equal(a, b)
    assert np.array_equal(a, c) == (seed is not None)
