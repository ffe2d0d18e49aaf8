"""TF1 ``tf.contrib.framework``: the checkpoint helpers (``get_variables_to_restore``,
``assign_from_checkpoint_fn``); other names raise the "not provided" error."""
from __future__ import annotations

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat._src.training.checkpoint_restore import (  # noqa: F401
    assign_from_checkpoint_fn as assign_from_checkpoint_fn,
    get_variables_to_restore as get_variables_to_restore,
)


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise _unsupported.missing_error("tf.contrib.framework." + name)
