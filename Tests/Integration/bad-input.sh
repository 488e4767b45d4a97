#!/usr/bin/env bash
# Issue 10's bad-input matrix: every case must end with a non-zero exit, one clear message
# naming the cause (checked for a fragment), no crash trace, and an existing run left as it
# was. With --table FILE it also writes the README's table of cases and messages.
source "$(dirname "$0")/lib.sh"
table="${2:-}"
[[ "${1:-}" == --table ]] || table=""

"$bstrain" synth "$work/data" --images-per-class 16 >/dev/null
good="$work/data/train"
common=(--model tiny --image-size 64 --batch 8 --epochs 1 --threads 1 --log-format quiet --val "$work/data/val")

# A finished run whose files must survive every case below untouched.
"$bstrain" train "${common[@]}" --train "$good" --run-dir "$work/run" >/dev/null
fingerprint() { (cd "$work/run" && find . -type f ! -name run.lock -print0 | sort -z | xargs -0 sha256sum); }
before=$(fingerprint)

copy_data() { rm -rf "$work/bad"; cp -r "$good" "$work/bad"; }
rows=()
failures=0

# expect DESCRIPTION FRAGMENT COMMAND...: runs COMMAND, checks it failed with FRAGMENT in its output.
expect() {
    local description=$1 fragment=$2
    shift 2
    local output status=0
    output=$("$@" 2>&1) || status=$?
    local message
    message=$(grep -m1 -iE "error|refus|not valid|diverged" <<<"$output" || tail -n1 <<<"$output")
    if ((status == 0)); then
        echo "FAIL  $description: exited 0"; failures=$((failures + 1))
    elif ! grep -qiF -- "$fragment" <<<"$output"; then
        echo "FAIL  $description: no '$fragment' in: $output"; failures=$((failures + 1))
    elif grep -qE "Fatal error|Stack dump|Backtrace|Segmentation fault|Illegal instruction|💣" <<<"$output"; then
        echo "FAIL  $description: crash trace: $output"; failures=$((failures + 1))
    else
        echo "ok    $description (exit $status)"
    fi
    message=${message//$work/…}
    rows+=("| $description | \`${message//|/\\|}\` |")
}

copy_data; head -c 600 "$good/class-0/$(ls "$good/class-0" | head -n1)" > "$work/bad/class-0/truncated.jpg"
expect "truncated JPEG" "truncated.jpg" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r1"
copy_data; : > "$work/bad/class-1/empty.jpg"
expect "zero-byte file" "empty.jpg" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r2"
copy_data; printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' > "$work/bad/class-1/picture.jpg"
expect "PNG renamed .jpg" "picture.jpg" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r3"
copy_data; echo "not an image" > "$work/bad/class-0/notes.jpg"
expect "text file named .jpg" "notes.jpg" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r4"
copy_data; mkdir "$work/bad/class-2"
expect "empty class folder" "class-2" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r5"
copy_data; rm -r "$work/bad/class-1"
expect "a single class" "class" "$bstrain" train --model tiny --image-size 64 --train "$work/bad" --run-dir "$work/r6"
expect "dataset path that does not exist" "$work/nowhere" "$bstrain" train "${common[@]}" --train "$work/nowhere" --run-dir "$work/r7"
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
    copy_data; chmod -R a+rX "$work"; chmod 000 "$work/bad/class-0/$(ls "$work/bad/class-0" | head -n1)"
    expect "unreadable file" "permission" setpriv --reuid=nobody --regid=nogroup --clear-groups \
        "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "/tmp/bstrain-unreadable-$$"
    rm -rf "/tmp/bstrain-unreadable-$$"
elif [[ $(id -u) -ne 0 ]]; then
    copy_data; chmod 000 "$work/bad/class-0/$(ls "$work/bad/class-0" | head -n1)"
    expect "unreadable file" "permission" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r8"
fi
expect "--batch 1" "--batch 1" "$bstrain" train "${common[@]}" --train "$good" --batch 1 --run-dir "$work/r9"
expect "batch smaller than the ranks" "--batch 3" mpirun_local -n 4 "$bstrain" train "${common[@]}" --train "$good" --batch 3 --run-dir "$work/r10"
expect "unknown network" "resnet50" "$bstrain" train "${common[@]}" --train "$good" --model resnet50 --run-dir "$work/r11"
expect "unknown loss" "ce+arcface" "$bstrain" train "${common[@]}" --train "$good" --loss ce+arcface --run-dir "$work/r12"
expect "zero learning rate" "--lr" "$bstrain" train "${common[@]}" --train "$good" --lr 0 --run-dir "$work/r13"
expect "negative learning rate" "--lr" "$bstrain" train "${common[@]}" --train "$good" --lr=-0.1 --run-dir "$work/r14"
expect "margin outside [0, 1]" "margin" "$bstrain" train "${common[@]}" --train "$good" --margin 1.5 --run-dir "$work/r15"
expect "image size not divisible by 32" "--image-size 100" "$bstrain" train "${common[@]}" --train "$good" --image-size 100 --run-dir "$work/r16"
expect "channels other than 1 or 3" "--channels 2" "$bstrain" train "${common[@]}" --train "$good" --channels 2 --run-dir "$work/r17"
expect "existing run without --resume" "already holds a run" "$bstrain" train "${common[@]}" --train "$good" --run-dir "$work/run"
expect "run directory that cannot be created" "cannot create" "$bstrain" train "${common[@]}" --train "$good" --run-dir /dev/null/run

# Checkpoint cases work on copies, so the original run stays intact.
cp -r "$work/run" "$work/corrupt"; rm -f "$work/corrupt/run.lock"
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[-100]^=0xFF; open(p,'wb').write(b)" "$work/corrupt/checkpoints/last.ckpt"
expect "corrupted checkpoint" "damaged" "$bstrain" train --resume "$work/corrupt" --epochs 2
cp -r "$work/run" "$work/truncated"; rm -f "$work/truncated/run.lock"
truncate -s 2000 "$work/truncated/checkpoints/last.ckpt"
expect "truncated checkpoint" "damaged" "$bstrain" train --resume "$work/truncated" --epochs 2
cp -r "$work/run" "$work/other"; rm -f "$work/other/run.lock"
expect "checkpoint from a different network" "tiny" "$bstrain" train --resume "$work/other" --model shufflenetv2 --epochs 2
expect "missing checkpoint" "does not exist" "$bstrain" train --resume "$work/nothing" --epochs 2
expect "diverging training (NaN loss)" "diverged" "$bstrain" train "${common[@]}" --train "$good" --lr 1e30 --epochs 3 --run-dir "$work/r18"

"$bstrain" train "${common[@]}" --train "$good" --epochs 50 --iterations-per-epoch 50 --run-dir "$work/busy" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 300); do [[ -s "$work/busy/run.lock" ]] && break; sleep 0.1; done
expect "second run on a run directory in use" "another bstrain run" "$bstrain" train "${common[@]}" --train "$good" --run-dir "$work/busy" --overwrite
kill -INT "$holder"; wait "$holder" || true

[[ "$(fingerprint)" == "$before" ]] || { echo "FAIL  the existing run's files changed"; failures=$((failures + 1)); }

if [[ -n "$table" ]]; then
    { echo "| case | message |"; echo "| --- | --- |"; printf '%s\n' "${rows[@]}"; } > "$table"
fi
((failures == 0)) || fail "$failures bad-input case(s) failed"
