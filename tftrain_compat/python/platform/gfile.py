"""``tensorflow.python.platform.gfile`` under ``run``: TF1's ``tf.gfile`` (``tftrain_compat.gfile``)."""
from __future__ import annotations

from tftrain_compat.gfile import *  # noqa: F401,F403
