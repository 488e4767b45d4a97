#!/usr/bin/env python3
"""Converts a class folder of 8-bit grey JPEGs into DICOM files with pydicom, in kinds whose
display pipeline gives back the original pixels exactly, so that a run on the DICOM folder
must equal a run on the JPEGs:

  mono2-8      MONOCHROME2, 8 bits, window 128/256 (the linear VOI function maps x to 257·x)
  mono1-8      MONOCHROME1, 255 - x stored, same window: inverted back to x
  mono2-16     MONOCHROME2, 16 bits (x·257), window 32768/65536: the identity
  signed-12    signed 12-bit stored x - 1000, Rescale Intercept 1000, window 128/256
  rle          mono2-8's pixels RLE Lossless compressed (pydicom's own encoder)
  jpeg         the original JPEG's bytes encapsulated unchanged (JPEG Baseline transfer syntax)
  no-extension mono2-8 written without a file extension, as archives name files

usage: dicom_from_images.py SOURCE_ROOT TARGET_ROOT (class folders of .jpg under SOURCE_ROOT; in
each folder the files take the kinds in turn)."""
import itertools
import pathlib
import sys

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit, RLELossless, SecondaryCaptureImageStorage, generate_uid

KINDS = ["mono2-8", "mono1-8", "mono2-16", "signed-12", "rle", "jpeg", "no-extension"]


def dataset(pixels, photometric="MONOCHROME2", bits=8, stored=None, signed=False, window=(128, 256), intercept=None):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, photometric
    ds.BitsAllocated, ds.BitsStored = bits, stored or bits
    ds.HighBit, ds.PixelRepresentation = ds.BitsStored - 1, int(signed)
    ds.WindowCenter, ds.WindowWidth = window
    if intercept is not None:
        ds.RescaleIntercept, ds.RescaleSlope = intercept, 1
    ds.PixelData = pixels.tobytes()
    return ds


def convert(source, target, kind):
    x = np.asarray(Image.open(source).convert("L"), dtype=np.int32)
    name = target.with_suffix(".dcm")
    if kind == "mono2-8" or kind == "no-extension" or kind == "rle":
        ds = dataset(x.astype(np.uint8))
        if kind == "rle":
            ds.compress(RLELossless)
        if kind == "no-extension":
            name = target.with_suffix("")
    elif kind == "mono1-8":
        ds = dataset((255 - x).astype(np.uint8), photometric="MONOCHROME1")
    elif kind == "mono2-16":
        ds = dataset((x * 257).astype(np.uint16), bits=16, window=(32768, 65536))
    elif kind == "signed-12":
        ds = dataset((x - 1000).astype(np.int16), bits=16, stored=12, signed=True, intercept=1000)
    elif kind == "jpeg":
        ds = dataset(x.astype(np.uint8))
        ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
        ds.PixelData = encapsulate([source.read_bytes()])
        ds["PixelData"].VR = "OB"
    name.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(name, enforce_file_format=True)


def main():
    source_root, target_root = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    # Each folder's files take the kinds in turn, so every class of every split has each kind.
    for folder, sources in itertools.groupby(sorted(source_root.rglob("*.jpg")), key=lambda path: path.parent):
        for source, kind in zip(sources, itertools.cycle(KINDS)):
            convert(source, target_root / source.relative_to(source_root), kind)


if __name__ == "__main__":
    main()
