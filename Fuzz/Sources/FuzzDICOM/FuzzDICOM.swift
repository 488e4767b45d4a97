import Data
import Foundation

/// The network input side the decode aims for, as in FuzzJPEG.
let side = 32

/// Decodes the input as ImageCache does when it caches a training image: ImageFile.decode
/// (the DICM signature, then DICOM.decode through CDICOMBridge: DCMTK's parser, the pixel limit,
/// the transfer syntax check, DCMTK's decoders and its display pipeline) and the resize. Grey
/// or colour output is chosen by the input's length, as in FuzzPNG.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    _ = try? ImageFile.decode(bytes, path: "input.dcm", channels: size % 2 == 0 ? 1 : 3, side: side)
    return 0
}
