"""TF1's ``tf.initializers`` shortcuts that are variance scaling with fixed arguments.

TF 1.x (``init_ops``): ``he_normal(seed)`` is ``VarianceScaling(2.0, 'fan_in',
'truncated_normal', seed)``, ``he_uniform`` the same with ``'uniform'``; ``lecun_normal`` /
``lecun_uniform`` use ``scale=1.0``. They return the shim's TF1 initializer, so seeds follow
``tf.set_random_seed`` as TF1's did.
"""
from __future__ import annotations

from tftrain_compat._src.initializers import variance_scaling_initializer


def he_normal(seed: int | None = None) -> variance_scaling_initializer:
    """He normal: truncated normal, stddev ``sqrt(2 / fan_in) / .8796``."""
    return variance_scaling_initializer(2.0, "fan_in", "truncated_normal", seed=seed)


def he_uniform(seed: int | None = None) -> variance_scaling_initializer:
    """He uniform: ``uniform(±sqrt(6 / fan_in))``."""
    return variance_scaling_initializer(2.0, "fan_in", "uniform", seed=seed)


def lecun_normal(seed: int | None = None) -> variance_scaling_initializer:
    """LeCun normal: truncated normal, stddev ``sqrt(1 / fan_in) / .8796``."""
    return variance_scaling_initializer(1.0, "fan_in", "truncated_normal", seed=seed)


def lecun_uniform(seed: int | None = None) -> variance_scaling_initializer:
    """LeCun uniform: ``uniform(±sqrt(3 / fan_in))``."""
    return variance_scaling_initializer(1.0, "fan_in", "uniform", seed=seed)
