#!/usr/bin/env bash
# Builds Afina (release) and serves it at http://127.0.0.1:8080 (override: PORT=…).
#   scripts/serve.sh
set -euo pipefail

# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "${AFINA_ROOT}"

"${AFINA_ROOT}/scripts/setup.sh"

# trunk --offline also passes --offline to cargo: fetch the crates first.
echo "==> cargo fetch"
cargo fetch
echo "==> trunk build --release --offline"
trunk build --release --offline

exec node tests/serve.mjs --dir dist --port "${PORT:-8080}"
