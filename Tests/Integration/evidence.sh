#!/usr/bin/env bash
# A run and `bstrain eval` carry the evidence of issue #17: every metric of metrics.json with
# its 95% intervals (original keys unchanged), the calibration, the reliability diagram, and
# the intervals and ECE in eval's printed summary, agreeing with the run's; and --calibrate's
# temperature, which changes no predicted class and is applied by eval as by the run.
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
# float32 probabilities, batched differently by eval than by the run: equal to rounding.
assert abs(evaluated["calibration"]["ece"] - run["calibration"]["ece"]) < 1e-6
print(f"evidence: ACC {run['accuracy']:.3f} Wilson [{acc['wilson']['lower']:.3f}, {acc['wilson']['upper']:.3f}], "
      f"ECE {run['calibration']['ece']:.3f}; run and eval agree")
PY

# The same run with --calibrate: the same weights (same seed), a fitted temperature stored in
# best.safetensors, the same ACC and AUC (scaling keeps every class and the ranking), and eval
# applying the temperature exactly as the run's own report did.
"$bstrain" train --model tiny --loss ce --train "$work/data/train" --val "$work/data/val" \
    --test "$work/data/test" --image-size 32 --batch 16 --epochs 2 --threads 2 --calibrate \
    --run-dir "$work/calibrated" --log-format quiet > "$work/calibrated.txt" 2>&1
grep -q "temperature scaling: T = " "$work/calibrated.txt" || fail "train --calibrate fitted no temperature: $(cat "$work/calibrated.txt")"
"$bstrain" eval --weights "$work/calibrated/weights/best.safetensors" --test "$work/data/test" --out "$work/calibrated-eval" \
    > "$work/calibrated-eval.txt"
grep -q "probabilities at temperature" "$work/calibrated-eval.txt" || fail "eval does not say it applies the temperature"
python3 - "$work/run/metrics.json" "$work/calibrated/metrics.json" "$work/calibrated-eval/metrics.json" <<'PY'
import json, sys
plain, calibrated, evaluated = (json.load(open(path))["test"] for path in sys.argv[1:])
assert calibrated["accuracy"] == plain["accuracy"] and calibrated["confusion_matrix"] == plain["confusion_matrix"], "calibration changed a class"
assert abs(calibrated["auc"] - plain["auc"]) < 1e-9, "calibration changed the AUC of two classes"
assert abs(evaluated["calibration"]["ece"] - calibrated["calibration"]["ece"]) < 1e-6, "eval scaled differently from the run"
print(f"calibrate: test ECE {plain['calibration']['ece']:.3f} -> {calibrated['calibration']['ece']:.3f}, ACC unchanged")
PY
