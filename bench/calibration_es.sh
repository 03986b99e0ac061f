#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): how honest the default n-gram model's confidence
# is on sentences unlike its training rows. Trains on the app's built-in Spanish sample
# (public/samples/resenas.csv, 150 rows; the trainer holds 20 % of it out for validation and
# fits the temperature there) with three seeds and scores ../shared/bench/es/resenas_eval.tsv
# (360 opinions from many domains): accuracy, expected calibration error (15 bins) and the
# temperature. Anchor measured before the small-validation rule (issue 14): accuracy 0.494,
# ECE 0.355, T 0.12.
#   bench/calibration_es.sh [extra `afina train` options]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "${AFINA_ROOT}"

eval_tsv="${AFINA_ROOT}/../shared/bench/es/resenas_eval.tsv"
work="${TMPDIR:-/tmp}/afina-bench/calibration"
mkdir -p "${work}"
cargo build --release -p afina-cli --quiet
afina="${CARGO_TARGET_DIR}/release/afina"

printf '%-6s %10s %8s %8s\n' seed accuracy ECE T
for seed in 1 2 3; do
    model="${work}/resenas-${seed}.afina"
    "${afina}" train public/samples/resenas.csv --out "${model}" --seed "${seed}" "$@" >/dev/null
    "${afina}" eval "${model}" "${eval_tsv}" --json >"${work}/eval-${seed}.json" || true
    python3 - "${work}/eval-${seed}.json" "${model}" "${seed}" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
metrics = report.get("metrics", report)
accuracy = metrics.get("accuracy")
ece = report.get("expected_calibration_error")
print(f"{sys.argv[3]:<6} {accuracy:>10.3f} {ece:>8.3f} {report.get('temperature', float('nan')):>8.3f}")
PY
done
