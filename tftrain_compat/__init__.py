"""tftrain_compat: legacy TensorFlow 1.x training scripts on TensorFlow 2, bit for bit.

Use it as ``import tftrain_compat as tf`` (or run a script unchanged with
``python -m tftrain_compat run script.py``). Names here are TF1's, every one classified in the
generated table ``_src/tf1_names.py`` (see ``_src/namespace.py``): hand-written here, TF's own
TF1 op builder recorded in the graph, or an AttributeError naming the TF2 replacement. A TF2
function TF1 never had is reached through the same namespace and records a graph node.
"""
from __future__ import annotations

import tftrain_compat._early_cli  # noqa: F401  (first: `python -m tftrain_compat --help` needs no TF)
from tftrain_compat._src import replica_devices as _replica_devices
_replica_devices.configure_requested()  # --replicas, $TFTRAIN_COMPAT_REPLICAS: before TF starts
from tftrain_compat._src import multi_worker as _multi_worker  # noqa: E402
_multi_worker.configure_requested()  # --multi-worker, $TFTRAIN_COMPAT_MULTI_WORKER: likewise
import tensorflow as _tf2  # noqa: E402

from tftrain_compat._version import __version__ as compat_version
from tftrain_compat._src import meta_graph as _meta_graph
from tftrain_compat._src import namespace as _namespace
from tftrain_compat._src.namespace import Namespace as _Namespace

# --- plain aliases (non-op objects) ---------------------------------------------------------
from tensorflow.compat.v1 import SparseTensorValue as SparseTensorValue  # noqa: F401
from tensorflow import (  # noqa: F401
    DType as DType, TensorShape as TensorShape, TensorSpec as TensorSpec, as_dtype as as_dtype,
    bfloat16 as bfloat16, bool as bool, complex64 as complex64, complex128 as complex128,
    double as double, float16 as float16, float32 as float32,
    float64 as float64, half as half, int8 as int8, int16 as int16, int32 as int32,
    int64 as int64, qint8 as qint8, qint32 as qint32, quint8 as quint8, string as string,
    uint8 as uint8, uint16 as uint16, uint32 as uint32, uint64 as uint64, variant as variant,
    resource as resource,
)

# --- graph, tensors, sessions --------------------------------------------------------------
from tftrain_compat._src.graph import (  # noqa: F401
    Graph as Graph, GraphKeys as GraphKeys, get_default_graph as get_default_graph,
    reset_default_graph as reset_default_graph,
)
from tftrain_compat._src.tensor import (  # noqa: F401
    IndexedSlices as IndexedSlices, Operation as Operation, SparseTensor as SparseTensor,
    Tensor as Tensor,
)
from tftrain_compat._src.session import (  # noqa: F401
    InteractiveSession as InteractiveSession, Session as Session,
    get_default_session as get_default_session,
)
from tftrain_compat._src.variables import (  # noqa: F401
    Variable as Variable, all_variables as all_variables, global_variables as global_variables,
    global_variables_initializer as global_variables_initializer,
    initialize_all_variables as initialize_all_variables,
    initialize_local_variables as initialize_local_variables,
    initialize_variables as initialize_variables,
    is_variable_initialized as is_variable_initialized, local_variables as local_variables,
    local_variables_initializer as local_variables_initializer,
    model_variables as model_variables, moving_average_variables as moving_average_variables,
    report_uninitialized_variables as report_uninitialized_variables,
    trainable_variables as trainable_variables, variables_initializer as variables_initializer,
)
from tftrain_compat._src.random_seed import set_random_seed as set_random_seed  # noqa: F401
from tftrain_compat._src.ops_graph import (  # noqa: F401
    add_to_collection as add_to_collection, add_to_collections as add_to_collections,
    assign as assign, assign_add as assign_add, assign_sub as assign_sub, case as case,
    cond as cond, while_loop as while_loop,
    control_dependencies as control_dependencies, device as device,
    get_collection as get_collection, get_collection_ref as get_collection_ref,
    gradients as gradients, group as group, name_scope as name_scope,
)

# --- ops -------------------------------------------------------------------------------------
from tftrain_compat._src.ops_array import (  # noqa: F401
    constant as constant, placeholder as placeholder,
    placeholder_with_default as placeholder_with_default,
    sparse_placeholder as sparse_placeholder,
)
from tftrain_compat._src.ops_math import (  # noqa: F401
    arg_max as arg_max, arg_min as arg_min, argmax as argmax, argmin as argmin,
    count_nonzero as count_nonzero, div as div, log as log,
    mul as mul, multiply as multiply, neg as neg, negative as negative,
    reduce_all as reduce_all, reduce_any as reduce_any, reduce_logsumexp as reduce_logsumexp,
    reduce_max as reduce_max, reduce_mean as reduce_mean, reduce_min as reduce_min,
    reduce_prod as reduce_prod, reduce_sum as reduce_sum, sub as sub,
    subtract as subtract, to_bfloat16 as to_bfloat16, to_double as to_double,
    to_float as to_float, to_int32 as to_int32, to_int64 as to_int64,
)
from tftrain_compat._src.ops_random import (  # noqa: F401
    multinomial as multinomial, random_crop as random_crop, random_gamma as random_gamma,
    random_normal as random_normal, random_shuffle as random_shuffle,
    random_uniform as random_uniform, truncated_normal as truncated_normal,
)

from tftrain_compat._src.initializers import (  # noqa: F401
    constant_initializer as constant_initializer,
    glorot_normal_initializer as glorot_normal_initializer,
    glorot_uniform_initializer as glorot_uniform_initializer, ones_initializer as ones_initializer,
    orthogonal_initializer as orthogonal_initializer,
    random_normal_initializer as random_normal_initializer,
    random_uniform_initializer as random_uniform_initializer,
    truncated_normal_initializer as truncated_normal_initializer,
    uniform_unit_scaling_initializer as uniform_unit_scaling_initializer,
    variance_scaling_initializer as variance_scaling_initializer,
    zeros_initializer as zeros_initializer,
)
from tftrain_compat._src import initializer_names as _inits
from tftrain_compat._src.variable_scope import (  # noqa: F401
    AUTO_REUSE as AUTO_REUSE, VariableScope as VariableScope,
    get_local_variable as get_local_variable, get_variable as get_variable,
    get_variable_scope as get_variable_scope, no_regularizer as no_regularizer,
    variable_scope as variable_scope,
)
from tftrain_compat._src.ops_clip import (  # noqa: F401
    clip_by_average_norm as clip_by_average_norm, global_norm as global_norm, tuple as tuple,
)

from tftrain_compat import contrib as contrib, nn as nn, train as train  # noqa: E402,F401
from tftrain_compat import losses as losses  # noqa: E402,F401
from tftrain_compat import data as data  # noqa: E402,F401
from tftrain_compat._src.queues import (  # noqa: E402,F401
    FIFOQueue as FIFOQueue, FixedLengthRecordReader as FixedLengthRecordReader,
    IdentityReader as IdentityReader, PaddingFIFOQueue as PaddingFIFOQueue,
    PriorityQueue as PriorityQueue, RandomShuffleQueue as RandomShuffleQueue,
    TFRecordReader as TFRecordReader, TextLineReader as TextLineReader,
    WholeFileReader as WholeFileReader,
)
from tftrain_compat import layers as layers  # noqa: E402,F401
from tftrain_compat import summary as summary  # noqa: E402,F401
from tftrain_compat.summary import (  # noqa: E402,F401
    Event as Event, SessionLog as SessionLog, Summary as Summary,
)
from tensorflow.core.framework.summary_pb2 import (  # noqa: E402,F401
    HistogramProto as HistogramProto, SummaryMetadata as SummaryMetadata,
)
from tftrain_compat import app as app, flags as flags, gfile as gfile  # noqa: E402,F401
from tftrain_compat import logging as logging  # noqa: E402,F401
from tftrain_compat._src.config_protos import (  # noqa: E402,F401
    ConfigProto as ConfigProto, GPUOptions as GPUOptions, GraphOptions as GraphOptions,
    OptimizerOptions as OptimizerOptions, RunMetadata as RunMetadata, RunOptions as RunOptions,
)
from tftrain_compat._src.versions import (  # noqa: E402,F401
    COMPILER_VERSION as COMPILER_VERSION, GIT_VERSION as GIT_VERSION,
    GRAPH_DEF_VERSION as GRAPH_DEF_VERSION,
    GRAPH_DEF_VERSION_MIN_CONSUMER as GRAPH_DEF_VERSION_MIN_CONSUMER,
    GRAPH_DEF_VERSION_MIN_PRODUCER as GRAPH_DEF_VERSION_MIN_PRODUCER,
)
from tftrain_compat._src import import_hook as _import_hook  # noqa: E402

__version__ = _tf2.__version__  # TF1 scripts print/check tf.__version__: the TensorFlow running
VERSION = __version__

# --- TF1 sub-namespaces: hand-written names here, every other name from the table -------------
random = _Namespace("tf.random", {"set_random_seed": set_random_seed, "set_seed": set_random_seed})
math = _Namespace("tf.math", {
    "log": log, "reduce_sum": reduce_sum, "reduce_mean": reduce_mean, "reduce_max": reduce_max,
    "reduce_min": reduce_min, "reduce_prod": reduce_prod, "reduce_all": reduce_all,
    "reduce_any": reduce_any, "reduce_logsumexp": reduce_logsumexp, "argmax": argmax,
    "argmin": argmin})
initializers = _Namespace("tf.initializers", {
    "constant": constant_initializer, "glorot_normal": glorot_normal_initializer,
    "glorot_uniform": glorot_uniform_initializer, "ones": ones_initializer,
    "orthogonal": orthogonal_initializer, "random_normal": random_normal_initializer,
    "random_uniform": random_uniform_initializer, "truncated_normal": truncated_normal_initializer,
    "uniform_unit_scaling": uniform_unit_scaling_initializer,
    "variance_scaling": variance_scaling_initializer, "zeros": zeros_initializer,
    "global_variables": global_variables_initializer, "local_variables": local_variables_initializer,
    "variables": variables_initializer, "he_normal": _inits.he_normal,
    "he_uniform": _inits.he_uniform, "lecun_normal": _inits.lecun_normal,
    "lecun_uniform": _inits.lecun_uniform})
linalg = _Namespace("tf.linalg")
image = _Namespace("tf.image")
strings = _Namespace("tf.strings")
metrics = _Namespace("tf.metrics")
sparse = _Namespace("tf.sparse", {"SparseTensor": SparseTensor, "placeholder": sparse_placeholder})
errors = _Namespace("tf.errors")
dtypes = _Namespace("tf.dtypes")
io = _Namespace("tf.io", {"PaddingFIFOQueue": PaddingFIFOQueue,
                         "PriorityQueue": PriorityQueue, "RandomShuffleQueue": RandomShuffleQueue,
                         "write_graph": _meta_graph.write_graph})
saved_model = _Namespace("tf.saved_model")

_import_hook.install()

# --- data-parallel replicas (tftrain_compat's own; TF1's tf.distribute module stays reachable) --
from tftrain_compat._src import replicas as _replicas  # noqa: E402
from tftrain_compat._src.replicas import ReplicaError as ReplicaError  # noqa: E402,F401
distribute = _replicas.DistributeFront()
_replicas.enable_requested()


__getattr__, __dir__ = _namespace.front("tf", globals())
