#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): what each stage-2 method costs on a device — the
# whole run's wall time, its peak memory (RSS, /usr/bin/time) and the stage-2 steps it took — on
# 24 rows of public/samples/resenas.csv (8 per label; 20 % held out), one epoch of
# stage 2 (full, lora) or 2 pairs a row (contrastive), sentence vectors not cached. The time of
# a stage-2 step is (method's run − head's run) / steps. For lavapipe (software Vulkan), where a
# step takes tens of seconds, that is the only practical size.
#   DEVICE=wgpu bash bench/stage2_devices.sh      (default: cpu)
#   AFINA_BIN=path/to/afina …                     (skip the build)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "${AFINA_ROOT}"
if [ -z "${AFINA_BIN:-}" ]; then
    cargo build --release -p afina-cli --quiet
fi
afina="${AFINA_BIN:-${CARGO_TARGET_DIR}/release/afina}"
device="${DEVICE:-cpu}"
work="${TMPDIR:-/tmp}/afina-bench/stage2-devices"
mkdir -p "${work}"
data="${work}/resenas-24.csv"
python3 - public/samples/resenas.csv >"${data}" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
header, body = rows[0], rows[1:]
taken = {}
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(header)
for row in body:
    if taken.get(row[-1], 0) < 8:
        taken[row[-1]] = taken.get(row[-1], 0) + 1
        out.writerow(row)
PY
echo "## Stage 2 per method on ${device}: 24 rows, 1 epoch / 2 pairs a row, no cache"
echo "| method | whole run s | peak RSS MB | stage-2 steps | s a step (vs head run) |"
echo "|---|---:|---:|---:|---:|"
head_seconds=""
for method in head full lora contrastive; do
    case "${method}" in
    head) args=(--stage head) ;;
    contrastive) args=(--stage finetune --method contrastive --pairs-per-row 2) ;;
    *) args=(--stage finetune --method "${method}" --finetune-epochs 1) ;;
    esac
    log="${work}/${device}-${method}.log"
    /usr/bin/time -f "%e %M" -o "${work}/${device}-${method}.time" "${afina}" train "${data}" \
        --out "${work}/${device}-${method}.afina" --model e5-small --no-cache --seed 42 \
        --device "${device}" "${args[@]}" >"${log}" 2>&1
    read -r seconds kilobytes <"${work}/${device}-${method}.time"
    # Stage 2's rows (full, lora: the last "training on N rows"; contrastive: its pairs) in
    # batches of 16.
    case "${method}" in
    head) steps=0; head_seconds="${seconds}" ;;
    contrastive) steps=$(( ($(grep -o 'on [0-9]* pairs' "${log}" | head -1 | tr -dc 0-9) + 15) / 16 )) ;;
    *) steps=$(( ($(grep -o 'training on [0-9]* rows' "${log}" | tail -1 | tr -dc 0-9) + 15) / 16 )) ;;
    esac
    python3 - "${method}" "${seconds}" "${kilobytes}" "${steps}" "${head_seconds}" <<'PY'
import sys
method, seconds, kilobytes, steps, head = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
per_step = f"{(seconds - head) / steps:.1f}" if steps else "—"
print(f"| {method} | {seconds:.1f} | {kilobytes / 1024:.0f} | {steps} | {per_step} |")
PY
done
