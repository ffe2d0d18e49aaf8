"""TF1's rnn cells (``tf.nn.rnn_cell``) and rnn functions (``tf.nn.dynamic_rnn`` & co.)."""
