"""``tensorflow.examples.tutorials.mnist.mnist``: the model module of TF1's ``fully_connected_feed``.

A two-hidden-layer ReLU network on 784 pixels, as TF 1.x's tutorial built it:

* ``inference(images, hidden1_units, hidden2_units)``: name scopes ``hidden1``, ``hidden2``,
  ``softmax_linear``, each with ``weights`` ~ ``truncated_normal(stddev=1/sqrt(fan_in))`` and
  zero ``biases``; ``relu(x @ W + b)`` twice, then the logits ``h2 @ W + b``;
* ``loss(logits, labels)``: ``tf.losses.sparse_softmax_cross_entropy`` with int64 labels (the
  mean over the batch);
* ``training(loss, learning_rate)``: a ``loss`` scalar summary, a non-trainable ``global_step``
  variable and ``GradientDescentOptimizer(learning_rate).minimize(loss, global_step)``;
* ``evaluation(logits, labels)``: how many of the batch have the label as the top logit
  (``reduce_sum(cast(in_top_k(logits, labels, 1), int32))``).
"""
from __future__ import annotations

import math
from typing import Any

import tftrain_compat as tf

NUM_CLASSES = 10
IMAGE_SIZE = 28
IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE


def _layer(inputs: Any, fan_in: int, units: int) -> tuple[Any, Any]:
    weights = tf.Variable(tf.truncated_normal([fan_in, units], stddev=1.0 / math.sqrt(float(fan_in))),
                          name="weights")
    biases = tf.Variable(tf.zeros([units]), name="biases")
    return tf.matmul(inputs, weights), biases


def inference(images: Any, hidden1_units: int, hidden2_units: int) -> Any:
    """The logits ``[batch, NUM_CLASSES]`` of the two-hidden-layer network for ``images`` ``[batch, 784]``."""
    with tf.name_scope("hidden1"):
        product, biases = _layer(images, IMAGE_PIXELS, hidden1_units)
        hidden1 = tf.nn.relu(product + biases)
    with tf.name_scope("hidden2"):
        product, biases = _layer(hidden1, hidden1_units, hidden2_units)
        hidden2 = tf.nn.relu(product + biases)
    with tf.name_scope("softmax_linear"):
        product, biases = _layer(hidden2, hidden2_units, NUM_CLASSES)
        logits = product + biases
    return logits


def loss(logits: Any, labels: Any) -> Any:
    """Mean softmax cross-entropy of ``logits`` against class indices ``labels``."""
    labels = tf.to_int64(labels)
    return tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)


def training(loss: Any, learning_rate: float) -> Any:
    """The train op: one gradient-descent step on ``loss``, incrementing ``global_step``."""
    _scalar_summary("loss", loss)
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    global_step = tf.Variable(0, name="global_step", trainable=False)
    return optimizer.minimize(loss, global_step=global_step)


def evaluation(logits: Any, labels: Any) -> Any:
    """The number of examples whose label is the top-1 logit (an int32 scalar)."""
    correct = tf.nn.in_top_k(logits, labels, 1)
    return tf.reduce_sum(tf.cast(correct, tf.int32))


def _scalar_summary(name: str, tensor: Any) -> None:
    """TF1's ``tf.summary.scalar(name, tensor)`` when the shim provides TF1 summaries.

    The summary only feeds ``tf.summary.merge_all()`` / a ``FileWriter`` in the calling
    script; where the shim does not provide TF1 summaries (its ``tf.summary.scalar`` raises the
    "not provided" error) the model is built without it, and a script that asks for
    ``merge_all`` gets that error itself.
    """
    try:
        scalar = tf.summary.scalar
    except AttributeError:
        return
    scalar(name, tensor)
