"""``tensorflow.python.platform.flags`` under ``run``: TF1's ``tf.flags`` (``tftrain_compat.flags``)."""
from __future__ import annotations

from tftrain_compat.flags import *  # noqa: F401,F403
