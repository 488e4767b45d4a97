#!/usr/bin/env bash
# Two short runs of `tiny` on the same synthetic test images are compared with the paired
# tests; a run tested on other images is refused with a message that says why.
source "$(dirname "$0")/lib.sh"

"$bstrain" synth "$work/data" --images-per-class 40
"$bstrain" synth "$work/other" --images-per-class 30 --seed 5
for run in first:1 second:2; do
    "$bstrain" train --model tiny --loss ce --train "$work/data/train" --val "$work/data/val" \
        --test "$work/data/test" --image-size 32 --batch 16 --epochs 2 --threads 2 --seed "${run#*:}" \
        --run-dir "$work/${run%%:*}" --log-format quiet
done

"$bstrain" compare-runs "$work/first" "$work/second" > "$work/compare.txt"
cat "$work/compare.txt"
grep -q "paired DeLong" "$work/compare.txt" || fail "compare-runs printed no paired DeLong test"
grep -q "McNemar (exact)\|McNemar (chi-square)" "$work/compare.txt" || fail "compare-runs printed no McNemar test"

# The first run compared with itself: no difference, p = 1.
"$bstrain" compare-runs "$work/first" "$work/first" | grep "^ACC" | grep -q "+0.0000 \[0.0000, 0.0000\] *1.0000" \
    || fail "a run compared with itself should differ by nothing"

"$bstrain" train --model tiny --loss ce --train "$work/other/train" --val "$work/other/val" \
    --test "$work/other/test" --image-size 32 --batch 16 --epochs 1 --threads 2 \
    --run-dir "$work/elsewhere" --log-format quiet
if "$bstrain" compare-runs "$work/first" "$work/elsewhere" 2> "$work/refusal.txt"; then
    fail "compare-runs accepted runs tested on different images"
fi
grep -q "different images\|not in the test folder" "$work/refusal.txt" || fail "unclear refusal: $(cat "$work/refusal.txt")"
echo "compare-runs: paired tests printed; self-comparison differs by nothing; different test images refused"
