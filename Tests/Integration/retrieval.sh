#!/usr/bin/env bash
# After a short run of `tiny` on the synthetic set: `index` stores every gallery image's
# embedding (the same on one rank and on two under mpirun), `retrieve` finds a gallery image
# as its own nearest case and refuses an index made by other weights.
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

echo "retrieve"
query=$(find "$work/data/train" -name '*.jpg' | sort | head -1)
"$bstrain" retrieve --weights "$weights" --index "$work/train.index" --threads 2 --k 5 "$query" "$work/data/test" >"$work/neighbours.csv"
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

echo "an index made by other weights is refused"
"$bstrain" train --model tiny --loss ce "${common[@]}" --epochs 1 --run-dir "$work/other" >/dev/null
if "$bstrain" retrieve --weights "$work/other/weights/best.safetensors" --index "$work/train.index" "$query" >"$work/stdout" 2>"$work/stderr"; then
    fail "retrieve accepted an index made by other weights"
fi
grep -qF "was made with the weights" "$work/stderr" || fail "unclear refusal: $(cat "$work/stderr")"
echo "retrieval: OK"
