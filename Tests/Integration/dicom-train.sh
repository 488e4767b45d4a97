#!/usr/bin/env bash
# A class folder of DICOM files trains end to end on 2 ranks (#19), and exactly as the JPEGs it
# was made from: Scripts/dicom_from_images.py (pydicom) writes each synthetic JPEG as one of
# seven kinds (MONOCHROME1 and 2, 8, 12-bit signed with an intercept and 16 bits, RLE, the JPEG
# itself encapsulated, a file without extension) whose display pipeline gives back the
# original pixels, so both runs' history.csv must agree to the last digit. A truncated file
# stops a run, or with --skip-bad is listed in skipped.csv. Needs a Python with pydicom, numpy
# and Pillow: BSTRAIN_DICOM_PYTHON, or the venv Scripts/setup makes in CI; skipped without one.
source "$(dirname "$0")/lib.sh"

python=${BSTRAIN_DICOM_PYTHON:-$HOME/.cache/bstrain/test-venv/bin/python}
if ! "$python" -c "import pydicom, numpy, PIL" 2>/dev/null; then
    echo "dicom-train: skipped (set BSTRAIN_DICOM_PYTHON to a python with pydicom, numpy and Pillow)"
    exit 0
fi

"$bstrain" synth "$work/jpeg" --images-per-class 28 >/dev/null
"$python" "$repository/Scripts/dicom_from_images.py" "$work/jpeg" "$work/dicom"
[[ -f "$work/dicom/train/class-0/$(ls "$work/jpeg/train/class-0" | sed -n 7p | sed 's/\.jpg$//')" ]] \
    || fail "the converter wrote no file without an extension"

common=(--recipe paper --model tiny --loss ce+bst --image-size 64 --batch 8 --epochs 2 --threads 1 --group-pattern none
        --log-format quiet)
for kind in jpeg dicom; do
    echo "training on the $kind folder, 2 ranks"
    mpirun_local -n 2 "$bstrain" train "${common[@]}" --train "$work/$kind/train" --val "$work/$kind/val" \
        --run-dir "$work/run-$kind" > /dev/null
done
cut -d, -f1-12 "$work/run-jpeg/history.csv" > "$work/jpeg.csv"
cut -d, -f1-12 "$work/run-dicom/history.csv" > "$work/dicom.csv"
cmp -s "$work/jpeg.csv" "$work/dicom.csv" || fail "the DICOM run's history differs from the JPEG run's: $(diff "$work/jpeg.csv" "$work/dicom.csv")"

"$bstrain" predict --weights "$work/run-dicom/weights/best.safetensors" "$work/dicom/val" > "$work/predictions.csv"
(( $(tail -n +2 "$work/predictions.csv" | wc -l) == $(find "$work/jpeg/val" -name '*.jpg' | wc -l) )) \
    || fail "predict did not read every DICOM file of the folder"

echo "a truncated DICOM file stops a run, or is skipped with --skip-bad"
victim=$(find "$work/dicom/train/class-1" -name '*.dcm' | head -1)
head -c 1000 "$victim" > "$victim.cut" && mv "$victim.cut" "$victim"
output=$("$bstrain" train "${common[@]}" --train "$work/dicom/train" --val "$work/dicom/val" --run-dir "$work/bad" 2>&1) \
    && fail "a truncated DICOM file was accepted"
grep -q "is a corrupt or truncated DICOM file" <<<"$output" || fail "unexpected message: $output"
"$bstrain" train "${common[@]}" --train "$work/dicom/train" --val "$work/dicom/val" --run-dir "$work/skipped" --skip-bad >/dev/null 2>&1
grep -q "$(basename "$victim")" "$work/skipped/skipped.csv" || fail "skipped.csv does not list the truncated file"
echo "dicom-train: ok"
