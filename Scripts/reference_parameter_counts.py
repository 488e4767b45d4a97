#!/usr/bin/env python3
"""Reference parameter counts and multiply-accumulates for Tests/NetworksTests.

Builds torchvision's mobilenet_v3_small, shufflenet_v2_x1_0, efficientnet_b1 and resnet18 with
the first convolution replaced for the input channel count and `num_classes` set, then prints
sum(p.numel() for p in model.parameters()) (BN running statistics are buffers, not
parameters) and the multiply-accumulates of convolutions and linear layers for one image.

PeleeNet is not in torchvision: pass the path of the official definition
(peleenet.py of Robert-JunWang/PeleeNet) with --peleenet to count it too.

Needs torch and torchvision, so it is run by hand, not in CI:
    python3 -m venv /root/venvs/torch && /root/venvs/torch/bin/pip install torch torchvision
    /root/venvs/torch/bin/python Scripts/reference_parameter_counts.py [--peleenet peleenet.py]
"""
import argparse
import importlib.util

import torch
from torch import nn
from torchvision import models

CASES = [(1, 2), (3, 1000), (3, 3)]  # (input channels, classes)


def replace_first_convolution(model, path, channels):
    """Swaps the stem convolution at `path` (a dotted module path) for one reading `channels`."""
    *parents, last = path.split(".")
    parent = model
    for name in parents:
        parent = getattr(parent, name)
    old = getattr(parent, last)
    setattr(parent, last, nn.Conv2d(channels, old.out_channels, old.kernel_size, old.stride,
                                    old.padding, bias=old.bias is not None))


def multiply_accumulates(model, channels, image_size):
    """MACs of every Conv2d and Linear for one image, counted with forward hooks."""
    total = 0

    def count(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            total += output.numel() * kh * kw * module.in_channels // module.groups
        elif isinstance(module, nn.Linear):
            total += output.numel() * module.in_features

    handles = [m.register_forward_hook(count) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, channels, image_size, image_size))
    for handle in handles:
        handle.remove()
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peleenet", help="path of the official peleenet.py")
    parser.add_argument("--image-sizes", type=int, nargs="*", default=[224, 128])
    arguments = parser.parse_args()

    builders = {
        "mobilenetv3-small": (lambda classes: models.mobilenet_v3_small(num_classes=classes), "features.0.0"),
        "shufflenetv2": (lambda classes: models.shufflenet_v2_x1_0(num_classes=classes), "conv1.0"),
        "efficientnet-b1": (lambda classes: models.efficientnet_b1(num_classes=classes), "features.0.0"),
        "resnet18": (lambda classes: models.resnet18(num_classes=classes), "conv1"),
    }
    if arguments.peleenet:
        spec = importlib.util.spec_from_file_location("peleenet", arguments.peleenet)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        builders["peleenet"] = (lambda classes: module.PeleeNet(num_classes=classes),
                                "features.stemblock.stem1.conv")

    for name, (build, stem) in builders.items():
        for channels, classes in CASES:
            model = build(classes)
            replace_first_convolution(model, stem, channels)
            parameters = sum(p.numel() for p in model.parameters())
            macs = ", ".join(f"{size}px {multiply_accumulates(model, channels, size) / 1e6:.2f} MMAC"
                             for size in arguments.image_sizes)
            print(f"{name:18} channels={channels} classes={classes:<5} parameters={parameters:<9} {macs}")
        keys = list(build(2).state_dict().keys())
        print(f"{name:18} first keys: {keys[:3]} ... {keys[-2:]}")


if __name__ == "__main__":
    main()
