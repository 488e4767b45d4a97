#!/usr/bin/env bash
# --decision-threshold youden with --tta: the threshold chosen on validation (5 views per image)
# is stored in best.safetensors with the views, the run's test metrics use both, eval
# reproduces them from the weights, and predict's predicted column is the threshold applied
# to its probabilities.
source "$(dirname "$0")/lib.sh"

"$bstrain" synth "$work/data" --images-per-class 60 > /dev/null
"$bstrain" train --model tiny --train "$work/data/train" --val "$work/data/val" --test "$work/data/test" --image-size 64 \
    --batch 24 --epochs 3 --threads 2 --decision-threshold youden --tta --run-dir "$work/run" --log-format quiet > "$work/train.txt"
grep -q "decision threshold: class-1 when p(class-1) ≥" "$work/train.txt" || fail "no threshold reported: $(cat "$work/train.txt")"
weights="$work/run/weights/best.safetensors"
"$bstrain" eval --weights "$weights" --test "$work/data/test" --out "$work/eval" > "$work/eval.txt"
grep -q "test-time augmentation (5 views).*chosen on validation" "$work/eval.txt" || fail "eval does not name the views and threshold: $(head -1 "$work/eval.txt")"
"$bstrain" predict --weights "$weights" "$work/data/test" > "$work/predictions.csv"

python3 - "$work" "$weights" <<'PY'
import csv, json, struct, sys
work, weights = sys.argv[1:]
blob = open(weights, "rb").read()
metadata = json.loads(blob[8:8 + struct.unpack("<Q", blob[:8])[0]])["__metadata__"]
threshold = float(metadata["decision_threshold"])
assert 0 <= threshold <= 1, threshold
assert metadata.get("tta") == "true", metadata
run = json.load(open(f"{work}/run/metrics.json"))["test"]
evaluated = json.load(open(f"{work}/eval/metrics.json"))["test"]
assert abs(run["accuracy"] - evaluated["accuracy"]) < 1e-9, (run["accuracy"], evaluated["accuracy"])
rows = list(csv.DictReader(open(f"{work}/predictions.csv")))
assert len(rows) == 30, len(rows)
for row in rows:
    expected = "class-1" if float(row["class-1"]) >= threshold else "class-0"
    assert row["predicted"] == expected, (row, threshold)
correct = sum(row["predicted"] == row["path"].split("/")[-2] for row in rows)
assert abs(correct / len(rows) - run["accuracy"]) < 1e-9, (correct, run["accuracy"])
print(f"threshold {threshold:.4f}: run, eval and predict agree on test ACC {run['accuracy']:.4f}")
PY
