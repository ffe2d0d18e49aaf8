"""TF1's version constants: those of the TensorFlow that runs (TF1 scripts print and compare them).

The package's own version is ``tftrain_compat.compat_version`` (``python -m tftrain_compat --version``).
"""
from __future__ import annotations

import tensorflow as _tf

VERSION: str = _tf.version.VERSION
GIT_VERSION: str = _tf.version.GIT_VERSION
COMPILER_VERSION: str = _tf.version.COMPILER_VERSION
GRAPH_DEF_VERSION: int = _tf.version.GRAPH_DEF_VERSION
GRAPH_DEF_VERSION_MIN_CONSUMER: int = _tf.version.GRAPH_DEF_VERSION_MIN_CONSUMER
GRAPH_DEF_VERSION_MIN_PRODUCER: int = _tf.version.GRAPH_DEF_VERSION_MIN_PRODUCER
