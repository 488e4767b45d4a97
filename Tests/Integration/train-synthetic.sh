#!/usr/bin/env bash
# One rank trains `tiny` with CE + BSTriplet on the synthetic set and must learn it, leaving
# the complete run directory (docs/architecture.md, "The run directory").
source "$(dirname "$0")/lib.sh"

"$bstrain" synth "$work/data" --images-per-class 120
"$bstrain" train --model tiny --loss ce+bst --train "$work/data/train" --val "$work/data/val" \
    --test "$work/data/test" --image-size 64 --batch 24 --epochs 8 --threads 2 \
    --run-dir "$work/run" --log-format quiet

for file in config.yaml clusters.csv history.csv metrics.json roc.csv checkpoints/last.ckpt \
    weights/best.safetensors weights/last.safetensors plots/loss.svg plots/roc.svg \
    plots/confusion.svg plots/embeddings-pca.svg log.txt report.html; do
    [[ -s "$work/run/$file" ]] || fail "run directory lacks $file"
done
python3 - "$work/run" <<'PY'
import csv, json, sys
run = sys.argv[1]
metrics = json.load(open(f"{run}/metrics.json"))
accuracy = metrics["test"]["accuracy"]
print(f"test accuracy {accuracy:.3f}, AUC {metrics['test']['auc']:.3f}")
assert accuracy >= 0.9, f"tiny did not learn the synthetic set: test accuracy {accuracy}"
rows = list(csv.DictReader(open(f"{run}/history.csv")))
assert len(rows) == 8, f"history has {len(rows)} rows"
assert float(rows[-1]["train_loss"]) < float(rows[0]["train_loss"]), "training loss did not decrease"
PY
