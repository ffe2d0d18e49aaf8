# A TF1-style LSTM classifier over the 28 rows of each MNIST digit (in the manner of
# nlintz/TensorFlow-Tutorials 07_lstm), written against TF1's API: `import tensorflow as tf`.
# Reads the idx files from $MNIST_DIR; $STEPS training steps; prints losses and accuracy.
import gzip
import os

import numpy as np
import tensorflow as tf


def load(kind, n):
    folder = os.environ["MNIST_DIR"]
    with gzip.open(os.path.join(folder, "%s-images-idx3-ubyte.gz" % kind)) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:n]
    with gzip.open(os.path.join(folder, "%s-labels-idx1-ubyte.gz" % kind)) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
    return images.astype(np.float32) / 255.0, np.eye(10, dtype=np.float32)[labels]


tf.set_random_seed(1234)
train_x, train_y = load("train", 2000)
test_x, test_y = load("t10k", 500)

lstm_size = 28
X = tf.placeholder("float", [None, 28, 28])
Y = tf.placeholder("float", [None, 10])
W = tf.Variable(tf.random_normal([lstm_size, 10], stddev=0.1))
B = tf.Variable(tf.random_normal([10], stddev=0.1))

with tf.variable_scope("lstm", initializer=tf.random_uniform_initializer(-0.1, 0.1)):
    cell = tf.nn.rnn_cell.BasicLSTMCell(lstm_size, forget_bias=1.0, state_is_tuple=True)
    outputs, state = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
logits = tf.matmul(outputs[:, -1], W) + B
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
train_op = tf.train.RMSPropOptimizer(0.005, 0.9).minimize(cost)
predict_op = tf.argmax(logits, 1)

print([v.name for v in tf.trainable_variables()])
batch = 50
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(int(os.environ.get("STEPS", "200"))):
        start = (step * batch) % len(train_x)
        loss, _ = sess.run([cost, train_op], feed_dict={X: train_x[start:start + batch],
                                                       Y: train_y[start:start + batch]})
        if step % 25 == 0:
            print("step", step, "loss", repr(float(loss)))
    predicted = sess.run(predict_op, feed_dict={X: test_x})
    accuracy = np.mean(np.argmax(test_y, 1) == predicted)
    print("accuracy", repr(float(accuracy)))
    print("final c[0,:4]", sess.run(state.c, feed_dict={X: test_x[:1]})[0, :4].tolist())
