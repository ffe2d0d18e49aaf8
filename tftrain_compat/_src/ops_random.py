"""TF1 random ops. Built in the backing graph, they take TF's own graph seeds (see random_seed)."""
from __future__ import annotations

import tensorflow as tf

from tftrain_compat._src.wrap import graph_op

truncated_normal = graph_op(tf.random.truncated_normal, name="truncated_normal")
random_normal = graph_op(tf.random.normal, name="random_normal")
random_uniform = graph_op(tf.random.uniform, name="random_uniform")
random_shuffle = graph_op(tf.random.shuffle, name="random_shuffle")
random_gamma = graph_op(tf.random.gamma, name="random_gamma")
random_crop = graph_op(tf.image.random_crop, name="random_crop")


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """TF1 ``tf.multinomial`` (third positional argument is ``seed``, unlike TF2's categorical)."""
    return graph_op(tf.random.categorical)(logits, num_samples, dtype=output_dtype, seed=seed,
                                           name=name)
