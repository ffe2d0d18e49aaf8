"""``python -m tftrain_compat run|check SCRIPT``: see :mod:`tftrain_compat.cli`."""
from __future__ import annotations

import sys

from tftrain_compat.cli import main

if __name__ == "__main__":
    sys.exit(main())
