"""TF1 ``tf.app``: ``run`` (absl's, with TF1's known-flags-only parsing) and ``flags``."""
from __future__ import annotations

from tftrain_compat import flags as flags  # noqa: F401
from tftrain_compat._src.app import run as run  # noqa: F401

__all__ = sorted(name for name in dir() if not name.startswith("_") and name != "annotations")
