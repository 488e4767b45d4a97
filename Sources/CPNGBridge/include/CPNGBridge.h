#ifndef CPNGBRIDGE_H
#define CPNGBRIDGE_H

#include <stddef.h>
#include <stdint.h>

// libpng reports errors through a longjmp out of its error handler, which Swift cannot
// express; this function keeps the setjmp on the C side and returns a status instead.

typedef enum {
    BSTRAIN_PNG_OK = 0,
    // libpng failed (a wrong CRC, a bad zlib stream, too little image data, ...); `message` is its text.
    BSTRAIN_PNG_CORRUPT = 1,
    // The output buffer could not be allocated.
    BSTRAIN_PNG_OUT_OF_MEMORY = 2,
    // The header declares more than `max_pixels` pixels; nothing was decoded. `image` holds
    // the declared size.
    BSTRAIN_PNG_TOO_MANY_PIXELS = 3,
    // The data ends before the image's end chunk (IEND).
    BSTRAIN_PNG_TRUNCATED = 4,
} bstrain_png_status;

typedef struct {
    // malloc'ed (caller frees): width*height*channels samples, each a uint8_t (bit_depth 8) or a
    // uint16_t in the host's byte order (bit_depth 16).
    void *samples;
    int width;
    int height;
    int channels;   // 1 (grey) or 3 (RGB): palettes expanded, alpha dropped
    int bit_depth;  // 8 (files of 1, 2, 4 or 8 bits) or 16
} bstrain_png_image;

// Decodes the whole file, checking every chunk's CRC and reading through to IEND. Returns a
// bstrain_png_status; on anything but BSTRAIN_PNG_OK, `image->samples` is NULL and `message`
// says why.
int bstrain_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels, bstrain_png_image *image,
                       char *message, size_t message_capacity);

#endif
