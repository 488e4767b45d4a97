#!/usr/bin/env bash
# bstrain compare --seeds 2: each cell of a tiny grid is trained once per seed in its own run
# directory, seeds.csv holds every run's own test figures, table.csv their mean and sample sd,
# table.md shows mean ± sd; --resume reuses finished runs and continues one that has no row
# yet, leaving the table as it was; --seeds 2 without a fixed split is refused.
source "$(dirname "$0")/lib.sh"

"$bstrain" synth "$work/data" --images-per-class 24 > /dev/null
common=(--train "$work/data/train" --val "$work/data/val" --test "$work/data/test" --models tiny --losses ce,ce+bst
    --seeds 2 --seed 7 --image-size 32 --epochs 2 --batch 12 --threads 1 --log-format quiet)

echo "compare --seeds 2"
"$bstrain" compare "${common[@]}" --out "$work/grid" > "$work/log.txt"
for file in table.md table.csv seeds.csv roc-tiny.svg runs/tiny-ce-seed7/metrics.json runs/tiny-ce+bst-seed8/metrics.json; do
    [[ -s "$work/grid/$file" ]] || fail "compare --seeds 2 left no $file"
done
python3 - "$work/grid" <<'PY'
import csv, json, statistics, sys
out = sys.argv[1]
runs = list(csv.DictReader(open(f"{out}/seeds.csv")))
assert [(row["loss"], row["seed"]) for row in runs] == [("ce", "7"), ("ce", "8"), ("ce+bst", "7"), ("ce+bst", "8")], runs
for row in runs:
    directory = f"{out}/runs/{row['network']}-{row['loss']}-seed{row['seed']}"
    assert f"seed: {row['seed']}" in open(f"{directory}/config.yaml").read(), f"{directory} was not trained with seed {row['seed']}"
    test = json.load(open(f"{directory}/metrics.json"))["test"]
    assert float(row["acc"]) == test["accuracy"] and float(row["auc"]) == test["auc"], f"seeds.csv row {row} differs from its run"
cells = list(csv.DictReader(open(f"{out}/table.csv")))
assert [(row["loss"], row["seeds"]) for row in cells] == [("ce", "2"), ("ce+bst", "2")], cells
for cell in cells:
    for column in ("sen", "spe", "acc", "auc"):
        values = [float(row[column]) for row in runs if row["loss"] == cell["loss"]]
        assert abs(float(cell[column]) - statistics.mean(values)) < 1e-12, f"{cell['loss']} {column}: not the mean of {values}"
        assert abs(float(cell[column + "_sd"]) - statistics.stdev(values)) < 1e-12, f"{cell['loss']} {column}: not the sample sd of {values}"
markdown = open(f"{out}/table.md").read()
assert "| Network | Loss | Seeds | SEN (%) | SPE (%) | ACC (%) | AUC |" in markdown and markdown.count(" ± ") >= 8, markdown
svg = open(f"{out}/roc-tiny.svg").read()
assert svg.count("<polyline") == 4 and "ce+bst, seed 8 (AUC = " in svg, "roc-tiny.svg lacks one curve per run"
print("seeds.csv: " + "; ".join(f"{row['loss']} seed {row['seed']} ACC {float(row['acc']):.3f}" for row in runs))
PY

echo "again with --resume, the last run's row gone as if it had stopped after its checkpoint"
cp "$work/grid/table.csv" "$work/table-before.csv"
sed -i '$d' "$work/grid/seeds.csv"
"$bstrain" compare "${common[@]}" --out "$work/grid" --resume > "$work/resume.txt"
[[ $(grep -c "results reused" "$work/resume.txt") == 3 ]] || fail "--resume did not reuse the three finished runs: $(cat "$work/resume.txt")"
grep -q "ce+bst, seed 8 .*(continuing)" "$work/resume.txt" || fail "--resume did not continue the run without a row: $(cat "$work/resume.txt")"
cmp -s "$work/table-before.csv" "$work/grid/table.csv" || fail "--resume changed the table of finished runs"

echo "--seeds 2 without --test or --val is refused"
if "$bstrain" compare --train "$work/data/train" --models tiny --losses ce --seeds 2 --out "$work/refused" 2> "$work/err.txt"; then
    fail "--seeds 2 without a fixed split was accepted"
fi
grep -q -- "--seeds 2 needs --test or --val" "$work/err.txt" || fail "unexpected message: $(cat "$work/err.txt")"
echo "compare-seeds: per-seed runs and rows, mean ± sd of them, resumed without change, unfixed split refused"
