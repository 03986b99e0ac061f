#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): how honest the default n-gram model's confidence
# is on sentences unlike its training rows. Trains on the app's built-in Spanish sample
# (public/samples/resenas.csv, 150 rows; the trainer holds 20 % of it out for validation and
# fits the temperature there) with four seeds (42 is the default) and scores ../shared/bench/es/resenas_eval.tsv
# (360 opinions from many domains): accuracy, expected calibration error (15 bins) and the
# temperature. Anchor measured before the small-validation rule (issue 14): accuracy 0.494,
# ECE 0.355, T 0.12.
#   bench/calibration_es.sh [extra `afina train` options]
#   AFINA_BIN=~/.cache/afina-target/debug/afina bench/calibration_es.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "${AFINA_ROOT}"

eval_tsv="${AFINA_ROOT}/../shared/bench/es/resenas_eval.tsv"
work="${TMPDIR:-/tmp}/afina-bench/calibration"
mkdir -p "${work}"
# AFINA_BIN: an `afina` binary already built (the figures do not depend on the build profile).
if [ -z "${AFINA_BIN:-}" ]; then
    cargo build --release -p afina-cli --quiet
fi
afina="${AFINA_BIN:-${CARGO_TARGET_DIR}/release/afina}"

printf '%-6s %10s %8s %8s\n' seed accuracy ECE T
for seed in 1 2 3 42; do
    model="${work}/resenas-${seed}.afina"
    "${afina}" train public/samples/resenas.csv --out "${model}" --model ngram --seed "${seed}" "$@" >"${work}/train-${seed}.log" 2>&1
    "${afina}" eval "${model}" "${eval_tsv}" --json >"${work}/eval-${seed}.json" || true
    python3 - "${work}/eval-${seed}.json" "${model}" "${seed}" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(f"{sys.argv[3]:<6} {report['accuracy']:>10.3f} {report['expected_calibration_error']:>8.3f} {report['temperature']:>8.3f}")
PY
done
