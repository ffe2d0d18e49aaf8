"""End to end: a TF1 script in the style of TF1's ``mnist_with_summaries.py`` (scalars and
histograms in name scopes, ``merge_all``, ``FileWriter(train/, sess.graph)`` and ``test/`` open at
once, dropout, Adam) on real digits (../shared/mnist_small), run unchanged in fresh processes
through ``python -m tftrain_compat run`` and on the oracle (the same text with ``tf`` bound to
tf.compat.v1 inside ``with tf.Graph().as_default():``). Both print the same lines, and TensorBoard's
``EventAccumulator`` reads the same runs, tags and steps, with bit-equal values."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from conftest import shared_path
from support import run_shim_script, run_tf1_script

REPO = Path(__file__).resolve().parents[1]
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

SCRIPT = '''\
import gzip
import sys

import numpy as np
import tensorflow as tf


def read_idx(path, count):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    array = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)
    return array[:count]


train_x = read_idx("MNIST_data/train-images-idx3-ubyte.gz", 3000).reshape(-1, 784) / 255.0
train_y = read_idx("MNIST_data/train-labels-idx1-ubyte.gz", 3000).astype(np.int64)
test_x = read_idx("MNIST_data/t10k-images-idx3-ubyte.gz", 1000).reshape(-1, 784) / 255.0
test_y = read_idx("MNIST_data/t10k-labels-idx1-ubyte.gz", 1000).astype(np.int64)
log_dir = sys.argv[1]

tf.set_random_seed(1)
with tf.name_scope("input"):
    x = tf.placeholder(tf.float32, [None, 784], name="x-input")
    y_ = tf.placeholder(tf.int64, [None], name="y-input")
with tf.name_scope("input_reshape"):
    tf.summary.image("input", tf.reshape(x, [-1, 28, 28, 1]), 4)


def variable_summaries(var):
    with tf.name_scope("summaries"):
        mean = tf.reduce_mean(var)
        tf.summary.scalar("mean", mean)
        with tf.name_scope("stddev"):
            stddev = tf.sqrt(tf.reduce_mean(tf.square(var - mean)))
        tf.summary.scalar("stddev", stddev)
        tf.summary.scalar("max", tf.reduce_max(var))
        tf.summary.scalar("min", tf.reduce_min(var))
        tf.summary.histogram("histogram", var)


def nn_layer(input_tensor, input_dim, output_dim, layer_name, act=tf.nn.relu):
    with tf.name_scope(layer_name):
        with tf.name_scope("weights"):
            weights = tf.Variable(tf.truncated_normal([input_dim, output_dim], stddev=0.1))
            variable_summaries(weights)
        with tf.name_scope("biases"):
            biases = tf.Variable(tf.constant(0.1, shape=[output_dim]))
            variable_summaries(biases)
        with tf.name_scope("Wx_plus_b"):
            preactivate = tf.matmul(input_tensor, weights) + biases
            tf.summary.histogram("pre_activations", preactivate)
        activations = act(preactivate, name="activation")
        tf.summary.histogram("activations", activations)
        return activations


hidden1 = nn_layer(x, 784, 64, "layer1")
with tf.name_scope("dropout"):
    keep_prob = tf.placeholder(tf.float32)
    tf.summary.scalar("dropout_keep_probability", keep_prob)
    dropped = tf.nn.dropout(hidden1, keep_prob)
y = nn_layer(dropped, 64, 10, "layer2", act=tf.identity)
with tf.name_scope("cross_entropy"):
    cross_entropy = tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y_, logits=y))
tf.summary.scalar("cross_entropy", cross_entropy)
with tf.name_scope("train"):
    train_step = tf.train.AdamOptimizer(0.001).minimize(cross_entropy)
with tf.name_scope("accuracy"):
    with tf.name_scope("correct_prediction"):
        correct_prediction = tf.equal(tf.argmax(y, 1), y_)
    with tf.name_scope("accuracy"):
        accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
tf.summary.scalar("accuracy", accuracy)

merged = tf.summary.merge_all()
sess = tf.Session()
train_writer = tf.summary.FileWriter(log_dir + "/train", sess.graph)
test_writer = tf.summary.FileWriter(log_dir + "/test")
sess.run(tf.global_variables_initializer())
for i in range(60):
    if i % 10 == 0:
        summary, acc = sess.run([merged, accuracy],
                                feed_dict={x: test_x, y_: test_y, keep_prob: 1.0})
        test_writer.add_summary(summary, i)
        print("Accuracy at step %s: %r" % (i, float(acc)))
    else:
        start = (i * 100) % 3000
        summary, _ = sess.run([merged, train_step], feed_dict={
            x: train_x[start:start + 100], y_: train_y[start:start + 100], keep_prob: 0.9})
        train_writer.add_summary(summary, i)
train_writer.close()
test_writer.close()
'''

def _workdir(path: Path) -> Path:
    path.mkdir()
    (path / "MNIST_data").mkdir()
    for name in MNIST_FILES:
        shutil.copy(shared_path("mnist_small", name), path / "MNIST_data" / name)
    (path / "with_summaries.py").write_text(SCRIPT)
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("script")
    shim_dir, oracle_dir = _workdir(base / "shim"), _workdir(base / "oracle")
    shim_out = run_shim_script("with_summaries.py", ["logs"], cwd=shim_dir)
    oracle_out = run_tf1_script("with_summaries.py", ["logs"], cwd=oracle_dir)
    return shim_dir / "logs", oracle_dir / "logs", shim_out, oracle_out


def _acc(path: Path) -> EventAccumulator:
    acc = EventAccumulator(str(path), size_guidance={"scalars": 0, "histograms": 0,
                                                      "images": 0})
    acc.Reload()
    return acc


def test_prints_what_the_oracle_prints(runs):
    _, _, shim_out, oracle_out = runs
    lines = [line for line in shim_out.splitlines() if line.startswith("Accuracy at step")]
    assert len(lines) == 6
    assert shim_out == oracle_out
    assert float(lines[-1].rsplit(" ", 1)[1]) > 0.6  # it trained


def test_test_run_identical_for_tensorboard(runs):
    shim_logs, oracle_logs, _, _ = runs
    assert sorted(os.listdir(shim_logs)) == sorted(os.listdir(oracle_logs)) == ["test", "train"]
    got, want = _acc(shim_logs / "test"), _acc(oracle_logs / "test")
    assert got.Tags() == want.Tags()
    tags = got.Tags()
    assert "accuracy_1" in tags["scalars"] and "layer1/weights/summaries/mean_1" in tags["scalars"]
    assert "input_reshape/input/image/3" in tags["images"]
    for tag in tags["scalars"]:
        g, w = got.Scalars(tag), want.Scalars(tag)
        assert [e.step for e in g] == [e.step for e in w] == list(range(0, 60, 10))
        assert np.array_equal([e.value for e in g], [e.value for e in w])
    for tag in tags["histograms"]:
        assert [e.histogram_value for e in got.Histograms(tag)] == \
            [e.histogram_value for e in want.Histograms(tag)]
    for tag in tags["images"]:
        assert [e.encoded_image_string for e in got.Images(tag)] == \
            [e.encoded_image_string for e in want.Images(tag)]


# In the training runs the script fetches [merged, train_step] together, as TF1's tutorial did:
# nothing orders a summary's read of a variable against the optimizer's update of it, so TF1
# itself may show the value before or after the step. Values computed on the path to the update
# (cross entropy, activations, the input images) are ordered and must be bit-equal.
_ORDERED = ("cross_entropy_1", "accuracy_1", "dropout/dropout_keep_probability")


def test_train_run_same_tags_steps_and_ordered_values(runs):
    shim_logs, oracle_logs, _, _ = runs
    got, want = _acc(shim_logs / "train"), _acc(oracle_logs / "train")
    assert got.Tags() == want.Tags()
    assert got.Tags()["graph"] and got.Tags()["meta_graph"]
    train_steps = [i for i in range(60) if i % 10]
    for tag in got.Tags()["scalars"]:
        g = got.Scalars(tag)
        assert [e.step for e in g] == [e.step for e in want.Scalars(tag)] == train_steps
        assert np.all(np.isfinite([e.value for e in g]))
    for tag in _ORDERED:
        assert np.array_equal([e.value for e in got.Scalars(tag)],
                              [e.value for e in want.Scalars(tag)]), tag
    for tag in ("layer1/activations", "layer2/Wx_plus_b/pre_activations"):
        assert [e.histogram_value for e in got.Histograms(tag)] == \
            [e.histogram_value for e in want.Histograms(tag)], tag
    graph_nodes = {n.name for n in got.Graph().node}
    assert {n.name for n in want.Graph().node} == graph_nodes
    assert "layer1/weights/Variable" in graph_nodes
