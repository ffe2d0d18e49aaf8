"""tf.cond / tf.case / tf.while_loop with TF1's Python-level contracts, and random ops inside
their bodies drawing TF1's numbers, against tf.compat.v1."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

import tftrain_compat as shim
from support import assert_bitwise_equal, both, tf1_graph

V1 = tf.compat.v1


def _build(t):
    t.set_random_seed(3)
    p = t.placeholder(tf.bool, [], name="p")
    x = t.constant(2.0)
    single = t.cond(p, lambda: [x * 2], lambda: [x * 3])
    legacy = t.cond(p, fn1=lambda: x, fn2=lambda: x + 1)
    pair = t.cond(p, lambda: (x, x * 2), lambda: (x, x * 3))
    drop = t.cond(p, lambda: t.nn.dropout(t.ones([6]), 0.5), lambda: t.ones([6]))
    after = t.Variable(t.random_normal([3]))  # op seeds after a cond with a random op
    chosen = t.case({t.equal(x, 2.0): lambda: x + 10, t.equal(x, 3.0): lambda: x + 20},
                    default=lambda: x, exclusive=True)
    i0 = t.constant(0)
    count = t.while_loop(lambda i: i < 3, lambda i: i + 1, [i0])
    # loops that add a draw per iteration run one iteration at a time: with parallel iterations
    # TF1 left the draw-to-iteration order to the threads (see _map_scan_fold_program)
    noisy = t.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + t.random_uniform([2])),
                         (i0, t.zeros([2])), parallel_iterations=1)
    kinds = [type(v).__name__.replace("Symbolic", "") for v in (single, pair, noisy)]
    return p, kinds, [single, legacy, pair, chosen, count], drop, after, noisy


def _run(t, graph_context):
    with graph_context:
        p, kinds, static, drop, after, noisy = _build(t)
        with t.Session() as sess:
            sess.run(t.global_variables_initializer())
            values = sess.run(static, {p: True})
            draws = [sess.run(drop, {p: True}) for _ in range(2)]
            draws += [sess.run(after)] + [sess.run(noisy)[1] for _ in range(2)]
    return kinds, values, draws


def test_control_flow_structures_and_random_bodies_match_tf1():
    kinds_w, values_w, draws_w = _run(V1, tf1_graph())
    kinds_g, values_g, draws_g = _run(shim, shim.Graph().as_default())
    # TF 1.x's cond unpacks a branch's singleton list (strict=False); TF2's cond_v2 does not.
    assert kinds_g == kinds_w == ["Tensor", "tuple", "tuple"]
    for g, w in zip(tf.nest.flatten(values_g), tf.nest.flatten(values_w)):
        assert np.array_equal(g, w)
    for g, w in zip(draws_g, draws_w):
        assert g.dtype == w.dtype and np.array_equal(g, w)


def _streams_program(t):
    """Random ops in a cond branch, a while body and a while inside a cond, fetched in changing
    combinations: TF1 kept one stream per op per Session, whatever each run fetched."""
    t.set_random_seed(3)
    p = t.placeholder(tf.bool, [], name="p")
    drop = t.cond(p, lambda: t.nn.dropout(t.ones([6]), 0.5), lambda: t.ones([6]))
    i0 = t.constant(0)
    noisy = t.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + t.random_uniform([2])),
                         (i0, t.zeros([2])), parallel_iterations=1)[1]
    nested = t.cond(p, lambda: t.while_loop(
        lambda i, s: i < 2, lambda i, s: (i + 1, s + t.truncated_normal([2])),
        (i0, t.zeros([2])), parallel_iterations=1)[1], lambda: t.zeros([2]))
    after = t.Variable(t.random_normal([3]))
    runs = []
    for _ in range(2):  # the second session restarts every stream
        with t.Session() as sess:
            sess.run(t.global_variables_initializer())
            runs += [sess.run(drop, {p: True}), sess.run([drop, noisy], {p: True}),
                     sess.run(noisy), sess.run([nested, drop], {p: True}),
                     sess.run(nested, {p: True}), sess.run(nested, {p: False}), sess.run(after)]
    return runs


def test_random_ops_in_bodies_keep_one_stream_per_session_across_fetches():
    ours, tf1 = both(_streams_program)
    assert_bitwise_equal(ours, tf1)
    assert not np.array_equal(ours[2], ours[1][1])  # the while body's stream moved on


def _untaken_branch_program(t):
    """A variable read only in a cond branch / a loop body: TF1 read it only when that runs, so
    an uninitialized one fails only on a run that takes the branch or runs the loop."""
    p = t.placeholder(tf.bool, [])
    v = t.Variable(1.0, name="v")
    w = t.Variable(2.0, name="w")
    out = t.cond(p, lambda: v + 1, lambda: w + 1)
    loop = t.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + v),
                        (t.constant(0), t.constant(0.0)))
    seen = []
    with t.Session() as sess:
        sess.run(w.initializer)
        seen.append(sess.run(out, {p: False}))
        for fetch, feed in ((out, {p: True}), (loop, None)):
            try:
                sess.run(fetch, feed)
                seen.append("no error")
            except tf.errors.FailedPreconditionError as err:
                seen.append(("FailedPreconditionError", "uninitialized" in str(err) or
                             "Could not find variable v" in str(err)))
        sess.run(v.initializer)
        seen += [sess.run(loop), sess.run(out, {p: True})]
    return seen


def test_variable_read_only_in_an_untaken_branch_needs_no_initializer():
    ours, tf1 = both(_untaken_branch_program)
    assert_bitwise_equal(ours, tf1)
    assert ours[0] == np.float32(3.0) and ours[1] == ("FailedPreconditionError", True)


def _map_scan_fold_program(t):
    """map_fn (a random op in its body), scan and foldl with gradients and training steps, then a
    graph-seeded op: TF 1.x's while loops, op seeds and draws. The map_fn runs one iteration at
    a time: with parallel iterations TF1 left it to the threads which row takes which draw of
    the one stream (on both sides; a full-suite run once saw the rows' draws swapped)."""
    t.set_random_seed(3)
    x = t.placeholder(tf.float32, [None, 3])
    w = t.Variable(t.random_normal([3]))
    mapped = t.map_fn(lambda r: r * w + t.random_uniform([3]), x, parallel_iterations=1)
    scanned = t.scan(lambda a, r: a + r * w, x)
    folded = t.foldl(lambda a, r: a * 0.5 + t.reduce_sum(r), x, initializer=t.constant(0.0))
    loss = t.reduce_sum(mapped) + t.reduce_sum(scanned) + folded
    grad = t.gradients(loss, w)[0]
    train = t.train.GradientDescentOptimizer(0.1).minimize(loss)
    after = t.random_normal([2])
    xs = np.arange(12, dtype=np.float32).reshape(4, 3)
    out = []
    with t.Session() as sess:
        sess.run(t.global_variables_initializer())
        for _ in range(2):
            out.append(sess.run([mapped, scanned, folded, grad], {x: xs}))
            sess.run(train, {x: xs})
        out.append(sess.run([w, after]))
    return out


def test_map_fn_scan_foldl_match_tf1_without_autograph_warnings(capsys, caplog):
    ours, tf1 = both(_map_scan_fold_program)
    assert_bitwise_equal(ours, tf1)
    captured = capsys.readouterr()
    assert "AutoGraph" not in caplog.text and "AutoGraph" not in captured.out + captured.err
