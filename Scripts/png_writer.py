#!/usr/bin/env python3
"""Small PNG files from given samples with Python's standard library (no imaging package),
for the tests and the PNG fuzzer's seeds, so no image file is committed.

    python3 Scripts/png_writer.py seeds DIR    # the FuzzPNG seeds: 1-bit grey, 8-bit palette,
                                               # 8-bit RGBA, 16-bit grey, 16-bit RGB
"""
import pathlib
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
SAMPLES_PER_PIXEL = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by colour type: grey, RGB, palette, grey+alpha, RGBA


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def row_bytes(samples, depth):
    if depth == 16:
        return struct.pack(">%dH" % len(samples), *samples)
    if depth == 8:
        return bytes(samples)
    per_byte = 8 // depth
    return bytes(
        sum(sample << (8 - depth * (index + 1)) for index, sample in enumerate(samples[start:start + per_byte]))
        for start in range(0, len(samples), per_byte))


def png(width, height, colour_type, depth, sample, palette=None):
    """The bytes of a PNG whose sample (x, y, channel) is `sample(x, y, c)`, below 2**depth."""
    channels = SAMPLES_PER_PIXEL[colour_type]
    rows = b"".join(
        b"\0" + row_bytes([sample(x, y, c) for x in range(width) for c in range(channels)], depth)
        for y in range(height))
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0))
    if palette is not None:
        body += chunk(b"PLTE", bytes(palette))
    return SIGNATURE + body + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def seeds(folder):
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ramp = [level * 17 for level in range(16) for _ in range(3)]
    files = {
        "grey-1.png": png(5, 3, 0, 1, lambda x, y, c: (2 * x + y) % 3 == 0),
        "palette-8.png": png(5, 3, 3, 8, lambda x, y, c: (x + 3 * y) % 16, ramp),
        "rgba-8.png": png(5, 3, 6, 8, lambda x, y, c: (37 * x + 71 * y + 101 * c + 13) % 256),
        "grey-16.png": png(5, 3, 0, 16, lambda x, y, c: (9973 * x + 15013 * y + 4099) % 65536),
        "rgb-16.png": png(5, 3, 2, 16, lambda x, y, c: (9973 * x + 15013 * y + 7919 * c + 4099) % 65536),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "seeds":
        sys.exit(__doc__)
    seeds(sys.argv[2])
