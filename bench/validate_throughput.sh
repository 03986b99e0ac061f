#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): `afina validate` against the Python re-implementation
# of OpenAI's cookbook format checks, on the same generated chat JSONL, on this machine.
#   bench/validate_throughput.sh [SIZE_MB=100]
# Needs ../shared/bench/validate (beside the repository). Data goes to $TMPDIR, not the repo.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "${AFINA_ROOT}"

size_mb="${1:-100}"
shared="${AFINA_ROOT}/../shared/bench/validate"
data_dir="${TMPDIR:-/tmp}/afina-bench"
data="${data_dir}/chat-${size_mb}mb.jsonl"
mkdir -p "${data_dir}"
[ -f "${data}" ] || python3 "${shared}/gen_chat.py" "${data}" "${size_mb}"
bytes=$(wc -c <"${data}")

cargo build --release -p afina-cli --quiet
afina="${CARGO_TARGET_DIR}/release/afina"

echo "file: ${data} (${bytes} bytes)"
echo "== Python cookbook checks (baseline) =="
python_out=$(python3 "${shared}/openai_checks.py" "${data}")
echo "${python_out}"
python_seconds=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "${python_out}")

echo "== afina validate --json (best of 3) =="
best=""
for _ in 1 2 3; do
    start=$(date +%s.%N)
    "${afina}" validate --json "${data}" >"${data_dir}/report.json" || [ $? -eq 1 ]
    end=$(date +%s.%N)
    seconds=$(python3 -c "print(${end} - ${start})")
    best=$(python3 -c "print(min(${seconds}, ${best:-${seconds}}))")
done
python3 - "${data_dir}/report.json" "${bytes}" "${best}" "${python_seconds}" <<'PY'
import json, sys
report, size, afina_s, python_s = json.load(open(sys.argv[1])), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
codes = {}
for e in report["errors"]:
    codes[e["code"]] = codes.get(e["code"], 0) + 1
print(f"errors by code: {codes}; warnings: {len(report['warnings'])}; rows: {report['stats']['rows']}")
print(f"afina:  {afina_s:.3f} s, {size / afina_s / 1e6:.1f} MB/s")
print(f"python: {python_s:.3f} s, {size / python_s / 1e6:.1f} MB/s")
print(f"ratio afina / python: {python_s / afina_s:.2f}x (target >= 8x)")
PY
