#!/usr/bin/env bash
# After a short run of `tiny` on the synthetic set: eval reproduces the run's own test metrics,
# predict and embed cover every image and report bad files, wrong weights files get clear
# errors, and compare writes its table and overlay ROC plot from a grid of two losses and
# continues a finished grid without training again.
source "$(dirname "$0")/lib.sh"

# Runs "$@", which must fail with a message on stderr containing $expected.
expect_error() {
    local expected=$1
    shift
    if "$@" >"$work/stdout" 2>"$work/stderr"; then fail "succeeded, expected an error: $*"; fi
    grep -qF -- "$expected" "$work/stderr" || fail "expected '$expected' from: $*; stderr was: $(cat "$work/stderr")"
}

# A copy of weights file $1 at $2 with its safetensors metadata changed by the Python
# statement $3 (on `metadata`, a dict; `del header["__metadata__"]` drops it).
edit_metadata() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, struct, sys
source, target, statement = sys.argv[1:]
data = open(source, "rb").read()
length = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + length])
metadata = header.setdefault("__metadata__", {})
exec(statement)
encoded = json.dumps(header).encode()
encoded += b" " * (-len(encoded) % 8)
open(target, "wb").write(struct.pack("<Q", len(encoded)) + encoded + data[8 + length:])
PY
}

# Three classes, so the multi-class paths (macro AUC, micro-average ROC) run; 4 epochs leave
# some errors, so the comparison of eval with the run is not between two perfect scores.
echo "synthetic set and a 4-epoch run of tiny"
"$bstrain" synth "$work/data" --classes 3 --images-per-class 80 >/dev/null
common=(--train "$work/data/train" --val "$work/data/val" --test "$work/data/test" --image-size 64 --batch 24 --threads 2 --log-format quiet)
"$bstrain" train --model tiny --loss ce+bst "${common[@]}" --epochs 4 --run-dir "$work/run" >/dev/null
weights="$work/run/weights/best.safetensors"

echo "eval"
"$bstrain" eval --weights "$weights" --test "$work/data/test" --threads 2 --out "$work/eval" >"$work/eval.txt"
grep -q "^ACC " "$work/eval.txt" || fail "eval printed no ACC line: $(cat "$work/eval.txt")"
for file in metrics.json roc.csv roc.svg confusion.svg embeddings-pca.svg; do
    [[ -s "$work/eval/$file" ]] || fail "eval --out lacks $file"
done
python3 - "$work/run/metrics.json" "$work/eval/metrics.json" <<'PY'
import json, sys
run, evaluated = (json.load(open(path))["test"] for path in sys.argv[1:])
print(f"  eval: ACC {evaluated['accuracy']:.4f} AUC {evaluated['auc']:.4f}; the run's test: ACC {run['accuracy']:.4f} AUC {run['auc']:.4f}")
assert evaluated["accuracy"] == run["accuracy"], "eval's accuracy differs from the run's test accuracy"
assert evaluated["confusion_matrix"] == run["confusion_matrix"], "eval's confusion matrix differs from the run's"
assert abs(evaluated["auc"] - run["auc"]) < 1e-9, "eval's AUC differs from the run's"
PY

echo "predict"
"$bstrain" predict --weights "$weights" --threads 2 "$work/data/test" >"$work/predictions.csv"
"$bstrain" predict --weights "$weights" --format json "$work/data/test/$(ls "$work/data/test" | head -1)" >"$work/predictions.json"
python3 - "$work/data/test" "$work/predictions.csv" "$work/predictions.json" "$work/eval/metrics.json" <<'PY'
import csv, json, os, sys
root, table, listing, metrics = sys.argv[1:]
classes = sorted(os.listdir(root))
images = sorted(os.path.join(dirpath, name) for dirpath, _, names in os.walk(root) for name in names)
rows = list(csv.DictReader(open(table)))
assert sorted(row["path"] for row in rows) == images, "predict did not list every test image once"
correct = 0
for row in rows:
    probabilities = [float(row[name]) for name in classes]
    assert abs(sum(probabilities) - 1) < 1e-4, f"probabilities of {row['path']} sum to {sum(probabilities)}"
    assert row["predicted"] == classes[probabilities.index(max(probabilities))], f"predicted class of {row['path']} is not the argmax"
    correct += row["predicted"] == os.path.relpath(row["path"], root).split(os.sep)[0]
accuracy = correct / len(rows)
assert accuracy == json.load(open(metrics))["test"]["accuracy"], f"predict's accuracy {accuracy} differs from eval's"
entries = json.load(open(listing))
assert len(entries) == len(os.listdir(os.path.join(root, classes[0]))), "predict --format json did not list the folder's images"
assert set(entries[0]) == {"path", "predicted", "probabilities"} and set(entries[0]["probabilities"]) == set(classes)
PY
mkdir -p "$work/mixed"
echo "not an image" >"$work/mixed/notes.jpg"
good=$(find "$work/data/test" -name '*.jpg' | head -1)
expect_error "notes.jpg is not a JPEG, PNG or DICOM file" "$bstrain" predict --weights "$weights" "$good" "$work/mixed/notes.jpg" "$work/absent.jpg"
[[ $(wc -l <"$work/stdout") == 2 ]] || fail "predict did not go on past the bad files: $(cat "$work/stdout")"
grep -qF "absent.jpg: no such file or folder" "$work/stderr" || fail "predict did not name the missing file"
"$bstrain" predict --weights "$weights" --skip-bad "$good" "$work/mixed/notes.jpg" >/dev/null 2>&1 ||
    fail "predict --skip-bad failed on a bad file"

echo "embed"
"$bstrain" embed --weights "$weights" "$work/data/test" --out "$work/embeddings.csv" >/dev/null
python3 - "$work/data/test" "$work/embeddings.csv" <<'PY'
import csv, os, sys
root, table = sys.argv[1:]
rows = list(csv.reader(open(table)))
header, rows = rows[0], rows[1:]
assert header == ["path", "label"] + [f"f{i}" for i in range(64)], f"unexpected header {header[:4]}..."
assert len(rows) == sum(len(files) for _, _, files in os.walk(root)), "embed did not write one row per image"
for row in rows:
    assert os.path.isfile(row[0]) and row[1] == os.path.basename(os.path.dirname(row[0])), f"bad path or label in {row[:2]}"
    assert len(row) == 66 and all(float(value) == float(value) for value in row[2:])
PY

echo "wrong weights files"
expect_error "does not exist" "$bstrain" eval --weights "$work/run/weights/none.safetensors" --test "$work/data/test"
expect_error "is a training checkpoint" "$bstrain" predict --weights "$work/run/checkpoints/last.ckpt" "$good"
expect_error "is not a weights file" "$bstrain" embed --weights "$good" "$work/data/test"
edit_metadata "$weights" "$work/foreign.safetensors" 'del header["__metadata__"]'
expect_error "lacks model, classes, image_size, channels" "$bstrain" eval --weights "$work/foreign.safetensors" --test "$work/data/test"
edit_metadata "$weights" "$work/other-network.safetensors" 'metadata["model"] = "shufflenetv2"'
expect_error "its tensors are those of tiny" "$bstrain" eval --weights "$work/other-network.safetensors" --test "$work/data/test"
edit_metadata "$weights" "$work/colour.safetensors" 'metadata["channels"] = "3"'
expect_error "its first convolution takes 1" "$bstrain" predict --weights "$work/colour.safetensors" "$good"
edit_metadata "$weights" "$work/size.safetensors" 'metadata["image_size"] = "100"'
expect_error "image_size = '100'" "$bstrain" predict --weights "$work/size.safetensors" "$good"
for size in 8192 65536 1099511627776; do
    edit_metadata "$weights" "$work/huge.safetensors" "metadata['image_size'] = '$size'"
    expect_error "at most 4096" "$bstrain" predict --weights "$work/huge.safetensors" "$good"
done
python3 - "$weights" "$work/nan.safetensors" <<'PY'
import json, struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
length = struct.unpack("<Q", data[:8])[0]
begin = json.loads(data[8:8 + length])["classifier.bias"]["data_offsets"][0]
struct.pack_into("<f", data, 8 + length + begin, float("nan"))
open(sys.argv[2], "wb").write(data)
PY
expect_error "holds NaN or infinite values" "$bstrain" predict --weights "$work/nan.safetensors" "$good"
mkdir -p "$work/no-images"
expect_error "found no .jpg, .jpeg or .png file" "$bstrain" predict --weights "$weights" "$work/no-images"
"$bstrain" synth "$work/two" --classes 2 --images-per-class 4 >/dev/null
expect_error "was trained on" "$bstrain" eval --weights "$weights" --test "$work/two/test"

echo "compare"
"$bstrain" compare "${common[@]}" --models tiny --losses ce,ce+bst --epochs 2 --out "$work/compare" >"$work/compare.txt"
for file in table.md table.csv roc-tiny.svg runs/tiny-ce/metrics.json runs/tiny-ce+bst/weights/best.safetensors; do
    [[ -s "$work/compare/$file" ]] || fail "compare left no $file"
done
python3 - "$work/compare" <<'PY'
import csv, json, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/table.csv")))
assert [(row["network"], row["loss"], row["split"]) for row in rows] == [("tiny", "ce", "test"), ("tiny", "ce+bst", "test")], rows
for row in rows:
    run = json.load(open(f"{out}/runs/{row['network']}-{row['loss']}/metrics.json"))["test"]
    assert float(row["acc"]) == run["accuracy"] and float(row["auc"]) == run["auc"], f"table row {row} differs from its run"
markdown = open(f"{out}/table.md").read()
assert "| Network | Loss | SEN (%) | SPE (%) | ACC (%) | AUC |" in markdown and "| tiny | ce |" in markdown and "|  | ce+bst |" in markdown
svg = open(f"{out}/roc-tiny.svg").read()
assert svg.count("<polyline") == 2 and "ce (AUC = " in svg and "ce+bst (AUC = " in svg, "roc-tiny.svg lacks one curve per loss"
PY
cp "$work/compare/table.csv" "$work/table-before.csv"
"$bstrain" compare "${common[@]}" --models tiny --losses ce,ce+bst --epochs 2 --out "$work/compare" --resume >"$work/resume.txt"
[[ $(grep -c "results reused" "$work/resume.txt") == 2 ]] || fail "compare --resume did not reuse both finished runs: $(cat "$work/resume.txt")"
cmp -s "$work/table-before.csv" "$work/compare/table.csv" || fail "compare --resume changed the table of finished runs"
expect_error "was started with other values of --epochs" \
    "$bstrain" compare "${common[@]}" --models tiny --losses ce --epochs 3 --out "$work/compare" --resume
expect_error "already holds a run" "$bstrain" compare "${common[@]}" --models tiny --losses ce --epochs 2 --out "$work/compare"
echo "ok"

echo "a batch too large for the machine is refused with the figures, not an abort"
status=0
"$bstrain" predict --weights "$weights" --batch 1000000 "$work/data/val" > "$work/huge.out" 2>&1 || status=$?
((status == 1)) && grep -q "of memory, but this machine has" "$work/huge.out" || fail "predict --batch 1000000: exit $status: $(cat "$work/huge.out")"
for batch in 1000000000 9223372036854775807; do
    status=0
    "$bstrain" eval --weights "$weights" --batch "$batch" --data "$work/data/val" > "$work/huge.out" 2>&1 || status=$?
    ((status == 64)) && grep -q -- "--batch must be from 1 to" "$work/huge.out" || fail "eval --batch $batch: exit $status: $(cat "$work/huge.out")"
done
