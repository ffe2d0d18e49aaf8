"""TF1's ``tf.app.run``: absl's ``app.run`` with TF1's defaults.

``run(main=None, argv=None)``: ``main`` defaults to the ``main`` function of the ``__main__``
module (the script); the command line (``sys.argv`` unless ``argv`` is given) is parsed for the
flags defined so far, *known flags only* -- unknown ``--flags`` stay in the list handed to
``main`` instead of stopping the program, which is what TF1 did and plain absl does not -- then
``main(remaining_argv)`` is called and the process exits with its return value
(``sys.exit(main(argv))``). absl's ``--help``/``--helpfull`` flags and its handling of
``KeyboardInterrupt`` and usage errors are TF1's too, since TF1 called absl the same way.
"""
from __future__ import annotations

import sys
from typing import Any, Callable, NoReturn, Sequence

from absl import app as _absl_app

from tftrain_compat._src import errors as _errors
from tftrain_compat._src.flags import FLAGS


def _parse_known_flags(argv: Sequence[str] | None) -> list[str]:
    """absl's ``flags_parser`` hook: known flags only; returns argv[0] and what was not a flag."""
    return FLAGS(sys.argv if argv is None else list(argv), known_only=True)


def run(main: Callable[..., Any] | None = None, argv: Sequence[str] | None = None) -> NoReturn:
    """Runs ``main`` (default ``__main__.main``) with the parsed command line, then exits with its result."""
    if main is None:
        script = sys.modules["__main__"]
        main = getattr(script, "main", None)
        if main is None:
            raise AttributeError(_errors.with_help(
                "tf.app.run() was called without main and the __main__ module "
                f"{getattr(script, '__file__', '<__main__>')!r} has no function 'main'.",
                "define `def main(argv):` or pass tf.app.run(main=your_function)"))
    _absl_app.run(main=main, argv=None if argv is None else list(argv),
                  flags_parser=_parse_known_flags)
    raise AssertionError("absl.app.run returned")  # it always ends in sys.exit
