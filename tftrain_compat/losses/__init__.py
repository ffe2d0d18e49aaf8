"""TF1 ``tf.losses``: loss collections and TF1's weighted losses (not ``tf.keras.losses``);
the other TF1 losses (huber_loss, log_loss, hinge_loss ...) are TF's own builders from the table."""
from __future__ import annotations

from tftrain_compat._src.losses import (  # noqa: F401
    Reduction as Reduction, absolute_difference as absolute_difference, add_loss as add_loss,
    compute_weighted_loss as compute_weighted_loss, get_losses as get_losses,
    get_regularization_loss as get_regularization_loss,
    get_regularization_losses as get_regularization_losses, get_total_loss as get_total_loss,
    mean_squared_error as mean_squared_error, sigmoid_cross_entropy as sigmoid_cross_entropy,
    softmax_cross_entropy as softmax_cross_entropy,
    sparse_softmax_cross_entropy as sparse_softmax_cross_entropy,
)

from tftrain_compat._src import namespace as _namespace  # noqa: E402

__getattr__, __dir__ = _namespace.front("tf.losses", globals())
