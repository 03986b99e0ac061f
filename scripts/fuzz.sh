#!/usr/bin/env bash
# Fuzzes the afina-dataset crate with cargo-fuzz (libFuzzer): builds the targets of fuzz/,
# runs each one after the other for SECONDS_PER_TARGET seconds at nice 19, and prints a table
# of executions, exec/s, corpus size and crashes. Exits non-zero if any target crashed.
# Run by hand (not in CI); needs the nightly toolchain. See FUZZING.md.
#   scripts/fuzz.sh [SECONDS_PER_TARGET=200]
# Environment:
#   FUZZ_TARGETS          targets to run, space-separated (default: every target: parse stream xlsx)
#   FUZZ_FRESH=1          start each scratch corpus again from fuzz/seeds/ (default: keep what
#                         earlier runs found and add the seeds)
#   FUZZ_MAX_LEN          largest input in bytes (default 65536)
#   FUZZ_NICE             niceness of the build and the fuzzer (default 19)
#   FUZZ_ARGS             more libFuzzer flags, space-separated (for example -len_control=0)
#   CARGO_TARGET_DIR      build directory (default ~/.cache/afina-fuzz-target, apart from the
#                         main build so the two never wait for each other's lock)
# Scratch corpora and logs: ${TMPDIR:-/tmp}/afina-fuzz/; crash inputs: fuzz/artifacts/<target>/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

SECONDS_PER_TARGET="${1:-200}"
if ! [[ "${SECONDS_PER_TARGET}" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET=200]" >&2
    exit 2
fi
read -ra TARGETS <<<"${FUZZ_TARGETS:-parse stream xlsx}"
MAX_LEN="${FUZZ_MAX_LEN:-65536}"
NICE=(nice -n "${FUZZ_NICE:-19}")
read -ra EXTRA_ARGS <<<"${FUZZ_ARGS:-}"
SCRATCH="${TMPDIR:-/tmp}/afina-fuzz"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME}/.cache/afina-fuzz-target}"
case ":${PATH}:" in
    *":${HOME}/.cargo/bin:"*) ;;
    *) export PATH="${HOME}/.cargo/bin:${PATH}" ;;
esac

# 1. cargo-fuzz (crates.io) and the nightly toolchain.
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "the nightly toolchain is missing: rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> cargo install cargo-fuzz --locked"
    "${NICE[@]}" cargo install cargo-fuzz --locked
fi
echo "==> $(cargo fuzz --version), $(cargo +nightly --version)"

# 2. Build every target once (the runs below then only check that it is up to date).
echo "==> building the fuzz targets in ${CARGO_TARGET_DIR}"
build_start=${SECONDS}
"${NICE[@]}" cargo +nightly fuzz build --fuzz-dir fuzz
echo "==> built in $((SECONDS - build_start)) s"

# 3. Run the targets one at a time.
mkdir -p "${SCRATCH}"
declare -A EXECS RATE SECS CORPUS CORPUS_BYTES COV UNITS CRASH
failed=0
for target in "${TARGETS[@]}"; do
    seeds="fuzz/seeds/${target}"
    corpus="${SCRATCH}/${target}"
    artifacts="${ROOT}/fuzz/artifacts/${target}"
    log="${SCRATCH}/${target}.log"
    if [ ! -d "${seeds}" ]; then
        echo "no seeds for target '${target}' (${seeds})" >&2
        exit 2
    fi
    if [ "${FUZZ_FRESH:-0}" = 1 ]; then rm -rf "${corpus}"; fi
    mkdir -p "${corpus}" "${artifacts}"
    cp -- "${seeds}"/* "${corpus}/"
    before="$(ls -A "${artifacts}")"

    echo
    echo "==> fuzzing '${target}' for ${SECONDS_PER_TARGET} s (corpus ${corpus}, log ${log})"
    status=0
    "${NICE[@]}" cargo +nightly fuzz run --fuzz-dir fuzz "${target}" "${corpus}" -- \
        -max_total_time="${SECONDS_PER_TARGET}" -max_len="${MAX_LEN}" \
        -timeout=60 -print_final_stats=1 -artifact_prefix="${artifacts}/" \
        "${EXTRA_ARGS[@]}" >"${log}" 2>&1 || status=$?
    grep -E "^#[0-9]+[[:space:]]+DONE|^Done |^stat::|panicked at|^==[0-9]+==ERROR|^SUMMARY" "${log}" || tail -n 25 "${log}"

    # libFuzzer's last words: "stat::number_of_executed_units: N" and "Done N runs in S second(s)".
    execs="$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "${log}" | tail -n 1)"
    secs="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "${log}" | tail -n 1)"
    if [ -z "${execs}" ]; then
        execs="$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "${log}" | tail -n 1)"
    fi
    if [ -z "${execs}" ]; then
        # Stopped early (a crash): the last status line "#N ..." has the count so far.
        execs="$(sed -n 's/^#\([0-9]*\)[[:space:]].*/\1/p' "${log}" | tail -n 1)"
    fi
    EXECS[${target}]="${execs:-?}"
    SECS[${target}]="${secs:-?}"
    if [[ "${execs}" =~ ^[0-9]+$ && "${secs}" =~ ^[1-9][0-9]*$ ]]; then
        RATE[${target}]="$((execs / secs))"
    else
        RATE[${target}]="?"
    fi
    CORPUS[${target}]="$(find "${corpus}" -type f | wc -l)"
    CORPUS_BYTES[${target}]="$(du -sk "${corpus}" | cut -f1)"
    # The last status line: "#N DONE cov: C ft: F corp: U/Bb ...": coverage and units in use.
    last="$(grep -E "^#[0-9]+[[:space:]]" "${log}" | tail -n 1 || true)"
    COV[${target}]="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"${last}")"
    UNITS[${target}]="$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"${last}")"

    new="$(comm -13 <(printf '%s\n' "${before}") <(ls -A "${artifacts}") | head -n 1)"
    if [ "${status}" -ne 0 ] || [ -n "${new}" ]; then
        failed=1
        CRASH[${target}]="yes (exit ${status}; ${new:+fuzz/artifacts/${target}/${new}})"
        echo "!!! '${target}' crashed; see ${log} and ${artifacts}/" >&2
        grep -E "panicked at|==ERROR|^SUMMARY|Test unit written|^Base64:" "${log}" >&2 || true
    else
        CRASH[${target}]="no"
    fi
done

# 4. Summary.
echo
echo "==> results (${SECONDS_PER_TARGET} s per target, -max_len=${MAX_LEN})"
# corpus dir: files in the scratch corpus (seeds, every new unit libFuzzer wrote) and KiB on
# disk; corp: units in libFuzzer's working corpus at the end / their size; cov: edges covered.
printf '%-8s %8s %12s %8s %18s %16s %6s  %s\n' target seconds executions exec/s \
    "corpus dir (KiB)" corp cov crash
for target in "${TARGETS[@]}"; do
    printf '%-8s %8s %12s %8s %18s %16s %6s  %s\n' "${target}" "${SECS[${target}]}" \
        "${EXECS[${target}]}" "${RATE[${target}]}" \
        "${CORPUS[${target}]} (${CORPUS_BYTES[${target}]})" "${UNITS[${target}]:-?}" \
        "${COV[${target}]:-?}" "${CRASH[${target}]}"
done
exit "${failed}"
