#!/usr/bin/env bash
# Runs the test suite on every TensorFlow release setup.cfg admits, one fresh virtual environment
# each (run before a release; about 15 minutes per release on 2 cores, plus the downloads).
#   tools/version_matrix.sh                 # the default matrix below
#   tools/version_matrix.sh 2.18.1 2.21.0   # chosen releases
# TF 2.16 is tested with numpy 1.x (the numpy it was built against); later releases with numpy 2.
set -uo pipefail
cd "$(dirname "$0")/.."
releases=("$@")
[ ${#releases[@]} -gt 0 ] || releases=(2.16.2 2.17.1 2.18.1 2.19.0 2.20.0 2.21.0)
status=0
for tf in "${releases[@]}"; do
  env_dir=".matrix/tf-$tf"
  python3 -m venv "$env_dir"
  numpy="numpy"
  case "$tf" in 2.16.*) numpy="numpy<2" ;; esac
  # TF <= 2.20's own write_graph passes float_format, which protobuf 7 removed (the tests'
  # tf.compat.v1 oracle needs it; the shim writes its graph files itself).
  protobuf="protobuf"
  case "$tf" in 2.1[6-9].*|2.20.*) protobuf="protobuf<7" ;; esac
  "$env_dir/bin/pip" install --quiet "tensorflow==$tf" "tf-keras~=${tf%.*}.0" "$numpy" "$protobuf" \
    && "$env_dir/bin/pip" install --quiet -e ".[test]"
  if TF_CPP_MIN_LOG_LEVEL=2 "$env_dir/bin/python" -m pytest -q -p no:cacheprovider tests \
       > "$env_dir/pytest.log" 2>&1; then
    echo "TF $tf: $(tail -n 1 "$env_dir/pytest.log")"
  else
    echo "TF $tf: FAILED: $(tail -n 1 "$env_dir/pytest.log") (log: $env_dir/pytest.log)"
    status=1
  fi
done
exit $status
