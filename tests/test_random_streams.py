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


# ----- kernels holding their own generator (random_kernels): one kernel per session -----------
def _held_kernels_program(t):
    """Multinomial, gamma, Poisson, the candidate samplers and a RandomShuffle in a TF 1.x loop
    body: TF1 drew each from a generator in its one kernel per session."""
    t.set_random_seed(5)
    logits = t.constant([[0.1, 0.5, 0.2, 1.0], [1.0, 0.0, -1.0, 0.5]])
    m = t.multinomial(logits, 6)
    g = t.random_gamma([3], [1.0, 2.5])
    po = t.random_poisson([0.5, 4.0, 20.0], [3])
    labels = t.constant([[1], [3]], tf.int64)
    uni = t.nn.uniform_candidate_sampler(labels, 1, 5, True, 10)
    log_uni = t.nn.log_uniform_candidate_sampler(labels, 1, 4, False, 50)
    p = t.placeholder(tf.bool, [])
    in_cond = t.cond(p, lambda: t.multinomial(logits, 3), lambda: t.zeros([2, 3], tf.int64))
    loop = t.while_loop(lambda i, a: i < 3, lambda i, a: (
        i + 1, a + t.random_shuffle(t.range(6))), (t.constant(0), t.zeros([6], tf.int32)))[1]
    out = []
    for _ in range(2):  # a new session restarts every stream
        with t.Session() as sess:
            out += [sess.run(m), sess.run([m, g]), sess.run(g), sess.run({"p": po, "m": m}),
                    sess.run(po), sess.run(uni), sess.run([uni, log_uni]), sess.run(log_uni),
                    sess.run(uni[0]), sess.run(in_cond, {p: True}), sess.run(in_cond, {p: False}),
                    sess.run([in_cond, m], {p: True}), sess.run(loop), sess.run([loop, m])]
    return out


def test_kernel_held_random_ops_keep_one_stream_per_session_across_fetch_sets():
    ours, tf1 = both(_held_kernels_program)
    assert_bitwise_equal(ours, tf1)
    assert not np.array_equal(ours[0], ours[1][0])  # the second fetch set continued the stream
    assert not np.array_equal(ours[12], ours[13][0])  # and the loop body's shuffle too
    assert np.array_equal(ours[0], ours[14])  # a new session restarted it


def _sampled_losses_program(t):
    """A word2vec-style model: nce_loss and sampled_softmax_loss trained, with evaluations of
    the loss alone (another fetch set) between steps, as TF1 tutorials do."""
    t.set_random_seed(3)
    rng = np.random.RandomState(0)
    vocab, dim, batch = 40, 8, 16
    inputs = t.placeholder(tf.int32, [batch])
    labels = t.placeholder(tf.int64, [batch, 1])
    emb = t.Variable(t.random_uniform([vocab, dim], -1.0, 1.0))
    w = t.Variable(t.truncated_normal([vocab, dim], stddev=0.3))
    b = t.Variable(t.zeros([vocab]))
    embed = t.nn.embedding_lookup(emb, inputs)
    nce = t.reduce_mean(t.nn.nce_loss(weights=w, biases=b, labels=labels, inputs=embed,
                                      num_sampled=5, num_classes=vocab))
    sampled = t.reduce_mean(t.nn.sampled_softmax_loss(
        weights=w, biases=b, labels=labels, inputs=embed, num_sampled=6, num_classes=vocab))
    train = t.train.GradientDescentOptimizer(0.5).minimize(nce + sampled)
    out = []
    with t.Session() as sess:
        sess.run(t.global_variables_initializer())
        for step in range(6):
            feed = {inputs: rng.randint(0, vocab, batch),
                    labels: rng.randint(0, vocab, (batch, 1))}
            out.append(sess.run([train, nce, sampled], feed)[1:])
            if step % 2 == 0:
                out.append(sess.run(nce, feed))
        out.append(sess.run([emb, w, b]))
    return out


def test_nce_and_sampled_softmax_training_with_evaluations_bitwise_equal():
    ours, tf1 = both(_sampled_losses_program)
    assert_bitwise_equal(ours, tf1)


def _concurrent_draws(t, n_threads, n_runs):
    """``n_threads`` threads each run one multinomial op ``n_runs`` times, and one run evaluates
    eight held ops at once (more than the inter-op threads of a small machine)."""
    import threading

    t.set_random_seed(9)
    logits = t.constant([[0.0, 0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.1]])
    m = t.multinomial(logits, 16)
    many = [t.multinomial(logits, 4) for _ in range(4)] + [
        t.random_gamma([2], [1.5]) for _ in range(4)]
    draws: list = []
    with t.Session() as sess:
        together = sess.run(many)
        if n_threads == 1:
            draws = [sess.run(m).tobytes() for _ in range(n_runs)]
        else:
            barrier = threading.Barrier(n_threads)

            def work():
                barrier.wait()
                for _ in range(n_runs):
                    draws.append(sess.run(m).tobytes())
            threads = [threading.Thread(target=work) for _ in range(n_threads)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
    return together, sorted(draws)


def test_concurrent_runs_of_a_held_kernel_share_its_one_stream():
    """TF1's kernel reserved each run's samples under its lock: four threads' 100 runs draw the
    first 100 reservations of the one stream, in some order (the sorted draws of one thread's
    100 runs in the oracle); a run of eight held ops at once does not stall."""
    with shim.Graph().as_default():
        together, draws = _concurrent_draws(shim, 4, 25)
    with tf.Graph().as_default():
        together_tf1, draws_tf1 = _concurrent_draws(V1, 1, 100)
    assert_bitwise_equal(together, together_tf1)
    assert len(draws) == 100 and draws == draws_tf1


def _fallback_program(t):
    t.set_random_seed(1)
    p = t.placeholder(tf.bool, [])
    m = t.cond(p, lambda: t.multinomial(t.log([[0.1, 0.2, 0.3, 0.4]]), 5),
               lambda: t.zeros([1, 5], tf.int64))
    u = t.cond(p, lambda: t.random_uniform([2]), lambda: t.zeros([2]))
    with t.Session() as sess:
        return [sess.run([m, u], {p: True}), sess.run(u, {p: True}),
                sess.run([u, m * 2], {p: True})]


def test_without_tf1_control_flow_builders_bodies_keep_session_streams_or_warn(monkeypatch):
    """Where TF has no TF 1.x control-flow builders (``tf_private`` falls back), cond branches are
    library functions: a RandomUniform there still keeps one stream per Session (threaded in,
    ``random_bodies``), bit-equal to tf.compat.v1 building the same If ops; a Multinomial there
    keeps a stream per fetch set (its third run restarts), and the plan says so in a warning."""
    from tftrain_compat._src import tf_private
    monkeypatch.setattr(tf_private, "_cf_util", None)
    was_v2 = V1.control_flow_v2_enabled()  # the suite builds TF 1.x control flow (support.py)
    V1.enable_control_flow_v2()
    try:
        with tf.Graph().as_default():
            want = _fallback_program(V1)
        with shim.Graph().as_default(), pytest.warns(
                RuntimeWarning, match=r"random op '[^']*Multinomial' \(Multinomial\) in library "
                                      r"function 'cond_true[^']*' keeps one stream per fetch set"):
            got = _fallback_program(shim)
    finally:
        if not was_v2:
            V1.disable_control_flow_v2()
    assert_bitwise_equal(got[:2], want[:2])
    assert_bitwise_equal(got[2][0], want[2][0])  # the uniform's stream continued
    assert np.array_equal(got[2][1], got[0][0] * 2)  # the multinomial's restarted (TF1: not)
    assert not np.array_equal(want[2][1], want[0][0] * 2)
