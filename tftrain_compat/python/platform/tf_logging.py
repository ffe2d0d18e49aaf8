"""``tensorflow.python.platform.tf_logging`` under ``run``: TF1's ``tf.logging``."""
from __future__ import annotations

from tftrain_compat.logging import *  # noqa: F401,F403
