"""A one-hidden-layer perceptron on MNIST: Adam, an exponentially decaying learning rate and L2
weight decay from ``tf.contrib.layers``, written as a TF1 script.

784 -> 256 (ReLU) -> 10, trained on mini-batches of 100. The learning rate follows
``tf.train.exponential_decay(0.001, global_step, DECAY_STEPS, 0.9, staircase=True)``, where
``global_step`` is the variable that ``minimize(..., global_step=...)`` increments after every
update. The loss adds ``tf.contrib.layers.l2_regularizer(L2_SCALE)`` over both weight matrices
(contrib's l2 is ``scale * sum(w ** 2) / 2``). Only the import line names ``tftrain_compat``.

Environment knobs (the test suite uses them to run a short version):
  TFTRAIN_EXAMPLE_STEPS   number of training steps (default 2000)
  TFTRAIN_EXAMPLE_DATA    folder holding the four MNIST .gz files (default MNIST_data)

Run: ``python examples/mnist_mlp_adam_decay_l2.py``.
"""
import os

import tftrain_compat as tf
from tftrain_compat.examples.tutorials.mnist import input_data

NUM_STEPS = int(os.environ.get("TFTRAIN_EXAMPLE_STEPS", "2000"))
DATA_DIR = os.environ.get("TFTRAIN_EXAMPLE_DATA", "MNIST_data")
BATCH_SIZE = 100
HIDDEN_UNITS = 256
INITIAL_LEARNING_RATE = 0.001
DECAY_STEPS = 500       # the rate drops by DECAY_RATE every DECAY_STEPS updates (staircase)
DECAY_RATE = 0.9
L2_SCALE = 1e-4
EVAL_EVERY = max(1, NUM_STEPS // 10)

tf.set_random_seed(0)  # repeatable weights and mini-batch order
mnist = input_data.read_data_sets(DATA_DIR, one_hot=True)

x = tf.placeholder(tf.float32, [None, 784], name="x")
y = tf.placeholder(tf.float32, [None, 10], name="y")

with tf.name_scope("hidden"):
    W1 = tf.Variable(tf.truncated_normal([784, HIDDEN_UNITS], stddev=0.05), name="weights")
    b1 = tf.Variable(tf.zeros([HIDDEN_UNITS]), name="biases")
    hidden = tf.nn.relu(tf.matmul(x, W1) + b1)

with tf.name_scope("output"):
    W2 = tf.Variable(tf.truncated_normal([HIDDEN_UNITS, 10], stddev=0.05), name="weights")
    b2 = tf.Variable(tf.zeros([10]), name="biases")
    logits = tf.matmul(hidden, W2) + b2

# The data term plus an L2 penalty on the weights (biases are usually left unregularized).
data_loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
l2_penalty = tf.contrib.layers.apply_regularization(
    tf.contrib.layers.l2_regularizer(L2_SCALE), [W1, W2])
loss = data_loss + l2_penalty

# The global step counts parameter updates (minimize() increments it after each one); the
# decayed learning rate is a tensor computed from it.
global_step = tf.train.get_or_create_global_step()
learning_rate = tf.train.exponential_decay(INITIAL_LEARNING_RATE, global_step, DECAY_STEPS,
                                           DECAY_RATE, staircase=True)
train_step = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)

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
    final_accuracy, final_step, final_rate = sess.run([accuracy, global_step, learning_rate],
                                                      feed_dict=test_feed)
    print("Final accuracy %g after %d steps (learning rate now %g)"
          % (final_accuracy, final_step, final_rate))
