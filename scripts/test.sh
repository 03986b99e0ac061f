#!/usr/bin/env bash
# Afina's full check: formatting, lints, native tests, the wasm build and the
# end-to-end test in headless Chromium (WebGPU and CPU). Exits non-zero on any
# failure.
#   scripts/test.sh
set -euo pipefail

# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "${AFINA_ROOT}"

section() {
    printf '\n======== %s ========\n' "$*"
    SECTION_START=${SECONDS}
}
done_section() {
    printf -- '-------- done in %ss --------\n' "$((SECONDS - SECTION_START))"
}
trap 'status=$?; if [ ${status} -ne 0 ]; then printf "\n!!!!!!!! FAILED (exit %s) !!!!!!!!\n" "${status}" >&2; fi' EXIT

section "setup"
"${AFINA_ROOT}/scripts/setup.sh"
done_section

section "static server unit test (node --test tests/serve.test.mjs)"
node --test tests/serve.test.mjs
done_section

section "cargo fetch"
cargo fetch
done_section

section "cargo fmt --all -- --check"
cargo fmt --all -- --check
done_section

section "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
done_section

section "cargo test --workspace"
cargo test --workspace
done_section

section "cargo clippy -p afina-app --target wasm32-unknown-unknown (page, then worker) -- -D warnings"
cargo clippy -p afina-app --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p afina-app --target wasm32-unknown-unknown --features worker -- -D warnings
done_section

section "trunk build --release --offline"
trunk build --release --offline
done_section

section "wasm sizes"
shopt -s nullglob
wasm_files=(dist/*.wasm)
shopt -u nullglob
if [ "${#wasm_files[@]}" -eq 0 ]; then
    echo "no dist/*.wasm after the build" >&2
    exit 1
fi
printf '%-40s %12s %12s\n' "file" "raw bytes" "gzip bytes"
for f in "${wasm_files[@]}"; do
    printf '%-40s %12d %12d\n' "${f}" "$(wc -c <"${f}")" "$(gzip -c "${f}" | wc -c)"
done
done_section

section "end-to-end (node --test tests/e2e.mjs tests/e2e-gpu.mjs tests/e2e-stream.mjs tests/e2e-load.mjs tests/e2e-train.mjs tests/e2e-table.mjs tests/e2e-a11y.mjs tests/e2e-encoder.mjs)"
node --test tests/e2e.mjs tests/e2e-gpu.mjs tests/e2e-stream.mjs tests/e2e-load.mjs tests/e2e-train.mjs tests/e2e-table.mjs tests/e2e-a11y.mjs tests/e2e-encoder.mjs
done_section

printf '\nAll checks passed.\n'
