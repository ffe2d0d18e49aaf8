"""TF1's shape idioms on the shim's tensors and variables: ``x.get_shape()[1].value``,
``Dimension`` arithmetic and comparisons, ``shape.ndims``, ``shape.dims``, ``as_list()``, and
TF1's printing. The oracle is tf.compat.v1 with TF1's TensorShape behaviour
(``disable_v2_tensorshape``, process-global, hence in a subprocess), as the corpus oracle runs."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import tftrain_compat as shim

# Each idiom is evaluated on `x` (placeholder [None, 3, 5]) and `v` (variable [3, 4]) with `tf`
# the namespace; the results are compared as repr() strings.
IDIOMS = [
    "x.get_shape()", "x.shape", "x.get_shape()[1]", "x.get_shape()[0]",
    "x.get_shape()[1].value", "x.get_shape()[0].value", "x.get_shape()[1:]",
    "x.get_shape()[-1] * 2", "x.get_shape()[1] + x.get_shape()[2]", "x.get_shape()[0] + 1",
    "int(x.get_shape()[1])", "x.get_shape()[1] == 3", "x.get_shape()[2] > 4",
    "x.get_shape().ndims", "x.get_shape().dims", "x.get_shape().as_list()", "list(x.shape)",
    "[d.value for d in x.get_shape()]", "x.get_shape()[1:].num_elements()",
    "str(x.get_shape())", "str(x.get_shape()[0])", "x.get_shape().is_fully_defined()",
    "v.get_shape()", "v.shape[0].value", "v.get_shape().as_list()", "str(v.shape)",
    "x.get_shape().merge_with([7, 3, 5])[0]", "x.get_shape().concatenate([2])[3]",
    "tf.Dimension(4) // 2", "tf.Dimension(None) * 3", "tf.Dimension(6).value",
    "tf.reshape(x, [-1, x.get_shape()[1].value * x.get_shape()[2].value]).get_shape()",
    "tf.zeros(v.get_shape()).get_shape()", "tf.ones(x.get_shape()[1:]).get_shape()",
    "tf.placeholder(tf.float32, x.get_shape()).get_shape()",
    "tf.Variable(tf.zeros([v.get_shape()[1], 2])).get_shape()",
    "tf.matmul(v, tf.ones([v.get_shape()[1].value, 1])).get_shape()[0]",
]

_ORACLE = r"""
import json, sys
import tensorflow as tf
tf1 = tf.compat.v1
tf1.disable_v2_tensorshape()
out = []
with tf.Graph().as_default():
    x = tf1.placeholder(tf.float32, [None, 3, 5])
    v = tf1.Variable(tf.zeros([3, 4]), use_resource=True)
    for idiom in json.loads(sys.argv[1]):
        out.append(repr(eval(idiom, {"tf": tf1, "x": x, "v": v})))
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def oracle():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", _ORACLE, json.dumps(IDIOMS)], env=env,
                          capture_output=True, text=True, timeout=300, check=True)
    return dict(zip(IDIOMS, json.loads(proc.stdout.strip().splitlines()[-1])))


@pytest.mark.parametrize("idiom", IDIOMS)
def test_shape_idiom_as_tf1(idiom, oracle, fresh_graph):
    x = shim.placeholder(shim.float32, [None, 3, 5])
    v = shim.Variable(shim.zeros([3, 4]))
    assert repr(eval(idiom, {"tf": shim, "x": x, "v": v})) == oracle[idiom]


def test_tf1_shapes_stay_usable_by_tf2_functions(fresh_graph):
    x = shim.placeholder(shim.float32, [None, 3])
    shape = x.get_shape()
    assert isinstance(shape, tf.TensorShape)
    assert shape == tf.TensorShape([None, 3]) and hash(shape) == hash(tf.TensorShape([None, 3]))
    assert tf.TensorShape(shape).as_list() == [None, 3]
    assert shape.is_compatible_with([5, 3]) and shape[1:].is_fully_defined()
    assert np.zeros([shape[1], 2]).shape == (3, 2)  # Dimension works as an index (__index__)
    assert tf.zeros(shape[1:]).shape == (3,)  # eager TF2 code accepts it
    with shim.Session() as sess:
        assert sess.run(shim.shape(x), {x: np.ones((2, 3))}).tolist() == [2, 3]


def test_eager_tf2_shapes_keep_v2_behaviour():
    """The TF1 view is per object: TF2's own TensorShape in the same process still gives ints."""
    assert tf.constant([[1.0, 2.0]]).shape[1] == 2
    assert type(tf.constant([[1.0, 2.0]]).shape[1]) is int
    assert type(tf.TensorShape([None, 3])[0]) is type(None)
