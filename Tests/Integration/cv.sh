#!/usr/bin/env bash
# bstrain cv: every image is tested once across the folds, finished folds are kept and an
# interrupted one continues, folds.csv's figures are its folds' runs' own (each read by its
# threshold) and its mean the mean of its fold rows, and 2 ranks give
# the 1-rank predictions (SGD and --sync-bn, as in mpi-equivalence.sh). File names carry the
# patient (p<k>_<n>.jpg), so --group-pattern is exercised as a user gives it.
source "$(dirname "$0")/lib.sh"

"$bstrain" synth "$work/synth" --images-per-class 36 > /dev/null
# Patients of 1-3 images each, named in the file name.
for class in class-0 class-1; do
    mkdir -p "$work/data/$class"
    index=0
    for file in "$work/synth/train/$class"/*.jpg; do
        cp "$file" "$work/data/$class/p$((index / 2))-$class""_$index.jpg"
        index=$((index + 1))
    done
done
options=(--folds 3 --train "$work/data" --group-pattern '^(p\d+-class-\d)_' --model tiny --image-size 32 --epochs 2
    --batch 12 --optimizer sgd --sync-bn --threads 1 --log-format quiet)

echo "1 rank"
"$bstrain" cv "${options[@]}" --run-dir "$work/cv-1" > "$work/log-1.txt"
echo "2 ranks"
mpirun_local -n 2 "$bstrain" cv "${options[@]}" --run-dir "$work/cv-2" > "$work/log-2.txt"

echo "again, with fold 2 interrupted after its checkpoint"
rm "$work/cv-1/fold-2/predictions-test.csv"
cp "$work/cv-1/predictions.csv" "$work/predictions-before.csv"
"$bstrain" cv "${options[@]}" --run-dir "$work/cv-1" > "$work/log-again.txt"
grep -q "fold 1/3: finished earlier" "$work/log-again.txt" || fail "fold 1 was not kept"
grep -q "fold 2/3: .*continuing from its checkpoint" "$work/log-again.txt" || fail "fold 2 did not continue"
cmp -s "$work/predictions-before.csv" "$work/cv-1/predictions.csv" || fail "the continued fold changed its predictions"

echo "--val is refused"
if "$bstrain" cv "${options[@]}" --val "$work/data" --run-dir "$work/cv-val" 2> "$work/err.txt"; then fail "--val was accepted"; fi
grep -q "cross-validation takes each fold's test and validation patients from --train" "$work/err.txt" || fail "unexpected message: $(cat "$work/err.txt")"

python3 - "$work" <<'PY'
import csv, json, sys
work = sys.argv[1]
def rows(path):
    with open(path) as file:
        return list(csv.DictReader(file))
one, two = rows(f"{work}/cv-1/predictions.csv"), rows(f"{work}/cv-2/predictions.csv")
paths = [row["path"] for row in one]
assert len(paths) == 72 and len(set(paths)) == 72, f"{len(paths)} predictions, {len(set(paths))} distinct; expected every image once"
for a, b in zip(one, two):
    assert a["path"] == b["path"] and a["fold"] == b["fold"], "2 ranks made other folds"
    for name in ("class-0", "class-1"):
        assert abs(float(a[name]) - float(b[name])) < 1e-3, f"{a['path']}: {a[name]} on 1 rank, {b[name]} on 2"
folds = rows(f"{work}/cv-1/folds.csv")
accuracies = [float(row["ACC"]) for row in folds[:3]]
for fold, accuracy in enumerate(accuracies, start=1):
    # The fold's own run called each class by its rule (a threshold chosen on its validation).
    run = json.load(open(f"{work}/cv-1/fold-{fold}/metrics.json"))["test"]["accuracy"]
    assert abs(run - accuracy) < 1e-9, f"fold {fold}: folds.csv ACC {accuracy}, its run's test ACC {run}"
mean = next(row for row in folds if row["fold"] == "mean")
assert abs(float(mean["ACC"]) - sum(accuracies) / 3) < 1e-9, "mean row is not the mean of the folds"
print(f"cv: 72 images tested once; 1 and 2 ranks agree; fold ACC {accuracies}")
PY
