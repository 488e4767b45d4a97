#!/usr/bin/env bash
# Starting from other weights (--init-from) and training the classifier alone
# (--freeze-backbone): the second stage of decoupled training keeps every backbone tensor bit
# for bit, on 1 and 2 ranks; a PyTorch-layout state dict loads as bstrain's own file does;
# a partly frozen run unfreezes; bad values are refused naming the option.
source "$(dirname "$0")/lib.sh"

"$bstrain" synth "$work/data" --images-per-class 24 >/dev/null
common=(--recipe paper --model tiny --train "$work/data/train" --val "$work/data/val" --test "$work/data/test"
        --image-size 64 --batch 8 --threads 1 --log-format quiet)

echo "stage 1: CE+BST from the seed"
"$bstrain" train "${common[@]}" --loss ce+bst --epochs 2 --ema 0.9 --run-dir "$work/stage1"

same_backbone() {  # same_backbone WEIGHTS_A WEIGHTS_B: every tensor but the classifier's bit for bit, and the classifier moved
    python3 - "$repository/Scripts" "$1" "$2" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import safetensors_io
a, _ = safetensors_io.read(sys.argv[2])
b, _ = safetensors_io.read(sys.argv[3])
assert a.keys() == b.keys(), "the files hold other tensors"
moved = [name for name in a if not name.startswith("classifier.") and not np.array_equal(a[name], b[name])]
assert not moved, f"backbone tensors changed: {moved[:5]}"
assert any(not np.array_equal(a[name], b[name]) for name in a if name.startswith("classifier.")), "the classifier did not learn"
PY
}

for ranks in 1 2; do
    echo "stage 2 on $ranks rank(s): the classifier alone, logit-adjusted CE"
    mpirun_local -n "$ranks" "$bstrain" train "${common[@]}" --loss ce --epochs 3 --ema 0.9 --lr 0.01 \
        --init-from "$work/stage1/weights/best.safetensors" --freeze-backbone 3 --logit-adjustment 1 \
        --run-dir "$work/stage2-$ranks" --log-format text > "$work/stage2-$ranks.log"
    same_backbone "$work/stage1/weights/best.safetensors" "$work/stage2-$ranks/weights/last.safetensors" \
        || fail "$ranks rank(s): stage 2 changed the frozen backbone"
    grep -q "backbone frozen: only the classifier learns" "$work/stage2-$ranks.log" || fail "the log does not say the backbone is frozen"
    grep -q "^validation,balanced accuracy," "$work/stage2-$ranks/before-after.csv" || fail "before-after.csv lacks the balanced accuracy"
    grep -q "^test,macro-F1," "$work/stage2-$ranks/before-after.csv" || fail "before-after.csv lacks the test macro-F1"
done

echo "a PyTorch-layout state dict (NCHW, num_batches_tracked, no metadata) loads as bstrain's file"
python3 - "$repository/Scripts" "$work" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import safetensors_io
tensors, _ = safetensors_io.read(f"{sys.argv[2]}/stage1/weights/best.safetensors")
safetensors_io.write(f"{sys.argv[2]}/state_dict.safetensors", safetensors_io.as_pytorch_state_dict(tensors), {"format": "pt"})
PY
"$bstrain" train "${common[@]}" --loss ce --epochs 1 --init-from "$work/state_dict.safetensors" --freeze-backbone 1 \
    --run-dir "$work/from-pytorch" --log-format text > "$work/from-pytorch.log"
grep -q "read as a PyTorch state dict" "$work/from-pytorch.log" || fail "the layout was not recognised as PyTorch's"
same_backbone "$work/stage1/weights/best.safetensors" "$work/from-pytorch/weights/last.safetensors" \
    || fail "a PyTorch-layout file did not load the same backbone"

echo "frozen for 1 epoch of 2, then the whole network learns"
"$bstrain" train "${common[@]}" --loss ce --epochs 2 --init-from "$work/stage1/weights/best.safetensors" --freeze-backbone 1 \
    --run-dir "$work/unfrozen" --log-format text > "$work/unfrozen.log"
grep -q "backbone unfrozen: the whole network learns from epoch 2" "$work/unfrozen.log" || fail "the backbone was not unfrozen"
! same_backbone "$work/stage1/weights/best.safetensors" "$work/unfrozen/weights/last.safetensors" 2>/dev/null \
    || fail "the backbone did not learn after it was unfrozen"

refused() {  # refused PATTERN OPTION...: the run stops before training with a message matching PATTERN
    refused_train "$1" "${common[@]}" --epochs 1 --run-dir "$work/refused" "${@:2}"
}
refused "weights file $work/none.safetensors does not exist" --init-from "$work/none.safetensors"
refused "--freeze-backbone -1 is not valid" --freeze-backbone=-1
refused "--logit-adjustment -1.0 is not valid" --logit-adjustment=-1
"$bstrain" train "${common[@]}" --model mobilenetv3-small --epochs 1 --run-dir "$work/mobilenet" --iterations-per-epoch 1 >/dev/null
refused "has no tensor '.*', which the model needs" --init-from "$work/mobilenet/weights/best.safetensors"
echo "two-stage: ok"
