#ifndef CDICOMBRIDGE_H
#define CDICOMBRIDGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// DCMTK is a C++ library; Swift reaches it through this C function, which renders a DICOM
// file's first frame as DCMTK's DicomImage displays it: the modality LUT (Rescale Slope and
// Intercept), the VOI transformation (the file's first window, else its first VOI LUT, else
// the pixel range) and MONOCHROME1's inversion, so that a larger value is always brighter.

typedef enum {
    BSTRAIN_DICOM_OK = 0,
    // DCMTK could not parse or render the file; `message` says why.
    BSTRAIN_DICOM_CORRUPT = 1,
    // The pixel data's transfer syntax has no decoder here; `message` names it.
    BSTRAIN_DICOM_UNSUPPORTED_TRANSFER_SYNTAX = 2,
    // Rows x Columns exceeds `max_pixels`; nothing was decoded. `image` holds the declared size.
    BSTRAIN_DICOM_TOO_MANY_PIXELS = 3,
    // The data set has no Pixel Data element (a structured report, a presentation state, ...).
    BSTRAIN_DICOM_NO_PIXEL_DATA = 4,
    BSTRAIN_DICOM_OUT_OF_MEMORY = 5,
} bstrain_dicom_status;

typedef struct {
    // malloc'ed (caller frees): width*height*channels samples, uint16_t for grey (channels 1,
    // the full 0...65535 display range) or uint8_t for colour (channels 3, RGB).
    void *samples;
    int width;
    int height;
    int channels;
    int bit_depth;   // 16 (grey) or 8 (colour)
    int frames;      // frames in the file; only the first is rendered
} bstrain_dicom_image;

// Decodes `size` bytes of a DICOM Part 10 file (128-byte preamble, "DICM", file meta group).
int bstrain_dicom_decode(const uint8_t *data, size_t size, uint64_t max_pixels, bstrain_dicom_image *image,
                         char *message, size_t message_capacity);

#ifdef __cplusplus
}
#endif

#endif
