#ifndef CJPEGBRIDGE_H
#define CJPEGBRIDGE_H

#include <stddef.h>
#include <stdint.h>

// libjpeg reports errors through a longjmp out of its error manager, which Swift cannot
// express; these two functions keep the setjmp on the C side and return a status instead.

typedef struct {
    int width;          // full image size, before DCT scaling
    int height;
    int components;     // 1 (grey) or 3 (colour) as stored in the file
    int progressive;
} bstrain_jpeg_info;

// Reads the header only. Returns 0 on success, otherwise non-zero with `message` filled.
int bstrain_jpeg_read_info(const uint8_t *data, size_t size, bstrain_jpeg_info *info,
                           char *message, size_t message_capacity);

// Decodes `data`, scaled by the largest DCT factor 1/8..1 whose output is still at least
// `min_width` x `min_height` (pass 0 for full size), converted to `out_components` (1 or 3).
// `*pixels` is malloc'ed by this function (caller frees); its size is width*height*components.
// Any corrupt-data warning (e.g. a truncated scan) is treated as an error: returns non-zero
// and fills `message`.
int bstrain_jpeg_decode(const uint8_t *data, size_t size, int min_width, int min_height,
                        int out_components, uint8_t **pixels, int *width, int *height,
                        char *message, size_t message_capacity);

// Encodes 8-bit pixels (1 or 3 components) as a baseline JPEG. `*output` is malloc'ed by
// libjpeg (caller frees). Returns 0 on success.
int bstrain_jpeg_encode(const uint8_t *pixels, int width, int height, int components,
                        int quality, uint8_t **output, size_t *output_size,
                        char *message, size_t message_capacity);

#endif
