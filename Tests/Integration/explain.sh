#!/usr/bin/env bash
# bstrain explain (#17): on images whose class is decided by a bright square, tiny trained
# briefly looks at the square: the Grad-CAM peak of class "square" falls inside the square in
# at least 90% of test images. The overlays are JPEGs and explanations.csv has one row per
# image with probabilities summing to 1; --class names a class of the weights or is refused.
# Images are written by Scripts/png_writer.py (Python's zlib), so no imaging package is needed.
source "$(dirname "$0")/lib.sh"

python3 - "$work/data" "$repository/Scripts" <<'PY'
import csv, pathlib, random, sys
sys.path.insert(0, sys.argv[2])
from png_writer import png

SIDE, SQUARE, MARGIN = 128, 32, 8
root = pathlib.Path(sys.argv[1])
generator = random.Random(17)
squares = []
for split, count in (("train", 60), ("val", 16), ("test", 20)):
    for label in ("plain", "square"):
        folder = root / split / label
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(count):
            noise = [[generator.randint(20, 70) for _ in range(SIDE)] for _ in range(SIDE)]
            left = generator.randint(MARGIN, SIDE - SQUARE - MARGIN)
            top = generator.randint(MARGIN, SIDE - SQUARE - MARGIN)
            def sample(x, y, c):
                inside = label == "square" and left <= x < left + SQUARE and top <= y < top + SQUARE
                return min(255, noise[y][x] + 170) if inside else noise[y][x]
            name = f"{label}-{index:03d}.png"
            (folder / name).write_bytes(png(SIDE, SIDE, 0, 8, sample))
            if split == "test" and label == "square":
                squares.append((name, left, top, SQUARE))
with open(root / "squares.csv", "w", newline="") as file:
    csv.writer(file).writerows([("name", "left", "top", "side")] + squares)
PY

"$bstrain" train --model tiny --train "$work/data/train" --val "$work/data/val" --image-size 128 --batch 16 \
    --epochs 6 --threads 2 --seed 3 --run-dir "$work/run" --log-format quiet > /dev/null
weights="$work/run/weights/best.safetensors"

"$bstrain" explain --weights "$weights" --class square --out "$work/explained" --threads 2 "$work/data/test/square" \
    > "$work/explain.txt"
python3 - "$work/explained" "$work/data/squares.csv" <<'PY'
import csv, math, pathlib, sys
out = pathlib.Path(sys.argv[1])
squares = {row["name"]: row for row in csv.DictReader(open(sys.argv[2]))}
rows = list(csv.DictReader(open(out / "explanations.csv")))
assert len(rows) == len(squares), f"{len(rows)} explanations for {len(squares)} images"
inside = 0
for row in rows:
    assert row["explained"] == "square", row
    assert (out / row["overlay"]).read_bytes()[:3] == b"\xff\xd8\xff", f"{row['overlay']} is not a JPEG"
    assert math.isclose(float(row["plain"]) + float(row["square"]), 1, abs_tol=1e-5), row
    square = squares[pathlib.Path(row["path"]).name]
    left, top, side = int(square["left"]), int(square["top"]), int(square["side"])
    x, y = int(row["peak_x"]), int(row["peak_y"])
    inside += left <= x < left + side and top <= y < top + side
share = inside / len(rows)
print(f"Grad-CAM peak inside the square in {inside} of {len(rows)} images ({share:.0%})")
assert share >= 0.9, f"the peak falls inside the square in only {share:.0%} of the images; at least 90% expected"
PY

if "$bstrain" explain --weights "$weights" --class tumour --out "$work/refused" "$work/data/test/square" 2> "$work/refused.txt"; then
    fail "--class with a name the weights do not have was accepted"
fi
grep -q "tumour is not a class" "$work/refused.txt" || fail "the refusal does not name the class: $(cat "$work/refused.txt")"
echo "explain: ok"
