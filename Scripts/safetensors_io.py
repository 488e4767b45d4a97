"""Reads and writes safetensors files with NumPy alone (no torch, no safetensors package), for
the integration tests that look inside bstrain's weights or hand it a PyTorch-style state dict."""
import json
import struct

import numpy as np

DTYPES = {"F32": "<f4", "I64": "<i8"}


def read(path):
    """(tensors by name as NumPy arrays of their shapes, the __metadata__ map)."""
    blob = open(path, "rb").read()
    size = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + size])
    data = blob[8 + size:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    return tensors, metadata


def write(path, tensors, metadata=None):
    """Writes `tensors` (name -> float32 or int64 array) as `safetensors.torch.save_file` does."""
    header, chunks, offset = {}, [], 0
    for name, array in tensors.items():
        dtype = {np.dtype("float32"): "F32", np.dtype("int64"): "I64"}[array.dtype]
        raw = np.ascontiguousarray(array).astype(DTYPES[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks))


def as_pytorch_state_dict(tensors):
    """bstrain's tensors in PyTorch's layout: convolution weights [out, in/groups, kh, kw], and a
    num_batches_tracked counter beside every batch norm, as a torchvision state dict has."""
    converted = {}
    for name, array in tensors.items():
        converted[name] = array.transpose(0, 3, 1, 2).copy() if array.ndim == 4 else array.copy()
        if name.endswith(".running_var"):
            converted[name[:-len("running_var")] + "num_batches_tracked"] = np.array(7, dtype=np.int64)
    return converted
