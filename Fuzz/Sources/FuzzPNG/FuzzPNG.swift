import Data
import Foundation

/// The network input side the decode aims for, as in FuzzJPEG.
let side = 32

/// Decodes the input as ImageCache does when it caches a training image: ImageFile.decode
/// (signature, then PNG.decode through CPNGBridge: header, pixel limit, expansion, every
/// chunk's CRC, 8- or 16-bit samples, channel conversion) and the resize. Grey or colour output
/// is chosen by the input's length, so both conversions run without a byte being spent on it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    _ = try? ImageFile.decode(bytes, path: "input.png", channels: size % 2 == 0 ? 1 : 3, side: side)
    return 0
}
