#!/usr/bin/env bash
# Issue 4: each of the paper's four networks, and ResNet-18, trains on real 128 x 128 chest
# X-rays from ../shared/data/chest2 with a decreasing loss. Eight images per class are trained
# on for a few epochs of one full batch each (CE + BSTriplet, Adam), so the loss must fall.
source "$(dirname "$0")/lib.sh"

data="$repository/../shared/data/chest2/train"
if [[ ! -d "$data" ]]; then
    echo "SKIP: $data is absent (the chest X-ray data lives in ../shared beside the repository)"
    exit 0
fi
for class in NORMAL PNEUMONIA; do
    mkdir -p "$work/subset/$class" "$work/val/$class"
    files=("$data/$class"/*.jpg)
    ln -s "${files[@]:0:8}" "$work/subset/$class/"
    ln -s "${files[@]:8:4}" "$work/val/$class/"
done

for model in mobilenetv3-small shufflenetv2 efficientnet-b1 peleenet resnet18; do
    start=$SECONDS
    "$bstrain" train --model "$model" --loss ce+bst --train "$work/subset" --val "$work/val" \
        --batch 16 --epochs 5 --iterations-per-epoch 1 --groups-per-class 1 --threads 2 \
        --run-dir "$work/run-$model" --log-format quiet >/dev/null
    python3 - "$work/run-$model/history.csv" "$model" "$((SECONDS - start))" <<'PY'
import csv, sys
path, model, seconds = sys.argv[1:]
losses = [float(row["train_loss"]) for row in csv.DictReader(open(path))]
print(f"{model}: training loss per epoch {' '.join(f'{x:.4f}' for x in losses)} ({seconds} s)")
assert losses[-1] < losses[0], f"{model}: the loss did not decrease"
PY
done
