#!/usr/bin/env bash
# Resuming loses nothing (issues 8 and 10): a run stopped after an epoch, one stopped by
# Ctrl-C inside an epoch, and a 4-rank run with a rank killed by SIGKILL each finish, after
# --resume, with the same weights as a run that was never stopped.
source "$(dirname "$0")/lib.sh"

"$bstrain" synth "$work/data" --images-per-class 32 >/dev/null
# The paper's recipe: its plateau schedule lets --epochs grow on resume (a cosine one spans
# --epochs, so a resume may not change them).
common=(--recipe paper --model tiny --loss ce+bst --train "$work/data/train" --val "$work/data/val" --image-size 64
        --batch 8 --threads 1 --log-format quiet --augment)

same_weights() {  # same_weights RUN_A RUN_B TOLERANCE
    python3 - "$1/weights/last.safetensors" "$2/weights/last.safetensors" "$3" <<'PY'
import json, struct, sys
import numpy as np
def load(path):
    blob = open(path, "rb").read()
    size = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + size])
    return {k: np.frombuffer(blob[8 + size + v["data_offsets"][0]:8 + size + v["data_offsets"][1]], "<f4")
            for k, v in header.items() if k != "__metadata__"}
a, b, tolerance = load(sys.argv[1]), load(sys.argv[2]), float(sys.argv[3])
worst = max(float(np.max(np.abs(a[k] - b[k]))) / max(float(np.max(np.abs(a[k]))), 1e-3) for k in a)
print(f"largest relative weight difference {worst:.2e}")
sys.exit(0 if worst <= tolerance else 1)
PY
}

echo "uninterrupted run, 4 epochs"
"$bstrain" train "${common[@]}" --epochs 4 --run-dir "$work/straight"

echo "stopped after epoch 2, resumed to 4"
"$bstrain" train "${common[@]}" --epochs 2 --run-dir "$work/split"
"$bstrain" train --resume "$work/split" --epochs 4
same_weights "$work/straight" "$work/split" 0 || fail "resumed run differs from the uninterrupted one"
[[ $(wc -l < "$work/split/history.csv") -eq 5 ]] || fail "history.csv should hold 4 epochs after resuming"

echo "Ctrl-C inside epoch 2, resumed"
"$bstrain" train "${common[@]}" --epochs 4 --iterations-per-epoch 800 --run-dir "$work/long" &
pid=$!
for _ in $(seq 600); do grep -q "epoch   1/4" "$work/long/log.txt" 2>/dev/null && break; sleep 0.1; done
sleep 0.3
kill -INT "$pid"
status=0
wait "$pid" || status=$?
((status == 130)) || fail "an interrupted run should exit 130, got $status"
grep -q "interrupted in epoch" "$work/long/log.txt" || fail "no interruption message in log.txt"
"$bstrain" train "${common[@]}" --epochs 4 --iterations-per-epoch 800 --run-dir "$work/long-straight"

echo "refused resumes write nothing into the run (issue 16)"
snapshot() { (cd "$work/long" && find . -type f ! -name run.lock -print0 | sort -z | xargs -0 sha256sum); }
before=$(snapshot)
echo "model: tiny" > "$work/other-config.yaml"
for refused in "--batch 32" "--iterations-per-epoch 10" "--model shufflenetv2" "--lr-patience 3" "--config $work/other-config.yaml"; do
    status=0
    # shellcheck disable=SC2086 # each case is an option and its value
    "$bstrain" train --resume "$work/long" $refused > "$work/refused.out" 2>&1 || status=$?
    ((status == 1)) || fail "--resume with $refused should be refused with exit 1, got $status: $(cat "$work/refused.out")"
    grep -q "error: --" "$work/refused.out" || fail "--resume with $refused: no message naming the option: $(cat "$work/refused.out")"
    [[ "$(snapshot)" == "$before" ]] || fail "--resume with $refused changed files in the run directory"
done
grep -q "cannot change --batch 8 → 32" <("$bstrain" train --resume "$work/long" --batch 32 2>&1) \
    || fail "a refused --batch should name the run's value and the new one"

"$bstrain" train --resume "$work/long"
same_weights "$work/long-straight" "$work/long" 0 || fail "run resumed after Ctrl-C differs from the uninterrupted one"

echo "4 ranks, one killed with SIGKILL in epoch 2, resumed"
ranked=(--epochs 3 --iterations-per-epoch 400 --threads 1)
mpirun_local -n 4 "$bstrain" train "${common[@]}" "${ranked[@]}" --run-dir "$work/ranks-straight"
mpirun_local -n 4 "$bstrain" train "${common[@]}" "${ranked[@]}" --run-dir "$work/ranks" > "$work/ranks.out" 2>&1 &
launcher=$!
for _ in $(seq 600); do grep -q "epoch   1/3" "$work/ranks/log.txt" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
victim=$(pgrep -f -- "--run-dir $work/ranks\$" | tail -n1)
[[ -n "$victim" ]] || fail "no rank process found to kill"
grep -q "epoch   3/3" "$work/ranks/log.txt" && fail "the run finished before a rank could be killed; lengthen its epochs"
kill -KILL "$victim"
start=$SECONDS
status=0
timeout 120 bash -c "while kill -0 $launcher 2>/dev/null; do sleep 0.2; done" || fail "job still running 120 s after a rank died"
wait "$launcher" || status=$?
echo "job ended $((SECONDS - start)) s after the kill, exit $status"
((status != 0)) || fail "mpirun should report the dead rank with a non-zero exit"
mpirun_local -n 4 "$bstrain" train --resume "$work/ranks"
same_weights "$work/ranks-straight" "$work/ranks" 1e-5 || fail "4-rank run resumed after a dead rank differs"
