/// The text a C bridge wrote into a caller's buffer (CJPEGBridge, CPNGBridge).
enum BridgeMessage {
    /// `message` up to its terminating zero, or a placeholder naming `library` when it is empty.
    static func text(_ message: [CChar], library: String) -> String {
        let decoded = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return decoded.isEmpty ? "unknown \(library) error" : decoded
    }
}
