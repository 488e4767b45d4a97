#ifndef CJPEGBRIDGE_H
#define CJPEGBRIDGE_H

#include <stddef.h>
#include <stdint.h>

// libjpeg reports errors through a longjmp out of its error manager, which Swift cannot
// express; these functions keep the setjmp on the C side and return a status instead.

typedef struct {
    int width;          // full image size, before DCT scaling
    int height;
    int components;     // 1 (grey), 3 (colour) or 4 (CMYK, YCCK) as stored in the file
    int progressive;
} bstrain_jpeg_info;

typedef enum {
    BSTRAIN_JPEG_OK = 0,
    // libjpeg failed or warned (a bad Huffman code, a truncated scan, ...); `message` is its text.
    BSTRAIN_JPEG_CORRUPT = 1,
    // The output buffer could not be allocated.
    BSTRAIN_JPEG_OUT_OF_MEMORY = 2,
    // The header declares more than `max_pixels` pixels; nothing was decoded. `image` holds
    // the declared size.
    BSTRAIN_JPEG_TOO_MANY_PIXELS = 3,
    // libjpeg needed more than `max_memory` bytes for its buffers.
    BSTRAIN_JPEG_OVER_MEMORY_LIMIT = 4,
    // The data ends early in a way libjpeg does not warn about; `message` says where.
    BSTRAIN_JPEG_TRUNCATED = 5,
    // A valid JPEG that cannot be decoded to 8-bit grey or RGB (12-bit samples, lossless coding,
    // an unknown colour space); `message` says which.
    BSTRAIN_JPEG_UNSUPPORTED = 6,
} bstrain_jpeg_status;

typedef struct {
    // Smallest output size wanted: the largest DCT scale 1/8..1 whose output is still at least
    // this big is used (0, 0: full size).
    int min_width;
    int min_height;
    int out_components;     // 1 (grey) or 3 (RGB)
    // Images whose header declares more pixels are refused before anything is allocated.
    uint64_t max_pixels;
    // Bytes libjpeg may allocate for its own buffers (a progressive file keeps every
    // coefficient of the image); 0: no limit.
    uint64_t max_memory;
} bstrain_jpeg_request;

typedef struct {
    uint8_t *pixels;        // malloc'ed (caller frees); width*height*out_components bytes
    int width;
    int height;
} bstrain_jpeg_image;

// Reads the header only. Returns 0 on success, otherwise non-zero with `message` filled.
int bstrain_jpeg_read_info(const uint8_t *data, size_t size, bstrain_jpeg_info *info,
                           char *message, size_t message_capacity);

// Decodes `data` as `request` asks, converting CMYK and YCCK files to grey or RGB. Any
// corrupt-data warning counts as an error. Returns a bstrain_jpeg_status; on anything but
// BSTRAIN_JPEG_OK, `image->pixels` is NULL and `message` says why.
int bstrain_jpeg_decode(const uint8_t *data, size_t size, const bstrain_jpeg_request *request,
                        bstrain_jpeg_image *image, char *message, size_t message_capacity);

typedef struct {
    int quality;        // 1...100
    int progressive;    // libjpeg's default progression script instead of one sequential scan
    int arithmetic;     // arithmetic instead of Huffman entropy coding
    int ycck;           // 4-component input only: store as YCCK instead of CMYK
} bstrain_jpeg_encoding;

// Encodes 8-bit pixels: 1 (grey), 3 (RGB) or 4 (CMYK, stored as given with an Adobe marker,
// which readers take as inverted CMYK) components. `*output` is malloc'ed by libjpeg (caller
// frees). Returns 0 on success.
int bstrain_jpeg_encode(const uint8_t *pixels, int width, int height, int components,
                        const bstrain_jpeg_encoding *encoding, uint8_t **output, size_t *output_size,
                        char *message, size_t message_capacity);

#endif
