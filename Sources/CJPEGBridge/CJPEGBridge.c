#include "CJPEGBridge.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !__has_include(<jpeglib.h>)
#error "libjpeg headers (jpeglib.h) not found. Install them with: sudo apt-get install libjpeg-dev   (or run Scripts/setup)"
#endif
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf escape;
    char *message;
    size_t message_capacity;
} error_manager;

static void on_error_exit(j_common_ptr cinfo) {
    error_manager *manager = (error_manager *)cinfo->err;
    if (manager->message && manager->message_capacity > 0) {
        (*cinfo->err->format_message)(cinfo, manager->message);
    }
    longjmp(manager->escape, 1);
}

// libjpeg only warns on corrupt data (a truncated scan is filled with grey); a training set
// must not silently contain such images, so every warning becomes an error.
static void on_emit_message(j_common_ptr cinfo, int msg_level) {
    if (msg_level < 0) on_error_exit(cinfo);
}

static void install(error_manager *manager, char *message, size_t capacity) {
    jpeg_std_error(&manager->base);
    manager->base.error_exit = on_error_exit;
    manager->base.emit_message = on_emit_message;
    manager->message = message;
    manager->message_capacity = capacity;
    if (message && capacity > 0) message[0] = 0;
}

// Status of an error libjpeg raised: running into `max_memory` surfaces as a request for the
// backing store (disk spill) that this build of libjpeg-turbo does not have; a few errors are
// about valid files this build cannot decode rather than about damage.
static int status_of_error(const error_manager *manager) {
    switch (manager->base.msg_code) {
    case JERR_NO_BACKING_STORE:
    case JERR_OUT_OF_MEMORY:
        return BSTRAIN_JPEG_OVER_MEMORY_LIMIT;
    case JERR_BAD_PRECISION:
    case JERR_SOF_UNSUPPORTED:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_ARITH_NOTIMPL:
    case JERR_NOT_COMPILED:
        return BSTRAIN_JPEG_UNSUPPORTED;
    default:
        return BSTRAIN_JPEG_CORRUPT;
    }
}

int bstrain_jpeg_read_info(const uint8_t *data, size_t size, bstrain_jpeg_info *info,
                           char *message, size_t message_capacity) {
    struct jpeg_decompress_struct cinfo;
    error_manager manager;
    install(&manager, message, message_capacity);
    cinfo.err = &manager.base;
    if (setjmp(manager.escape)) {
        jpeg_destroy_decompress(&cinfo);
        return status_of_error(&manager);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    info->width = (int)cinfo.image_width;
    info->height = (int)cinfo.image_height;
    info->components = cinfo.num_components;
    info->progressive = cinfo.progressive_mode ? 1 : 0;
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

// One row of CMYK as libjpeg passes it through, to grey (ITU-R 601 luma, libjpeg's own fixed-
// point weights) or RGB. Adobe applications store CMYK inverted (255 is no ink) and mark such
// files with their APP14 marker, whose transform flag only says CMYK or YCCK (libjpeg turns
// YCCK into CMYK); so with the marker the values are taken as inverted, as Pillow does.
static void convert_cmyk_row(const JSAMPLE *cmyk, uint8_t *output, JDIMENSION width, int components, int inverted) {
    for (JDIMENSION x = 0; x < width; x++) {
        const JSAMPLE *ink = cmyk + 4 * x;
        int key = inverted ? ink[3] : 255 - ink[3];
        int rgb[3];
        for (int channel = 0; channel < 3; channel++) {
            int light = inverted ? ink[channel] : 255 - ink[channel];
            rgb[channel] = (light * key + 127) / 255;
        }
        if (components == 3) {
            output[3 * x] = (uint8_t)rgb[0];
            output[3 * x + 1] = (uint8_t)rgb[1];
            output[3 * x + 2] = (uint8_t)rgb[2];
        } else {
            output[x] = (uint8_t)((19595 * rgb[0] + 38470 * rgb[1] + 7471 * rgb[2] + 32768) >> 16);
        }
    }
}

// A progressive file sends each coefficient's bits over several scans; when its last scans are
// missing (a file cut between scans and closed with EOI) libjpeg shows what arrived, without a
// warning. coef_bits[c][k] is the bit position the next refinement of coefficient k would fill.
static int progression_is_complete(const struct jpeg_decompress_struct *cinfo) {
    for (int component = 0; component < cinfo->num_components; component++) {
        for (int k = 0; k < DCTSIZE2; k++) {
            if (cinfo->coef_bits[component][k] != 0) return 0;
        }
    }
    return 1;
}

// Whether rows [first, end) of `pixels` all hold the value of row `first`'s first pixel.
static int rows_are_flat(const uint8_t *pixels, size_t stride, int components, int first, int end) {
    if (first >= end) return 1;
    const uint8_t *reference = pixels + stride * (size_t)first;
    for (int row = first; row < end; row++) {
        const uint8_t *values = pixels + stride * (size_t)row;
        for (size_t index = 0; index < stride; index++) {
            if (values[index] != reference[index % (size_t)components]) return 0;
        }
    }
    return 1;
}

int bstrain_jpeg_decode(const uint8_t *data, size_t size, const bstrain_jpeg_request *request,
                        bstrain_jpeg_image *image, char *message, size_t message_capacity) {
    struct jpeg_decompress_struct cinfo;
    error_manager manager;
    uint8_t *volatile buffer = NULL;
    install(&manager, message, message_capacity);
    cinfo.err = &manager.base;
    image->pixels = NULL;
    if (setjmp(manager.escape)) {
        jpeg_destroy_decompress(&cinfo);
        free(buffer);
        return status_of_error(&manager);
    }
    jpeg_create_decompress(&cinfo);
    cinfo.mem->max_memory_to_use = (long)request->max_memory;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);

    // A few bytes of header can declare 65500 x 65500 pixels, and a progressive file makes
    // libjpeg hold every coefficient of the image: refuse before anything is allocated.
    image->width = (int)cinfo.image_width;
    image->height = (int)cinfo.image_height;
    if ((uint64_t)cinfo.image_width * cinfo.image_height > request->max_pixels) {
        jpeg_destroy_decompress(&cinfo);
        return BSTRAIN_JPEG_TOO_MANY_PIXELS;
    }

    if (cinfo.jpeg_color_space == JCS_UNKNOWN) {
        snprintf(message, message_capacity, "%d colour components in an unknown colour space", cinfo.num_components);
        jpeg_destroy_decompress(&cinfo);
        return BSTRAIN_JPEG_UNSUPPORTED;
    }
    // libjpeg converts YCbCr and RGB files to grey or RGB, but CMYK and YCCK only to CMYK.
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    int components = request->out_components;
    cinfo.out_color_space = cmyk ? JCS_CMYK : components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    // Smallest DCT scale (1/8, 2/8, ... 8/8) whose output is not below the target size;
    // no target (both 0) means full size.
    cinfo.scale_num = 8;
    cinfo.scale_denom = 8;
    for (int numerator = 1; numerator <= 8 && (request->min_width > 0 || request->min_height > 0); numerator++) {
        long scaled_width = ((long)cinfo.image_width * numerator + 7) / 8;
        long scaled_height = ((long)cinfo.image_height * numerator + 7) / 8;
        if (scaled_width >= request->min_width && scaled_height >= request->min_height) {
            cinfo.scale_num = (unsigned int)numerator;
            break;
        }
    }
    cinfo.dct_method = JDCT_ISLOW;
    // A multi-scan file is read whole here, so its progression is complete or never will be.
    jpeg_start_decompress(&cinfo);
    if (cinfo.progressive_mode && !progression_is_complete(&cinfo)) {
        snprintf(message, message_capacity, "the file ends before its last progressive scan");
        jpeg_destroy_decompress(&cinfo);
        return BSTRAIN_JPEG_TRUNCATED;
    }

    size_t stride = (size_t)cinfo.output_width * (size_t)components;
    buffer = malloc(stride * cinfo.output_height);
    if (!buffer) {
        snprintf(message, message_capacity, "out of memory decoding a %ux%u image",
                 cinfo.output_width, cinfo.output_height);
        jpeg_destroy_decompress(&cinfo);
        return BSTRAIN_JPEG_OUT_OF_MEMORY;
    }
    // An arithmetic decoder that reaches a marker mid-scan reads zeros from then on (T.81 D.2.6):
    // that is how the trailing zero bytes an encoder drops come back, so unlike the Huffman
    // decoder it does not warn, and a scan cut short and closed with EOI decodes without
    // complaint, the rows past the cut made up. Trailing zeros are what a run of most-probable
    // symbols costs, which in practice is a flat area (no coefficient changes: an image's
    // black border), so data that ends more than a few iMCU rows early followed by anything
    // but a flat fill is taken as a cut. Output lags decoding by up to an iMCU row and the
    // decoder holds a few bytes, hence the margin. Only single-scan files decode here (others
    // are read whole by jpeg_start_decompress); restart markers (RST0-7) belong to the scan.
    int data_end_row = -1;
    JSAMPARRAY cmyk_row = cmyk
        ? (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE, cinfo.output_width * 4, 1)
        : NULL;
    while (cinfo.output_scanline < cinfo.output_height) {
        uint8_t *output = buffer + stride * cinfo.output_scanline;
        JSAMPROW row = cmyk ? cmyk_row[0] : output;
        jpeg_read_scanlines(&cinfo, &row, 1);
        if (cmyk) convert_cmyk_row(row, output, cinfo.output_width, components, cinfo.saw_Adobe_marker);
        int marker = cinfo.unread_marker;
        if (data_end_row < 0 && cinfo.arith_code && marker != 0 && !(marker >= 0xD0 && marker <= 0xD7)) {
            data_end_row = (int)cinfo.output_scanline;
        }
    }
    if (data_end_row >= 0) {
        int imcu_rows = (int)((cinfo.output_height + cinfo.total_iMCU_rows - 1) / cinfo.total_iMCU_rows);
        if (!rows_are_flat(buffer, stride, components, data_end_row + 3 * imcu_rows, (int)cinfo.output_height)) {
            snprintf(message, message_capacity, "its arithmetic-coded data ends near row %lu of %u",
                     (unsigned long)data_end_row * cinfo.image_height / cinfo.output_height, cinfo.image_height);
            jpeg_destroy_decompress(&cinfo);
            free(buffer);
            return BSTRAIN_JPEG_TRUNCATED;
        }
    }
    jpeg_finish_decompress(&cinfo);
    image->width = (int)cinfo.output_width;
    image->height = (int)cinfo.output_height;
    image->pixels = buffer;
    jpeg_destroy_decompress(&cinfo);
    return BSTRAIN_JPEG_OK;
}

int bstrain_jpeg_encode(const uint8_t *pixels, int width, int height, int components,
                        const bstrain_jpeg_encoding *encoding, uint8_t **output, size_t *output_size,
                        char *message, size_t message_capacity) {
    struct jpeg_compress_struct cinfo;
    error_manager manager;
    unsigned char *volatile buffer = NULL;
    unsigned long buffer_size = 0;
    install(&manager, message, message_capacity);
    cinfo.err = &manager.base;
    if (setjmp(manager.escape)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return 1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, &buffer_size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = components;
    cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    if (components == 4 && encoding->ycck) jpeg_set_colorspace(&cinfo, JCS_YCCK);
    jpeg_set_quality(&cinfo, encoding->quality, TRUE);
    if (encoding->progressive) jpeg_simple_progression(&cinfo);
    cinfo.arith_code = encoding->arithmetic ? TRUE : FALSE;
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * (size_t)components;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + stride * cinfo.next_scanline);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *output = buffer;
    *output_size = buffer_size;
    return 0;
}
