"""Counts how many of N random fuzzer programs are bit-equal to tf.compat.v1 (issue 8's figure).

    python tools/fuzz_count.py 120 --seed 20261203     # ~3 minutes on 2 cores
    python tools/fuzz_count.py 250 --seed 7 --json out.json

The suite's fuzzer (``tests/test_fuzz_equivalence.py``, long mode
``TFTRAIN_COMPAT_FUZZ_EXAMPLES=N``) stops at the first differing program and shrinks it; this
driver draws the same strategy (``programs()``) with a fixed hypothesis seed, runs every program
under the shim and under tf.compat.v1 (``assert_same_program``) and counts, so two versions of
the package can be compared on the same programs (``PYTHONPATH=<other checkout> python ...``).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("examples", type=int, help="how many programs to draw")
    parser.add_argument("--seed", type=int, default=0,
                        help="hypothesis seed (same seed, same programs)")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "tests"))
    import tensorflow as tf
    tf.compat.v1.disable_control_flow_v2()  # the tests' oracle builds TF 1.x control flow
    from hypothesis import HealthCheck, Phase, given, seed, settings

    from test_fuzz_equivalence import assert_same_program, programs

    result: dict = {"examples": args.examples, "seed": args.seed, "equal": 0, "differ": 0,
                    "error": 0, "failures": []}

    @seed(args.seed)
    @settings(max_examples=args.examples, database=None, phases=[Phase.generate],
              deadline=None, suppress_health_check=list(HealthCheck))
    @given(programs())
    def draw(program) -> None:
        try:
            assert_same_program(program)
            result["equal"] += 1
        except AssertionError as err:
            result["differ"] += 1
            result["failures"].append({"program": repr(program), "first": str(err)[:300]})
        except Exception as err:  # noqa: BLE001 - counted and reported, not hidden
            result["error"] += 1
            result["failures"].append({"program": repr(program), "error": repr(err)[:300]})

    start = time.perf_counter()
    draw()
    result["seconds"] = round(time.perf_counter() - start, 1)
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0 if result["differ"] == result["error"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
