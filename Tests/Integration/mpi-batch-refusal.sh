#!/usr/bin/env bash
# A global batch of 1 (no pairs for the similarity losses) and a batch smaller than the rank
# count (a rank without samples) are refused before any collective: one clear message from
# rank 0, a non-zero exit, and no rank left waiting (each run is bounded by a timeout).
source "$(dirname "$0")/lib.sh"

"$bstrain" synth "$work/data" --images-per-class 8 >/dev/null

# refused RANKS BATCH EXPECTED_TEXT
refused() {
    local ranks=$1 batch=$2 expected=$3 status=0
    timeout 60 "$repository/Scripts/mpirun-local" -n "$ranks" "$bstrain" train --model tiny --train "$work/data/train" \
        --val "$work/data/val" --image-size 32 --batch "$batch" --epochs 1 --threads 1 \
        --run-dir "$work/run-$ranks-$batch" > "$work/out.txt" 2> "$work/err.txt" || status=$?
    ((status != 124)) || fail "$ranks rank(s), --batch $batch: still running after 60 s (a rank hangs)"
    ((status != 0)) || fail "$ranks rank(s), --batch $batch: accepted"
    local said
    said=$(grep -c -F -- "$expected" "$work/err.txt" || true)
    ((said == 1)) || { cat "$work/err.txt" >&2; fail "$ranks rank(s), --batch $batch: expected the message '$expected' once, got it $said times"; }
    echo "$ranks rank(s), --batch $batch: refused (exit $status): $(grep -F -- "$expected" "$work/err.txt")"
}

for ranks in 1 4; do
    refused "$ranks" 1 "--batch 1 is not valid: expected from 2"
done
refused 4 3 "--batch 3 is smaller than the number of ranks (4)"
