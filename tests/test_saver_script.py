"""A TF1-style script that trains and saves every 5 steps, then runs again in a second process and
resumes from the newest checkpoint, then a third process that only imports the .meta, restores and
evaluates: run with ``import tftrain_compat as tf`` and on the oracle (the same script body inside
``with tf.Graph().as_default():`` of tf.compat.v1), each run in a fresh Python process. The
printed lines (losses to 9 digits, weights with repr, the files on disk) must be identical, and
each side must resume from the other's checkpoints too."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from support import run_python

BODY = r'''
import os, sys
import numpy as np
mode, folder = sys.argv[1], sys.argv[2]
rng = np.random.RandomState(0)
X = rng.randn(64, 5).astype(np.float32)
Y = (X @ rng.randn(5, 1)).astype(np.float32)
if mode == "train":
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, [None, 5], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    with tf.variable_scope("lin"):
        w = tf.get_variable("w", [5, 1], initializer=tf.truncated_normal_initializer(stddev=0.1))
        b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
    loss = tf.identity(tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y)), name="loss")
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.05).minimize(loss, global_step=step)
    tf.add_to_collection("train_op", train)
    saver = tf.train.Saver(max_to_keep=2)
    with tf.Session() as sess:
        ckpt = tf.train.get_checkpoint_state(folder)
        if ckpt and ckpt.model_checkpoint_path:
            saver.restore(sess, ckpt.model_checkpoint_path)
            print("restored", os.path.basename(ckpt.model_checkpoint_path))
        else:
            sess.run(tf.global_variables_initializer())
        for i in range(12):
            l, _ = sess.run([loss, train], {x: X, y: Y})
            if i % 5 == 4:
                saver.save(sess, os.path.join(folder, "model.ckpt"), global_step=step)
        print("step", sess.run(step), "loss %.9g" % l)
        print("w", repr(sess.run(w).ravel().tolist()))
        print("last", [os.path.basename(p) for p in saver.last_checkpoints])
else:
    latest = tf.train.latest_checkpoint(folder)
    saver = tf.train.import_meta_graph(latest + ".meta")
    g = tf.get_default_graph()
    with tf.Session() as sess:
        saver.restore(sess, latest)
        print("eval loss %.9g" % sess.run(g.get_tensor_by_name("loss:0"), {"x:0": X, "y:0": Y}))
        sess.run(tf.get_collection("train_op")[0], {"x:0": X, "y:0": Y})
        print("after one step %.9g" % sess.run("loss:0", {"x:0": X, "y:0": Y}))
        print("vars", [v.op.name for v in tf.global_variables()])
print(sorted(os.listdir(folder)))
'''

SHIM = "import tftrain_compat as tf\n" + BODY
ORACLE = ("import tensorflow as _tf\ntf = _tf.compat.v1\nwith _tf.Graph().as_default():\n"
          + textwrap.indent(BODY, "    "))


def _run(script: Path, mode: str, folder: Path) -> str:
    return run_python([script, mode, folder])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("scripts")
    (root / "shim.py").write_text(SHIM)
    (root / "oracle.py").write_text(ORACLE)
    out = {}
    for side in ("shim", "oracle"):
        folder = root / f"{side}_ckpt"
        folder.mkdir()
        script = root / f"{side}.py"
        out[side] = [_run(script, "train", folder), _run(script, "train", folder),
                     _run(script, "eval", folder)]
    # Each side resumes from checkpoints written by the other.
    out["shim_from_oracle"] = _run(root / "shim.py", "eval", root / "oracle_ckpt")
    out["oracle_from_shim"] = _run(root / "oracle.py", "eval", root / "shim_ckpt")
    return out


def test_save_then_restore_in_a_second_process_prints_what_tf1_prints(runs):
    assert runs["shim"] == runs["oracle"]
    first, second, evaluated = runs["shim"]
    assert "restored" not in first and second.startswith("restored model.ckpt-10\n")
    assert "step 22 " in second
    # A new Saver does not know the first run's checkpoints: they stay (TF1).
    assert "'model.ckpt-5.index'" in second and "'model.ckpt-20.meta'" in second
    assert "last ['model.ckpt-15', 'model.ckpt-20']" in second
    assert evaluated.startswith("eval loss ")


def test_each_side_restores_the_others_meta_and_checkpoint(runs):
    assert runs["shim_from_oracle"] == runs["oracle"][2]
    assert runs["oracle_from_shim"] == runs["shim"][2]
