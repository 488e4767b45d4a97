#!/usr/bin/env bash
# Integration test: runs `bstrain loss` on numpy fixtures (Tests/LossesTests/Fixtures, written by
# Scripts/loss_fixtures.py) for each metric loss and compares its last line and its
# --gradient-out CSV with the numpy values: loss to 1e-5 relative, gradient to 1e-4 of each
# row's largest component. Then feeds it bad input and expects a message and a non-zero exit,
# not a crash. Uses $BSTRAIN, or the debug build's binary.
set -euo pipefail
cd "$(dirname "$0")/../.."

bstrain="${BSTRAIN:-$(swift build --show-bin-path)/bstrain}"
if [[ ! -x "$bstrain" ]]; then
    echo "loss-cli: no bstrain binary at $bstrain; build it (swift build) or set BSTRAIN" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check() {
    local file=$1 case=$2
    shift 2
    echo "loss-cli: $file case $case: bstrain loss $*"
    python3 - "$file" "$case" "$work" <<'PY'
import json, sys
file, name, work = sys.argv[1:]
case = next(c for c in json.load(open(f"Tests/LossesTests/Fixtures/{file}"))["cases"] if c["name"] == name)
with open(f"{work}/embeddings.csv", "w") as out:
    out.writelines(",".join(repr(x) for x in row) + "\n" for row in case["embeddings"])
with open(f"{work}/labels.csv", "w") as out:
    out.writelines(f"{label}\n" for label in case["labels"])
PY
    "$bstrain" loss --embeddings "$work/embeddings.csv" --labels "$work/labels.csv" \
        --gradient-out "$work/gradient.csv" "$@" >"$work/output.txt"
    python3 - "$file" "$case" "$work" <<'PY'
import json, sys
file, name, work = sys.argv[1:]
case = next(c for c in json.load(open(f"Tests/LossesTests/Fixtures/{file}"))["cases"] if c["name"] == name)
loss = float(open(f"{work}/output.txt").read().splitlines()[-1])
if abs(loss - case["loss"]) > 1e-5 * max(abs(case["loss"]), 1e-6):
    sys.exit(f"loss-cli: {file} {name}: bstrain printed {loss}, numpy {case['loss']}")
rows = [[float(x) for x in line.split(",")] for line in open(f"{work}/gradient.csv").read().splitlines()]
for row, reference in zip(rows, case["gradient"], strict=True):
    scale = max(max(abs(x) for x in reference), 1e-6)
    for value, expected in zip(row, reference, strict=True):
        if abs(value - expected) > 1e-4 * scale:
            sys.exit(f"loss-cli: {file} {name}: gradient {value} vs numpy {expected}")
print(f"loss-cli:   loss {loss} matches numpy {case['loss']:.9g}; gradient matches")
PY
}

refuses() {
    local expected=$1
    shift
    echo "loss-cli: bad input: bstrain loss $*"
    if "$bstrain" loss "$@" >"$work/output.txt" 2>&1; then
        echo "loss-cli: bstrain loss $* succeeded; expected an error" >&2
        exit 1
    fi
    if ! grep -q -- "$expected" "$work/output.txt" || grep -q -e "Fatal error" -e "Backtrac" "$work/output.txt"; then
        echo "loss-cli: expected a message containing '$expected' and no crash trace, got:" >&2
        cat "$work/output.txt" >&2
        exit 1
    fi
}

check bst.json three_classes
check bst.json three_classes_plain_0.5 --bst-square plain --margin 0.5
check bst.json zero_vector
check triplet.json separated_classes_0.3 --loss triplet --margin 0.3
check lifted.json rows_without_positives --loss lifted
printf '1,2,3\n4,5\n' >"$work/ragged.csv"
printf '1,2\n3,x\n' >"$work/word.csv"
printf '1,2\n3,4\n5,6\n' >"$work/three.csv"
printf '1,2\n' >"$work/one.csv"
printf '0\n1\n' >"$work/two-labels.csv"
printf '0\n' >"$work/one-label.csv"
printf '0\n1\n0\n' >"$work/three-labels.csv"
refuses "same number of columns" --embeddings "$work/ragged.csv" --labels "$work/two-labels.csv"
refuses "'x' is not a finite number" --embeddings "$work/word.csv" --labels "$work/two-labels.csv"
refuses "has 3 embedding rows but" --embeddings "$work/three.csv" --labels "$work/two-labels.csv"
refuses "at least 2 samples" --embeddings "$work/one.csv" --labels "$work/one-label.csv"
refuses "outside the range" --embeddings "$work/three.csv" --labels "$work/three-labels.csv" --margin 2
# 200,000 rows would need hundreds of GB of pair matrices: refused with the figures, not aborted.
python3 -c "import sys; sys.stdout.write('0.5,0.25\\n' * 200000)" >"$work/many.csv"
python3 -c "import sys; sys.stdout.write('0\\n1\\n' * 100000)" >"$work/many-labels.csv"
refuses "of memory, but this machine has" --embeddings "$work/many.csv" --labels "$work/many-labels.csv"
echo "loss-cli: all passed"
