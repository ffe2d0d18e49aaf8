"""The errors for TF1 names tftrain_compat deliberately does not provide (the table is
``tables.UNSUPPORTED``): each names the TF2 replacement."""
from __future__ import annotations

from tftrain_compat._src import errors as _errors
from tftrain_compat._src.tables import HAND_WRITTEN, UNSUPPORTED

__all__ = ["HAND_WRITTEN", "UNSUPPORTED", "missing_error", "unsupported_error"]


def unsupported_error(full_name: str) -> AttributeError | None:
    """The AttributeError for ``full_name`` if it is in the table (or under a listed module)."""
    parts = full_name.split(".")
    for i in range(len(parts), 1, -1):
        prefix = ".".join(parts[:i])
        if prefix in UNSUPPORTED:
            return AttributeError(_errors.with_help(
                f"{full_name} is a TF1 name that tftrain_compat does not provide.",
                f"use {UNSUPPORTED[prefix]} instead."))
    return None


def missing_error(full_name: str) -> AttributeError:
    """The error for a name that is neither provided, listed, nor a TF2 function."""
    return unsupported_error(full_name) or AttributeError(_errors.with_help(
        f"{full_name} is not provided by tftrain_compat and TensorFlow 2 has no function of that "
        "name to wrap.", "`python -m tftrain_compat check SCRIPT` lists the names a script "
        "uses; please report this name if your TF1 script needs it."))
