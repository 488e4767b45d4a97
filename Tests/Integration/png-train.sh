#!/usr/bin/env bash
# A class folder of PNGs trains end to end on 2 ranks (#19): 8-bit grey, 16-bit grey, 8-bit RGBA
# and a palette file per class, one of them named .jpg (the content picks the decoder), written
# by Scripts/png_writer.py (Python's zlib) so the test needs no imaging package. The weights
# state the preprocessing, predict reads the same folder back, and a truncated PNG and one with a wrong CRC stop a run
# or, with --skip-bad, are listed in skipped.csv.
source "$(dirname "$0")/lib.sh"

python3 - "$work/data" "$repository/Scripts" <<'PY'
import pathlib, sys
sys.path.insert(0, sys.argv[2])
from png_writer import png

def write(path, side, colour_type, depth, value, palette=None):
    """A `side` x `side` PNG whose samples are value(x, y) in [0, 1], scaled to the depth."""
    top = (1 << depth) - 1 if palette is None else len(palette) // 3 - 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png(side, side, colour_type, depth, lambda x, y, c: round(value(x, y) * top), palette))

grey_ramp = [v for level in range(16) for v in (level * 17,) * 3]
kinds = [  # (name, colour type, depth, palette)
    ("grey8.png", 0, 8, None), ("grey16.png", 0, 16, None), ("rgba8.png", 6, 8, None),
    ("palette.png", 3, 8, grey_ramp), ("png-named.jpg", 0, 8, None),
]
root = pathlib.Path(sys.argv[1])
for split, count in (("train", 4), ("val", 2)):
    for index in range(count):
        period = 6 + index
        stripes = {  # class-0: horizontal stripes; class-1: vertical
            "class-0": lambda x, y, p=period: 0.9 if (y // p) % 2 else 0.1,
            "class-1": lambda x, y, p=period: 0.9 if (x // p) % 2 else 0.1,
        }
        for label, value in stripes.items():
            for name, colour_type, depth, palette in kinds:
                write(root / split / label / f"{index}-{name}", 48, colour_type, depth, value, palette)
PY

mpirun_local -n 2 "$bstrain" train --model tiny --train "$work/data/train" --val "$work/data/val" --image-size 32 \
    --batch 8 --epochs 1 --threads 1 --run-dir "$work/run" --log-format quiet
[[ -s "$work/run/weights/best.safetensors" ]] || fail "the PNG run left no weights"
[[ ! -s "$work/run/skipped.csv" ]] || fail "PNG files were skipped: $(cat "$work/run/skipped.csv")"

python3 - "$work/run/weights/best.safetensors" <<'PY'
import json, struct, sys
with open(sys.argv[1], "rb") as file:
    header = json.loads(file.read(struct.unpack("<Q", file.read(8))[0]))
metadata = header["__metadata__"]
for key in ("preprocessing_scale", "preprocessing_colour", "preprocessing_resize"):
    assert key in metadata, f"weights metadata lacks {key}: {sorted(metadata)}"
    print(f"{key}: {metadata[key]}")
PY

"$bstrain" predict --weights "$work/run/weights/best.safetensors" "$work/data/val" > "$work/predictions.csv"
rows=$(($(wc -l < "$work/predictions.csv") - 1))
[[ $rows -eq 20 ]] || fail "predict gave $rows rows for the 20 validation PNGs"
# The same pixels named .png and .jpg: the content, not the name, picked the decoder.
python3 - "$work/predictions.csv" <<'PY'
import csv, sys
rows = {row["path"]: row for row in csv.DictReader(open(sys.argv[1]))}
twins = [(path, path.replace("png-named.jpg", "grey8.png")) for path in rows if path.endswith("png-named.jpg")]
assert len(twins) == 4, f"{len(twins)} files named .jpg predicted"
for named, twin in twins:
    # Within float32 noise: a batch's position in the GEMM blocking changes the last bits.
    probabilities = lambda row: [float(value) for key, value in row.items() if key not in ("path", "predicted")]
    difference = max(abs(a - b) for a, b in zip(probabilities(rows[named]), probabilities(rows[twin])))
    assert difference < 1e-5, f"{named} and {twin} hold the same pixels but their probabilities differ by {difference}"
PY
# Damaged PNGs stop a run with the file's name, or are skipped and listed with --skip-bad.
cp -r "$work/data/train" "$work/bad"
python3 - "$work/data/train/class-0/0-grey8.png" "$work/bad" <<'PY'
import pathlib, sys
whole, bad = pathlib.Path(sys.argv[1]).read_bytes(), pathlib.Path(sys.argv[2])
(bad / "class-0" / "cut.png").write_bytes(whole[: len(whole) // 2])
crc = bytearray(whole)
crc[whole.index(b"IEND") + 5] ^= 1  # the end chunk's CRC
(bad / "class-1" / "crc.png").write_bytes(bytes(crc))
PY
bad_options=(--model tiny --train "$work/bad" --image-size 32 --batch 8 --epochs 1 --threads 1 --log-format quiet)
if mpirun_local -n 2 "$bstrain" train "${bad_options[@]}" --run-dir "$work/bad-run" > "$work/bad.log" 2>&1; then
    fail "a damaged PNG did not stop the run"
fi
grep -q "is a truncated PNG" "$work/bad.log" || grep -q "crc.png is a corrupt PNG" "$work/bad.log" \
    || fail "unexpected message: $(grep error "$work/bad.log")"
mpirun_local -n 2 "$bstrain" train "${bad_options[@]}" --skip-bad --run-dir "$work/skip-run" > /dev/null
python3 - "$work/skip-run/skipped.csv" <<'PY'
import csv, sys
reasons = {row["path"].rsplit("/", 1)[-1]: row["reason"] for row in csv.DictReader(open(sys.argv[1]))}
assert set(reasons) == {"cut.png", "crc.png"}, reasons
assert "truncated PNG" in reasons["cut.png"] and "CRC" in reasons["crc.png"], reasons
PY
echo "PNG training on 2 ranks: passed"
