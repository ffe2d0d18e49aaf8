"""What the command line does before TensorFlow is imported (imported first by ``__init__``).

``python -m tftrain_compat ...`` (and the ``tftrain-compat`` script) import this package before
its ``__main__`` runs, and the package imports TensorFlow, which takes seconds and prints its C++
start-up lines. When the process is that command, this module parses the command line first --
so ``--help``, ``--version`` and usage errors answer without importing TensorFlow, and ``run
--replicas N`` / ``run --multi-worker`` are recorded before TensorFlow starts its devices
(``_src/replica_devices.py`` declares the logical devices first, ``_src/multi_worker.py`` makes
the MultiWorkerMirroredStrategy) -- and, unless
the user set ``TF_CPP_MIN_LOG_LEVEL`` themselves, keeps TensorFlow's start-up lines quiet: it
sets ``TF_CPP_MIN_LOG_LEVEL=3`` and drops the known banner lines TensorFlow writes to stderr
while it starts (every other line it writes then is passed on). In any other process (``import
tftrain_compat as tf`` in a script) it does nothing.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile

# TensorFlow's start-up lines: C++ INFO/WARNING records, absl's pre-initialisation notice, the
# CPU-feature note's second line, the CUDA probe's error on machines without a GPU, and the
# duplicate cuDNN / cuFFT / cuBLAS factory registrations TF 2.17-2.19 report as errors.
_BANNER = re.compile(
    r"^(?:[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] .*"
    r"|E\d{4} \d\d:\d\d:\d+\.\d+ +\d+ cuda_\w+\.cc:\d+\] failed call to cuInit.*"
    r"|E\d{4} \d\d:\d\d:\d+\.\d+ +\d+ cuda_\w+\.cc:\d+\] Unable to register cu\w+ factory: "
    r"Attempting to register factory for plugin cu\w+ when one has already been registered"
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags\.)$")


def is_command_line() -> bool:
    """Whether this process is ``python -m tftrain_compat`` or the ``tftrain-compat`` script."""
    if sys.argv and sys.argv[0] == "-m":  # runpy imports the package before setting argv[0]
        orig = list(getattr(sys, "orig_argv", []))
        for i, arg in enumerate(orig):
            if arg == "-m":
                return i + 1 < len(orig) and orig[i + 1] == "tftrain_compat"
            if arg.startswith("-m"):
                return arg[2:] == "tftrain_compat"
        return False
    return bool(sys.argv) and os.path.basename(sys.argv[0]) in ("tftrain-compat", "tftrain-compat.exe")


def quiet_tensorflow_import() -> None:
    """Imports TensorFlow and starts its runtime with the banner lines dropped (see above)."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable stderr descriptor: nothing to filter
        return
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf
            from tftrain_compat._src import replica_devices
            replica_devices.configure_requested()  # logical devices: before the runtime starts
            from tftrain_compat._src import multi_worker
            multi_worker.configure_requested()  # the collective runtime: likewise
            tf.config.list_logical_devices()  # the runtime's start prints the second batch
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            text = captured.read().decode("utf-8", "replace")
            kept = [line for line in text.splitlines() if not _BANNER.match(line)]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
                sys.stderr.flush()


def before_tensorflow() -> None:
    """The command line's early step: parse (exits for --help, --version, usage errors), then quiet TF."""
    if not is_command_line():
        return
    from tftrain_compat import cli
    from tftrain_compat._src import replica_devices
    args = cli.parse_args(sys.argv[1:])
    if getattr(args, "replicas", None) is not None:
        replica_devices.request(args.replicas)  # configured before TensorFlow starts (__init__)
    if getattr(args, "multi_worker", False):
        from tftrain_compat._src import multi_worker
        multi_worker.request()  # the strategy is made before TensorFlow starts (__init__)
    if "TF_CPP_MIN_LOG_LEVEL" not in os.environ:
        quiet_tensorflow_import()


before_tensorflow()
