"""The local devices data-parallel replicas run on, configured before TensorFlow starts its runtime.

TF1 had no such switch; this is tftrain_compat's own (``--replicas N``,
``$TFTRAIN_COMPAT_REPLICAS=N``, ``tftrain_compat.distribute(replicas=N)``, see ``replicas.py``).
N replicas use the first N GPUs when there are N, else N logical CPU devices made from the one
physical CPU. Logical devices can only be declared before TensorFlow initialises its devices,
which the first op (or ``tf.config.list_logical_devices``) does, and importing tftrain_compat
does that: so ``_early_cli`` (for ``--replicas``) and the very start of ``tftrain_compat/__init__``
(for the environment variable) call ``configure`` first. Later, only the devices that already
exist can be used.
"""
from __future__ import annotations

import os

ENV = "TFTRAIN_COMPAT_REPLICAS"
_requested: list[int] = []       # the count asked for by --replicas (set by _early_cli)
_made: dict[int, list[str]] = {}  # count -> the device names configured for it


class ReplicaError(ValueError):
    """A training run cannot be split into data-parallel replicas; the text names what to change."""


def parse_count(text: str, source: str) -> int:
    """A replica count read from ``source`` (``$TFTRAIN_COMPAT_REPLICAS``): an int >= 1."""
    try:
        count = int(str(text).strip())
    except ValueError:
        count = 0
    if count < 1:
        raise ReplicaError(f"{source}={text!r}: expected a whole number of replicas >= 1.")
    return count


def request(count: int) -> None:
    """Records the count of ``--replicas`` (the command line's early step)."""
    _requested[:] = [count]


def requested() -> int | None:
    """The count asked for by ``--replicas``, else by ``$TFTRAIN_COMPAT_REPLICAS``, else None."""
    if _requested:
        return _requested[0]
    text = os.environ.get(ENV, "").strip()
    return parse_count(text, "$" + ENV) if text else None


def configure(count: int) -> list[str]:
    """Makes ``count`` local devices exist and returns their names.

    GPUs when there are ``count`` of them; else ``count`` logical CPU devices, which must be
    declared before TensorFlow has initialised its devices. After that, only devices that exist
    already are used: ReplicaError when there are fewer than ``count``.
    """
    if count in _made:
        return _made[count]
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")  # listing physical devices starts nothing
    if len(gpus) >= count:
        names = [f"/device:GPU:{i}" for i in range(count)]
    else:
        cpu = tf.config.list_physical_devices("CPU")[0]
        current = tf.config.get_logical_device_configuration(cpu)
        if count > 1 and (current is None or len(current) < count):
            try:
                tf.config.set_logical_device_configuration(
                    cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)])
            except RuntimeError:  # devices are initialised: use what exists
                pass
        have = len(tf.config.list_logical_devices("CPU"))
        if have < count:
            from tftrain_compat._src.errors import with_help  # imports TensorFlow: not at the top
            raise ReplicaError(with_help(
                f"{count} replicas need {count} devices, but this process has {len(gpus)} GPU(s) "
                f"and {have} CPU device(s), and TensorFlow's devices are initialised already, so "
                "no logical CPU devices can be added.",
                f"ask for the replicas before TensorFlow starts: `python -m tftrain_compat run "
                f"--replicas {count} script.py` or ${ENV}={count} in the environment (read when "
                "tftrain_compat is imported)."))
        names = [f"/device:CPU:{i}" for i in range(count)]
    _made[count] = names
    return names


def configure_requested() -> list[str] | None:
    """``configure`` for the requested count, if any (the first step of importing the package)."""
    count = requested()
    return None if count is None else configure(count)
