"""Softmax regression on MNIST trained with plain gradient descent: a TF1-style script.

The model is ``y = softmax(x W + b)`` over the 784 pixels of each digit, trained on mini-batches
of 100 with ``tf.train.GradientDescentOptimizer``. It is written exactly as a TensorFlow 1.x user
would write it; only the import line names ``tftrain_compat`` instead of ``tensorflow``.

Environment knobs (the test suite uses them to run a short version):
  TFTRAIN_EXAMPLE_STEPS   number of training steps (default 1000)
  TFTRAIN_EXAMPLE_DATA    folder holding the four MNIST .gz files (default MNIST_data)

Run: ``python examples/mnist_softmax_gd.py``.
"""
import os

import tftrain_compat as tf
from tftrain_compat.examples.tutorials.mnist import input_data

NUM_STEPS = int(os.environ.get("TFTRAIN_EXAMPLE_STEPS", "1000"))
DATA_DIR = os.environ.get("TFTRAIN_EXAMPLE_DATA", "MNIST_data")
BATCH_SIZE = 100
LEARNING_RATE = 0.5
EVAL_EVERY = max(1, NUM_STEPS // 10)  # about ten progress lines whatever the step count

# A graph-level seed makes the run repeatable: the reader seeds NumPy's shuffling from it, as
# TF1's reader did (the weights start at zero here, so nothing else is random).
tf.set_random_seed(0)
mnist = input_data.read_data_sets(DATA_DIR, one_hot=True)

# Inputs: flattened 28x28 images and one-hot labels; the batch dimension is left open so the
# same graph serves training batches and the whole test set.
x = tf.placeholder(tf.float32, [None, 784], name="x")
y = tf.placeholder(tf.float32, [None, 10], name="y")

# The model: one affine layer. Zero initial weights are fine for a convex problem.
W = tf.Variable(tf.zeros([784, 10]), name="weights")
b = tf.Variable(tf.zeros([10]), name="biases")
logits = tf.matmul(x, W) + b

# Cross-entropy computed from the logits (numerically safer than log(softmax(...))).
cross_entropy = tf.reduce_mean(
    tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
train_step = tf.train.GradientDescentOptimizer(LEARNING_RATE).minimize(cross_entropy)

# Accuracy: the fraction of digits whose most likely class is the labelled one.
correct_prediction = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    test_feed = {x: mnist.test.images, y: mnist.test.labels}
    for step in range(NUM_STEPS):
        batch_xs, batch_ys = mnist.train.next_batch(BATCH_SIZE)
        sess.run(train_step, feed_dict={x: batch_xs, y: batch_ys})
        if step % EVAL_EVERY == 0:
            print("Step %d, Accuracy %g" % (step, sess.run(accuracy, feed_dict=test_feed)))
    print("Final accuracy %g after %d steps" % (sess.run(accuracy, feed_dict=test_feed),
                                                 NUM_STEPS))
