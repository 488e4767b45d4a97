#!/usr/bin/env bash
# Without --sync-bn each rank normalises with its own slice's batch statistics, so 2 ranks do
# not repeat 1 rank's arithmetic; training must still learn the synthetic set. Rank 0 alone
# writes the run directory and shows progress: every epoch appears once. Buckets of 20 kB cut
# tiny's 122 kB gradient into 7 all-reduces overlapping backward.
source "$(dirname "$0")/lib.sh"

"$bstrain" synth "$work/data" --images-per-class 120
cd "$work"
mpirun_local -n 2 "$bstrain" train --model tiny --loss ce+bst --train "$work/data/train" --val "$work/data/val" \
    --test "$work/data/test" --image-size 64 --batch 24 --epochs 8 --threads 1 --bucket-mb 0.02 \
    --run-dir "$work/run" --log-format jsonl > "$work/log.jsonl"

[[ ! -e "$work/runs" ]] || fail "a rank wrote a default run directory beside --run-dir"
python3 - "$work" <<'PY'
import csv, json, sys
work = sys.argv[1]
run = f"{work}/run"
metrics = json.load(open(f"{run}/metrics.json"))
accuracy = metrics["test"]["accuracy"]
print(f"2 ranks without --sync-bn: test accuracy {accuracy:.3f}, AUC {metrics['test']['auc']:.3f}")
assert accuracy >= 0.9, f"2 ranks did not learn the synthetic set: test accuracy {accuracy}"

rows = list(csv.DictReader(open(f"{run}/history.csv")))
assert [int(row["epoch"]) for row in rows] == list(range(1, 9)), f"history.csv epochs: {[row['epoch'] for row in rows]}"
events = [json.loads(line) for line in open(f"{work}/log.jsonl") if line.startswith("{")]
epochs = [event["epoch"] for event in events if event["event"] == "epoch"]
assert epochs == list(range(1, 9)), f"epochs shown: {epochs} (each once, by rank 0 alone)"
logged = [json.loads(line) for line in open(f"{run}/log.txt") if line.startswith("{")]
logged_epochs = [event["epoch"] for event in logged if event["event"] == "epoch"]
assert logged_epochs == epochs, f"log.txt records epochs {logged_epochs}: written by more than rank 0?"
PY
