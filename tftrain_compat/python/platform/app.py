"""``tensorflow.python.platform.app`` under ``run``: TF1's ``tf.app`` (``tftrain_compat.app``)."""
from __future__ import annotations

from tftrain_compat.app import *  # noqa: F401,F403
