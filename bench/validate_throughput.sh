#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): `afina validate` against the Python re-implementation
# of OpenAI's cookbook format checks, on the same generated chat JSONL, on this machine, in one run.
#   bench/validate_throughput.sh [SIZE_MB=100] [RUNS=5]
# Needs ../shared/bench/validate (beside the repository). Data goes to $TMPDIR, not the repo.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "${AFINA_ROOT}"

size_mb="${1:-100}"
runs="${2:-5}"
shared="${AFINA_ROOT}/../shared/bench/validate"
data_dir="${TMPDIR:-/tmp}/afina-bench"
data="${data_dir}/chat-${size_mb}mb.jsonl"
mkdir -p "${data_dir}"
[ -f "${data}" ] || python3 "${shared}/gen_chat.py" "${data}" "${size_mb}"

cargo build --release -p afina-cli --quiet
afina="${CARGO_TARGET_DIR}/release/afina"

python3 - "${shared}/openai_checks.py" "${afina}" "${data}" "${data_dir}" "${runs}" <<'PY'
import json, os, statistics, subprocess, sys, time

checks, afina, data, out_dir, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
size = os.path.getsize(data)
print(f"file: {data} ({size} bytes), {os.cpu_count()} cores, best and median of {runs} runs")

def python_run():
    # The baseline times its own loop (reading included, interpreter start excluded).
    out = subprocess.run([sys.executable, checks, data], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    return result["seconds"], result

def afina_run(*flags):
    # Afina is timed as a whole process: start, read, validate, print the JSON report, exit.
    report = os.path.join(out_dir, "report.json")
    with open(report, "w") as sink:
        start = time.perf_counter()
        code = subprocess.run([afina, "validate", "--json", *flags, data], stdout=sink).returncode
        seconds = time.perf_counter() - start
    assert code in (0, 1), f"afina exited with {code}"
    return seconds, json.load(open(report))

def measure(name, run, count):
    times, last = [], None
    for _ in range(count):
        seconds, last = run()
        times.append(seconds)
    best, median = min(times), statistics.median(times)
    print(f"{name:<44} best {best:7.3f} s ({size / best / 1e6:7.1f} MB/s)   median {median:7.3f} s")
    return best, median, last

py_best, py_median, py_result = measure("Python cookbook checks (baseline)", python_run, runs)
q_best, q_median, quick = measure("afina validate --quick (format checks)", lambda: afina_run("--quick"), runs)
f_best, f_median, full = measure("afina validate (full quality report)", lambda: afina_run(), runs)
s_best, s_median, streamed = measure("afina validate --stream (the same, streamed)", lambda: afina_run("--stream"), runs)
assert streamed["errors"] == full["errors"] and streamed["warnings"] == full["warnings"], "--stream differs"


def codes(report):
    counted = {}
    for error in report["errors"]:
        counted[error["code"]] = counted.get(error["code"], 0) + 1
    return counted

print(f"python errors: {py_result['errors']} in {py_result['lines']} lines")
print(f"afina --quick errors: {codes(quick)}, warnings: {len(quick['warnings'])}, rows: {quick['stats']['rows']}")
print(f"afina full errors: {codes(full)}, warnings: {len(full['warnings'])}, rows: {full['stats']['rows']}")
print(f"ratio --quick / python: best {py_best / q_best:.2f}x, median {py_median / q_median:.2f}x (target >= 8x)")
print(f"ratio full / python:    best {py_best / f_best:.2f}x, median {py_median / f_median:.2f}x")
print(f"ratio --stream / python: best {py_best / s_best:.2f}x, median {py_median / s_median:.2f}x (target >= 1x)")
PY
