#!/usr/bin/env bash
# All the GPU measurements of issues 9 and 10 in one run, for a kit made by bench/make_gpu_kit.sh:
#   bash KIT/run-kit.sh 'bash KIT/gpu_measure.sh KIT [LATENT] [TRAIN_STEPS]'
# (run-kit.sh sets $NODE and $ANCHOR and runs this from /tmp/kit). Writes logs to $OUT (or /tmp/out).
# 1. bench:trainer on webgpu: the tiny UNet at 512 px, SD1.5's UNet with and without gradient
#    checkpointing, beside the PyTorch anchor (fp32, and bf16 for SD1.5) run in the same bench run;
# 2. meanwhile, on the CPU backend (no GPU use), make-tiny --config sd15 writes a full-size pipeline;
# 3. the seed's training command on it for TRAIN_STEPS steps at 512 px on webgpu, with validation,
#    a checkpoint and the diffusers-layout output, while nvidia-smi samples the GPU's memory.
set -uo pipefail
# SD15_UNET and PIPELINE (tiny|sd15) shrink the run for a rehearsal on lavapipe.
kit=$1; latent=${2:-64}; train_steps=${3:-20}
sd15_unet=${SD15_UNET:-$ANCHOR/sd15_unet.json}; pipeline=${PIPELINE:-sd15}
out=${OUT:-/tmp/out}; mkdir -p "$out"
res=$((latent * 8))
mkdir -p node_modules && tar -C node_modules -xJf "$kit/sharp.tar.xz"
tar -xJf "$kit/tiny-model.tar.xz"
nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv 2>&1 | tee "$out/gpu.txt"
t0=$SECONDS
# TRAIN_STEPS 0: the bench alone.
[ "$train_steps" -gt 0 ] && (INKSTONE_BACKEND=cpu $NODE make_tiny.mjs --out /tmp/sd15 --config $pipeline --tokenizer_from sd-tiny-a/model/tokenizer --num_images 8 > "$out/make_sd15.log" 2>&1
 echo "rc=$? after $((SECONDS - t0)) s" >> "$out/make_sd15.log") &
maker=$!
$NODE bench.mjs --backends webgpu --cases tiny,sd15_ckpt,sd15 --sizes $res --sd15_latent $latent --steps 3 --warmup 2 --processes 1 \
  --model sd-tiny-a/model --sd15_config "$sd15_unet" --anchor "$ANCHOR" --anchor_modes fp32,bf16 2>&1 | grep -v '^Warning: maxDynamic' | tee "$out/bench.log"
echo "bench done after $((SECONDS - t0)) s"
if [ "$train_steps" -eq 0 ]; then sed -n '/^backend  case/,/^$/p' "$out/bench.log"; exit 0; fi
wait $maker; cat "$out/make_sd15.log" | grep -v '^Warning: maxDynamic'
(while sleep 0.5; do nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits 2>/dev/null || break; done > "$out/train_smi.txt") &
smi=$!
$NODE train.mjs --pretrained_model_name_or_path=/tmp/sd15/model --dataset_name=/tmp/sd15/dataset \
  --use_ema --resolution=$res --center_crop --random_flip --train_batch_size=1 --gradient_accumulation_steps=1 \
  --gradient_checkpointing --max_train_steps=$train_steps --learning_rate=1e-05 --max_grad_norm=1 --seed=42 \
  --lr_scheduler=constant --lr_warmup_steps=0 --output_dir=/tmp/sd15-out --checkpointing_steps=$train_steps \
  --validation_prompts "a fox wearing a hat" --validation_epochs=5 --backend webgpu 2>&1 | grep -v '^Warning: maxDynamic' > "$out/train.log"
kill $smi 2>/dev/null
echo "train done after $((SECONDS - t0)) s"
grep -v '\r' "$out/train.log" | tail -25
(cd /tmp/sd15-out && find . -maxdepth 2 | sort && du -sh ./*) > "$out/train_output.txt" 2>&1
cat "$out/train_output.txt"
find /tmp/sd15-out -name '*.png' | head -1 | xargs -r -I{} cp {} "$out/validation.png"
echo "== summary ($(head -2 "$out/gpu.txt" | tail -1))"
sed -n '/^backend  case/,/^$/p' "$out/bench.log"
grep -E '^  (tiny|sd15)' "$out/bench.log"
echo "make sd15: $(tail -1 "$out/make_sd15.log")"
echo "train: $(grep -E 'tfjs backend' "$out/train.log"); $(tail -1 "$out/train.log"); GPU memory.used peak during train: $(sort -n "$out/train_smi.txt" | tail -1) MiB"
