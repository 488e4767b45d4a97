#!/usr/bin/env bash
# bstrain export --format onnx (#19 part 5): for every network, weights from a one-epoch run are
# exported, the model passes onnx.checker, and onnxruntime on images of the network's input size
# gives bstrain predict's probabilities and bstrain embed's embeddings to 1e-5, grey and colour,
# with and without a calibration temperature and test-time augmentation. Needs a Python with onnx, onnxruntime and numpy:
# BSTRAIN_ONNX_PYTHON, or the venv Scripts/setup makes in CI (~/.cache/bstrain/test-venv);
# without one the test says so and passes.
source "$(dirname "$0")/lib.sh"

python=${BSTRAIN_ONNX_PYTHON:-$HOME/.cache/bstrain/test-venv/bin/python}
if ! "$python" -c 'import onnx, onnxruntime, numpy' 2>/dev/null; then
    echo "SKIP: no Python with onnx, onnxruntime and numpy at $python; set BSTRAIN_ONNX_PYTHON to one" \
        "(python3 -m venv DIR && DIR/bin/pip install onnx onnxruntime numpy)"
    exit 0
fi
check() { "$python" "$repository/Scripts/onnx_check.py" "$@"; }

size=32
for channels in 1 3; do
    check images "$work/train-$channels" --size $size --channels $channels --per-class 4 --seed 1
    check images "$work/images-$channels" --size $size --channels $channels --per-class 3 --seed 2
done

# Grey and colour by turns, so both kinds of first convolution are exercised; the colour runs
# fit a calibration temperature (--calibrate), which predict and the model both apply. The first
# three networks average test-time views (--tta: the model samples them with GridSample), the
# others do not, so each pairing of views and temperature is met.
index=0
for model in $("$bstrain" models | sed -n 's/^\([a-z0-9-]*\): .*/\1/p'); do
    if ((index % 2 == 0)); then
        channels=1 calibration=() expectation=()
    else
        channels=3 calibration=(--calibrate) expectation=(--calibrated)
    fi
    if ((index < 3)); then views=--tta; else views=--no-tta; fi
    index=$((index + 1))
    run="$work/run-$model"
    # --no-bn-warmup: two steps on 8 images would give batch normalisation running variances
    # near 0 in the deep 1 x 1 layers, which magnify rounding far past what the comparison
    # checks; the start's 0 and 1 keep the network well-conditioned.
    "$bstrain" train --model "$model" --train "$work/train-$channels" --val "$work/images-$channels" --channels $channels \
        --image-size $size --batch 4 --epochs 1 $views "${calibration[@]}" --no-bn-warmup --threads 2 --run-dir "$run" \
        --log-format quiet >/dev/null
    weights="$run/weights/best.safetensors"
    "$bstrain" export --weights "$weights" --format onnx --out "$work/$model.onnx" >/dev/null
    "$bstrain" predict --weights "$weights" --threads 2 "$work/images-$channels" >"$work/$model-predict.csv"
    "$bstrain" embed --weights "$weights" --threads 2 "$work/images-$channels" --out "$work/$model-embed.csv" >/dev/null
    check compare "$work/$model.onnx" --predict "$work/$model-predict.csv" --embed "$work/$model-embed.csv" --channels $channels \
        "${expectation[@]}"
done
((index > 0)) || fail "bstrain models listed no network to export"
