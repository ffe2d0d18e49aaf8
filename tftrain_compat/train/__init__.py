"""TF1 ``tf.train``: optimizers, learning-rate decay, the global step, Saver and checkpoints."""
from __future__ import annotations

from tftrain_compat._src import unsupported as _unsupported
from tftrain_compat._src.cluster import (  # noqa: F401
    ClusterSpec as ClusterSpec, Server as Server, replica_device_setter as replica_device_setter,
)
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
from tftrain_compat._src.queues import (  # noqa: F401
    Coordinator as Coordinator, LooperThread as LooperThread, QueueRunner as QueueRunner,
    add_queue_runner as add_queue_runner, start_queue_runners as start_queue_runners,
)
from tftrain_compat._src.queues import BUILDERS as _BUILDERS
from tftrain_compat._src.training.optimizer import Optimizer as Optimizer
from tftrain_compat._src.training.basic_session_run_hooks import (  # noqa: F401
    CheckpointSaverHook as CheckpointSaverHook,
    CheckpointSaverListener as CheckpointSaverListener, FeedFnHook as FeedFnHook,
    FinalOpsHook as FinalOpsHook, LoggingTensorHook as LoggingTensorHook,
    NanLossDuringTrainingError as NanLossDuringTrainingError, NanTensorHook as NanTensorHook,
    SecondOrStepTimer as SecondOrStepTimer, StepCounterHook as StepCounterHook,
    StopAtStepHook as StopAtStepHook, SummarySaverHook as SummarySaverHook,
)
from tftrain_compat._src.training.monitored_session import (  # noqa: F401
    ChiefSessionCreator as ChiefSessionCreator, MonitoredSession as MonitoredSession,
    MonitoredTrainingSession as MonitoredTrainingSession, Scaffold as Scaffold,
    SessionCreator as SessionCreator, SingularMonitoredSession as SingularMonitoredSession,
    WorkerSessionCreator as WorkerSessionCreator,
)
from tftrain_compat._src.training.session_run_hook import (  # noqa: F401
    SessionRunArgs as SessionRunArgs, SessionRunContext as SessionRunContext,
    SessionRunHook as SessionRunHook, SessionRunValues as SessionRunValues,
)
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


batch = _BUILDERS["batch"]
batch_join = _BUILDERS["batch_join"]
input_producer = _BUILDERS["input_producer"]
limit_epochs = _BUILDERS["limit_epochs"]
maybe_batch = _BUILDERS["maybe_batch"]
maybe_batch_join = _BUILDERS["maybe_batch_join"]
maybe_shuffle_batch = _BUILDERS["maybe_shuffle_batch"]
maybe_shuffle_batch_join = _BUILDERS["maybe_shuffle_batch_join"]
range_input_producer = _BUILDERS["range_input_producer"]
shuffle_batch = _BUILDERS["shuffle_batch"]
shuffle_batch_join = _BUILDERS["shuffle_batch_join"]
slice_input_producer = _BUILDERS["slice_input_producer"]
string_input_producer = _BUILDERS["string_input_producer"]


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise _unsupported.missing_error("tf.train." + name)
