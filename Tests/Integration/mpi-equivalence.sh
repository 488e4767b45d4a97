#!/usr/bin/env bash
# The number of ranks must not change the mathematics (docs/method.md, "Ranks"). The same seed
# and global batch on 1, 2 and 4 ranks (real mpirun, oversubscribed) with --sync-bn give the
# same per-step losses and final weights up to float reduction order (1e-4 relative). Buckets
# of 10 kB split tiny's gradient into about 13 overlapped all-reduces per step. Batch 12
# splits evenly; batch 10 gives 4 ranks slices of 3, 3, 2 and 2, which the loader, the
# embedding gather and the gradient rows must all agree on. The optimizer is SGD at lr 0.001:
# Adam divides each gradient by its own running size, so a weight whose true gradient is at
# rounding level takes a full step in a direction set by summation order (CI once saw weights
# 1.1e-4 apart from losses 1e-7 apart), and SGD at lr 0.01 makes tiny's batch-norm biases
# chaotic within 8 steps. At lr 0.001 the ranks agree to about 5e-7.
source "$(dirname "$0")/lib.sh"

"$bstrain" synth "$work/data" --images-per-class 48
for batch in 12 10; do
for ranks in 1 2 4; do
    echo "training on $ranks rank(s), batch $batch"
    mpirun_local -n "$ranks" "$bstrain" train --model tiny --loss ce+bst --train "$work/data/train" \
        --val "$work/data/val" --image-size 64 --batch "$batch" --epochs 2 --iterations-per-epoch 4 \
        --optimizer sgd --threads 1 --sync-bn --bucket-mb 0.01 --run-dir "$work/run-$ranks" --log-format jsonl > "$work/log-$ranks.jsonl"
done

python3 - "$work" <<'PY'
import json, struct, sys
import numpy as np
work = sys.argv[1]

def losses(ranks):
    events = [json.loads(line) for line in open(f"{work}/log-{ranks}.jsonl") if line.startswith("{")]
    return np.array([[e["loss"], e["ce"], e["dml"]] for e in events if e["event"] == "iteration"])

def weights(ranks):
    blob = open(f"{work}/run-{ranks}/weights/last.safetensors", "rb").read()
    size = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + size])
    data = blob[8 + size:]
    return {name: np.frombuffer(data[a:b], dtype="<f4")
            for name, info in header.items() if name != "__metadata__"
            for a, b in [info["data_offsets"]]}

reference_losses, reference_weights = losses(1), weights(1)
assert len(reference_losses) == 8, f"expected 8 steps, got {len(reference_losses)}"
for ranks in (2, 4):
    other = losses(ranks)
    assert other.shape == reference_losses.shape, f"{ranks} ranks ran {len(other)} steps"
    error = np.max(np.abs(other - reference_losses) / np.maximum(np.abs(reference_losses), 1e-3))
    print(f"{ranks} ranks: largest relative loss difference {error:.2e}")
    assert error < 1e-4, f"{ranks} ranks: losses differ by {error:.2e}"
    worst = 0.0
    for name, values in reference_weights.items():
        # Tensors still near 0 (batch-norm biases after 8 small steps, about 1e-4) are
        # compared in absolute terms, 1e-6: their float reduction noise, about 1e-7, would
        # be 1e-3 of such a tensor.
        scale = max(np.max(np.abs(values)), 1e-2)
        worst = max(worst, float(np.max(np.abs(weights(ranks)[name] - values)) / scale))
    print(f"{ranks} ranks: largest relative weight difference {worst:.2e}")
    assert worst < 1e-4, f"{ranks} ranks: weights differ by {worst:.2e}"
PY
rm -rf "$work"/run-*
done
