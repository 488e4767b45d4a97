#!/usr/bin/env bash
# After a short run of `tiny` on the synthetic set: `index` stores every gallery image's
# embedding (the same on one rank and on two under mpirun), `retrieve` finds a gallery image
# as its own nearest case (with one SVG contact sheet per query) and refuses an index made by other weights, `eval --retrieval`
# and `--classifier knn` (eval and predict) agree with a plain-Python kNN over embed's CSVs.
source "$(dirname "$0")/lib.sh"

echo "synthetic set and a 2-epoch run of tiny"
"$bstrain" synth "$work/data" --classes 3 --images-per-class 40 >/dev/null
common=(--train "$work/data/train" --val "$work/data/val" --test "$work/data/test" --image-size 64 --batch 24 --threads 2 --log-format quiet)
"$bstrain" train --model tiny --loss ce+bst "${common[@]}" --epochs 2 --run-dir "$work/run" >/dev/null
weights="$work/run/weights/best.safetensors"

echo "index, on one rank and on two"
"$bstrain" index --weights "$weights" --threads 2 "$work/data/train" --out "$work/train.index" >/dev/null
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun_local -n 2 \
    "$bstrain" index --weights "$weights" --threads 1 "$work/data/train" --out "$work/train-2.index" >"$work/index-2.txt"
grep -q "embedded by 2 ranks" "$work/index-2.txt" || fail "index under mpirun did not share the work: $(cat "$work/index-2.txt")"
"$bstrain" embed --weights "$weights" --threads 2 "$work/data/train" --out "$work/train.csv" >/dev/null
python3 - "$work/train.index" "$work/train-2.index" "$work/train.csv" "$work/data/train" <<'PY'
import csv, json, os, struct, sys
def read(path):
    data = open(path, "rb").read()
    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        tensors[name] = (entry["shape"], struct.unpack(f"<{(end - begin) // 4}f", body[begin:end]))
    return header["__metadata__"], tensors
metadata, tensors = read(sys.argv[1])
metadata2, tensors2 = read(sys.argv[2])
rows = list(csv.DictReader(open(sys.argv[3])))
paths = json.loads(metadata["bstrain.index.paths"])
classes = json.loads(metadata["bstrain.index.classes"])
(count, width), embeddings = tensors["embeddings"]
assert paths == [row["path"] for row in rows], "the index's paths are not embed's"
assert [classes[int(label)] for label in tensors["labels"][1]] == [row["label"] for row in rows], "labels differ from embed's"
expected = [float(row[f"f{j}"]) for row in rows for j in range(width)]
assert max(abs(a - b) for a, b in zip(embeddings, expected)) < 1e-5, "the index's embeddings are not embed's"
assert json.loads(metadata2["bstrain.index.paths"]) == paths and tensors2["labels"] == tensors["labels"], "2 ranks indexed other images"
difference = max(abs(a - b) for a, b in zip(tensors2["embeddings"][1], embeddings))
assert difference < 1e-5, f"2 ranks' embeddings differ from one rank's by {difference}"
print(f"  {count} images of width {width}; one rank vs two: largest difference {difference:.2g}")
PY

echo "index under mpirun with a corrupt file: refused on every rank, or left out with --skip-bad"
cp -r "$work/data/train" "$work/damaged"
echo "not an image" >"$work/damaged/class-2/zz-corrupt.jpg"
if OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 120 "$repository/Scripts/mpirun-local" -n 2 \
    "$bstrain" index --weights "$weights" --threads 1 "$work/damaged" --out "$work/damaged.index" >"$work/stdout" 2>"$work/stderr"; then
    fail "index accepted a corrupt file without --skip-bad"
fi
grep -qF "1 file(s) in $work/damaged could not be decoded" "$work/stderr" || fail "unclear refusal: $(cat "$work/stderr")"
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 120 "$repository/Scripts/mpirun-local" -n 2 \
    "$bstrain" index --weights "$weights" --threads 1 --skip-bad "$work/damaged" --out "$work/damaged.index" 2>/dev/null >"$work/stdout"
grep -q "wrote 120 embeddings" "$work/stdout" || fail "index --skip-bad did not keep the 120 good images: $(cat "$work/stdout")"

echo "retrieve"
# sed, not head: head's early exit would end sort with SIGPIPE, which pipefail reports.
query=$(find "$work/data/train" -name '*.jpg' | sort | sed -n 1p)
"$bstrain" retrieve --weights "$weights" --index "$work/train.index" --threads 2 --k 5 "$query" "$work/data/test" \
    --sheets "$work/sheets" >"$work/neighbours.csv"
[[ $(ls "$work/sheets" | wc -l) -eq $(( 1 + $(find "$work/data/test" -name '*.jpg' | wc -l) )) ]] || fail "not one contact sheet per query"
[[ $(grep -c "<image " "$work/sheets/1-$(basename "$query" .jpg).svg") -eq 6 ]] || fail "the first sheet does not show the query and 5 cases"
python3 - "$work/neighbours.csv" "$query" "$work/data/test" <<'PY'
import csv, os, sys
table, query, test = sys.argv[1:]
rows = list(csv.DictReader(open(table)))
assert list(rows[0]) == ["query", "rank", "path", "class", "similarity"], f"columns {list(rows[0])}"
tests = sum(len(files) for _, _, files in os.walk(test))
assert len(rows) == 5 * (1 + tests), f"{len(rows)} rows for {1 + tests} queries and k = 5"
own = [row for row in rows if row["query"] == query]
assert own[0]["path"] == query and abs(float(own[0]["similarity"]) - 1) < 1e-4, f"a gallery image is not its own nearest case: {own[0]}"
assert [int(row["rank"]) for row in own] == [1, 2, 3, 4, 5]
similarities = [float(row["similarity"]) for row in own]
assert similarities == sorted(similarities, reverse=True), "neighbours are not ordered by similarity"
PY

echo "eval --retrieval (leave-one-out and against the index) and --classifier knn"
"$bstrain" embed --weights "$weights" --threads 2 "$work/data/test" --out "$work/test.csv" >/dev/null
"$bstrain" eval --weights "$weights" --test "$work/data/test" --threads 2 --retrieval --out "$work/loo" >"$work/loo.txt"
grep -q "leave-one-out" "$work/loo.txt" || fail "eval --retrieval printed no retrieval table: $(cat "$work/loo.txt")"
"$bstrain" eval --weights "$weights" --test "$work/data/test" --threads 2 --retrieval --gallery "$work/train.index" --out "$work/gallery" >/dev/null
"$bstrain" eval --weights "$weights" --test "$work/data/test" --threads 2 --classifier knn --index "$work/train.index" --knn-k 5 \
    --out "$work/knn" >"$work/knn.txt"
grep -q "the head on the same images" "$work/knn.txt" || fail "eval --classifier knn did not print the head beside: $(cat "$work/knn.txt")"
"$bstrain" predict --weights "$weights" --threads 2 --classifier knn --index "$work/train.index" --knn-k 5 "$work/data/test" >"$work/knn-predictions.csv"
python3 - "$work/train.csv" "$work/test.csv" "$work/loo/retrieval.json" "$work/gallery/retrieval.json" "$work/knn/metrics.json" "$work/knn-predictions.csv" <<'PY'
import csv, json, math, sys
train_csv, test_csv, loo_json, gallery_json, knn_json, predictions_csv = sys.argv[1:]
def load(path):
    rows = list(csv.DictReader(open(path)))
    width = sum(1 for key in rows[0] if key.startswith("f"))
    vectors = []
    for row in rows:
        v = [float(row[f"f{j}"]) for j in range(width)]
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        vectors.append([x / norm for x in v])
    return [row["path"] for row in rows], [row["label"] for row in rows], vectors
def ranked(query, gallery, skip=None):
    similarities = [(-sum(a * b for a, b in zip(query, g)), i) for i, g in enumerate(gallery) if i != skip]
    return [i for _, i in sorted(similarities)]
_, train_labels, train = load(train_csv)
test_paths, test_labels, test = load(test_csv)
def precision_at_1(gallery, gallery_labels, leave_one_out):
    hits = [gallery_labels[ranked(q, gallery, i if leave_one_out else None)[0]] == test_labels[i] for i, q in enumerate(test)]
    return sum(hits) / len(hits)
loo = json.load(open(loo_json))
against = json.load(open(gallery_json))
expected_loo = precision_at_1(test, test_labels, True)
expected_gallery = precision_at_1(train, train_labels, False)
assert abs(loo["metrics"]["overall"]["precision_at_1"] - expected_loo) < 1e-6, f"leave-one-out P@1 {loo['metrics']['overall']} vs {expected_loo}"
assert abs(against["metrics"]["overall"]["precision_at_1"] - expected_gallery) < 1e-6, "P@1 against the index differs"
assert against["gallery"].endswith("train.index") and loo["gallery"] == "leave-one-out"
predicted = []
for q in test:
    votes = [train_labels[i] for i in ranked(q, train)[:5]]
    classes = sorted(set(train_labels))
    predicted.append(max(classes, key=lambda c: (votes.count(c), -classes.index(c))))
accuracy = sum(p == t for p, t in zip(predicted, test_labels)) / len(test)
metrics = json.load(open(knn_json))["test"]
assert metrics["accuracy"] == accuracy, f"eval --classifier knn ACC {metrics['accuracy']} vs plain-Python 5-NN {accuracy}"
rows = {row["path"]: row["predicted"] for row in csv.DictReader(open(predictions_csv))}
assert [rows[path] for path in test_paths] == predicted, "predict --classifier knn differs from the plain-Python 5-NN"
print(f"  P@1 leave-one-out {expected_loo:.4f}, against the training set {expected_gallery:.4f}; 5-NN ACC {accuracy:.4f}")
PY

echo "an index made by other weights is refused"
"$bstrain" train --model tiny --loss ce "${common[@]}" --epochs 1 --run-dir "$work/other" >/dev/null
if "$bstrain" retrieve --weights "$work/other/weights/best.safetensors" --index "$work/train.index" "$query" >"$work/stdout" 2>"$work/stderr"; then
    fail "retrieve accepted an index made by other weights"
fi
grep -qF "was made with the weights" "$work/stderr" || fail "unclear refusal: $(cat "$work/stderr")"
echo "retrieval: OK"
