#include "CPNGBridge.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The file in memory, read by libpng through `read_bytes`, and where libpng's error text goes.
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    int truncated;
    char *message;
    size_t message_capacity;
} source;

static void read_bytes(png_structp png, png_bytep output, size_t count) {
    source *input = png_get_io_ptr(png);
    if (count > input->size - input->offset) {
        input->truncated = 1;
        png_error(png, "the file ends before its end chunk (IEND)");
    }
    memcpy(output, input->data + input->offset, count);
    input->offset += count;
}

static void report_error(png_structp png, png_const_charp text) {
    source *input = png_get_error_ptr(png);
    snprintf(input->message, input->message_capacity, "%s", text);
    png_longjmp(png, 1);
}

// libpng warns about metadata it ignores (an sRGB profile it knows to be wrong, a misplaced
// text chunk); damage to the pixels is always an error, so warnings do not fail the decode.
static void ignore_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

int bstrain_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels, bstrain_png_image *image,
                       char *message, size_t message_capacity) {
    source input = {data, size, 0, 0, message, message_capacity};
    if (message_capacity > 0) message[0] = 0;
    image->samples = NULL;
    image->width = 0;
    image->height = 0;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &input, report_error, ignore_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(message, message_capacity, "out of memory starting libpng");
        return BSTRAIN_PNG_OUT_OF_MEMORY;
    }
    uint8_t *volatile buffer = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(buffer);
        free(rows);
        return input.truncated ? BSTRAIN_PNG_TRUNCATED : BSTRAIN_PNG_CORRUPT;
    }
    png_set_read_fn(png, &input, read_bytes);
    // A wrong CRC anywhere means the file was damaged: refuse it, as for the image data.
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    // libpng's own size limits (a million pixels a side) would refuse large images as errors;
    // the pixel count below is the one limit, so a refusal always says it is one.
    png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int depth = 0, colour = 0;
    png_get_IHDR(png, info, &width, &height, &depth, &colour, NULL, NULL, NULL);
    image->width = (int)width;
    image->height = (int)height;
    // A few bytes of header can declare 2^31 x 2^31 pixels: refuse before anything is allocated.
    if ((uint64_t)width * height > max_pixels) {
        png_destroy_read_struct(&png, &info, NULL);
        return BSTRAIN_PNG_TOO_MANY_PIXELS;
    }

    // Deflate packs at most 1032 bytes into one (a 258-byte match in under 2 bits), so a file
    // too short to hold the image its header declares is refused before the output is
    // allocated: otherwise a 100-byte file could make every decoding thread allocate 500 MB.
    uint64_t stored_row = ((uint64_t)width * png_get_channels(png, info) * (uint64_t)depth + 7) / 8;
    uint64_t stored_bytes = (uint64_t)height * (stored_row + 1);
    if (stored_bytes > ((uint64_t)size + 1024) * 1032) {
        snprintf(message, message_capacity, "its %zu bytes cannot hold the %ux%u image its header declares",
                 size, width, height);
        png_destroy_read_struct(&png, &info, NULL);
        return BSTRAIN_PNG_CORRUPT;
    }

    // To 8- or 16-bit grey or RGB: palettes and packed grey expanded, alpha (and tRNS) dropped.
    if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (colour == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (colour & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (depth == 16) png_set_swap(png);
#endif
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    size_t stride = png_get_rowbytes(png, info);
    buffer = malloc(stride * height);
    rows = malloc(sizeof(png_bytep) * height);
    if (!buffer || !rows) {
        snprintf(message, message_capacity, "out of memory decoding a %ux%u image", width, height);
        png_destroy_read_struct(&png, &info, NULL);
        free(buffer);
        free(rows);
        return BSTRAIN_PNG_OUT_OF_MEMORY;
    }
    for (png_uint_32 row = 0; row < height; row++) rows[row] = buffer + stride * row;
    png_read_image(png, rows);
    // Reads the chunks after the image data, so a cut or damaged end is noticed too.
    png_read_end(png, NULL);
    image->channels = png_get_channels(png, info);
    image->bit_depth = png_get_bit_depth(png, info);
    image->samples = buffer;
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    return BSTRAIN_PNG_OK;
}
