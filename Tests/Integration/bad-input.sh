#!/usr/bin/env bash
# Issue 10's bad-input matrix: every case must end with a non-zero exit, one clear message
# naming the cause (checked for a fragment), no crash trace, and an existing run left as it
# was; inputs that are fine, or fine to skip, must then succeed. With --table FILE it also
# writes the README's table of cases and messages.
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
expect "PNG named .jpg, cut in its header" "picture.jpg" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r3"
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
# Arithmetic-coded files, which neither `bstrain synth` nor Python's standard library can
# write: fixtures/ holds two made by libjpeg-turbo (grey sine pattern, quality 90; 96x128 in
# one scan, 64x64 progressive). jpeg_edit SOURCE TARGET EDIT writes an edited copy.
fixtures="$(dirname "$0")/fixtures"
jpeg_edit() {
    python3 - "$@" <<'PY'
import struct, sys
source, target, edit = sys.argv[1:]
data = bytearray(open(source, "rb").read())
segments, index = [], 2  # (marker, offset) of each segment up to the end of the image
while data[index + 1] != 0xD9:
    marker, length = data[index + 1], struct.unpack(">H", data[index + 2:index + 4])[0]
    segments.append((marker, index))
    index += 2 + length
    if marker == 0xDA:  # entropy-coded data runs to the next marker that is not 0xFF00 or RSTn
        while not (data[index] == 0xFF and data[index + 1] != 0 and not 0xD0 <= data[index + 1] <= 0xD7):
            index += 1
frame = next(offset for marker, offset in segments if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC))
scans = [offset for marker, offset in segments if marker == 0xDA]
if edit == "declare-32000":  # the frame header claims 32000 x 32000 pixels
    data[frame + 5:frame + 9] = struct.pack(">HH", 32000, 32000)
elif edit == "cut-scan":  # the first scan cut in half, the end-of-image marker kept
    data = data[:(scans[0] + index) // 2] + b"\xff\xd9"
elif edit == "drop-last-scans":  # a progressive file closed with EOI before its last two scans
    data = data[:scans[-2]] + b"\xff\xd9"
elif edit == "12-bit":
    data[frame + 4] = 12
open(target, "wb").write(data)
PY
}
copy_data; jpeg_edit "$fixtures/progressive-arithmetic.jpg" "$work/bad/class-0/bomb.jpg" declare-32000
expect "JPEG declaring 32000 x 32000 pixels (decompression bomb)" "bomb.jpg" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r20"
expect "--max-image-pixels 0" "--max-image-pixels" "$bstrain" train "${common[@]}" --train "$good" --max-image-pixels 0 --run-dir "$work/r21"
copy_data; jpeg_edit "$fixtures/arithmetic.jpg" "$work/bad/class-1/cut.jpg" cut-scan
expect "arithmetic-coded JPEG cut short, end marker kept" "cut.jpg" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r22"
copy_data; jpeg_edit "$fixtures/progressive-arithmetic.jpg" "$work/bad/class-1/partial.jpg" drop-last-scans
expect "progressive JPEG without its last scans" "partial.jpg" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r23"
copy_data; jpeg_edit "$good/class-0/$(ls "$good/class-0" | head -n1)" "$work/bad/class-0/deep.jpg" 12-bit
expect "JPEG with 12-bit samples" "cannot decode" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r24"
copy_data; mkfifo "$work/bad/class-0/pipe.jpg"
expect "named pipe (FIFO) named .jpg" "not a regular file" timeout 60 "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r25"
copy_data; ln -s /dev/null "$work/bad/class-1/null.jpg"
expect "link to /dev/null named .jpg" "not a regular file" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/r26"
copy_data; mkdir "$work/bad/class-2"; cp "$good/class-0/$(ls "$good/class-0" | head -n1)" "$work/bad/class-2/"
expect "class with a single image, validation held out" "holding out" "$bstrain" train --model tiny --image-size 64 --train "$work/bad" --run-dir "$work/r27"
copy_data; mkdir "$work/bad/class-2" "$work/val2"; echo "not an image" > "$work/bad/class-2/notes.jpg"
cp -r "$work/data/val/." "$work/val2/"; cp -r "$work/bad/class-2" "$work/val2/"
expect "every image of a class bad, with --skip-bad" "skipped as bad" "$bstrain" train "${common[@]}" --val "$work/val2" --train "$work/bad" --skip-bad --run-dir "$work/r28"

expect "--batch 1" "--batch 1" "$bstrain" train "${common[@]}" --train "$good" --batch 1 --run-dir "$work/r9"
expect "batch smaller than the ranks" "--batch 3" mpirun_local -n 4 "$bstrain" train "${common[@]}" --train "$good" --batch 3 --run-dir "$work/r10"
expect "unknown network" "resnet50" "$bstrain" train "${common[@]}" --train "$good" --model resnet50 --run-dir "$work/r11"
expect "unknown loss" "ce+arcface" "$bstrain" train "${common[@]}" --train "$good" --loss ce+arcface --run-dir "$work/r12"
expect "zero learning rate" "--lr" "$bstrain" train "${common[@]}" --train "$good" --lr 0 --run-dir "$work/r13"
expect "negative learning rate" "--lr" "$bstrain" train "${common[@]}" --train "$good" --lr=-0.1 --run-dir "$work/r14"
expect "margin outside [0, 1]" "margin" "$bstrain" train "${common[@]}" --train "$good" --margin 1.5 --run-dir "$work/r15"
expect "image size not divisible by 32" "--image-size 100" "$bstrain" train "${common[@]}" --train "$good" --image-size 100 --run-dir "$work/r16"
expect "channels other than 1 or 3" "--channels 2" "$bstrain" train "${common[@]}" --train "$good" --channels 2 --run-dir "$work/r17"
for option in "--bucket-mb nan" "--bucket-mb 1e300" "--iterations-per-epoch 0" "--iterations-per-epoch=-1" "--lr-factor nan" \
              "--min-lr=-1" "--early-stopping-min-delta nan" "--momentum 1.5" "--weight-decay inf" \
              "--batch 9223372036854775807" "--image-size 4611686018427387904" "--threads 0"; do
    # shellcheck disable=SC2086 # an option and its value
    expect "$option" "${option%%[ =]*}" "$bstrain" train "${common[@]}" --train "$good" $option --run-dir "$work/r19"
done
expect "a run needing more memory than the machine has (--batch 1000000)" "memory" \
    "$bstrain" train "${common[@]}" --train "$good" --batch 1000000 --run-dir "$work/r20"
expect "existing run without --resume" "already holds a run" "$bstrain" train "${common[@]}" --train "$good" --run-dir "$work/run"
expect "run directory that cannot be created" "cannot create" "$bstrain" train "${common[@]}" --train "$good" --run-dir /dev/null/run
expect "--run-dir 50,000 folders deep" "choose a shorter --run-dir" timeout 10 "$bstrain" train "${common[@]}" --train "$good" --run-dir "$(python3 -c "print('/'.join(['a'] * 50000))")"

# Configuration files Yams must never see: too deep for its recursive composer, too large, or
# a base-60 number it traps on.
python3 -c "print('train: ' + '[' * 100000)" > "$work/deep.yaml"
expect "--config nested 100,000 brackets deep" "nests too deeply" "$bstrain" train "${common[@]}" --train "$good" --config "$work/deep.yaml" --run-dir "$work/r29"
python3 -c "print('epochs: 1\n' + '# padding\n' * 120000)" > "$work/large.yaml"
expect "--config file over 1 MB" "bytes, over the 1048576" "$bstrain" train "${common[@]}" --train "$good" --config "$work/large.yaml" --run-dir "$work/r30"
echo "image-size: 1:0:0:0:0:0:0:0:0:0:0" > "$work/base60.yaml"
expect "--config with a base-60 number (image-size: 1:0:0:0:0:0:0:0:0:0:0)" "expected a value of type Int" "$bstrain" train "${common[@]}" --train "$good" --config "$work/base60.yaml" --run-dir "$work/r31"
printf 'epochs: 1\ntrain: &a [x, x]\nval: [*a, *a]\n' > "$work/list.yaml"
expect "--config with a list as an option's value" "has a list or mapping" "$bstrain" train "${common[@]}" --train "$good" --config "$work/list.yaml" --run-dir "$work/r32"
mkfifo "$work/config-pipe"
expect "--config naming a named pipe (FIFO)" "not a regular file" timeout 60 "$bstrain" train "${common[@]}" --train "$good" --config "$work/config-pipe" --run-dir "$work/r33"

# Checkpoint cases work on copies, so the original run stays intact.
cp -r "$work/run" "$work/corrupt"; rm -f "$work/corrupt/run.lock"
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[-100]^=0xFF; open(p,'wb').write(b)" "$work/corrupt/checkpoints/last.ckpt"
expect "corrupted checkpoint" "damaged" "$bstrain" train --resume "$work/corrupt"
cp -r "$work/run" "$work/truncated"; rm -f "$work/truncated/run.lock"
truncate -s 2000 "$work/truncated/checkpoints/last.ckpt"
expect "truncated checkpoint" "damaged" "$bstrain" train --resume "$work/truncated"
cp -r "$work/run" "$work/other"; rm -f "$work/other/run.lock"
expect "checkpoint from a different network" "tiny" "$bstrain" train --resume "$work/other" --model shufflenetv2 --epochs 2
expect "--resume with a different batch" "cannot change --batch" "$bstrain" train --resume "$work/other" --batch 32
expect "--resume with --config" "--config cannot be combined" "$bstrain" train --resume "$work/other" --config "$work/other/config.yaml"
expect "missing checkpoint" "does not exist" "$bstrain" train --resume "$work/nothing" --epochs 2
expect "diverging training (NaN loss)" "diverged" "$bstrain" train "${common[@]}" --train "$good" --lr 1e30 --epochs 3 --run-dir "$work/r18"

"$bstrain" train "${common[@]}" --train "$good" --epochs 50 --iterations-per-epoch 50 --run-dir "$work/busy" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 300); do [[ -s "$work/busy/run.lock" ]] && break; sleep 0.1; done
expect "second run on a run directory in use" "another bstrain run" "$bstrain" train "${common[@]}" --train "$good" --run-dir "$work/busy" --overwrite
kill -INT "$holder"; wait "$holder" || true

# Inputs that are fine, or fine to skip: each must succeed.
# check DESCRIPTION COMMAND...: runs COMMAND, counts a failure unless it exits 0.
check() {
    local description=$1
    shift
    local output
    if output=$("$@" 2>&1); then echo "ok    $description"; else echo "FAIL  $description: $output"; failures=$((failures + 1)); fi
}
copy_data; jpeg_edit "$fixtures/progressive-arithmetic.jpg" "$work/bad/class-0/bomb.jpg" declare-32000
echo "not an image" > "$work/bad/class-1/say \"hi\", there.jpg"
check "--skip-bad skips the bomb and lists every skipped path as CSV" bash -c '
    "$1" train "${@:3}" --train "$2/bad" --skip-bad --run-dir "$2/s1" >/dev/null
    python3 -c "import csv, sys; rows = list(csv.reader(open(sys.argv[1]))); \
        assert sorted(row[0].rsplit(\"/\", 1)[1] for row in rows[1:]) == [\"bomb.jpg\", \"say \\\"hi\\\", there.jpg\"], rows" "$2/s1/skipped.csv"
    ' _ "$bstrain" "$work" "${common[@]}"
mkdir "$work/scratch"
check "a bare relative --run-dir (v), created in the working folder" bash -c '
    cd "$2" && "$1" train "${@:4}" --train "$3" --run-dir v >/dev/null && [[ -d v/checkpoints ]]' _ "$bstrain" "$work/scratch" "$good" "${common[@]}"
copy_data; mv "$work/bad/class-1" "$work/elsewhere"; ln -s "$work/elsewhere" "$work/bad/class-1"
check "class folder that is a symbolic link" "$bstrain" train "${common[@]}" --train "$work/bad" --run-dir "$work/s2"
rm -r "$work/elsewhere"
mkdir "$work/loops"; cp "$good/class-0/$(ls "$good/class-0" | head -n1)" "$work/loops/"
for name in self again more; do ln -s . "$work/loops/$name"; done
check "predict on a folder with three links to itself lists its one image once" bash -c '
    [[ $(timeout 60 "$1" predict --weights "$2" --threads 1 "$3" | wc -l) == 2 ]]' _ "$bstrain" "$work/run/weights/best.safetensors" "$work/loops"
# Standard error on a full device: the run still ends with its own exit status (a diverged
# run: 1), never a trap (132) while writing the message.
check "standard error on a full device (2>/dev/full)" bash -c '
    status=0; "$1" train "${@:4}" --train "$2" --lr 1e9 --run-dir "$3" >/dev/null 2>/dev/full || status=$?
    [[ $status == 1 ]]' _ "$bstrain" "$good" "$work/s3" "${common[@]}"

[[ "$(fingerprint)" == "$before" ]] || { echo "FAIL  the existing run's files changed"; failures=$((failures + 1)); }

if [[ -n "$table" ]]; then
    { echo "| case | message |"; echo "| --- | --- |"; printf '%s\n' "${rows[@]}"; } > "$table"
fi
((failures == 0)) || fail "$failures bad-input case(s) failed"
