"""A TF1 softmax regression trained on this worker's share of a fixed global batch.

Run unchanged (``import tensorflow as tf``) through ``python -m tftrain_compat run``: with
``--multi-worker`` (or $TFTRAIN_COMPAT_MULTI_WORKER=1) and TF_CONFIG it is one worker and feeds
its contiguous share of each global batch (without, TF_CONFIG still picks the share: the
script's own reading of it). Arguments: OUT.npz SEED [MODE]. MODE ``dropout`` drops input
features (keep 0.75); ``whole`` trains on the whole batch whatever TF_CONFIG says; ``uneven``
makes worker 1 feed one example fewer at step 2; ``die`` makes worker 1 kill itself (SIGKILL)
after step 2; ``stall`` makes it sleep $STALL_S seconds after step 2, then exit 4. Every step
prints ``step I loss L``; an error of a training run prints ``error CLASS SECONDS: TEXT``, saves
the variables and exits 3.
"""
import json
import os
import signal
import sys
import time

import numpy as np
import tensorflow as tf

STEPS, BATCH, FEATURES, CLASSES = 5, 16, 8, 4
out, seed = sys.argv[1], int(sys.argv[2])
mode = sys.argv[3] if len(sys.argv) > 3 else ""
config = json.loads(os.environ.get("TF_CONFIG") or "{}")
workers = len(config.get("cluster", {}).get("worker", [])) or 1
index = config.get("task", {}).get("index", 0) if workers > 1 else 0
if mode == "whole":  # the whole batch, whatever TF_CONFIG says
    workers, index = 1, 0

data = np.random.RandomState(0)
xs = data.rand(STEPS, BATCH, FEATURES).astype(np.float32)
ys = np.eye(CLASSES, dtype=np.float32)[data.randint(0, CLASSES, (STEPS, BATCH))]
share = BATCH // workers

tf.set_random_seed(seed)
x = tf.placeholder(tf.float32, [None, FEATURES])
y_ = tf.placeholder(tf.float32, [None, CLASSES])
W = tf.Variable(tf.random_normal([FEATURES, CLASSES], stddev=0.5))
b = tf.Variable(tf.random_uniform([CLASSES], -0.1, 0.1))
features = tf.nn.dropout(x, keep_prob=0.75) if mode == "dropout" else x
y = tf.nn.softmax(tf.matmul(features, W) + b)
loss = tf.reduce_mean(-tf.reduce_sum(y_ * tf.log(y), axis=1))
train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(STEPS):
        lo, hi = index * share, (index + 1) * share
        if mode == "uneven" and index == 1 and step == 2:
            hi -= 1
        start = time.monotonic()
        try:
            _, value = sess.run([train, loss], {x: xs[step, lo:hi], y_: ys[step, lo:hi]})
        except Exception as err:  # the test reads the class and the time it took
            print(f"error {type(err).__name__} {time.monotonic() - start:.1f}: {err}", flush=True)
            np.savez(out, W=sess.run(W), b=sess.run(b))
            sys.exit(3)
        print(f"step {step} loss {value!r}", flush=True)
        if mode == "die" and index == 1 and step == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == "stall" and index == 1 and step == 2:
            time.sleep(float(os.environ.get("STALL_S", "60")))
            sys.exit(4)
    np.savez(out, W=sess.run(W), b=sess.run(b))
