#!/usr/bin/env bash
# Builds the kit bench/gpu_measure.sh runs on a GPU machine without network or Node.js:
#   bench/make_gpu_kit.sh KITDIR     (from the project's root; KITDIR outside git)
# ../shared/gpu/make-kit.sh's node, Dawn, Vulkan loader .debs and bundles of bench, train and
# make-tiny, plus sharp's prebuilt binaries (PNG) and the golden tiny UNet and tokenizer.
set -euo pipefail
kit=$1
../shared/gpu/make-kit.sh "$kit" trainer/bench.ts trainer/train.ts trainer/make_tiny.ts
tar -C node_modules -cJf "$kit/sharp.tar.xz" sharp @img detect-libc semver 2>/dev/null || tar -C node_modules -cJf "$kit/sharp.tar.xz" sharp @img
tar -C ../shared/reference -cJf "$kit/tiny-model.tar.xz" sd-tiny-a/model/unet sd-tiny-a/model/tokenizer sd-tiny-a/model/model_index.json sd-tiny-a/model/scheduler
cp bench/gpu_measure.sh "$kit/"
du -sh "$kit"
