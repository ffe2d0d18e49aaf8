"""TF1 ``tf.contrib.framework`` basics: ``arg_scope`` / ``add_arg_scope``, the variable
helpers and the checkpoint helpers (``get_variables_to_restore``, ``assign_from_checkpoint_fn``);
names not provided raise the error naming the TF2 replacement."""
from __future__ import annotations

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat._src.arg_scope import (  # noqa: F401
    add_arg_scope as add_arg_scope, arg_scope as arg_scope,
    arg_scoped_arguments as arg_scoped_arguments, current_arg_scope as current_arg_scope,
    has_arg_scope as has_arg_scope,
)
from tftrain_compat._src.contrib_layers import (  # noqa: F401
    get_model_variables as get_model_variables,
    get_trainable_variables as get_trainable_variables, get_variables as get_variables,
    get_variables_by_name as get_variables_by_name,
    model_variable as model_variable,
)
from tftrain_compat._src.training.training_util import (  # noqa: F401
    assert_global_step as assert_global_step, get_global_step as get_global_step,
    get_or_create_global_step as get_or_create_global_step,
)
from tftrain_compat._src.training.checkpoint_restore import (  # noqa: F401
    assign_from_checkpoint_fn as assign_from_checkpoint_fn,
    get_variables_to_restore as get_variables_to_restore,
)


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise _unsupported.missing_error("tf.contrib.framework." + name)
