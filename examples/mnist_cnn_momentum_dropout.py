"""A two-layer convolutional network on MNIST, trained with momentum and dropout: a TF1 script.

conv 5x5x32 -> max-pool 2x2 -> conv 5x5x64 -> max-pool 2x2 -> fully connected 1024 (dropout)
-> 10 logits, trained on mini-batches of 100 with ``tf.train.MomentumOptimizer`` (TF1's rule:
``accum = momentum * accum + grad; var -= learning_rate * accum``). Written as a TensorFlow 1.x
user would; only the import line names ``tftrain_compat`` instead of ``tensorflow``.

Environment knobs (the test suite uses them to run a short version):
  TFTRAIN_EXAMPLE_STEPS   number of training steps (default 1000)
  TFTRAIN_EXAMPLE_DATA    folder holding the four MNIST .gz files (default MNIST_data)

Run: ``python examples/mnist_cnn_momentum_dropout.py`` (about a minute per 1000 steps on two
CPU cores).
"""
import os

import tftrain_compat as tf
from tftrain_compat.examples.tutorials.mnist import input_data

NUM_STEPS = int(os.environ.get("TFTRAIN_EXAMPLE_STEPS", "1000"))
DATA_DIR = os.environ.get("TFTRAIN_EXAMPLE_DATA", "MNIST_data")
BATCH_SIZE = 100
EVAL_BATCH_SIZE = 1000  # evaluate in chunks: the whole test set at once needs a lot of memory
LEARNING_RATE = 0.01
MOMENTUM = 0.9
KEEP_PROB = 0.5         # dropout keeps half of the fully connected units while training
EVAL_EVERY = max(1, NUM_STEPS // 10)

# One graph-level seed fixes the initial weights, the dropout masks and (through the reader)
# the order of the mini-batches, so two runs print the same numbers.
tf.set_random_seed(0)
mnist = input_data.read_data_sets(DATA_DIR, one_hot=True)


def weight_variable(shape, name):
    """Weights drawn from a truncated normal: small, random, and never far in the tails."""
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1), name=name)


def bias_variable(shape, name):
    """A slightly positive bias keeps the ReLUs alive at the start."""
    return tf.Variable(tf.constant(0.1, shape=shape), name=name)


def conv_pool(inputs, in_channels, out_channels, name):
    """5x5 convolution (stride 1, SAME) + ReLU, then 2x2 max-pooling that halves height and width."""
    with tf.name_scope(name):
        W = weight_variable([5, 5, in_channels, out_channels], "weights")
        b = bias_variable([out_channels], "biases")
        conv = tf.nn.conv2d(inputs, W, strides=[1, 1, 1, 1], padding="SAME")
        relu = tf.nn.relu(conv + b)
        return tf.nn.max_pool(relu, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")


x = tf.placeholder(tf.float32, [None, 784], name="x")
y = tf.placeholder(tf.float32, [None, 10], name="y")
keep_prob = tf.placeholder(tf.float32, name="keep_prob")  # KEEP_PROB to train, 1.0 to evaluate

x_image = tf.reshape(x, [-1, 28, 28, 1])
h_pool1 = conv_pool(x_image, 1, 32, "conv1")   # -> [batch, 14, 14, 32]
h_pool2 = conv_pool(h_pool1, 32, 64, "conv2")  # -> [batch, 7, 7, 64]

with tf.name_scope("fc1"):
    W_fc1 = weight_variable([7 * 7 * 64, 1024], "weights")
    b_fc1 = bias_variable([1024], "biases")
    h_flat = tf.reshape(h_pool2, [-1, 7 * 7 * 64])
    h_fc1 = tf.nn.relu(tf.matmul(h_flat, W_fc1) + b_fc1)
    # TF1's dropout takes the probability to KEEP a unit, and scales the kept ones by 1/keep_prob.
    h_fc1_drop = tf.nn.dropout(h_fc1, keep_prob)

with tf.name_scope("fc2"):
    W_fc2 = weight_variable([1024, 10], "weights")
    b_fc2 = bias_variable([10], "biases")
    logits = tf.matmul(h_fc1_drop, W_fc2) + b_fc2

cross_entropy = tf.reduce_mean(
    tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
train_step = tf.train.MomentumOptimizer(LEARNING_RATE, MOMENTUM).minimize(cross_entropy)

# Count correct predictions (not a mean) so that chunks of any size add up exactly.
correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))


def evaluate(sess, images, labels):
    """Accuracy over a whole data set, computed EVAL_BATCH_SIZE examples at a time."""
    total = 0.0
    for start in range(0, len(images), EVAL_BATCH_SIZE):
        end = start + EVAL_BATCH_SIZE
        total += sess.run(correct, feed_dict={x: images[start:end], y: labels[start:end],
                                              keep_prob: 1.0})
    return total / len(images)


with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(NUM_STEPS):
        batch_xs, batch_ys = mnist.train.next_batch(BATCH_SIZE)
        sess.run(train_step, feed_dict={x: batch_xs, y: batch_ys, keep_prob: KEEP_PROB})
        if step % EVAL_EVERY == 0:
            print("Step %d, Accuracy %g" % (step, evaluate(sess, mnist.test.images,
                                                           mnist.test.labels)))
    final = evaluate(sess, mnist.test.images, mnist.test.labels)
    print("Final accuracy %g after %d steps" % (final, NUM_STEPS))
