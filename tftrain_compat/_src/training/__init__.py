"""TF1 ``tf.train``: the Optimizer base, one module per optimizer, decays and the global step."""
