#!/usr/bin/env bash
# --init-from against torchvision itself (Scripts/check-init-from-torchvision): needs a Python
# with torch, torchvision, safetensors and Pillow, named by BSTRAIN_TORCH_PYTHON; skipped without
# it (PyTorch is too large a download for every CI run).
source "$(dirname "$0")/lib.sh"

python="${BSTRAIN_TORCH_PYTHON:-}"
if [[ -z "$python" ]] || ! "$python" -c "import torch, torchvision, safetensors, PIL" 2>/dev/null; then
    echo "init-from-torchvision: skipped (set BSTRAIN_TORCH_PYTHON to a python with torch, torchvision, safetensors and Pillow)"
    exit 0
fi
"$python" "$repository/Scripts/check-init-from-torchvision" --bstrain "$bstrain" --work "$work" 2>&1 | grep -E "channel\(s\)|comparison" \
    || fail "bstrain's outputs from torchvision's weights differ from torchvision's"
echo "init-from-torchvision: ok"
