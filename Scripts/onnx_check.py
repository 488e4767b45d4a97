#!/usr/bin/env python3
"""The ONNX side of Tests/Integration/onnx-export.sh, run by a Python that has onnx,
onnxruntime and numpy (BSTRAIN_ONNX_PYTHON; Scripts/setup makes one in CI).

    onnx_check.py images DIR --size S --channels C --per-class N --seed K
        writes DIR/class-0 and DIR/class-1, N PNGs each of S x S pixels (grey for C = 1, RGB for
        C = 3), so that bstrain's decoding is exact: no resize, no colour conversion.
    onnx_check.py compare MODEL --predict CSV --embed CSV --channels C [--calibrated] [--tolerance T]
        checks MODEL with onnx.checker, runs it in onnxruntime on the images the CSVs name
        (bstrain predict's and embed's output for them) and fails unless its probabilities and
        embeddings are bstrain's to within T (relative to the value's size where it exceeds 1);
        --calibrated: the weights have a temperature, which the model must divide the logits by.
"""
import argparse
import csv
import pathlib
import random
import struct
import sys
import zlib

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from png_writer import png  # noqa: E402

COLOUR_TYPE = {1: 0, 3: 2}  # channels -> PNG colour type (grey, RGB)


def write_images(folder, size, channels, per_class, seed):
    generator = random.Random(seed)
    for label in ("class-0", "class-1"):
        (folder / label).mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            # A random gradient under noise: every pixel value from 0 to 255 can occur.
            slope = [generator.uniform(-4, 4) for _ in range(channels)]
            noise = {(x, y, c): generator.randint(-40, 40) for x in range(size) for y in range(size) for c in range(channels)}
            sample = lambda x, y, c: max(0, min(255, round(128 + slope[c] * (x - y) + noise[(x, y, c)])))
            (folder / label / f"{index}.png").write_bytes(png(size, size, COLOUR_TYPE[channels], 8, sample))


def read_png(path, channels):
    """The pixels (H, W, C) of an 8-bit, unfiltered PNG as png_writer writes them."""
    import numpy
    data = pathlib.Path(path).read_bytes()
    position, pixels, header = 8, b"", None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            pixels += body
        position += 12 + length
    width, height, depth, colour_type = header[:4]
    assert depth == 8 and colour_type == COLOUR_TYPE[channels], f"{path}: not an 8-bit PNG of {channels} channel(s)"
    rows = numpy.frombuffer(zlib.decompress(pixels), dtype=numpy.uint8).reshape(height, 1 + width * channels)
    assert (rows[:, 0] == 0).all(), f"{path}: filtered rows; expected png_writer's unfiltered ones"
    return rows[:, 1:].reshape(height, width, channels)


def read_csv(path, skip):
    """{path: values} from bstrain's CSV, the first `skip` columns being path and labels."""
    with open(path) as file:
        rows = list(csv.reader(file))
    return {row[0]: [float(value) for value in row[skip:]] for row in rows[1:]}


def compare(arguments):
    import numpy
    import onnx
    import onnxruntime

    model = onnx.load(arguments.model)
    onnx.checker.check_model(model, full_check=True)
    properties = {entry.key: entry.value for entry in model.metadata_props}
    for key in ("model", "classes", "preprocessing_scale", "preprocessing_colour", "preprocessing_resize", "onnx_input"):
        assert key in properties, f"metadata_props lacks {key}: {sorted(properties)}"

    if arguments.calibrated:
        assert "temperature" in properties, "the weights were calibrated, but the model states no temperature"
        assert any(node.op_type == "Div" for node in model.graph.node), "the model does not divide by the temperature"
    predicted = read_csv(arguments.predict, skip=2)   # path, predicted, p per class
    embedded = read_csv(arguments.embed, skip=2)      # path, label, f0 ...
    assert predicted.keys() == embedded.keys(), "predict and embed saw different images"
    paths = sorted(predicted)
    images = numpy.stack([read_png(path, arguments.channels) for path in paths]).astype(numpy.float32)
    # bstrain's input: pixel / 127.5 - 1, NCHW.
    batch = (images / numpy.float32(127.5) - numpy.float32(1)).transpose(0, 3, 1, 2)

    session = onnxruntime.InferenceSession(arguments.model, providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["image"], session.get_inputs()
    probabilities, embeddings = session.run(["probabilities", "embedding"], {"image": batch})

    def worst(onnx_values, bstrain_values):
        expected = numpy.array([bstrain_values[path] for path in paths], dtype=numpy.float64)
        return float((numpy.abs(onnx_values - expected) / numpy.maximum(1, numpy.abs(expected))).max())

    probability_error = worst(probabilities, predicted)
    embedding_error = worst(embeddings, embedded)
    temperature = f", temperature {float(properties['temperature']):.4f}" if "temperature" in properties else ""
    views = ", test-time views" if properties.get("tta") == "true" else ""
    print(f"{properties['model']}{temperature}{views}: {len(paths)} images, largest difference from bstrain: "
          f"probabilities {probability_error:.2e}, embeddings {embedding_error:.2e} "
          f"(probabilities from {probabilities.min():.4f} to {probabilities.max():.4f})")
    assert probability_error <= arguments.tolerance, f"probabilities differ by {probability_error:.2e}"
    assert embedding_error <= arguments.tolerance, f"embeddings differ by {embedding_error:.2e}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    images = commands.add_parser("images")
    images.add_argument("folder", type=pathlib.Path)
    images.add_argument("--size", type=int, required=True)
    images.add_argument("--channels", type=int, choices=(1, 3), required=True)
    images.add_argument("--per-class", type=int, required=True)
    images.add_argument("--seed", type=int, default=0)
    check = commands.add_parser("compare")
    check.add_argument("model")
    check.add_argument("--predict", required=True)
    check.add_argument("--embed", required=True)
    check.add_argument("--channels", type=int, choices=(1, 3), required=True)
    check.add_argument("--calibrated", action="store_true")
    check.add_argument("--tolerance", type=float, default=1e-5)
    arguments = parser.parse_args()
    if arguments.command == "images":
        write_images(arguments.folder, arguments.size, arguments.channels, arguments.per_class, arguments.seed)
    else:
        compare(arguments)


if __name__ == "__main__":
    main()
