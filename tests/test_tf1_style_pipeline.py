"""Issue 3's end-to-end check: one TF1-style training script (get_variable under a variable_scope
with a regularizer, dropout, RMSProp with a polynomial-decay schedule, an ExponentialMovingAverage
of the weights, evaluations between steps) runs once with ``import tftrain_compat as tf`` and once
with tf.compat.v1; every printed line — losses with ``repr``, weight hashes, names — is equal."""
from __future__ import annotations

import types

import tensorflow as tf

import tftrain_compat

SCRIPT = '''
import hashlib
import numpy as np

tf.set_random_seed(1234)
rng = np.random.RandomState(0)
X = rng.randn(64, 8).astype(np.float32)
Y = np.argmax(X @ rng.randn(8, 3), axis=1)

x = tf.placeholder(tf.float32, [None, 8], name="x")
y = tf.placeholder(tf.int64, [None], name="y")
keep_prob = tf.placeholder_with_default(1.0, [], name="keep_prob")


def dense(inp, n_out, name, act=None, init=None):
    with tf.variable_scope(name):
        w = tf.get_variable("weights", [inp.get_shape()[1], n_out], initializer=init)
        b = tf.get_variable("biases", [n_out], initializer=tf.zeros_initializer())
        out = tf.matmul(inp, w) + b
        return act(out) if act is not None else out


with tf.variable_scope("model", regularizer=tf.contrib.layers.l2_regularizer(1e-3)):
    hidden = dense(x, 16, "layer1", tf.nn.relu)  # default initializer: glorot_uniform
    hidden = tf.nn.dropout(hidden, keep_prob)
    logits = dense(hidden, 3, "layer2",
                   init=tf.truncated_normal_initializer(stddev=0.1))

loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
reg_loss = tf.losses.get_regularization_loss()
total_loss = tf.add(loss, reg_loss, name="total_loss")
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))

global_step = tf.train.get_or_create_global_step()
learning_rate = tf.train.polynomial_decay(0.05, global_step, 12, end_learning_rate=0.005,
                                          power=0.5, cycle=True)
optimizer = tf.train.RMSPropOptimizer(learning_rate, decay=0.9, momentum=0.5, centered=True)
train = optimizer.minimize(total_loss, global_step=global_step)
ema = tf.train.ExponentialMovingAverage(0.9, num_updates=global_step)
with tf.control_dependencies([train]):
    train_op = ema.apply(tf.trainable_variables())

print("regularizers", [t.name for t in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)])
print("variables", [v.name for v in tf.global_variables()])
print("restore", sorted(ema.variables_to_restore()))


def digest(value):
    return hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()[:16]


with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("init", [digest(v) for v in sess.run(tf.trainable_variables())])
    for i in range(30):
        idx = rng.randint(0, 64, 16)
        _, l, r, lr = sess.run([train_op, total_loss, reg_loss, learning_rate],
                               {x: X[idx], y: Y[idx], keep_prob: 0.8})
        print("step", i, repr(l), repr(r), repr(lr))
        if i % 7 == 6:  # evaluation between steps: keep_prob 1.0, still a dropout draw
            print("eval", repr(sess.run(loss, {x: X, y: Y})),
                  repr(sess.run(accuracy, {x: X, y: Y})))
    for v in tf.global_variables():
        print("final", v.op.name, digest(sess.run(v)))
    averages = [ema.average(v) for v in tf.trainable_variables()]
    print("ema", [(a.op.name, repr(float(sess.run(a).ravel()[0]))) for a in averages])
'''


def _v1_l2_regularizer(scale, scope=None):
    """contrib's l2_regularizer (TF 1.15) written with compat.v1 ops: compat.v1 has no contrib."""
    def l2(weights):
        with tf.compat.v1.name_scope(scope, "l2_regularizer", [weights]) as name:
            s = tf.convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return tf.multiply(s, tf.nn.l2_loss(weights), name=name)
    return l2


class _V1Namespace(types.ModuleType):
    """``tf.compat.v1`` plus ``tf.contrib.layers.l2_regularizer``: the TF1 the script expects."""

    def __init__(self) -> None:
        super().__init__("tf")
        self.contrib = types.SimpleNamespace(
            layers=types.SimpleNamespace(l2_regularizer=_v1_l2_regularizer))

    def __getattr__(self, name):
        return getattr(tf.compat.v1, name)


def _run(module, graph) -> list[str]:
    lines: list[str] = []

    def capture(*args):
        lines.append(" ".join(str(a) for a in args))
    with graph.as_default():
        exec(compile(SCRIPT, "tf1_pipeline.py", "exec"), {"tf": module, "print": capture})
    return lines


def test_tf1_pipeline_prints_exactly_what_tf_compat_v1_prints():
    want = _run(_V1Namespace(), tf.Graph())
    got = _run(tftrain_compat, tftrain_compat.Graph())
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g == w
    assert want[0] == ("regularizers ['model/layer1/weights/Regularizer/l2_regularizer:0', "
                       "'model/layer1/biases/Regularizer/l2_regularizer:0', "
                       "'model/layer2/weights/Regularizer/l2_regularizer:0', "
                       "'model/layer2/biases/Regularizer/l2_regularizer:0']")
    assert sum(line.startswith("step") for line in got) == 30
