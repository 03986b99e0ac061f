#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): does augmentation help a small dataset?
# From ../shared/bench/sst2/train.tsv draw stratified subsets of N = 200, 500 and 2000 rows (three
# seeds each), hold out 20 % of each subset (stratified) for early stopping and calibration,
# augment only the other 80 % with `afina augment` (EDA-style: n_aug = 16 new rows per row for
# N <= 500, 8 for N = 2000, as Wei & Zou suggest), train with and without it using the same
# validation part, and score both on ../shared/bench/sst2/dev.tsv.
#   bench/augment_sst2.sh [extra `afina augment` options, e.g. --ops synonym,insert,swap,delete]
#   AFINA_N_AUG=4 bench/augment_sst2.sh   (new rows per row, instead of 16 / 8)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "${AFINA_ROOT}"

shared="${AFINA_ROOT}/../shared/bench/sst2"
work="${TMPDIR:-/tmp}/afina-bench/augment"
mkdir -p "${work}"
cargo build --release -p afina-cli --quiet
afina="${CARGO_TARGET_DIR}/release/afina"

python3 - "${afina}" "${shared}" "${work}" "$@" <<'PY'
import csv, json, os, random, statistics, subprocess, sys, time

afina, shared, work, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
dev = os.path.join(shared, "dev.tsv")

with open(os.path.join(shared, "train.tsv"), encoding="utf-8") as f:
    rows = [r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)][1:]
rows = [(r[0], r[1]) for r in rows if len(r) >= 2 and r[0].strip()]

def stratified(rows, n, rng):
    by_label = {}
    for row in rows:
        by_label.setdefault(row[1], []).append(row)
    picked = []
    for label, members in sorted(by_label.items()):
        share = round(n * len(members) / len(rows))
        picked += rng.sample(members, share)
    rng.shuffle(picked)
    return picked

def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("sentence\tlabel\n")
        for text, label in rows:
            f.write(f"{text}\t{label}\n")

def run(args):
    done = subprocess.run([afina, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"afina {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout

def accuracy(train_file, val_file, model, seed):
    run(["train", train_file, "--val", val_file, "--out", model, "--seed", str(seed)])
    return json.loads(run(["eval", model, dev, "--json"]))["accuracy"]

print(f"SST-2 subsets from {len(rows)} rows; scored on dev.tsv; afina augment {' '.join(extra)}")
print("| N | n_aug | seed | rows trained (plain → augmented) | plain | augmented | gain |")
print("|---:|---:|---:|---|---:|---:|---:|")
summary = []
for n in (200, 500, 2000):
    n_aug = int(os.environ["AFINA_N_AUG"]) if "AFINA_N_AUG" in os.environ else (16 if n <= 500 else 8)
    gains, plains, augs = [], [], []
    for seed in (1, 2, 3):
        rng = random.Random(seed * 1000 + n)
        subset = stratified(rows, n, rng)
        validation = stratified(subset, n // 5, rng)
        held = set(id(row) for row in validation)
        training = [row for row in subset if id(row) not in held]
        base = os.path.join(work, f"n{n}-s{seed}")
        train_file, val_file, aug_file = base + "-train.tsv", base + "-val.tsv", base + "-aug.tsv"
        write(train_file, training)
        write(val_file, validation)
        target = len(training) * (1 + n_aug)
        run(["augment", train_file, "--out", aug_file, "--target", str(target), "--seed", str(seed), *extra])
        with open(aug_file, encoding="utf-8") as f:
            augmented_rows = sum(1 for _ in f) - 1
        plain = accuracy(train_file, val_file, base + "-plain.afina", seed)
        aug = accuracy(aug_file, val_file, base + "-aug.afina", seed)
        plains.append(plain); augs.append(aug); gains.append(aug - plain)
        print(f"| {n} | {n_aug} | {seed} | {len(training)} → {augmented_rows} | {plain*100:.2f} % | {aug*100:.2f} % | {(aug-plain)*100:+.2f} |")
    summary.append((n, plains, augs, gains))

print("\n| N | plain, mean (min–max) | augmented, mean (min–max) | gain, mean (min–max) |")
print("|---:|---|---|---|")
for n, plains, augs, gains in summary:
    f = lambda xs: f"{statistics.mean(xs)*100:.2f} ({min(xs)*100:.2f}–{max(xs)*100:.2f})"
    g = lambda xs: f"{statistics.mean(xs)*100:+.2f} ({min(xs)*100:+.2f} to {max(xs)*100:+.2f})"
    print(f"| {n} | {f(plains)} | {f(augs)} | {g(gains)} |")
print("Targets: gain >= +2 points at N = 500 (mean over seeds); no loss at N = 2000.")
PY
