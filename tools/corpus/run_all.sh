#!/bin/bash
# Usage: tools/corpus/run_all.sh [CORPUS_DIR]  (materialise first with materialise.py)
# Oracle first (2 reps), then shim,run; then the forced-seed runs for the two unseeded entries.
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}; RC=../shared/oracle/run_corpus.py; C=${1:-/work/corpus}
nice -n 19 $PY $RC --corpus $C --jobs 1 --modes oracle --raw $C/baseline.raw --out $C/oracle-only.json --md $C/oracle-only.md --fresh > $C/log.oracle 2>&1
nice -n 19 $PY $RC --corpus $C --jobs 1 --modes shim,run --raw $C/shim.raw --out $C/shim-only.json --md $C/shim-only.md --fresh > $C/log.shim 2>&1
# merge: oracle entries from baseline.raw into shim.raw, then resummarise
C=$C $PY - <<'PY'
import json, glob, os
for fp in glob.glob(os.environ['C'] + '/baseline.raw/*.json'):
    o = json.load(open(fp)); q = os.path.join(os.environ['C'] + '/shim.raw', os.path.basename(fp))
    s = json.load(open(q)) if os.path.exists(q) else {}
    s['oracle'] = o['oracle']; json.dump(s, open(q, 'w'), ensure_ascii=False)
PY
$PY $RC --corpus $C --resummarise --raw $C/shim.raw --out $C/baseline.json --md $C/baseline.md --fresh > $C/log.summary 2>&1
nice -n 19 $PY $RC --corpus $C --jobs 1 --force-seed 1 --only ad_linear_regression --only nfmcclure_batch_stochastic --raw $C/seed1.raw --out $C/seed1.json --md $C/seed1.md --fresh > $C/log.seed1 2>&1
echo done > $C/ALL_DONE
