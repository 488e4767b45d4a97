#!/usr/bin/env python3
"""Small DICOM Part 10 files (explicit VR little endian) with Python's standard library, for the
DICOM fuzzer's seeds, so no image file is committed.

    python3 Scripts/dicom_writer.py seeds DIR    # the FuzzDICOM seeds: MONOCHROME2 8-bit,
                                                 # MONOCHROME1 16-bit windowed with a rescale,
                                                 # signed 12-bit, RGB, RLE Lossless
"""
import pathlib
import struct
import sys

EXPLICIT_LITTLE = "1.2.840.10008.1.2.1"
RLE_LOSSLESS = "1.2.840.10008.1.2.5"
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
LONG_VRS = {"OB", "OW", "OF", "SQ", "UT", "UN"}


def element(group, number, vr, value):
    if isinstance(value, str):
        value = value.encode() + (b"\0" if vr == "UI" else b" ") * (len(value) % 2)
    head = struct.pack("<HH", group, number) + vr.encode()
    if vr in LONG_VRS:
        return head + b"\0\0" + struct.pack("<I", len(value)) + value
    return head + struct.pack("<H", len(value)) + value


def us(value):
    return struct.pack("<H", value)


def dicom(rows, columns, pixels, photometric="MONOCHROME2", bits=8, stored=None, signed=False, samples=1,
          window=None, rescale=None, syntax=EXPLICIT_LITTLE, encapsulated=False):
    meta = element(2, 1, "OB", b"\0\1") + element(2, 2, "UI", SECONDARY_CAPTURE) + element(2, 3, "UI", "1.2.3.4") \
        + element(2, 0x10, "UI", syntax)
    body = element(8, 0x16, "UI", SECONDARY_CAPTURE) + element(8, 0x18, "UI", "1.2.3.4")
    body += element(0x28, 2, "US", us(samples)) + element(0x28, 4, "CS", photometric)
    if samples == 3:
        body += element(0x28, 6, "US", us(0))
    stored = stored or bits
    body += element(0x28, 0x10, "US", us(rows)) + element(0x28, 0x11, "US", us(columns))
    body += element(0x28, 0x100, "US", us(bits)) + element(0x28, 0x101, "US", us(stored))
    body += element(0x28, 0x102, "US", us(stored - 1)) + element(0x28, 0x103, "US", us(int(signed)))
    if window:
        body += element(0x28, 0x1050, "DS", "%g" % window[0]) + element(0x28, 0x1051, "DS", "%g" % window[1])
    if rescale:
        body += element(0x28, 0x1052, "DS", "%g" % rescale[1]) + element(0x28, 0x1053, "DS", "%g" % rescale[0])
    if encapsulated:
        items = struct.pack("<HHI", 0xFFFE, 0xE000, 0) + struct.pack("<HHI", 0xFFFE, 0xE000, len(pixels)) + pixels
        body += struct.pack("<HH", 0x7FE0, 0x10) + b"OB\0\0" + struct.pack("<I", 0xFFFFFFFF) + items \
            + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    else:
        body += element(0x7FE0, 0x10, "OB" if bits == 8 else "OW", pixels + b"\0" * (len(pixels) % 2))
    return b"\0" * 128 + b"DICM" + element(2, 0, "UL", struct.pack("<I", len(meta))) + meta + body


def rle_frame(rows, columns, values):
    """One 8-bit grey frame in RLE Lossless: a header naming one segment, each row as literal runs."""
    segment = b""
    for row in range(rows):
        line = values[row * columns:(row + 1) * columns]
        for start in range(0, len(line), 128):
            run = line[start:start + 128]
            segment += bytes([len(run) - 1]) + bytes(run)
    header = struct.pack("<16I", 1, 64, *([0] * 14))
    return header + segment + b"\0" * (len(segment) % 2)


def seeds(folder):
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ramp = [(x * 37 + y * 11) % 256 for y in range(6) for x in range(8)]
    (folder / "mono2-8.dcm").write_bytes(dicom(6, 8, bytes(ramp)))
    wide = struct.pack("<48H", *[value * 250 for value in ramp])
    (folder / "mono1-16.dcm").write_bytes(
        dicom(6, 8, wide, photometric="MONOCHROME1", bits=16, window=(30000, 40000), rescale=(1.5, -100)))
    signed = struct.pack("<48h", *[value * 8 - 1024 for value in ramp])
    (folder / "signed-12.dcm").write_bytes(dicom(6, 8, signed, bits=16, stored=12, signed=True, rescale=(1, -1024)))
    rgb = bytes(value for pixel in ramp for value in (pixel, 255 - pixel, pixel // 2))
    (folder / "rgb.dcm").write_bytes(dicom(6, 8, rgb, photometric="RGB", samples=3))
    (folder / "rle.dcm").write_bytes(dicom(6, 8, rle_frame(6, 8, ramp), syntax=RLE_LOSSLESS, encapsulated=True))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "seeds":
        sys.exit(__doc__)
    seeds(sys.argv[2])
