#!/usr/bin/env bash
# Integration test: `bstrain bench --model` times a training step of the tiny network and prints
# the step time, throughput, memory and a per-operation breakdown; --json prints one object
# that Scripts/bench-vs-pytorch can read; a bench with nothing to time is refused with a message.
source "$(dirname "$0")/lib.sh"

common=(--model tiny --image-size 32 --batch 4 --steps 3 --warmup 1)
echo "bench-model: $bstrain bench ${common[*]}"
"$bstrain" bench "${common[@]}" >"$work/text.txt"
for expected in "step: median" "images/s" "GFLOP/s" "peak resident" "depthwise" "batch norm" "loss" "optimizer" "zero gradients"; do
    grep -q "$expected" "$work/text.txt" || fail "bench --model printed no '$expected':
$(cat "$work/text.txt")"
done

echo "bench-model: $bstrain bench ${common[*]} --json"
"$bstrain" bench "${common[@]}" --json >"$work/result.json"
python3 - "$work/result.json" <<'PY' || fail "bench --model --json printed something unexpected: $(cat "$work/result.json")"
import json, sys
result = json.load(open(sys.argv[1]))
assert result["model"] == "tiny" and result["batch"] == 4 and len(result["step_ms"]) == 3, result
assert result["median_ms"] > 0 and result["images_per_second"] > 0 and result["peak_rss_mib"] > 0, result
assert {"loss", "optimizer", "zero gradients"} <= set(result["breakdown_ms"]), result
PY

if "$bstrain" bench --batch 4 >"$work/refused.txt" 2>&1; then fail "bench with neither --model nor --ops succeeded"; fi
grep -q -- "--model" "$work/refused.txt" || fail "bench without --model or --ops said: $(cat "$work/refused.txt")"
echo "bench-model: ok"
