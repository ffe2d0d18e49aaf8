"""The error texts, in one place: TF1's own words where TF1 raised (the shim raises the same class
with the same text, so scripts that match on them keep working), and the shim's remedy line.

Every error the shim adds ends with one remedy line, ``" - help: <what to do instead>"``
(``with_help``); a TF1 feature deliberately left out raises ``not_supported(what, remedy)``:
``NotImplementedError("<what> is not supported by tftrain_compat. - help: <remedy>")``.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

HELP = " - help: "


def with_help(message: str, remedy: str) -> str:
    """``message`` followed by the remedy line."""
    return f"{message}{HELP}{remedy}"


def not_supported(what: str, remedy: str, why: str = "",
                  verb: str = "supported") -> NotImplementedError:
    """``<what> is not <verb> by tftrain_compat[ (<why>)]. - help: <remedy>``."""
    reason = f" ({why})" if why else ""
    return NotImplementedError(with_help(f"{what} is not {verb} by tftrain_compat{reason}.",
                                         remedy))


# ----- TF1's texts (tensorflow/python/client/session.py) ------------------------------------------
def uninitialized_value(name: str) -> tf.errors.FailedPreconditionError:
    """TF1: ``FailedPreconditionError: Attempting to use uninitialized value <name>``."""
    return tf.errors.FailedPreconditionError(
        None, None,
        with_help(f"Attempting to use uninitialized value {name}\n",
                  "run `sess.run(tf.global_variables_initializer())` (or the variable's "
                  "initializer) in this session first."))


CLOSED_SESSION = "Attempted to use a closed Session."
EMPTY_GRAPH = "The Session graph is empty. Add operations to the graph before calling run()."


def feed_shape(value_shape: tuple, tensor_name: str, shape: tf.TensorShape) -> ValueError:
    """TF1's check of a fed value's shape against the placeholder's."""
    return ValueError(f"Cannot feed value of shape {value_shape} for Tensor {tensor_name}, "
                      f"which has shape {shape}")


def not_in_graph(what: Any) -> ValueError:
    """TF1: a feed or fetch of another graph."""
    return ValueError(f"Tensor {what} is not an element of this graph.")
