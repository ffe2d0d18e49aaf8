"""``tensorflow.examples.tutorials.mnist.mnist`` (fully_connected_feed's model) against TF1.

The oracle is TF1's tutorial model written out with tf.compat.v1 in a ``tf.Graph`` (the
tutorial file is not in TF2 wheels; its code is the documented construction in the module's
docstring), trained on real digits from ../shared/mnist_small with the same graph seed: every
loss and every evaluation count must be bitwise equal.
"""
from __future__ import annotations

import math

import numpy as np
import tensorflow as tf2

import tftrain_compat as tf
from conftest import shared_path

V1 = tf2.compat.v1
HIDDEN1, HIDDEN2, BATCH, STEPS, LR = 32, 16, 50, 15, 0.1


def _batches():
    from tftrain_compat.examples.tutorials.mnist import input_data
    data = input_data.read_data_sets(str(shared_path("mnist_small")), validation_size=0)
    images = data.train.images[: BATCH * STEPS].reshape(STEPS, BATCH, 784)
    labels = data.train.labels[: BATCH * STEPS].reshape(STEPS, BATCH).astype(np.int32)
    return images, labels, data.test.images[:500], data.test.labels[:500].astype(np.int32)


def _oracle(images, labels, test_x, test_y):
    with tf2.Graph().as_default():
        V1.set_random_seed(7)
        x = V1.placeholder(tf2.float32, [None, 784])
        y = V1.placeholder(tf2.int32, [None])
        hidden, fan_in = x, 784
        for scope, units, act in (("hidden1", HIDDEN1, True), ("hidden2", HIDDEN2, True),
                                  ("softmax_linear", 10, False)):
            with V1.name_scope(scope):
                w = V1.Variable(V1.truncated_normal([fan_in, units], stddev=1.0 / math.sqrt(float(fan_in))),
                                name="weights")
                b = V1.Variable(V1.zeros([units]), name="biases")
                hidden = V1.matmul(hidden, w) + b
                hidden = V1.nn.relu(hidden) if act else hidden
                fan_in = units
        logits = hidden
        loss = V1.losses.sparse_softmax_cross_entropy(labels=V1.to_int64(y), logits=logits)
        V1.summary.scalar("loss", loss)
        global_step = V1.Variable(0, name="global_step", trainable=False)
        train = V1.train.GradientDescentOptimizer(LR).minimize(loss, global_step=global_step)
        correct = V1.reduce_sum(V1.cast(V1.nn.in_top_k(logits, y, 1), tf2.int32))
        names = sorted(v.op.name for v in V1.global_variables())
        with V1.Session() as sess:
            sess.run(V1.global_variables_initializer())
            losses = [sess.run([train, loss], {x: images[i], y: labels[i]})[1] for i in range(STEPS)]
            return losses, sess.run(correct, {x: test_x, y: test_y}), sess.run(global_step), names


def test_fully_connected_feed_model_matches_tf1(fresh_graph) -> None:
    from tensorflow.examples.tutorials.mnist import mnist  # served by the import hook

    images, labels, test_x, test_y = _batches()
    tf.set_random_seed(7)
    x = tf.placeholder(tf.float32, [None, mnist.IMAGE_PIXELS])
    y = tf.placeholder(tf.int32, [None])
    logits = mnist.inference(x, HIDDEN1, HIDDEN2)
    loss = mnist.loss(logits, y)
    train = mnist.training(loss, LR)
    correct = mnist.evaluation(logits, y)
    names = sorted(v.op.name for v in tf.global_variables())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([train, loss], {x: images[i], y: labels[i]})[1] for i in range(STEPS)]
        step = [v for v in tf.global_variables() if v.op.name == "global_step"][0]
        got = (losses, sess.run(correct, {x: test_x, y: test_y}), sess.run(step), names)
    want = _oracle(images, labels, test_x, test_y)
    assert got[3] == want[3] == sorted(
        [f"{s}/{n}" for s in ("hidden1", "hidden2", "softmax_linear") for n in ("weights", "biases")]
        + ["global_step"])
    assert np.array_equal(np.array(got[0]), np.array(want[0]))
    assert got[1] == want[1] and got[2] == want[2] == STEPS
    assert want[0][-1] < want[0][0]  # it learns: the comparison is not between two constants


def test_constants_are_tf1s() -> None:
    from tftrain_compat.examples.tutorials.mnist import mnist
    assert (mnist.NUM_CLASSES, mnist.IMAGE_SIZE, mnist.IMAGE_PIXELS) == (10, 28, 784)
