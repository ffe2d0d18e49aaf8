"""TF1 ``tf.contrib``: ``tf.contrib.layers``, ``tf.contrib.framework`` (arg_scope, variable and
checkpoint helpers) and ``tf.contrib.rnn``'s core cells live on; the rest is listed as
unsupported with its TF2 replacement."""
from __future__ import annotations

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat.contrib import framework as framework  # noqa: F401
from tftrain_compat.contrib import layers as layers  # noqa: F401
from tftrain_compat.contrib import rnn as rnn  # noqa: F401


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise _unsupported.missing_error("tf.contrib." + name)
