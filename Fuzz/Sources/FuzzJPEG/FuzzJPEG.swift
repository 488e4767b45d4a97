import Data
import Foundation

/// The network input side the decode aims for; small, so most inputs are DCT-scaled and the
/// scaling path of CJPEGBridge runs, as it does for any photograph larger than the input.
let side = 32

/// Decodes the input as ImageCache does when it caches a training image: JPEG.decode through
/// CJPEGBridge (header, DCT scaling, colour conversion, scanlines), then the resize. Grey or
/// colour output is chosen by the input's length, so both conversions run without a byte of
/// the JPEG being spent on the choice.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    let channels = size % 2 == 0 ? 1 : 3
    if let image = try? JPEG.decode(bytes, path: "input.jpg", channels: channels, minimumWidth: side, minimumHeight: side) {
        _ = image.resized(width: side, height: side)
    }
    return 0
}
