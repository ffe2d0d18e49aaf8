"""TF1 ``tf.losses`` (not ``tf.keras.losses``): the loss collections here; every loss
(mean_squared_error, softmax_cross_entropy, huber_loss ...) is TF's own TF1 builder from the table."""
from __future__ import annotations

from tftrain_compat._src.losses import (  # noqa: F401
    Reduction as Reduction, add_loss as add_loss, get_losses as get_losses,
    get_regularization_loss as get_regularization_loss,
    get_regularization_losses as get_regularization_losses, get_total_loss as get_total_loss,
)

from tftrain_compat._src import namespace as _namespace  # noqa: E402

__getattr__, __dir__ = _namespace.front("tf.losses", globals())
