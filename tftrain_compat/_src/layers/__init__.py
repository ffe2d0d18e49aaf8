"""TF1 ``tf.layers`` on the shim's own variable_scope / get_variable and graph ops."""
