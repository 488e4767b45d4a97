#!/usr/bin/env python3
"""Compares two bstrain training runs: per-step losses from their jsonl logs and the final
weights in RUN/weights/last.safetensors, each to a relative tolerance. Plain Python, no numpy.

Usage: compare-runs.py TOLERANCE REFERENCE_LOG REFERENCE_RUN OTHER_LOG OTHER_RUN [LABEL]
Exits non-zero, naming the largest differences, when the runs differ beyond TOLERANCE.
"""
import array
import json
import struct
import sys


def losses(log):
    events = [json.loads(line) for line in open(log) if line.startswith("{")]
    return [(e["loss"], e["ce"], e["dml"]) for e in events if e["event"] == "iteration"]


def weights(run):
    blob = open(f"{run}/weights/last.safetensors", "rb").read()
    size = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + size])
    data = blob[8 + size:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        values = array.array("f")
        values.frombytes(data[start:end])
        if sys.byteorder != "little":
            values.byteswap()
        tensors[name] = values
    return tensors


def main():
    tolerance = float(sys.argv[1])
    reference_log, reference_run, other_log, other_run = sys.argv[2:6]
    label = sys.argv[6] if len(sys.argv) > 6 else other_run
    reference_losses, other_losses = losses(reference_log), losses(other_log)
    if not reference_losses or len(other_losses) != len(reference_losses):
        sys.exit(f"{label}: ran {len(other_losses)} steps, the reference {len(reference_losses)}")
    loss_error = max(abs(o - r) / max(abs(r), 1e-3)
                     for other, reference in zip(other_losses, reference_losses)
                     for o, r in zip(other, reference))
    reference_weights, other_weights = weights(reference_run), weights(other_run)
    if other_weights.keys() != reference_weights.keys():
        sys.exit(f"{label}: the weights files name different tensors")
    weight_error = 0.0
    for name, values in reference_weights.items():
        scale = max(max(abs(v) for v in values), 1e-3)
        difference = max(abs(o - r) for o, r in zip(other_weights[name], values))
        weight_error = max(weight_error, difference / scale)
    print(f"{label}: {len(reference_losses)} steps; largest relative difference: "
          f"losses {loss_error:.2e}, weights {weight_error:.2e} (tolerance {tolerance:.0e})")
    if loss_error > tolerance or weight_error > tolerance:
        sys.exit(f"{label}: differs from the reference beyond {tolerance:.0e}")


main()
