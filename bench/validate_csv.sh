#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): streaming a big CSV (`afina validate --quick`)
# against the whole-file reader (`afina validate`, what files over 32 MB used to be refused for)
# and against Python's csv module merely reading the same file, in one run.
#   bench/validate_csv.sh [SIZE_MB=40] [RUNS=5]
# The CSV is written by tests/csv-file.mjs (text/label rows with known problems) to $TMPDIR.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "${AFINA_ROOT}"

size_mb="${1:-40}"
runs="${2:-5}"
data_dir="${TMPDIR:-/tmp}/afina-bench"
data="${data_dir}/reviews-${size_mb}mb.csv"
mkdir -p "${data_dir}"
[ -f "${data}" ] || node --input-type=module -e "
  const { writeReviewsCsv } = await import('${AFINA_ROOT}/tests/csv-file.mjs');
  await writeReviewsCsv('${data}', ${size_mb});"

cargo build --release -p afina-cli --quiet
afina="${CARGO_TARGET_DIR}/release/afina"

python3 - "${afina}" "${data}" "${runs}" <<'PY'
import csv, json, os, statistics, subprocess, sys, time

afina, data, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
size = os.path.getsize(data)
print(f"file: {data} ({size} bytes), {os.cpu_count()} cores, best and median of {runs} runs")

def python_read():
    # Only reads the records and counts them: no checks at all.
    start = time.perf_counter()
    with open(data, newline="", encoding="utf-8") as handle:
        records = sum(1 for _ in csv.reader(handle))
    return time.perf_counter() - start, {"records": records}

def afina_run(*flags):
    # Timed as a whole process: start, read, validate, print the JSON report, exit.
    start = time.perf_counter()
    out = subprocess.run([afina, "validate", "--json", *flags, data], capture_output=True)
    seconds = time.perf_counter() - start
    assert out.returncode in (0, 1), f"afina exited with {out.returncode}"
    return seconds, json.loads(out.stdout)

def measure(name, run, count):
    times, last = [], None
    for _ in range(count):
        seconds, last = run()
        times.append(seconds)
    best, median = min(times), statistics.median(times)
    print(f"{name:<52} best {best:7.3f} s ({size / best / 1e6:7.1f} MB/s)   median {median:7.3f} s")
    return best, median, last

py_best, py_median, py = measure("Python csv.reader, reading only (baseline)", python_read, runs)
q_best, q_median, quick = measure("afina validate --quick (streamed CSV checks)", lambda: afina_run("--quick"), runs)
f_best, f_median, full = measure("afina validate (whole file, full quality report)", afina_run, max(1, runs // 3))
located = lambda report: sorted((e["code"], e["line"]) for e in report["errors"])
print(f"ratio --quick / Python csv: best {py_best / q_best:.2f}x, median {py_median / q_median:.2f}x")
print(f"ratio --quick / whole-file afina: best {f_best / q_best:.2f}x, median {f_median / q_median:.2f}x")
print(f"rows: quick {quick['stats']['rows']}, full {full['stats']['rows']}; Python records {py['records']}")
print(f"same located errors: {located(quick) == located(full)} ({len(quick['errors'])} errors)")
PY
