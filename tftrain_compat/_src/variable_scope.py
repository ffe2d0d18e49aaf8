"""TF1 ``tf.get_variable`` and ``tf.variable_scope``: named, shareable variables.

Each shim Graph has one variable store (full name -> shim ``Variable``) and, per thread, the
current ``VariableScope`` plus the counts TF1 used to make default scope names unique. The rules
are TF1's:

* ``get_variable(name)`` looks up ``<scope name>/<name>``. With ``reuse=False`` (the default) it
  must not exist yet, with ``reuse=True`` it must exist, with ``AUTO_REUSE`` either.
* A new variable is created at the root name scope under its full name, so its ops are
  ``layer1/w``, ``layer1/w/Initializer/...``, whatever name scope is open.
* Without an initializer, floating variables get ``glorot_uniform_initializer()`` (which draws
  its op seed when the variable is built, as TF1 did) and integer/bool/string ones zeros.
* A regularizer (the argument, else the scope's) is applied **once** to a new variable, under the
  absolute name scope ``<full name>/Regularizer/`` with control dependencies cleared, and the
  result joins ``REGULARIZATION_LOSSES`` (``layer1/w/Regularizer/l2_regularizer:0``). Reused
  variables add nothing.
* ``variable_scope(name)`` also opens the name scope ``name`` (made unique like any name scope);
  ``reuse=False`` inherits the enclosing scope's reuse, as in TF1.
"""
from __future__ import annotations

import copy
import enum
import functools
import inspect
import threading
import weakref
from typing import Any, Callable

import tensorflow as tf

from tftrain_compat._src import errors as _errors
from tftrain_compat._src import graph as _graph
from tftrain_compat._src import initializers as _init
from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src import variables as _variables
from tftrain_compat._src.graph import GraphKeys


class _ReuseMode(enum.Enum):
    """The third value of ``reuse`` besides True and False/None."""

    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


def no_regularizer(_) -> None:
    """TF1 ``tf.no_regularizer``: a regularizer that turns a scope's regularizer off."""
    return None


# ----- VariableScope ----------------------------------------------------------------------------
class VariableScope:
    """TF1 ``tf.VariableScope``: the defaults ``get_variable`` uses inside a ``variable_scope``.

    ``name`` is the full scope name ("" at the root), ``original_name_scope`` the name scope
    opened with it ("layer1/"); ``reuse`` is True, False or ``AUTO_REUSE``.
    """

    def __init__(self, reuse, name: str = "", initializer=None, regularizer=None,
                 caching_device=None, partitioner=None, custom_getter=None, name_scope: str = "",
                 dtype=tf.float32, use_resource=None, constraint=None) -> None:
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._reuse = reuse
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    dtype = property(lambda self: self._dtype)
    use_resource = property(lambda self: self._use_resource)
    regularizer = property(lambda self: self._regularizer)
    caching_device = property(lambda self: self._caching_device)
    partitioner = property(lambda self: self._partitioner)
    custom_getter = property(lambda self: self._custom_getter)
    constraint = property(lambda self: self._constraint)

    def reuse_variables(self) -> None:
        """From now on ``get_variable`` in this scope returns existing variables."""
        self._reuse = True

    def set_initializer(self, initializer) -> None:
        self._initializer = initializer

    def set_dtype(self, dtype) -> None:
        self._dtype = dtype

    def set_use_resource(self, use_resource) -> None:
        self._use_resource = use_resource

    def set_regularizer(self, regularizer) -> None:
        self._regularizer = regularizer

    def set_caching_device(self, caching_device) -> None:
        self._caching_device = caching_device

    def set_partitioner(self, partitioner) -> None:
        self._partitioner = partitioner

    def set_custom_getter(self, custom_getter) -> None:
        self._custom_getter = custom_getter

    def get_collection(self, name: str) -> list:
        """The default graph's collection ``name`` filtered to this scope."""
        scope = self._name + "/" if self._name else ""
        return _graph.get_default_graph().get_collection(name, scope)

    def trainable_variables(self) -> list:
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def global_variables(self) -> list:
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def local_variables(self) -> list:
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_variable(self, var_store: "_VariableStore", name: str, shape=None, dtype=None,
                     initializer=None, regularizer=None, reuse=None, trainable=None,
                     collections=None, caching_device=None, partitioner=None,
                     validate_shape: bool = True, use_resource=None, custom_getter=None,
                     constraint=None, synchronization=None, aggregation=None):
        """``var_store.get_variable(<scope>/<name>, ...)`` with this scope's defaults filled in."""
        if regularizer is None:
            regularizer = self._regularizer
        if caching_device is None:
            caching_device = self._caching_device
        if partitioner is None:
            partitioner = self._partitioner
        if custom_getter is None:
            custom_getter = self._custom_getter
        if reuse is None:
            reuse = self._reuse
        if use_resource is None:
            use_resource = self._use_resource
        full_name = self.name + "/" + name if self.name else name
        # TF1: variables are made at the root name scope, under their full name.
        with var_store.graph.backing.name_scope(None):
            if dtype is not None and initializer is not None and not callable(initializer):
                init_dtype = _value_dtype(initializer)
                if init_dtype != tf.as_dtype(dtype):
                    raise ValueError("Initializer type '%s' and explicit dtype '%s' don't match."
                                     % (init_dtype, tf.as_dtype(dtype)))
            if initializer is None:
                initializer = self._initializer
            if constraint is None:
                constraint = self._constraint
            if dtype is None:
                dtype = self._dtype
            return var_store.get_variable(
                full_name, shape=shape, dtype=dtype, initializer=initializer,
                regularizer=regularizer, reuse=reuse, trainable=trainable,
                collections=collections, caching_device=caching_device,
                partitioner=partitioner, validate_shape=validate_shape,
                use_resource=use_resource, custom_getter=custom_getter, constraint=constraint,
                synchronization=synchronization, aggregation=aggregation)


def _value_dtype(value) -> tf.DType:
    """The dtype TF gives a constant initializer (a Python float is float32), building nothing."""
    if isinstance(value, (_tensor.Tensor, _variables.Variable)):
        return value.dtype.base_dtype
    with tf.init_scope():
        return tf.convert_to_tensor(value).dtype.base_dtype


# ----- the per-graph store ----------------------------------------------------------------------
class _ScopeState(threading.local):
    """Per thread (as TF1): the current scope and how often each scope name was opened."""

    def __init__(self) -> None:
        super().__init__()
        self.current_scope = VariableScope(False)
        self.variable_scopes_count: dict[str, int] = {}

    def open_variable_scope(self, scope_name: str) -> None:
        self.variable_scopes_count[scope_name] = self.variable_scopes_count.get(scope_name, 0) + 1

    def close_variable_subscopes(self, scope_name: str | None) -> None:
        prefix = None if scope_name is None else scope_name + "/"
        for key in self.variable_scopes_count:
            if prefix is None or key.startswith(prefix):
                self.variable_scopes_count[key] = 0

    def variable_scope_count(self, scope_name: str) -> int:
        return self.variable_scopes_count.get(scope_name, 0)


class _VariableStore:
    """One graph's ``get_variable`` variables: full name -> shim Variable."""

    def __init__(self, graph: "_graph.Graph") -> None:
        self._graph_ref = weakref.ref(graph)
        self.vars: dict[str, _variables.Variable] = {}
        self.scopes = _ScopeState()

    @property
    def graph(self) -> "_graph.Graph":
        """The graph this store belongs to (held weakly: the graph owns the store)."""
        graph = self._graph_ref()
        if graph is None:
            raise RuntimeError("the graph of this variable store no longer exists")
        return graph

    def get_variable(self, name: str, shape=None, dtype=tf.float32, initializer=None,
                     regularizer=None, reuse=None, trainable=None, collections=None,
                     caching_device=None, partitioner=None, validate_shape: bool = True,
                     use_resource=None, custom_getter=None, constraint=None,
                     synchronization=None, aggregation=None):
        """Gets or creates the variable ``name`` (a full name); see the module docstring."""
        try:
            dtype = dtype.base_dtype
        except AttributeError:
            pass

        def true_getter(name, shape=None, dtype=tf.float32, initializer=None, regularizer=None,
                        reuse=None, trainable=None, collections=None, caching_device=None,
                        partitioner=None, validate_shape=True, use_resource=None,
                        constraint=None, synchronization=None, aggregation=None):
            is_scalar = shape is not None and isinstance(shape, (list, tuple)) and not shape
            if partitioner is not None and not is_scalar:
                raise _errors.not_supported(
                    f"get_variable({name!r}, partitioner=...): a partitioned variable",
                    "drop the partitioner (one variable holds the whole shape).")
            return self._get_single_variable(
                name, shape=shape, dtype=dtype, initializer=initializer,
                regularizer=regularizer, reuse=reuse, trainable=trainable,
                collections=collections, validate_shape=validate_shape, constraint=constraint,
                caching_device=caching_device)

        if custom_getter is None:
            return true_getter(name, shape=shape, dtype=dtype, initializer=initializer,
                               regularizer=regularizer, reuse=reuse, trainable=trainable,
                               collections=collections, caching_device=caching_device,
                               partitioner=partitioner, validate_shape=validate_shape,
                               use_resource=use_resource, constraint=constraint,
                               synchronization=synchronization, aggregation=aggregation)
        if not callable(custom_getter):
            raise ValueError("Passed a custom_getter which is not callable: %s" % custom_getter)
        kwargs = dict(getter=true_getter, name=name, shape=shape, dtype=dtype,
                      initializer=initializer, regularizer=regularizer, reuse=reuse,
                      trainable=trainable, collections=collections,
                      caching_device=caching_device, partitioner=partitioner,
                      validate_shape=validate_shape, use_resource=use_resource,
                      synchronization=synchronization, aggregation=aggregation)
        if _accepts(custom_getter, "constraint"):
            kwargs["constraint"] = constraint
        return custom_getter(**kwargs)

    def _get_single_variable(self, name: str, shape=None, dtype=tf.float32, initializer=None,
                             regularizer=None, reuse=None, trainable=None, collections=None,
                             validate_shape: bool = True, constraint=None,
                             caching_device=None):
        from_value = initializer is not None and not callable(initializer)
        if shape is not None and from_value:
            raise ValueError("If initializer is a constant, do not specify shape.")
        dtype = tf.as_dtype(dtype)
        if shape is not None:
            shape = tf.TensorShape(shape)

        if name in self.vars:
            if reuse is False:
                raise ValueError(f"Variable {name} already exists, disallowed. Did you mean to "
                                 "set reuse=True or reuse=tf.AUTO_REUSE in VarScope?")
            found = self.vars[name]
            if shape is not None and not shape.is_compatible_with(found.get_shape()):
                raise ValueError(f"Trying to share variable {name}, but specified shape {shape} "
                                 f"and found shape {found.get_shape()}.")
            if not dtype.is_compatible_with(found.dtype):
                raise ValueError(f"Trying to share variable {name}, but specified dtype "
                                 f"{dtype.name} and found dtype {found.dtype.base_dtype.name}.")
            return found

        if reuse is True:
            raise ValueError(f"Variable {name} does not exist, or was not created with "
                             "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in "
                             "VarScope?")
        if initializer is None:
            if shape is None:
                raise ValueError(f"Variable {name} did not get an initializer, so its `shape` "
                                 "argument must be specified.")
            initializer, from_value = _default_initializer(name, dtype), False
        if from_value:
            init_val, variable_dtype = initializer, None
        else:
            if inspect.isclass(initializer):
                initializer = initializer()
            if shape is not None and shape.is_fully_defined():
                extra = {"partition_info": None} if _accepts(initializer, "partition_info",
                                                             via_kwargs=False) else {}
                init_val = functools.partial(initializer, shape.as_list(), dtype=dtype, **extra)
                variable_dtype = dtype.base_dtype
            elif _needs_no_arguments(initializer):
                init_val, variable_dtype = initializer, None
            else:
                raise ValueError("The initializer passed is not valid. It should be a callable "
                                 "with no arguments and the shape should not be provided or an "
                                 "instance of `tf.keras.initializers.*' and `shape` should be "
                                 "fully defined.")
        graph = self.graph
        with graph.as_default():
            var = _variables.Variable(initial_value=init_val, name=name, trainable=trainable,
                                      collections=collections, dtype=variable_dtype,
                                      validate_shape=validate_shape, constraint=constraint,
                                      shape=shape, caching_device=caching_device)
        self.vars[name] = var
        if regularizer:
            # TF1: once, colocated with the variable, under "<name>/Regularizer/", in
            # init_scope (no control dependencies of the caller).
            backing = graph.backing
            with graph.as_default(), backing.as_default(), \
                    backing.name_scope(name + "/Regularizer/"), \
                    backing.control_dependencies(None):
                loss = regularizer(var)
            if loss is not None:
                graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, graph._wrap(loss))
        return var


def _accepts(fn: Callable, arg: str, via_kwargs: bool = True) -> bool:
    """Whether ``fn`` names an argument ``arg``, or (``via_kwargs``) takes ``**kwargs``.

    TF1 passed ``partition_info`` only to initializers that name it, and ``constraint`` to
    custom getters that name it or take ``**kwargs``."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    if arg in params and params[arg].kind != inspect.Parameter.VAR_KEYWORD:
        return True
    return via_kwargs and any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values())


def _needs_no_arguments(fn: Callable) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(p.default is not inspect.Parameter.empty or
               p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
               for p in params)


def _default_initializer(name: str, dtype: tf.DType):
    """TF1: glorot_uniform for floating dtypes, zeros for integer/bool/string."""
    if dtype.is_floating:
        return _init.glorot_uniform_initializer()
    if dtype.is_integer or dtype.is_unsigned or dtype.is_bool or dtype == tf.string:
        return _init.zeros_initializer()
    raise ValueError(f"An initializer for variable {name} of {dtype.base_dtype} is required")


_STORES: "weakref.WeakKeyDictionary[_graph.Graph, _VariableStore]" = weakref.WeakKeyDictionary()


def _store(graph: "_graph.Graph | None" = None) -> _VariableStore:
    graph = graph or _graph.get_default_graph()
    store = _STORES.get(graph)
    if store is None:
        store = _STORES[graph] = _VariableStore(graph)
    return store


def current_scope_name(graph: "_graph.Graph | None" = None) -> str:
    """The variable scope name open in ``graph`` ("" at the root); TF1 prefixes slot names and
    non-slot optimizer variables with it."""
    return _store(graph).scopes.current_scope.name


def get_variable_scope() -> VariableScope:
    """The current ``VariableScope`` of the default graph (TF1 ``tf.get_variable_scope``)."""
    return _store().scopes.current_scope


def get_variable(name: str, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape: bool = True, use_resource=None, custom_getter=None,
                 constraint=None, synchronization=tf.VariableSynchronization.AUTO,
                 aggregation=tf.VariableAggregation.NONE):
    """TF1 ``tf.get_variable``: the variable ``<current scope>/<name>``, created or reused.

    ``initializer`` may be an initializer (called with the shape and dtype), a class, a
    constant (then ``shape`` must be None) or None (glorot_uniform / zeros). ``regularizer`` (or
    the scope's) is applied once to a new variable; see the module docstring. ``caching_device``
    and ``use_resource`` are accepted (variables are always resource variables, as tf.compat.v1
    makes them on TF2).
    """
    return get_variable_scope().get_variable(
        _store(), name, shape=shape, dtype=dtype, initializer=initializer,
        regularizer=regularizer, trainable=trainable, collections=collections,
        caching_device=caching_device, partitioner=partitioner, validate_shape=validate_shape,
        use_resource=use_resource, custom_getter=custom_getter, constraint=constraint,
        synchronization=synchronization, aggregation=aggregation)


def get_local_variable(name: str, shape=None, dtype=None, initializer=None, regularizer=None,
                       trainable: bool = False, collections=None, caching_device=None,
                       partitioner=None, validate_shape: bool = True, use_resource=None,
                       custom_getter=None, constraint=None,
                       synchronization=tf.VariableSynchronization.AUTO,
                       aggregation=tf.VariableAggregation.NONE):
    """TF1 ``tf.get_local_variable``: ``get_variable`` into ``LOCAL_VARIABLES``, not trainable."""
    collections = list(collections or []) + [GraphKeys.LOCAL_VARIABLES]
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                        regularizer=regularizer, trainable=False, collections=collections,
                        caching_device=caching_device, partitioner=partitioner,
                        validate_shape=validate_shape, use_resource=use_resource,
                        custom_getter=custom_getter, constraint=constraint)


def create_slot(primary, name: str, initializer=None, value=None, shape=None, dtype=None):
    """TF1's ``slot_creator``: a non-trainable variable ``<primary>/<name>`` (uniquified:
    ``<name>_1`` for a second one), made with ``variable_scope(None, default_name=...)`` and
    ``get_variable("")`` so the enclosing variable scope is prepended and reuse rules apply.

    Give either ``value`` (a tensor; the shape comes from it) or ``initializer`` with a fully
    defined ``shape`` and ``dtype``. Used by ExponentialMovingAverage; optimizer slots follow the
    same rule in TF1.
    """
    prefix = _tensor.unwrap(primary).op.name
    with variable_scope(None, prefix + "/" + name):
        scope = get_variable_scope()
        partitioner = scope.partitioner
        scope.set_partitioner(None)
        try:
            if value is not None:
                return get_variable("", initializer=value, trainable=False,
                                    validate_shape=value.get_shape().is_fully_defined())
            shape = tf.TensorShape(shape)
            return get_variable("", initializer=initializer, shape=shape, dtype=dtype,
                                trainable=False, validate_shape=shape.is_fully_defined())
        finally:
            scope.set_partitioner(partitioner)


# ----- variable_scope ---------------------------------------------------------------------------
def _wrap_custom_getter(custom_getter, old_getter):
    """Nested scopes' custom getters compose: the inner one calls the outer one."""
    if old_getter is None:
        return custom_getter

    def wrapped(getter, *args, **kwargs):
        return custom_getter(functools.partial(old_getter, getter), *args, **kwargs)
    return wrapped


def _unique_scope_name(store: _VariableStore, prefix: str) -> str:
    """``prefix``, or ``prefix_1``, ``prefix_2``... not yet opened under the current scope."""
    current = store.scopes.current_scope
    name = current.name + "/" + prefix if current.name else prefix
    if store.scopes.variable_scope_count(name) == 0:
        return prefix
    idx = 1
    while store.scopes.variable_scope_count(name + "_%d" % idx) > 0:
        idx += 1
    return prefix + "_%d" % idx


class _pure_variable_scope:  # noqa: N801 - mirrors TF1's helper
    """Switches the current VariableScope (no name scope)."""

    def __init__(self, name_or_scope, reuse=None, initializer=None, regularizer=None,
                 caching_device=None, partitioner=None, custom_getter=None,
                 old_name_scope=None, dtype=tf.float32, use_resource=None,
                 constraint=None) -> None:
        self._name_or_scope = name_or_scope
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._old_name_scope = old_name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        self._store = _store()
        self._last: VariableScope | None = None
        if isinstance(name_or_scope, VariableScope):
            self._new_name = name_or_scope.name
            scope = VariableScope(
                name_or_scope.reuse if not reuse else reuse, name=self._new_name,
                initializer=name_or_scope.initializer, regularizer=name_or_scope.regularizer,
                caching_device=name_or_scope.caching_device,
                partitioner=name_or_scope.partitioner, dtype=name_or_scope.dtype,
                custom_getter=name_or_scope.custom_getter,
                name_scope=name_or_scope.original_name_scope,
                use_resource=name_or_scope.use_resource, constraint=constraint)
            self._apply_overrides(scope, name_or_scope.custom_getter)
            self._cached = scope

    def _apply_overrides(self, scope: VariableScope, old_getter) -> None:
        if self._initializer is not None:
            scope.set_initializer(self._initializer)
        if self._regularizer is not None:
            scope.set_regularizer(self._regularizer)
        if self._caching_device is not None:
            scope.set_caching_device(self._caching_device)
        if self._partitioner is not None:
            scope.set_partitioner(self._partitioner)
        if self._custom_getter is not None:
            scope.set_custom_getter(_wrap_custom_getter(self._custom_getter, old_getter))
        if self._dtype is not None:
            scope.set_dtype(self._dtype)
        if self._use_resource is not None:
            scope.set_use_resource(self._use_resource)

    def __enter__(self) -> VariableScope:
        scopes = self._store.scopes
        self._old = scopes.current_scope
        if isinstance(self._name_or_scope, VariableScope):
            scopes.open_variable_scope(self._new_name)
            self._old_subscopes = copy.copy(scopes.variable_scopes_count)
            scope = self._cached
        else:
            old = self._old
            self._new_name = (old.name + "/" + self._name_or_scope if old.name
                              else self._name_or_scope)
            self._reuse = self._reuse or old.reuse
            name_scope = (self._name_or_scope if self._old_name_scope is None
                          else self._old_name_scope)
            scope = VariableScope(
                self._reuse, name=self._new_name, initializer=old.initializer,
                regularizer=old.regularizer, caching_device=old.caching_device,
                partitioner=old.partitioner, dtype=old.dtype, use_resource=old.use_resource,
                custom_getter=old.custom_getter, name_scope=name_scope,
                constraint=self._constraint)
            self._apply_overrides(scope, old.custom_getter)
            scopes.open_variable_scope(self._new_name)
        scopes.current_scope = scope
        self._last = scope
        return scope

    def __exit__(self, *exc) -> None:
        scopes = self._store.scopes
        if scopes.current_scope is not self._last:
            raise RuntimeError("Improper nesting of variable_scope.")
        if isinstance(self._name_or_scope, VariableScope):
            scopes.variable_scopes_count = self._old_subscopes
        else:
            scopes.close_variable_subscopes(self._new_name)
        scopes.current_scope = self._old


class variable_scope:  # noqa: N801 - TF1's name
    """TF1 ``tf.variable_scope(name_or_scope, default_name=None, values=None, initializer=None,
    regularizer=None, caching_device=None, partitioner=None, custom_getter=None, reuse=None,
    dtype=None, use_resource=None, constraint=None, auxiliary_name_scope=True)``.

    A context manager yielding the new ``VariableScope``: ``get_variable`` names get its prefix
    and defaults (initializer, regularizer, dtype, reuse, custom_getter). A string opens the name
    scope of that name; a ``VariableScope`` re-enters that scope; ``None`` with ``default_name``
    opens a uniquified ``default_name``. ``reuse`` is True, ``AUTO_REUSE`` or None/False
    (inherit).
    """

    def __init__(self, name_or_scope, default_name=None, values=None, initializer=None,
                 regularizer=None, caching_device=None, partitioner=None, custom_getter=None,
                 reuse=None, dtype=None, use_resource=None, constraint=None,
                 auxiliary_name_scope: bool = True) -> None:
        if default_name is None and name_or_scope is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if reuse is False:  # TF1: False means "inherit", it cannot turn reuse off
            reuse = None
        if not (reuse is True or reuse is None or reuse is AUTO_REUSE):
            raise ValueError("The reuse parameter must be True or False or None.")
        if not isinstance(auxiliary_name_scope, bool):
            raise TypeError("The auxiliary_name_scope must be `True` or `False`, while get "
                            f"{auxiliary_name_scope}")
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._initializer = initializer
        self._regularizer = regularizer
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._reuse = reuse
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint
        self._auxiliary_name_scope = auxiliary_name_scope
        self._graph = (_tensor._find_graph(values) if values is not None else None) or \
            _graph.get_default_graph()
        self._pure: _pure_variable_scope | None = None
        self._name_scope_cm: Any = None  # the backing graph's name_scope context, while open
        self._name_scope_name: str | None = None

    def _pure_kwargs(self) -> dict:
        return dict(initializer=self._initializer, regularizer=self._regularizer,
                    caching_device=self._caching_device, partitioner=self._partitioner,
                    custom_getter=self._custom_getter, dtype=self._dtype,
                    use_resource=self._use_resource, constraint=self._constraint)

    def __enter__(self) -> VariableScope:
        self._graph_cm = self._graph.as_default()
        self._graph_cm.__enter__()
        try:
            if self._pure is not None:  # re-entering the same object, as TF1 allowed
                if self._name_scope_name is not None:
                    self._name_scope_cm = self._graph.backing.name_scope(self._name_scope_name)
                    self._name_scope_cm.__enter__()
                return self._pure.__enter__()
            return self._enter_uncached()
        except BaseException:
            self._graph_cm.__exit__(None, None, None)
            raise

    def _open_name_scope(self, name: str) -> str:
        self._name_scope_name = name
        self._name_scope_cm = self._graph.backing.name_scope(name)
        return self._name_scope_cm.__enter__()

    def _enter_uncached(self) -> VariableScope:
        backing = self._graph.backing
        if self._auxiliary_name_scope:
            aux_name = None
        else:  # stay in the current name scope
            current = backing.get_name_scope()
            aux_name = current + "/" if current else ""
        if self._name_or_scope is not None:
            if not isinstance(self._name_or_scope, (VariableScope, str)):
                raise TypeError("VariableScope: name_or_scope must be a string or "
                                "VariableScope.")
            if isinstance(self._name_or_scope, str):
                scope_name = self._name_or_scope
            else:
                scope_name = self._name_or_scope.name.split("/")[-1]
            if scope_name or aux_name is not None:
                entered = self._open_name_scope(scope_name if aux_name is None else aux_name)
                old_name_scope = (entered if isinstance(self._name_or_scope, str)
                                  else self._name_or_scope.original_name_scope)
                pure = _pure_variable_scope(self._name_or_scope, reuse=self._reuse,
                                            old_name_scope=old_name_scope,
                                            **self._pure_kwargs())
            else:
                pure = _pure_variable_scope(self._name_or_scope, reuse=self._reuse,
                                            **self._pure_kwargs())
        else:
            if self._reuse:
                raise ValueError("reuse=True cannot be used without a name_or_scope")
            entered = self._open_name_scope(self._default_name if aux_name is None else aux_name)
            unique = _unique_scope_name(_store(self._graph), self._default_name)
            pure = _pure_variable_scope(unique, old_name_scope=entered, **self._pure_kwargs())
        try:
            scope = pure.__enter__()
        except BaseException:
            if self._name_scope_cm is not None:
                self._name_scope_cm.__exit__(None, None, None)
            raise
        self._pure = pure
        return scope

    def __exit__(self, *exc) -> None:
        assert self._pure is not None, "__exit__ without __enter__"
        try:
            self._pure.__exit__(*exc)
        finally:
            try:
                if self._name_scope_cm is not None:
                    self._name_scope_cm.__exit__(*exc)
            finally:
                self._graph_cm.__exit__(*exc)
