#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): stage 1 — a head on the frozen multilingual-e5-small
# (`afina train --model e5-small`) — beside the n-gram model trained from scratch, side by side;
# in the `es` section also stage 2: full fine-tuning (`--stage finetune`, row "e5-finetune") and
# the contrastive method (`--stage finetune --method contrastive`, row "e5-contrastive", ~4 min a
# seed on a CPU) and LoRA adapters (`--stage finetune --method lora`, row "e5-lora", not in the
# default rows: ES_KINDS=e5-lora bench/stage1.sh es).
#   es       train on public/samples/resenas.csv (150 rows), score ../shared/bench/es/resenas_eval.tsv
#            (360 opinions, many domains): accuracy and expected calibration error, seeds 1 2 3 42.
#   fewshot  8, 16 and 64 rows per class drawn from ../shared/bench/sst2/train.tsv (phrases of 6 words
#            or more; seeds 1–5), scored on dev.tsv. The trainer holds 20 % of those rows out for
#            validation (early stopping, temperature), as it does for any file.
#   full     all of SST-2's train.tsv, scored on dev.tsv (the n-gram model beside it).
#   fullft   stage 2 (full method) on FULL_FT_ROWS (default 8,000) rows of train.tsv, with stage 1
#            and the n-gram model on the same rows, scored on dev.tsv (FULL_FT_KINDS: the rows).
# Settings are the defaults of each model (chosen on splits of the training files, see
# bench/stage1_settings.sh), never on these evaluation files.
#   bench/stage1.sh [es] [fewshot] [full]        (default: es fewshot)
#   AFINA_BIN=path/to/afina bench/stage1.sh …     (skip the build)
#   ES_KINDS="ngram e5-small" bench/stage1.sh es   (only these rows)
#   FEW_K=16 FEW_KINDS=e5-contrastive bench/stage1.sh fewshot   (only these sizes and rows)
#   DEVICE=wgpu bench/stage1.sh full              (e5-small on wgpu; the n-gram model always
#                                                  trains on the CPU, where it is fastest)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "${AFINA_ROOT}"

shared="${AFINA_SHARED:-${AFINA_ROOT}/../shared}"
work="${TMPDIR:-/tmp}/afina-bench/stage1"
mkdir -p "${work}"
if [ -z "${AFINA_BIN:-}" ]; then
    cargo build --release -p afina-cli --quiet
fi
afina="${AFINA_BIN:-${CARGO_TARGET_DIR}/release/afina}"
device="${DEVICE:-cpu}"
sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(es fewshot)

# train DATA MODEL KIND SEED [options…] → prints "accuracy ece seconds" scored on $EVAL
score() {
    local data="$1" model="$2" kind="$3" seed="$4"
    shift 4
    local started ended
    local on=cpu
    local -a model_args=(--model "${kind}")
    [ "${kind}" = e5-small ] && model_args=(--model e5-small --stage head)
    [ "${kind}" = e5-finetune ] && model_args=(--model e5-small --stage finetune --method full)
    [ "${kind}" = e5-contrastive ] && model_args=(--model e5-small --stage finetune --method contrastive)
    [ "${kind}" = e5-lora ] && model_args=(--model e5-small --stage finetune --method lora)
    [ "${kind}" != ngram ] && on="${device}"
    started=$(date +%s.%N)
    "${afina}" train "${data}" --out "${model}" "${model_args[@]}" --seed "${seed}" \
        --device "${on}" "$@" >"${model}.log" 2>&1
    ended=$(date +%s.%N)
    "${afina}" eval "${model}" "${EVAL}" --json --device "${on}" >"${model}.json"
    python3 - "${model}.json" "${started}" "${ended}" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(f"{report['accuracy']:.4f} {report['expected_calibration_error']:.4f} {float(sys.argv[3]) - float(sys.argv[2]):.1f}")
PY
}

# mean and spread of a column of "accuracy ece seconds" lines
summary() {
    python3 -c '
import statistics, sys
rows = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
acc = [row[0] for row in rows]; ece = [row[1] for row in rows]; sec = [row[2] for row in rows]
spread = statistics.pstdev(acc) if len(acc) > 1 else 0.0
print(f"accuracy {statistics.mean(acc):.3f} ± {spread:.3f} · ECE {statistics.mean(ece):.3f} · train {statistics.mean(sec):.1f} s (n={len(rows)})")'
}

for section in "${sections[@]}"; do
    case "${section}" in
    es)
        EVAL="${shared}/bench/es/resenas_eval.tsv"
        echo "## Spanish, small data: resenas.csv (150 rows) → resenas_eval.tsv (360)"
        for kind in ${ES_KINDS:-ngram e5-small e5-finetune e5-contrastive}; do
            : >"${work}/es-${kind}.txt"
            for seed in 1 2 3 42; do
                line=$(score public/samples/resenas.csv "${work}/es-${kind}-${seed}.afina" "${kind}" "${seed}")
                echo "${line}" >>"${work}/es-${kind}.txt"
                printf '  %-14s seed %-3s accuracy %s ECE %s (%s s)\n' "${kind}" "${seed}" ${line}
            done
            printf '%-14s %s\n' "${kind}" "$(summary <"${work}/es-${kind}.txt")"
        done
        ;;
    fewshot)
        EVAL="${shared}/bench/sst2/dev.tsv"
        echo "## Few-shot SST-2: k rows per class from train.tsv (≥ 6 words) → dev.tsv (6,735)"
        for k in ${FEW_K:-8 16 64}; do
            for kind in ${FEW_KINDS:-ngram e5-small}; do
                : >"${work}/few-${k}-${kind}.txt"
            done
            for seed in 1 2 3 4 5; do
                sample="${work}/few-${k}-${seed}.tsv"
                python3 - "${shared}/bench/sst2/train.tsv" "${k}" "${seed}" >"${sample}" <<'PY'
import csv, random, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter="\t"))
k, seed = int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
print("sentence\tlabel")
for label in ("0", "1"):
    pool = [row for row in rows if row["label"] == label and len(row["sentence"].split()) >= 6]
    for row in rng.sample(pool, k):
        print(f"{row['sentence']}\t{label}")
PY
                for kind in ${FEW_KINDS:-ngram e5-small}; do
                    score "${sample}" "${work}/few-${k}-${seed}-${kind}.afina" "${kind}" "${seed}" \
                        >>"${work}/few-${k}-${kind}.txt"
                done
            done
            for kind in ${FEW_KINDS:-ngram e5-small}; do
                printf '%3s per class  %-9s %s\n' "${k}" "${kind}" "$(summary <"${work}/few-${k}-${kind}.txt")"
            done
        done
        ;;
    full)
        EVAL="${shared}/bench/sst2/dev.tsv"
        echo "## Full SST-2: train.tsv (60,614 rows) → dev.tsv (6,735), device ${device}"
        for kind in ngram e5-small; do
            line=$(score "${shared}/bench/sst2/train.tsv" "${work}/full-${kind}.afina" "${kind}" 42)
            printf '%-9s accuracy %s ECE %s (train %s s, embedding included, cache cold: %s)\n' \
                "${kind}" ${line} "$(grep -c 'from the cache' "${work}/full-${kind}.afina.log" || true) progress lines"
        done
        ;;
    fullft)
        # Stage 2 on as many SST-2 rows as one CPU core trains in about 20 minutes: a stratified
        # random FULL_FT_ROWS (default 8,000) of train.tsv, seed 42; the full method's default
        # settings (fixed before any run), stage 1 and the n-gram model on the same rows.
        EVAL="${shared}/bench/sst2/dev.tsv"
        rows="${FULL_FT_ROWS:-8000}"
        sample="${work}/sst2-${rows}.tsv"
        python3 - "${shared}/bench/sst2/train.tsv" "${rows}" >"${sample}" <<'PY'
import csv, random, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter="\t"))
wanted = int(sys.argv[2])
rng = random.Random(42)
rng.shuffle(rows)
share = {label: sum(row["label"] == label for row in rows) / len(rows) for label in ("0", "1")}
print("sentence\tlabel")
for label in ("0", "1"):
    for row in [row for row in rows if row["label"] == label][: round(wanted * share[label])]:
        print(f"{row['sentence']}\t{label}")
PY
        echo "## SST-2, ${rows} rows of train.tsv → dev.tsv (6,735), device ${device}"
        for kind in ${FULL_FT_KINDS:-ngram e5-small e5-finetune}; do
            line=$(score "${sample}" "${work}/fullft-${rows}-${kind}.afina" "${kind}" 42)
            printf '%-12s accuracy %s ECE %s (train %s s)\n' "${kind}" ${line}
        done
        ;;
    *)
        echo "unknown section ${section}: es, fewshot, full or fullft" >&2
        exit 2
        ;;
    esac
done
