"""TF1 ``tf.contrib.rnn``: the core rnn cells (the same classes as ``tf.nn.rnn_cell``) and
``static_rnn`` / ``static_bidirectional_rnn``; contrib's extra cells are not provided."""
from __future__ import annotations

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat._src.rnn.cells import (  # noqa: F401
    BasicLSTMCell as BasicLSTMCell, BasicRNNCell as BasicRNNCell, GRUCell as GRUCell,
    LSTMCell as LSTMCell, LSTMStateTuple as LSTMStateTuple, MultiRNNCell as MultiRNNCell,
    RNNCell as RNNCell,
)
from tftrain_compat._src.rnn.rnn import (  # noqa: F401
    static_bidirectional_rnn as static_bidirectional_rnn, static_rnn as static_rnn,
)
from tftrain_compat._src.rnn.wrappers import (  # noqa: F401
    DeviceWrapper as DeviceWrapper, DropoutWrapper as DropoutWrapper,
    ResidualWrapper as ResidualWrapper,
)

__all__ = sorted([
    "BasicLSTMCell", "BasicRNNCell", "DeviceWrapper", "DropoutWrapper", "GRUCell", "LSTMCell",
    "LSTMStateTuple", "MultiRNNCell", "RNNCell", "ResidualWrapper", "static_bidirectional_rnn",
    "static_rnn",
])


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise _unsupported.missing_error("tf.contrib.rnn." + name)
