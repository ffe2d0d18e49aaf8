"""Per-step training cost, side by side in one process: tftrain_compat vs tf.compat.v1 (vs TF2).

Two models from ../shared/legacy_scripts and one with TF1 control flow, batch 100:
  softmax  softmax regression 784 -> 10, ``-sum(y * log(softmax))`` loss, GradientDescent(0.1)
  cnn      the seed CNN (conv5x5x32, pool, conv5x5x64, pool, fc1024 + dropout(keep 0.5), fc10),
           MomentumOptimizer(0.001, 0.9)
  rnn      a tanh RNN over the 28 rows in a ``tf.while_loop``, ``tf.cond`` dropout, Adam (no
           tf2 row); timed with the CNN's step counts (``--cnn-steps``)
  sampled  ``tf.nn.sampled_softmax_loss`` (a candidate sampler: a random kernel the shim runs in
           its session's own kernel) over a 784 -> 64 tanh layer, GradientDescent(0.1) (no tf2
           row); timed with the softmax step counts

Each is built three times in this one process:
  shim       ``import tftrain_compat as tf``, the legacy graph code, ``tf.Session().run``
  compat.v1  the same graph code on ``tf.compat.v1`` inside ``with tf.Graph().as_default():``
             and ``tf.compat.v1.Session`` (graph mode, TF1's own runtime path)
  tf2        a hand-written TF2 port: ``tf.Variable`` + ``tf.GradientTape`` in a ``tf.function``
             with an input signature, updating through the same ``tf.raw_ops.ResourceApply*``
             kernels, called with the NumPy batches (the public call path)

Every implementation is fed the same pre-drawn NumPy batches. After a warm-up (tracing, first
allocations; not timed), each round times N steps of every implementation in turn, rotating the
order from round to round. The table reports per implementation the median round's time per
step, the fastest round's, ``ratio`` = the median over rounds of (this implementation's round /
compat.v1's round), the rounds being back to back and so under the same machine load (<= 1.00
means at least as fast), and ``best ratio`` = fastest round / compat.v1's fastest round. Nothing
here asserts a time.

    python benchmarks/bench_step.py                      # defaults, about 2 minutes on 2 cores
    python benchmarks/bench_step.py --softmax-steps 300 --cnn-steps 5 --rounds 3   # quick look

``--replicas 1,2,4`` adds rows ``shim-rN``: the shim with data-parallel replicas
(``tftrain_compat.distribute(replicas=N)``) on N logical CPU devices, declared before TensorFlow
starts (the largest N), the same global batch of 100 split N ways:

    python benchmarks/bench_step.py --models cnn --impls compat.v1 --replicas 1,2,4
"""
from __future__ import annotations

import argparse
import collections
import gc
import gzip
import os
import platform
import statistics
import struct
import sys
import time
from pathlib import Path
from typing import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _replica_counts(argv: list[str]) -> list[int]:
    """``--replicas 1,2,4`` (read before TensorFlow starts: logical devices are declared first)."""
    for i, arg in enumerate(argv):
        text = argv[i + 1] if arg == "--replicas" and i + 1 < len(argv) else (
            arg.split("=", 1)[1] if arg.startswith("--replicas=") else None)
        if text is not None:
            return sorted({int(n) for n in text.split(",") if n.strip()})
    return []


REPLICAS = _replica_counts(sys.argv[1:])
if REPLICAS and max(REPLICAS) > 1:  # tftrain_compat declares the devices when it is imported
    os.environ["TFTRAIN_COMPAT_REPLICAS"] = str(max(REPLICAS))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tftrain_compat  # noqa: E402
from tftrain_compat._src import replicas as _replicas  # noqa: E402
from tftrain_compat._src import session as _shim_session  # noqa: E402

tf.get_logger().setLevel("ERROR")  # compat.v1's keep_prob deprecation notice is not a result

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "mnist_small"
BATCH_SIZE = 100
N_BATCHES = 50          # distinct pre-drawn batches, cycled through
IMPLS = ("shim", "compat.v1", "tf2")

Step = Callable[[np.ndarray, np.ndarray], object]


# ----- data --------------------------------------------------------------------------------------
def _read_idx(path: Path) -> np.ndarray:
    """An IDX (MNIST) .gz file as a uint8 array of its declared shape."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_batches(data_dir: Path, seed: int = 0) -> tuple[list[tuple[np.ndarray, np.ndarray]], str]:
    """N_BATCHES batches of (images float32 [100, 784] in [0, 1], one-hot float32 [100, 10]).

    Real MNIST training digits from ``data_dir`` when its files are there, random data otherwise.
    """
    rng = np.random.RandomState(seed)
    images_path = data_dir / "train-images-idx3-ubyte.gz"
    labels_path = data_dir / "train-labels-idx1-ubyte.gz"
    if images_path.is_file() and labels_path.is_file():
        images = _read_idx(images_path).reshape(-1, 784).astype(np.float32) / 255.0
        labels = _read_idx(labels_path).astype(np.int64)
        source = f"{len(images)} MNIST digits from {data_dir}"
    else:
        images = rng.rand(BATCH_SIZE * N_BATCHES, 784).astype(np.float32)
        labels = rng.randint(0, 10, size=len(images))
        source = f"random data ({data_dir} not found)"
    one_hot = np.eye(10, dtype=np.float32)[labels]
    batches = []
    for _ in range(N_BATCHES):
        idx = rng.choice(len(images), BATCH_SIZE, replace=False)
        batches.append((np.ascontiguousarray(images[idx]), np.ascontiguousarray(one_hot[idx])))
    return batches, source


# ----- the legacy graph code, written once for tftrain_compat and tf.compat.v1 --------------------
def _legacy_softmax(tf1) -> tuple:
    """mnist_softmax_gd.py's graph on namespace ``tf1``; returns (x, y, extra_feed, train_op)."""
    x = tf1.placeholder(tf1.float32, [None, 784])
    y = tf1.placeholder(tf1.float32, [None, 10])
    W = tf1.Variable(tf1.zeros([784, 10]))
    b = tf1.Variable(tf1.zeros([10]))
    y_pred = tf1.nn.softmax(tf1.matmul(x, W) + b)
    cross_entropy = tf1.reduce_mean(-tf1.reduce_sum(y * tf1.log(y_pred), reduction_indices=[1]),
                                    name="loss")
    train_step = tf1.train.GradientDescentOptimizer(0.1).minimize(cross_entropy)
    correct = tf1.equal(tf1.argmax(y_pred, 1), tf1.argmax(y, 1))
    accuracy = tf1.reduce_mean(tf1.cast(correct, tf1.float32))
    return x, y, {}, train_step, cross_entropy, accuracy


def _legacy_cnn(tf1) -> tuple:
    """mnist_cnn_momentum.py's graph on namespace ``tf1``; returns (x, y, extra_feed, train_op)."""
    x = tf1.placeholder(tf1.float32, [None, 784])
    y = tf1.placeholder(tf1.float32, [None, 10])
    W_conv1 = tf1.Variable(tf1.truncated_normal([5, 5, 1, 32], stddev=0.1))
    b_conv1 = tf1.Variable(tf1.constant(0.1, shape=[32]))
    x_image = tf1.reshape(x, [-1, 28, 28, 1])
    h_conv1 = tf1.nn.relu(tf1.nn.conv2d(x_image, W_conv1, strides=[1, 1, 1, 1],
                                        padding="SAME") + b_conv1)
    h_pool1 = tf1.nn.max_pool(h_conv1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    W_conv2 = tf1.Variable(tf1.truncated_normal([5, 5, 32, 64], stddev=0.1))
    b_conv2 = tf1.Variable(tf1.constant(0.1, shape=[64]))
    h_conv2 = tf1.nn.relu(tf1.nn.conv2d(h_pool1, W_conv2, strides=[1, 1, 1, 1],
                                        padding="SAME") + b_conv2)
    h_pool2 = tf1.nn.max_pool(h_conv2, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    W_fc1 = tf1.Variable(tf1.truncated_normal([7 * 7 * 64, 1024], stddev=0.1))
    b_fc1 = tf1.Variable(tf1.constant(0.1, shape=[1024]))
    h_pool2_flat = tf1.reshape(h_pool2, [-1, 7 * 7 * 64])
    h_fc1 = tf1.nn.relu(tf1.matmul(h_pool2_flat, W_fc1) + b_fc1)
    keep_prob = tf1.placeholder(tf1.float32)
    h_fc1_drop = tf1.nn.dropout(h_fc1, keep_prob)
    W_fc2 = tf1.Variable(tf1.truncated_normal([1024, 10], stddev=0.1))
    b_fc2 = tf1.Variable(tf1.constant(0.1, shape=[10]))
    y_pred = tf1.nn.softmax(tf1.matmul(h_fc1_drop, W_fc2) + b_fc2)
    cross_entropy = tf1.reduce_mean(-tf1.reduce_sum(y * tf1.log(y_pred), reduction_indices=[1]))
    train_step = tf1.train.MomentumOptimizer(0.001, 0.9).minimize(cross_entropy)
    return x, y, {keep_prob: 0.5}, train_step, cross_entropy, None


def _legacy_rnn(tf1) -> tuple:
    """A TF1-style recurrent classifier with control flow on namespace ``tf1``: the image's 28
    rows through a ``tf.while_loop`` tanh RNN (128 units), a ``tf.cond`` dropout on a
    ``training`` placeholder, a softmax layer, Adam(1e-3). TF1 built both as Switch / Merge /
    Enter / Exit nodes; ``tf.compat.v1`` on TF 2.x builds functional While / If."""
    x = tf1.placeholder(tf1.float32, [None, 784])
    y = tf1.placeholder(tf1.float32, [None, 10])
    training = tf1.placeholder(tf1.bool, [])
    rows = tf1.transpose(tf1.reshape(x, [-1, 28, 28]), [1, 0, 2])  # [time, batch, 28]
    W = tf1.Variable(tf1.truncated_normal([28, 128], stddev=0.1))
    U = tf1.Variable(tf1.truncated_normal([128, 128], stddev=0.1))
    b = tf1.Variable(tf1.zeros([128]))

    def step(i, h):
        return i + 1, tf1.tanh(tf1.matmul(tf1.gather(rows, i), W) + tf1.matmul(h, U) + b)
    h0 = tf1.zeros(tf1.stack([tf1.shape(x)[0], 128]))
    _, h = tf1.while_loop(lambda i, h: i < 28, step, [tf1.constant(0), h0])
    h = tf1.cond(training, lambda: tf1.nn.dropout(h, rate=0.5), lambda: h)
    W_out = tf1.Variable(tf1.truncated_normal([128, 10], stddev=0.1))
    logits = tf1.matmul(h, W_out) + tf1.Variable(tf1.zeros([10]))
    loss = tf1.reduce_mean(tf1.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    train_step = tf1.train.AdamOptimizer(1e-3).minimize(loss)
    return x, y, {training: True}, train_step, loss, None


def _legacy_sampled(tf1) -> tuple:
    """A TF1-style sampled-softmax classifier on namespace ``tf1``: ``tf.nn.sampled_softmax_loss``
    (a log-uniform candidate sampler, 5 of the 10 classes per step) over a 784 -> 64 tanh layer,
    GradientDescent(0.1). The sampler is a random kernel with a generator of its own, which the
    shim runs in its session's own kernel (``_src/random_kernels.py``)."""
    x = tf1.placeholder(tf1.float32, [None, 784])
    y = tf1.placeholder(tf1.float32, [None, 10])
    W = tf1.Variable(tf1.truncated_normal([784, 64], stddev=0.05))
    h = tf1.tanh(tf1.matmul(x, W))
    W_out = tf1.Variable(tf1.truncated_normal([10, 64], stddev=0.1))
    labels = tf1.expand_dims(tf1.argmax(y, 1), 1)
    loss = tf1.reduce_mean(tf1.nn.sampled_softmax_loss(
        weights=W_out, biases=tf1.Variable(tf1.zeros([10])), labels=labels, inputs=h,
        num_sampled=5, num_classes=10))
    train_step = tf1.train.GradientDescentOptimizer(0.1).minimize(loss)
    return x, y, {}, train_step, loss, None


LEGACY = {"softmax": _legacy_softmax, "cnn": _legacy_cnn, "rnn": _legacy_rnn,
          "sampled": _legacy_sampled}
# Models without a hand-written TF2 port (their tf2 row is left out).
NO_TF2 = {"rnn", "sampled"}
_LossAcc = collections.namedtuple("_LossAcc", "loss accuracy")
# Fetch structures of the softmax step (model "softmax-<shape>"): the train op alone by default.
FETCH_SHAPES = {
    "": lambda train, loss, acc: train,
    "dict": lambda train, loss, acc: {"train": train, "loss": loss},
    "nested": lambda train, loss, acc: [train, [loss, acc]],
    "byname": lambda train, loss, acc: [train, "loss:0"],
    "namedtuple": lambda train, loss, acc: [train, _LossAcc(loss, acc)],
}


def _split(model: str) -> tuple[str, str]:
    base, _, shape = model.partition("-")
    return base, shape


def shim_step(model: str) -> Step:
    """The legacy graph on tftrain_compat, run through its ``Session.run``."""
    shim = tftrain_compat
    shim.reset_default_graph()
    shim.set_random_seed(0)
    base, shape = _split(model)
    x, y, extra, train_op, loss, acc = LEGACY[base](shim)
    fetches = FETCH_SHAPES[shape](train_op, loss, acc)
    sess = shim.Session()
    sess.run(shim.global_variables_initializer())
    return lambda xs, ys: sess.run(fetches, feed_dict={x: xs, y: ys, **extra})


def shim_replicas_step(model: str, count: int) -> Step:
    """``shim_step`` with ``count`` data-parallel replicas (1: replicas off)."""
    tftrain_compat.distribute(replicas=count)
    config, hook = list(_replicas._config), _shim_session.run_hook
    step = shim_step(model)
    tftrain_compat.distribute(replicas=1)

    def run(xs, ys):  # this row's replica setting, without rebuilding the strategy per step
        _replicas._config[:] = config
        _shim_session.run_hook = hook
        try:
            return step(xs, ys)
        finally:
            _replicas._config[:] = []
            _shim_session.run_hook = None
    return run


def compat_v1_step(model: str) -> Step:
    """The legacy graph on tf.compat.v1 in graph mode, run through ``tf.compat.v1.Session``."""
    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(0)
        base, shape = _split(model)
        x, y, extra, train_op, loss, acc = LEGACY[base](v1)
        fetches = FETCH_SHAPES[shape](train_op, loss, acc)
        init = v1.global_variables_initializer()
    sess = v1.Session(graph=graph)
    sess.run(init)
    return lambda xs, ys: sess.run(fetches, feed_dict={x: xs, y: ys, **extra})


# ----- hand-written TF2 ports ----------------------------------------------------------------------
_SIGNATURE = [tf.TensorSpec([None, 784], tf.float32), tf.TensorSpec([None, 10], tf.float32)]


def tf2_step(model: str) -> Step:
    """A TF2 port: tf.Variable + GradientTape in a tf.function, TF1's update kernels."""
    tf.random.set_seed(0)
    if model == "softmax":
        W = tf.Variable(tf.zeros([784, 10]))
        b = tf.Variable(tf.zeros([10]))
        lr = tf.constant(0.1)

        @tf.function(input_signature=_SIGNATURE)
        def step(x, y):
            with tf.GradientTape() as tape:
                y_pred = tf.nn.softmax(tf.matmul(x, W) + b)
                loss = tf.reduce_mean(-tf.reduce_sum(y * tf.math.log(y_pred), axis=[1]))
            for var, grad in zip((W, b), tape.gradient(loss, [W, b])):
                tf.raw_ops.ResourceApplyGradientDescent(var=var.handle, alpha=lr, delta=grad)
        return step

    def weight(shape):
        return tf.Variable(tf.random.truncated_normal(shape, stddev=0.1))

    def bias(n):
        return tf.Variable(tf.constant(0.1, shape=[n]))

    params = [weight([5, 5, 1, 32]), bias(32), weight([5, 5, 32, 64]), bias(64),
              weight([7 * 7 * 64, 1024]), bias(1024), weight([1024, 10]), bias(10)]
    accums = [tf.Variable(tf.zeros_like(p)) for p in params]
    lr, momentum = tf.constant(0.001), tf.constant(0.9)

    @tf.function(input_signature=_SIGNATURE)
    def step(x, y):
        w1, b1, w2, b2, w3, b3, w4, b4 = params
        with tf.GradientTape() as tape:
            h = tf.reshape(x, [-1, 28, 28, 1])
            h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(h, w1, 1, "SAME") + b1), 2, 2, "SAME")
            h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(h, w2, 1, "SAME") + b2), 2, 2, "SAME")
            h = tf.nn.relu(tf.matmul(tf.reshape(h, [-1, 7 * 7 * 64]), w3) + b3)
            h = tf.nn.dropout(h, rate=0.5)
            y_pred = tf.nn.softmax(tf.matmul(h, w4) + b4)
            loss = tf.reduce_mean(-tf.reduce_sum(y * tf.math.log(y_pred), axis=[1]))
        for var, acc, grad in zip(params, accums, tape.gradient(loss, params)):
            tf.raw_ops.ResourceApplyMomentum(var=var.handle, accum=acc.handle, lr=lr, grad=grad,
                                             momentum=momentum)
    return step


BUILDERS: dict[str, Callable[[str], Step]] = {
    "shim": shim_step, "compat.v1": compat_v1_step, "tf2": tf2_step}


# ----- timing ------------------------------------------------------------------------------------
def _time_steps(step: Step, batches, n: int) -> float:
    """Seconds per step over ``n`` steps cycling through ``batches``."""
    gc.collect()
    k = len(batches)
    start = time.perf_counter()
    for i in range(n):
        xs, ys = batches[i % k]
        step(xs, ys)
    return (time.perf_counter() - start) / n


def _builder(name: str) -> Callable[[str], Step]:
    if name.startswith("shim-r"):
        count = int(name[len("shim-r"):])
        return lambda model: shim_replicas_step(model, count)
    return BUILDERS[name]


def bench_model(model: str, impls: list[str], batches, steps: int, warmup: int,
                rounds: int) -> dict[str, list[float]]:
    """Per-round seconds/step of each implementation of ``model``, rotating the order."""
    if model in NO_TF2:
        impls = [name for name in impls if name != "tf2"]
    steps_fns = {name: _builder(name)(model) for name in impls}
    for name in impls:
        _time_steps(steps_fns[name], batches, warmup)
    results: dict[str, list[float]] = {name: [] for name in impls}
    for r in range(rounds):
        order = impls[r % len(impls):] + impls[:r % len(impls)]
        for name in order:
            results[name].append(_time_steps(steps_fns[name], batches, steps))
    return results


def _format(model: str, results: dict[str, list[float]], unit: str, scale: float) -> list[str]:
    """Table rows: median and fastest round per step, and the ratio to compat.v1 as the median of
    per-round ratios (each round's implementations ran back to back, under the same load)."""
    base = results.get("compat.v1")
    digits = 0 if unit == "us" else 1
    rows = []
    for name, times in results.items():
        med, best = statistics.median(times), min(times)
        ratio = (f"{statistics.median(t / b for t, b in zip(times, base)):.2f}" if base else "-")
        best_ratio = f"{best / min(base):.2f}" if base else "-"
        rows.append(f"| {model:<7} | {name:<9} | {med * scale:>8.{digits}f} {unit} | "
                    f"{best * scale:>8.{digits}f} {unit} | {ratio:>5} | {best_ratio:>10} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark and prints a Markdown table; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--softmax-steps", type=int, default=1000,
                        help="timed softmax steps per round and implementation (default 1000)")
    parser.add_argument("--cnn-steps", type=int, default=30,
                        help="timed CNN steps per round and implementation (default 30)")
    parser.add_argument("--rounds", type=int, default=10,
                        help="timed rounds, short ones so that load changes hit every "
                             "implementation alike (default 10)")
    parser.add_argument("--softmax-warmup", type=int, default=200)
    parser.add_argument("--cnn-warmup", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with the MNIST .gz files (random data when missing)")
    parser.add_argument("--impls", default=",".join(IMPLS),
                        help="comma-separated subset of " + ", ".join(IMPLS))
    parser.add_argument("--models", default="softmax,cnn",
                        help="comma-separated: softmax, cnn, rnn (while_loop + cond), and the "
                             "softmax step with other "
                             "fetch structures: softmax-dict, softmax-nested, softmax-byname, "
                             "softmax-namedtuple")
    parser.add_argument("--replicas", default="",
                        help="comma-separated replica counts: rows shim-rN (data-parallel "
                             "replicas on N logical CPU devices), e.g. 1,2,4")
    args = parser.parse_args(argv)
    impls = [i for i in IMPLS if i in args.impls.split(",")]
    impls += [f"shim-r{n}" for n in REPLICAS]
    known = ["softmax", "cnn", "rnn", "sampled"] + [f"softmax-{k}" for k in FETCH_SHAPES if k]
    models = [m for m in known if m in args.models.split(",")]

    batches, source = load_batches(args.data)
    print(f"TensorFlow {tf.__version__}, tftrain_compat {tftrain_compat.compat_version}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs; {source}; batch "
          f"{BATCH_SIZE}; {args.rounds} rounds; softmax {args.softmax_steps} steps/round, "
          f"cnn {args.cnn_steps} steps/round", flush=True)
    lines = ["| model   | impl      | median/step | best round  | ratio | best ratio |",
             "|---------|-----------|-------------|-------------|-------|------------|"]
    for model in models:
        t0 = time.perf_counter()
        if model.startswith("softmax") or model == "sampled":  # light steps: timed in us
            res = bench_model(model, impls, batches, args.softmax_steps, args.softmax_warmup,
                              args.rounds)
            lines += _format(model, res, "us", 1e6)
        else:
            res = bench_model(model, impls, batches, args.cnn_steps, args.cnn_warmup,
                              args.rounds)
            lines += _format(model, res, "ms", 1e3)
        print(f"({model}: {time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
