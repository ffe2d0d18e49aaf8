"""TF1's ``tf.flags`` / ``tf.app.flags``: absl.flags with TF1's two additions.

TF 1.5 and later built ``tf.flags`` on absl and added (1) ``FLAGS`` that parses ``sys.argv``
the first time a flag's value is read before anything parsed the command line (absl alone
raises ``UnparsedFlagAccessError``), and (2) TF's older keyword names ``flag_name``,
``default_value`` and ``docstring`` on the ``DEFINE_string/boolean/bool/float/integer``
functions. Flags live in absl's global ``FlagValues``, as in TF1, so flags a script defines and
flags its libraries define through absl are the same registry.
"""
from __future__ import annotations

import functools
import logging
import sys
from typing import Any, Callable, Iterator

from absl import flags as _absl_flags

_log = logging.getLogger("tensorflow")

# The define wrappers below are not the module defining a flag: absl attributes each flag to the
# first calling module not disclaimed (the user's script), as TF1's own flags module arranged.
_absl_flags.disclaim_key_flags()

# TF's pre-absl keyword names -> absl's.
RENAMED_ARGUMENTS = {"flag_name": "name", "default_value": "default", "docstring": "help"}


def accept_old_names(define: Callable[..., Any]) -> Callable[..., Any]:
    """``define`` accepting ``flag_name=``/``default_value=``/``docstring=`` as TF1 did (with TF1's warning)."""

    @functools.wraps(define)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        old = [name for name in RENAMED_ARGUMENTS if name in kwargs]
        for name in old:
            kwargs[RENAMED_ARGUMENTS[name]] = kwargs.pop(name)
        if old:
            _log.warning("Use of the keyword argument names (flag_name, default_value, docstring) "
                         "is deprecated, please use (name, default, help) instead.")
        return define(*args, **kwargs)

    return wrapper


class LazyFlagValues:
    """absl's global ``FlagValues``, parsing ``sys.argv`` on the first read of an unparsed flag.

    Everything else (``FLAGS(argv)``, ``FLAGS['name']``, ``is_parsed()``, setting a value) is
    the wrapped object's own behaviour. Like TF1, the implicit parse is a full parse: an
    unknown ``--flag`` on the command line raises absl's ``UnrecognizedFlagError`` there
    (``tf.app.run`` instead parses known flags only and passes the rest to ``main``).
    """

    def __init__(self, flag_values: _absl_flags.FlagValues) -> None:
        self.__dict__["_wrapped"] = flag_values

    def __getattribute__(self, name: str) -> Any:
        if name == "__dict__":
            return object.__getattribute__(self, name)
        # The wrapped object's plain lookup, without its __getattr__ (which is what raises for an
        # unparsed flag): a flag's value then falls through to this class's __getattr__.
        return object.__getattribute__(self, "__dict__")["_wrapped"].__getattribute__(name)

    def __getattr__(self, name: str) -> Any:  # reached when the wrapped object raised
        wrapped = self.__dict__["_wrapped"]
        if not wrapped.is_parsed():
            wrapped(sys.argv)
        return getattr(wrapped, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.__dict__["_wrapped"], name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self.__dict__["_wrapped"], name)

    def __dir__(self) -> list[str]:
        return dir(self.__dict__["_wrapped"])

    def __getitem__(self, name: str) -> Any:
        return self.__dict__["_wrapped"][name]

    def __setitem__(self, name: str, flag: Any) -> None:
        self.__dict__["_wrapped"][name] = flag

    def __len__(self) -> int:
        return len(self.__dict__["_wrapped"])

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__["_wrapped"])

    def __str__(self) -> str:
        return str(self.__dict__["_wrapped"])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__dict__["_wrapped"](*args, **kwargs)


FLAGS = LazyFlagValues(_absl_flags.FLAGS)
DEFINE_string = accept_old_names(_absl_flags.DEFINE_string)
DEFINE_boolean = accept_old_names(_absl_flags.DEFINE_boolean)
DEFINE_bool = DEFINE_boolean
DEFINE_float = accept_old_names(_absl_flags.DEFINE_float)
DEFINE_integer = accept_old_names(_absl_flags.DEFINE_integer)
