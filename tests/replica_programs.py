"""Programs tests/test_replicas.py runs in fresh processes (logical CPU devices exist only when
they are declared before TensorFlow starts). Each prints one JSON line ``RESULT {...}``.

    python tests/replica_programs.py softmax     # replicas 2 vs 1 vs tf.compat.v1, mean and sum
    python tests/replica_programs.py errors      # every refused case, with its message
    python tests/replica_programs.py late        # distribute() after TF's devices started
"""
from __future__ import annotations

import json
import sys

import numpy as np

BATCH, FEATURES, CLASSES, STEPS = 40, 20, 5, 6


def _data():
    rng = np.random.RandomState(0)
    xs = rng.rand(STEPS, BATCH, FEATURES).astype(np.float32)
    ys = np.eye(CLASSES, dtype=np.float32)[rng.randint(0, CLASSES, (STEPS, BATCH))]
    return xs, ys


def _softmax_graph(tf1, loss_kind: str):
    """Softmax regression with dropout (seeded) and weight decay; the loss a mean or a sum."""
    tf1.set_random_seed(7)
    x = tf1.placeholder(tf1.float32, [None, FEATURES])
    y = tf1.placeholder(tf1.float32, [None, CLASSES])
    keep = tf1.placeholder(tf1.float32)
    w = tf1.Variable(tf1.random_normal([FEATURES, CLASSES], stddev=0.1, seed=1))
    b = tf1.Variable(tf1.zeros([CLASSES]))
    logits = tf1.matmul(tf1.nn.dropout(x, keep, seed=2), w) + b
    per_example = -tf1.reduce_sum(y * tf1.log(tf1.nn.softmax(logits)), axis=1)
    if loss_kind == "mean":
        loss = tf1.reduce_mean(per_example) + 0.01 * tf1.reduce_sum(tf1.square(w))
        train = tf1.train.MomentumOptimizer(0.5, 0.9).minimize(loss)
    elif loss_kind == "sum":
        loss = tf1.reduce_sum(per_example)
        train = tf1.train.GradientDescentOptimizer(0.01).minimize(loss)
    else:  # "clip": compute_gradients, clip by the global norm, apply_gradients + global_step
        loss = tf1.reduce_mean(per_example)
        opt = tf1.train.AdamOptimizer(0.05)
        grads, variables = zip(*opt.compute_gradients(loss))
        clipped, _ = tf1.clip_by_global_norm(grads, 0.05)
        step = tf1.train.get_or_create_global_step()
        train = opt.apply_gradients(zip(clipped, variables), global_step=step)
    correct = tf1.equal(tf1.argmax(logits, 1), tf1.argmax(y, 1))
    accuracy = tf1.reduce_mean(tf1.cast(correct, tf1.float32))
    return x, y, keep, train, loss, accuracy


def _train(tf1, session_cls, loss_kind: str) -> dict:
    xs, ys = _data()
    x, y, keep, train, loss, accuracy = _softmax_graph(tf1, loss_kind)
    losses, steps = [], []
    global_step = tf1.train.get_global_step()  # the "clip" graph's; fetched with the train op
    extra = [] if global_step is None else [global_step]
    with session_cls() as sess:
        sess.run(tf1.global_variables_initializer())
        for i in range(STEPS):
            _, value, *step = sess.run([train, loss] + extra, {x: xs[i], y: ys[i], keep: 0.75})
            losses.append(float(value))
            steps += [int(v) for v in step]
        # evaluation: the whole (odd-sized) batch, not split
        acc = sess.run(accuracy, {x: xs[0][:37], y: ys[0][:37], keep: 1.0})
        variables = tf1.global_variables()
        values = sess.run(variables)
    return {"losses": losses, "accuracy": float(acc), "fetched_steps": steps,
            "variables": {v.op.name: np.asarray(val).tolist() for v, val in zip(variables, values)}}


def softmax() -> dict:
    import tensorflow as tf
    import tftrain_compat as shim

    out = {"devices": [d.name for d in tf.config.list_logical_devices("CPU")]}
    for kind in ("mean", "sum", "clip"):
        with tf.Graph().as_default():
            out[f"v1_{kind}"] = _train(tf.compat.v1, tf.compat.v1.Session, kind)
        for count in (1, 2, 4):
            shim.distribute(replicas=count)
            shim.reset_default_graph()
            out[f"shim{count}_{kind}"] = _train(shim, shim.Session, kind)
    # negative control: the mean loss's gradients summed over the replicas (the wrong reduction)
    shim.distribute(replicas=2, reduction="sum")
    shim.reset_default_graph()
    out["shim2_mean_summed"] = _train(shim, shim.Session, "mean")
    shim.distribute(replicas=1)
    return out


def _expect_error(fn) -> str:
    import tftrain_compat as shim
    try:
        fn()
    except shim.ReplicaError as err:
        return str(err)
    return "NO ERROR"


def errors() -> dict:
    import tftrain_compat as tf

    tf.distribute(replicas=2)
    out: dict = {}
    xs, ys = _data()

    tf.reset_default_graph()
    x, y, keep, train, loss, accuracy = _softmax_graph(tf, "mean")
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    before = sess.run(tf.global_variables())
    out["indivisible"] = _expect_error(
        lambda: sess.run(train, {x: xs[0][:39], y: ys[0][:39], keep: 1.0}))
    out["unchanged_after_error"] = all(
        np.array_equal(a, b) for a, b in zip(before, sess.run(tf.global_variables())))
    out["sizes_differ"] = _expect_error(
        lambda: sess.run(train, {x: xs[0], y: ys[0][:20], keep: 1.0}))
    out["eval_odd_batch"] = float(sess.run(accuracy, {x: xs[0][:39], y: ys[0][:39], keep: 1.0}))
    sess.close()

    # a feed without a declared shape, fed with two shapes
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, FEATURES])
    scale = tf.placeholder(tf.float32)
    w = tf.Variable(tf.zeros([FEATURES, 1]))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(
        tf.reduce_mean(tf.square(tf.matmul(x, w) * scale - 1.0)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: xs[0], scale: 2.0})
        out["shapeless"] = _expect_error(lambda: sess.run(train, {x: xs[0], scale: [2.0]}))

    # batch-coupled forward passes
    def coupled(build):
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, [None, FEATURES])
        w = tf.Variable(tf.ones([FEATURES, 3]))
        h = build(tf.matmul(x, w))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_mean(tf.square(h)))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return _expect_error(lambda: sess.run(train, {x: xs[0]}))

    def moments(h):
        mean, var = tf.nn.moments(h, axes=[0])
        return (h - mean) / tf.sqrt(var + 1e-3)

    out["moments"] = coupled(moments)
    out["batch_norm"] = coupled(lambda h: tf.layers.batch_normalization(h, training=True))

    # losses read as means: a sum divided by tf.shape(x)[0], tf.losses' default reduction (a sum
    # divided by the count of non-zero weights); one that cannot be read (a sum divided by a sum
    # of the examples' values); gradients from tf.gradients (no loss recorded), then with
    # reduction='mean' given. Each returns w after two steps.
    def train_two_steps(kind: str):
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, [None, FEATURES])
        y = tf.placeholder(tf.float32, [None, CLASSES])
        w = tf.Variable(tf.fill([FEATURES, CLASSES], 0.1))
        logits = tf.matmul(x, w)
        opt = tf.train.GradientDescentOptimizer(0.5)
        if kind == "shape_divided":
            loss = tf.reduce_sum(tf.square(logits - y)) / tf.cast(tf.shape(x)[0], tf.float32)
        elif kind == "tf_losses":
            loss = tf.losses.softmax_cross_entropy(y, logits)
        elif kind == "tf_gradients":
            loss = tf.reduce_mean(tf.square(logits - y))
        else:
            loss = tf.reduce_sum(tf.square(logits - y)) / tf.reduce_sum(tf.abs(x))
        if kind == "tf_gradients":
            train = opt.apply_gradients(zip(tf.gradients(loss, [w]), [w]))
        else:
            train = opt.minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i in range(2):
                sess.run(train, {x: xs[i], y: ys[i]})
            return sess.run(w)

    for kind in ("shape_divided", "tf_losses"):
        tf.distribute(replicas=1)
        single = train_two_steps(kind)
        tf.distribute(replicas=2)
        out[kind] = [float(np.abs(train_two_steps(kind) - single).max()),
                     float(np.abs(single - 0.1).max())]
    out["unknown_reduction"] = _expect_error(lambda: train_two_steps("value_divided"))
    out["tf_gradients"] = _expect_error(lambda: train_two_steps("tf_gradients"))
    tf.distribute(replicas=1)
    single = train_two_steps("tf_gradients")
    tf.distribute(replicas=2, reduction="mean")
    out["explicit_mean"] = [float(np.abs(train_two_steps("tf_gradients") - single).max()),
                            float(np.abs(single - 0.1).max())]
    out["too_many"] = _expect_error(lambda: tf.distribute(replicas=3))

    # computing the gradients changes state: it would run once per replica
    tf.distribute(replicas=2)
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, FEATURES])
    w = tf.Variable(tf.ones([FEATURES, 1]))
    seen = tf.Variable(0.0, trainable=False)
    with tf.control_dependencies([tf.assign_add(seen, 1.0)]):
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w)))
    train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out["state_changing"] = _expect_error(lambda: sess.run(train, {x: xs[0]}))

    # a random op in a while-loop body (TF 1.x's frame): drawn once per iteration
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, FEATURES])
    w = tf.Variable(tf.ones([FEATURES, 1]))
    h = tf.matmul(x, w)
    noisy = tf.while_loop(lambda i, a: i < 2,
                          lambda i, a: (i + 1, tf.nn.dropout(a, keep_prob=0.5)),
                          (tf.constant(0), h))[1]
    train = tf.train.GradientDescentOptimizer(0.01).minimize(tf.reduce_mean(tf.square(noisy)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out["loop_random"] = _expect_error(lambda: sess.run(train, {x: xs[0]}))
    return out


def late() -> dict:
    import tftrain_compat as tf
    tf.constant(1.0)  # TF's devices are started
    return {"too_many": _expect_error(lambda: tf.distribute(replicas=2)),
            "distribute_module": tf.distribute.MirroredStrategy.__name__}


if __name__ == "__main__":
    result = {"softmax": softmax, "errors": errors, "late": late}[sys.argv[1]]()
    print("RESULT " + json.dumps(result))
