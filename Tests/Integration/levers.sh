#!/usr/bin/env bash
# The generalization options (docs/method.md, "Generalization options") on a real run: all of
# them at once train, are written to config.yaml, and resume to the same weights as a run never
# stopped (the moving average included); the cosine schedule's rates reach history.csv; bad
# values are refused naming the option.
source "$(dirname "$0")/lib.sh"

"$bstrain" synth "$work/data" --images-per-class 24 >/dev/null
# Over the paper's recipe, so each lever below is on only where this script turns it on.
base=(--recipe paper --model tiny --loss ce+bst --train "$work/data/train" --val "$work/data/val" --image-size 64
      --batch 8 --threads 1 --log-format quiet)
common=("${base[@]}" --augment radiograph --label-smoothing 0.1 --optimizer adamw --weight-decay 0.01
        --batch-mode class-balanced --ema 0.9)

same_weights() {  # same_weights RUN_A RUN_B: last.safetensors bit for bit
    cmp -s "$1/weights/last.safetensors" "$2/weights/last.safetensors"
}

echo "every lever on, 3 epochs straight and 2 + 1 resumed"
"$bstrain" train "${common[@]}" --epochs 3 --run-dir "$work/straight"
"$bstrain" train "${common[@]}" --epochs 2 --run-dir "$work/split"
"$bstrain" train --resume "$work/split" --epochs 3
same_weights "$work/straight" "$work/split" || fail "the resumed run's (averaged) weights differ from the uninterrupted run's"
for line in "augment: radiograph" "label-smoothing: 1e-1" "optimizer: adamw" "batch-mode: class-balanced" "ema: 9e-1" \
            "lr-schedule: plateau" "warmup-epochs: 0"; do
    grep -qx "$line" "$work/straight/config.yaml" || fail "config.yaml lacks '$line'"
done

echo "cosine schedule with 2 warm-up epochs over 4"
"$bstrain" train "${common[@]}" --epochs 4 --lr 0.002 --min-lr 0 --lr-schedule cosine --warmup-epochs 2 --run-dir "$work/cosine"
rates=$(cut -d, -f2 "$work/cosine/history.csv" | tail -n +2 | tr '\n' ' ')
python3 - "$rates" <<'PY' || fail "history.csv rates $rates are not 0.001 0.002 0.002 0.001"
import sys
rates = [float(x) for x in sys.argv[1].split()]
sys.exit(0 if all(abs(a - b) <= 1e-9 for a, b in zip(rates, [0.001, 0.002, 0.002, 0.001])) and len(rates) == 4 else 1)
PY

echo "an old config.yaml's 'augment: true' is the paper's set"
printf 'augment: true\n' > "$work/old.yaml"
"$bstrain" train --config "$work/old.yaml" "${base[@]}" --epochs 1 --run-dir "$work/old" >/dev/null
grep -qx "augment: paper" "$work/old/config.yaml" || fail "'augment: true' should be written back as 'augment: paper'"

refused() {  # refused PATTERN OPTION...: the run stops before training with a message matching PATTERN
    refused_train "$1" "${common[@]}" --epochs 1 --run-dir "$work/refused" "${@:2}"
}
refused "--ema 1.0 is not valid" --ema 1
refused "label smoothing must be in \[0, 1)" --label-smoothing 1.5
refused "--warmup-epochs 2 is not valid" --warmup-epochs 2
refused "--warmup-epochs 4 is not valid" --lr-schedule cosine --warmup-epochs 4 --epochs 4
echo "levers: ok"
