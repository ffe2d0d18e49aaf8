# A TensorFlow 1.x script, written as TF1's tutorials were: `python -m tftrain_compat demo` runs
# it unchanged through `run`, on the MNIST sample shipped with the package.
from tensorflow.examples.tutorials.mnist import input_data
import tensorflow as tf

flags = tf.app.flags
flags.DEFINE_integer("steps", 300, "training steps")
flags.DEFINE_float("learning_rate", 0.5, "gradient-descent step size")
FLAGS = flags.FLAGS


def main(_):
    tf.set_random_seed(0)
    mnist = input_data.read_data_sets("MNIST_data", one_hot=True)
    x = tf.placeholder(tf.float32, [None, 784])
    y_ = tf.placeholder(tf.float32, [None, 10])
    W = tf.Variable(tf.zeros([784, 10]))
    b = tf.Variable(tf.zeros([10]))
    y = tf.matmul(x, W) + b
    cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
    train_step = tf.train.GradientDescentOptimizer(FLAGS.learning_rate).minimize(cross_entropy)
    correct = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(1, FLAGS.steps + 1):
            batch_xs, batch_ys = mnist.train.next_batch(100)
            _, loss = sess.run([train_step, cross_entropy], feed_dict={x: batch_xs, y_: batch_ys})
            if step % 100 == 0 or step == FLAGS.steps:
                print("step %d, loss %.4f" % (step, loss))
        print("test accuracy %.4f" % sess.run(accuracy, feed_dict={x: mnist.test.images,
                                                                  y_: mnist.test.labels}))


if __name__ == "__main__":
    tf.app.run()
