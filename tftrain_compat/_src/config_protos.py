"""TF1's session configuration protos and what ``Session(config=...)`` does with them.

``ConfigProto``, ``GPUOptions``, ``GraphOptions``, ``OptimizerOptions``, ``RunOptions`` and
``RunMetadata`` are TensorFlow's own protocol buffers (the classes TF1 exported), so a script
builds them, serializes them and reads their fields exactly as before.

What a ``ConfigProto`` changes here (documented in the README):

* ``intra_op_parallelism_threads`` / ``inter_op_parallelism_threads``: applied through
  ``tf.config.threading`` when TensorFlow's runtime has not started yet in this process; TF2
  fixes its thread pools when the runtime starts (process-wide, unlike TF1's per-session pools),
  so once it has started a differing request is logged as a warning and not applied.
* ``allow_soft_placement``: the shim's compiled functions always place softly (TF2's default),
  so ``tf.device('/gpu:0')`` on a machine without a GPU runs on the CPU, as TF1 did with
  ``allow_soft_placement=True``. With ``False`` TF1 raised for an unavailable device; the shim
  still places softly.
* everything else (``gpu_options``, ``log_device_placement``, ``graph_options``...) is accepted
  and ignored: these would change process-global TF2 state.
"""
from __future__ import annotations

import logging
from typing import Any

import tensorflow as tf
from tensorflow.core.protobuf.config_pb2 import (  # noqa: F401  (re-exported: TF1's tf.ConfigProto ...)
    ConfigProto as ConfigProto, GPUOptions as GPUOptions, GraphOptions as GraphOptions,
    OptimizerOptions as OptimizerOptions, RunMetadata as RunMetadata, RunOptions as RunOptions,
)

_log = logging.getLogger("tftrain_compat")
_warned: set[tuple[str, int]] = set()

# ConfigProto field -> (getter, setter) in tf.config.threading.
_THREAD_FIELDS = {
    "intra_op_parallelism_threads": (tf.config.threading.get_intra_op_parallelism_threads,
                                     tf.config.threading.set_intra_op_parallelism_threads),
    "inter_op_parallelism_threads": (tf.config.threading.get_inter_op_parallelism_threads,
                                     tf.config.threading.set_inter_op_parallelism_threads),
}


def apply_session_config(config: Any) -> None:
    """Checks ``Session(config=...)`` as TF1 did and applies what TF2 still allows (see above).

    Raises TF1's ``TypeError`` when ``config`` is neither None nor a ``ConfigProto``.
    """
    if config is None:
        return
    if not isinstance(config, ConfigProto):
        raise TypeError("Argument `config` must be a tf.ConfigProto, but got "
                        f'"{type(config).__name__}"')
    for field, (get, set_) in _THREAD_FIELDS.items():
        wanted = getattr(config, field)
        if not wanted or wanted == get():
            continue
        try:
            set_(wanted)
        except RuntimeError:
            if (field, wanted) not in _warned:
                _warned.add((field, wanted))
                _log.warning(
                    "ConfigProto(%s=%d) is not applied: TensorFlow 2 fixes its thread pools for "
                    "the whole process when its runtime starts, and it has started (the current "
                    "value is %d). - help: call tf.config.threading.set_%s(%d) from "
                    "`import tensorflow` before any TensorFlow work, or set it in a fresh process.",
                    field, wanted, get(), field, wanted)
