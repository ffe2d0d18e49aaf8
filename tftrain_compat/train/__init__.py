"""TF1 ``tf.train``: optimizers, learning-rate decay, the global step, Saver and checkpoints."""
from __future__ import annotations

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat._src.meta_graph import (
    export_meta_graph as export_meta_graph, import_meta_graph as import_meta_graph,
)
from tftrain_compat._src.training.adadelta import AdadeltaOptimizer as AdadeltaOptimizer
from tftrain_compat._src.training.adagrad import AdagradOptimizer as AdagradOptimizer
from tftrain_compat._src.training.adagrad_da import AdagradDAOptimizer as AdagradDAOptimizer
from tftrain_compat._src.training.adam import AdamOptimizer as AdamOptimizer
from tftrain_compat._src.training.checkpoint_management import (
    checkpoint_exists as checkpoint_exists,
    generate_checkpoint_state_proto as generate_checkpoint_state_proto,
    get_checkpoint_mtimes as get_checkpoint_mtimes, get_checkpoint_state as get_checkpoint_state,
    latest_checkpoint as latest_checkpoint, remove_checkpoint as remove_checkpoint,
    update_checkpoint_state as update_checkpoint_state,
)
from tftrain_compat._src.training.checkpoint_utils import (
    NewCheckpointReader as NewCheckpointReader, init_from_checkpoint as init_from_checkpoint,
    list_variables as list_variables, load_checkpoint as load_checkpoint,
    load_variable as load_variable,
)
from tftrain_compat._src.training.ftrl import FtrlOptimizer as FtrlOptimizer
from tftrain_compat._src.training.gradient_descent import (
    GradientDescentOptimizer as GradientDescentOptimizer,
)
from tftrain_compat._src.training.learning_rate_decay import (
    exponential_decay as exponential_decay, inverse_time_decay as inverse_time_decay,
    natural_exp_decay as natural_exp_decay,
)
from tftrain_compat._src.training.learning_rate_decay import (
    cosine_decay as cosine_decay, cosine_decay_restarts as cosine_decay_restarts,
    linear_cosine_decay as linear_cosine_decay,
    noisy_linear_cosine_decay as noisy_linear_cosine_decay,
    piecewise_constant as piecewise_constant,
    piecewise_constant_decay as piecewise_constant_decay, polynomial_decay as polynomial_decay,
)
from tftrain_compat._src.training.momentum import MomentumOptimizer as MomentumOptimizer
from tftrain_compat._src.training.moving_averages import (
    ExponentialMovingAverage as ExponentialMovingAverage,
)
from tftrain_compat._src.training.optimizer import Optimizer as Optimizer
from tftrain_compat._src.training.proximal_adagrad import (
    ProximalAdagradOptimizer as ProximalAdagradOptimizer,
)
from tftrain_compat._src.training.proximal_gradient_descent import (
    ProximalGradientDescentOptimizer as ProximalGradientDescentOptimizer,
)
from tftrain_compat._src.training.rmsprop import RMSPropOptimizer as RMSPropOptimizer
from tftrain_compat._src.training.saver import Saver as Saver, SaverDef as SaverDef
from tftrain_compat._src.training.training_util import (
    assert_global_step as assert_global_step, create_global_step as create_global_step,
    get_global_step as get_global_step, get_or_create_global_step as get_or_create_global_step,
    global_step as global_step,
)


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise _unsupported.missing_error("tf.train." + name)
