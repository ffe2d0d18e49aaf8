"""TF1 ``tf.logging``: logging on the ``tensorflow`` logger, with TF1's names and levels."""
from __future__ import annotations

from tftrain_compat._src.tf_logging import (  # noqa: F401
    DEBUG as DEBUG, ERROR as ERROR, FATAL as FATAL, INFO as INFO, WARN as WARN,
    TaskLevelStatusMessage as TaskLevelStatusMessage, debug as debug, error as error,
    fatal as fatal, flush as flush, get_logger as get_logger, get_verbosity as get_verbosity,
    info as info, log as log, log_every_n as log_every_n, log_first_n as log_first_n,
    log_if as log_if, set_verbosity as set_verbosity, vlog as vlog, warn as warn,
    warning as warning,
)

__all__ = sorted(name for name in dir() if not name.startswith("_") and name != "annotations")
