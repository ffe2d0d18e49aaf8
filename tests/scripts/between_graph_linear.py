"""A TF1 between-graph replication script, as TF1's distributed-training guide wrote them.

One process per task: ``--job_name=ps`` serves the variables (``server.join()``), each
``--job_name=worker`` builds the graph under ``tf.train.replica_device_setter`` and trains it
asynchronously with ``MonitoredTrainingSession(master=server.target, is_chief=task_index == 0)``
until the shared global step reaches ``--steps``. Linear regression on fixed synthetic data.
Each worker prints ``ready``, then ``step S loss L`` for every run, then ``done``.
"""
import time

import numpy as np
import tensorflow as tf

flags = tf.app.flags
flags.DEFINE_string("ps_hosts", "", "comma-separated host:port of the ps tasks")
flags.DEFINE_string("worker_hosts", "", "comma-separated host:port of the worker tasks")
flags.DEFINE_string("job_name", "", "ps or worker")
flags.DEFINE_integer("task_index", 0, "index of the task in its job")
flags.DEFINE_string("checkpoint_dir", "", "the chief's checkpoint folder")
flags.DEFINE_integer("steps", 200, "the global step to train to")
flags.DEFINE_float("step_sleep", 0.0, "seconds to wait after each step (to make runs overlap)")
FLAGS = flags.FLAGS


def main(_):
    cluster = tf.train.ClusterSpec({"ps": FLAGS.ps_hosts.split(","),
                                    "worker": FLAGS.worker_hosts.split(",")})
    server = tf.train.Server(cluster, job_name=FLAGS.job_name, task_index=FLAGS.task_index)
    if FLAGS.job_name == "ps":
        print("ps serving", flush=True)
        server.join()
        return

    rng = np.random.RandomState(0)
    data_x = rng.randn(256, 8).astype(np.float32)
    data_y = (data_x @ rng.randn(8, 1) + 0.5).astype(np.float32)

    with tf.device(tf.train.replica_device_setter(
            worker_device="/job:worker/task:%d" % FLAGS.task_index, cluster=cluster)):
        x = tf.placeholder(tf.float32, [None, 8], name="x")
        y = tf.placeholder(tf.float32, [None, 1], name="y")
        w = tf.get_variable("w", [8, 1], initializer=tf.truncated_normal_initializer(stddev=0.1))
        b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        global_step = tf.train.get_or_create_global_step()
        train_op = tf.train.GradientDescentOptimizer(0.05).minimize(loss, global_step=global_step)

    hooks = [tf.train.StopAtStepHook(last_step=FLAGS.steps), tf.train.NanTensorHook(loss),
             tf.train.LoggingTensorHook({"loss": loss, "step": global_step}, every_n_iter=50)]
    chief_hooks = [tf.train.CheckpointSaverHook(FLAGS.checkpoint_dir, save_steps=50)]
    is_chief = FLAGS.task_index == 0
    batch = np.random.RandomState(FLAGS.task_index + 1)
    with tf.train.MonitoredTrainingSession(
            master=server.target, is_chief=is_chief, hooks=hooks,
            chief_only_hooks=chief_hooks if is_chief else None,
            save_checkpoint_secs=None, save_summaries_steps=None, save_summaries_secs=None,
            log_step_count_steps=0) as sess:
        print("ready", flush=True)
        while not sess.should_stop():
            rows = batch.randint(0, 256, 32)
            _, step, value = sess.run([train_op, global_step, loss],
                                      {x: data_x[rows], y: data_y[rows]})
            print("step %d loss %.6f" % (step, value), flush=True)
            if FLAGS.step_sleep:
                time.sleep(FLAGS.step_sleep)
    print("done", flush=True)


if __name__ == "__main__":
    tf.app.run()
