#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): multilingual-e5-small compiled to wasm32 and run
# by node on the CPU (burn's flex, one thread: what the training worker has without a GPU),
# beside the native figure on the same rows (../shared/bench/es/resenas_eval.tsv, 360 opinions,
# max length 128 tokens, batches of 32).
#   bench/wasm_embed.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "${AFINA_ROOT}"
data="${AFINA_SHARED:-${AFINA_ROOT}/../shared}/bench/es/resenas_eval.tsv"
work="${TMPDIR:-/tmp}/afina-bench/wasm-embed"
mkdir -p "${work}"
cargo build --release --quiet --target wasm32-unknown-unknown -p afina-wasm-embed
wasm-bindgen --target nodejs --out-dir "${work}/pkg" \
    "${CARGO_TARGET_DIR}/wasm32-unknown-unknown/release/afina_wasm_embed.wasm"
tail -n +2 "${data}" | cut -f1 >"${work}/texts.txt"
node - "${work}/pkg/afina_wasm_embed.js" "${AFINA_E5_MODEL}" "${work}/texts.txt" <<'JS'
const fs = require("fs");
const [pkg, model, texts] = process.argv.slice(2);
const { embed_speed } = require(pkg);
embed_speed(fs.readFileSync(model), fs.readFileSync(texts, "utf8"), 128, 32)
  .then((line) => console.log(`wasm (node ${process.version}): ${line}`))
  .catch((error) => { console.error(error); process.exit(1); });
JS
cargo build --release --quiet -p afina-cli
"${CARGO_TARGET_DIR}/release/afina" embed "${data}" --out "${work}/native.jsonl" --device cpu 2>&1 | tail -n 1 | sed 's/^/native: /'
