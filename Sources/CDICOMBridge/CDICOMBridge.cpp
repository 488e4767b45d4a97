#include "CDICOMBridge.h"

#if !__has_include(<dcmtk/config/osconfig.h>)
#error "DCMTK headers not found. Install them with: sudo apt-get install libdcmtk-dev   (or run Scripts/setup)"
#endif

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmimage/diregist.h>
#include <dcmtk/dcmimgle/dcmimage.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

namespace {

// The largest block DCMTK may allocate while this thread decodes a file. DCMTK allocates an
// element's declared length before it reads the value, so a few bytes can ask for gigabytes;
// no value of a file within --max-image-pixels needs more than its pixels at 3 samples of 16
// bits, or the file's own size.
thread_local std::size_t allocationLimit = SIZE_MAX;

struct AllocationLimit {
    explicit AllocationLimit(std::size_t limit) { allocationLimit = limit; }
    ~AllocationLimit() { allocationLimit = SIZE_MAX; }
};

void write(char *message, size_t capacity, const char *text) {
    if (capacity == 0) return;
    std::snprintf(message, capacity, "%s", text);
}

// The decoders of the compressed transfer syntaxes DCMTK ships (JPEG baseline, extended and
// lossless; JPEG-LS; RLE), registered once per process; DCMTK's log is silenced so its
// warnings do not interleave with bstrain's own messages.
void registerDecoders() {
    static std::once_flag once;
    std::call_once(once, [] {
        OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

// Whether DCMTK can decode pixel data in `xfer` once the decoders above are registered.
bool canDecode(E_TransferSyntax xfer) {
    DcmXfer syntax(xfer);
    if (!syntax.isEncapsulated()) return true;
    switch (xfer) {
    case EXS_JPEGProcess1: case EXS_JPEGProcess2_4: case EXS_JPEGProcess14: case EXS_JPEGProcess14SV1:
    case EXS_JPEGLSLossless: case EXS_JPEGLSLossy: case EXS_RLELossless:
        return true;
    default:
        return false;
    }
}

}  // namespace

// DCMTK allocates value fields with `new (std::nothrow) Uint8[n]` and reports a null result as
// EC_MemoryExhausted; past the limit this replacement returns null instead of allocating.
// Elsewhere (no decode in progress on this thread) it is the default allocation.
void *operator new[](std::size_t size, const std::nothrow_t &) noexcept {
    if (size > allocationLimit) return nullptr;
    try {
        return ::operator new[](size);
    } catch (...) {
        return nullptr;
    }
}

namespace {

int decode(const uint8_t *data, size_t size, uint64_t max_pixels, bstrain_dicom_image *image, char *message,
           size_t message_capacity) {
    DcmInputBufferStream stream;
    stream.setBuffer(data, static_cast<offile_off_t>(size));
    stream.setEos();
    DcmFileFormat file;
    file.transferInit();
    OFCondition status = file.read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
    file.transferEnd();
    if (status.bad()) {
        write(message, message_capacity, status.text());
        return BSTRAIN_DICOM_CORRUPT;
    }
    DcmDataset *dataset = file.getDataset();
    if (!dataset->tagExists(DCM_PixelData)) {
        write(message, message_capacity, "no Pixel Data element");
        return BSTRAIN_DICOM_NO_PIXEL_DATA;
    }
    Uint16 rows = 0, columns = 0;
    dataset->findAndGetUint16(DCM_Rows, rows);
    dataset->findAndGetUint16(DCM_Columns, columns);
    image->width = columns;
    image->height = rows;
    if (static_cast<uint64_t>(rows) * columns > max_pixels) return BSTRAIN_DICOM_TOO_MANY_PIXELS;
    E_TransferSyntax xfer = dataset->getOriginalXfer();
    if (!canDecode(xfer)) {
        DcmXfer syntax(xfer);
        std::snprintf(message, message_capacity, "%s (%s)", syntax.getXferName(), syntax.getXferID());
        return BSTRAIN_DICOM_UNSUPPORTED_TRANSFER_SYNTAX;
    }

    DicomImage rendered(&file, xfer, 0UL, 0UL, 1UL);
    if (rendered.getStatus() != EIS_Normal) {
        write(message, message_capacity, DicomImage::getString(rendered.getStatus()));
        return BSTRAIN_DICOM_CORRUPT;
    }
    image->frames = static_cast<int>(rendered.getFrameCount());
    image->width = static_cast<int>(rendered.getWidth());
    image->height = static_cast<int>(rendered.getHeight());
    const bool grey = rendered.isMonochrome();
    if (grey) {
        if (rendered.getWindowCount() > 0) {
            rendered.setWindow(0);
        } else if (rendered.getVoiLutCount() > 0) {
            rendered.setVoiLut(0);
        } else {
            rendered.setMinMaxWindow();
        }
    }
    image->channels = grey ? 1 : 3;
    image->bit_depth = grey ? 16 : 8;
    const unsigned long bytes = rendered.getOutputDataSize(image->bit_depth);
    const size_t expected = static_cast<size_t>(image->width) * image->height * image->channels * (grey ? 2 : 1);
    if (bytes != expected) {
        write(message, message_capacity, "DCMTK rendered an unexpected number of bytes");
        return BSTRAIN_DICOM_CORRUPT;
    }
    image->samples = std::malloc(expected);
    if (image->samples == nullptr) return BSTRAIN_DICOM_OUT_OF_MEMORY;
    if (!rendered.getOutputData(image->samples, bytes, image->bit_depth, 0, 0)) {
        std::free(image->samples);
        image->samples = nullptr;
        write(message, message_capacity, "DCMTK could not render the pixel data (damaged or truncated?)");
        return BSTRAIN_DICOM_CORRUPT;
    }
    return BSTRAIN_DICOM_OK;
}

}  // namespace

extern "C" int bstrain_dicom_decode(const uint8_t *data, size_t size, uint64_t max_pixels, bstrain_dicom_image *image,
                                    char *message, size_t message_capacity) {
    std::memset(image, 0, sizeof *image);
    registerDecoders();
    const uint64_t pixelBytes = max_pixels > SIZE_MAX / 6 ? SIZE_MAX : max_pixels * 6;
    AllocationLimit limit(std::max<std::size_t>(size, pixelBytes));
    // DCMTK's own `new` may throw; no exception may cross into Swift.
    try {
        return decode(data, size, max_pixels, image, message, message_capacity);
    } catch (const std::bad_alloc &) {
        std::free(image->samples);
        image->samples = nullptr;
        write(message, message_capacity, "the file asks for more memory than its image can need");
        return BSTRAIN_DICOM_CORRUPT;
    } catch (...) {
        std::free(image->samples);
        image->samples = nullptr;
        write(message, message_capacity, "DCMTK failed on the file");
        return BSTRAIN_DICOM_CORRUPT;
    }
}
