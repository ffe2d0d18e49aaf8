"""TF1 ``tf.nn.rnn_cell``: the rnn cells and wrappers, on the shim's variables."""
from __future__ import annotations

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat._src.rnn.cells import (  # noqa: F401
    BasicLSTMCell as BasicLSTMCell, BasicRNNCell as BasicRNNCell, GRUCell as GRUCell,
    LSTMCell as LSTMCell, LSTMStateTuple as LSTMStateTuple, MultiRNNCell as MultiRNNCell,
    RNNCell as RNNCell,
)
from tftrain_compat._src.rnn.wrappers import (  # noqa: F401
    DeviceWrapper as DeviceWrapper, DropoutWrapper as DropoutWrapper,
    ResidualWrapper as ResidualWrapper,
)

__all__ = sorted([
    "BasicLSTMCell", "BasicRNNCell", "DeviceWrapper", "DropoutWrapper", "GRUCell", "LSTMCell",
    "LSTMStateTuple", "MultiRNNCell", "RNNCell", "ResidualWrapper",
])


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise _unsupported.missing_error("tf.nn.rnn_cell." + name)
