#!/usr/bin/env bash
# How stage 1's defaults were chosen: mean validation accuracy and calibration error over five
# stratified splits (30 % held out) of the TRAINING sample public/samples/resenas.csv, for a
# small grid of head settings. No evaluation file is read here.
# Usage: bench/stage1_settings.sh   (needs scripts/setup.sh's weights; builds the release CLI)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
cargo build --release -q -p afina-cli
afina="$CARGO_TARGET_DIR/release/afina"
data=public/samples/resenas.csv
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-62s %9s %9s\n' settings accuracy ece_after
while read -r settings; do
  [ -z "$settings" ] && continue
  accuracy=0; ece=0
  for seed in 1 2 3 4 5; do
    # shellcheck disable=SC2086
    line=$("$afina" train "$data" --out "$out/m.afina" --model e5-small --val-split 0.3 \
      --seed "$seed" $settings 2>/dev/null | grep '^validation accuracy')
    a=$(sed -E 's/^validation accuracy ([0-9.]+) %.*/\1/' <<<"$line")
    e=$(sed -E 's/.*calibration error [0-9.]+ % → ([0-9.]+) %.*/\1/' <<<"$line")
    accuracy=$(echo "$accuracy + $a / 5" | bc -l); ece=$(echo "$ece + $e / 5" | bc -l)
  done
  printf '%-62s %8.1f%% %8.1f%%\n' "$settings" "$accuracy" "$ece"
done <<'GRID'
--label-smoothing 0 --learning-rate 0.01 --weight-decay 0.01
--label-smoothing 0 --learning-rate 0.003 --weight-decay 0.01
--label-smoothing 0 --learning-rate 0.001 --weight-decay 0.01
--label-smoothing 0 --learning-rate 0.01 --weight-decay 0.1
--label-smoothing 0 --learning-rate 0.003 --epochs 10
--label-smoothing 0 --learning-rate 0.01 --batch-size 32
--label-smoothing 0 --learning-rate 0.003 --hidden 64
--label-smoothing 0.1 --learning-rate 0.01 --weight-decay 0.1
--label-smoothing 0.1 --learning-rate 0.003 --weight-decay 0.01
GRID
