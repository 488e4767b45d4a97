#!/usr/bin/env bash
# A run and `bstrain eval` carry the evidence of issue #17: every metric of metrics.json with
# its 95% intervals (original keys unchanged), the calibration, the reliability diagram, and
# the intervals and ECE in eval's printed summary, agreeing with the run's.
source "$(dirname "$0")/lib.sh"

"$bstrain" synth "$work/data" --images-per-class 40
"$bstrain" train --model tiny --loss ce --train "$work/data/train" --val "$work/data/val" \
    --test "$work/data/test" --image-size 32 --batch 16 --epochs 2 --threads 2 \
    --run-dir "$work/run" --log-format quiet
"$bstrain" eval --weights "$work/run/weights/best.safetensors" --test "$work/data/test" --out "$work/eval" > "$work/eval.txt"
cat "$work/eval.txt"
for file in run/plots/reliability.svg eval/reliability.svg; do
    [[ -s "$work/$file" ]] || fail "no $file"
done
grep -q "^ACC .* (Wilson), .* (bootstrap)" "$work/eval.txt" || fail "eval printed no ACC interval"
grep -q "^AUC .* (DeLong" "$work/eval.txt" || fail "eval printed no AUC interval"
grep -q "^calibration: ECE " "$work/eval.txt" || fail "eval printed no calibration"
python3 - "$work/run/metrics.json" "$work/eval/metrics.json" <<'PY'
import json, sys
run, evaluated = (json.load(open(path))["test"] for path in sys.argv[1:])
for key in ["accuracy", "auc", "class_names", "confusion_matrix", "mean_sensitivity", "mean_specificity", "per_class"]:
    assert key in run, f"metrics.json lost {key}"
intervals = run["intervals"]
assert intervals["level"] == 0.95 and intervals["bootstrap"] == {"resamples": 2000, "seed": 0}
acc = intervals["accuracy"]
assert acc["wilson"]["lower"] <= run["accuracy"] <= acc["wilson"]["upper"], "ACC outside its Wilson interval"
assert intervals["auc"]["delong"]["lower"] <= run["auc"] <= intervals["auc"]["delong"]["upper"], "AUC outside its interval"
assert len(run["calibration"]["bins"]) == 15 and 0 <= run["calibration"]["ece"] <= 1
assert evaluated["intervals"] == intervals, "eval's intervals differ from the run's on the same images"
assert abs(evaluated["calibration"]["ece"] - run["calibration"]["ece"]) < 1e-12
print(f"evidence: ACC {run['accuracy']:.3f} Wilson [{acc['wilson']['lower']:.3f}, {acc['wilson']['upper']:.3f}], "
      f"ECE {run['calibration']['ece']:.3f}; run and eval agree")
PY
