import Support
import Testing

@Suite struct CRC32Tests {
    @Test func matchesTheStandardCheckValue() {
        // The CRC-32 check value of "123456789" is 0xCBF43926 (zlib, IEEE 802.3).
        let value = Array("123456789".utf8).withUnsafeBytes { CRC32.checksum($0) }
        #expect(value == 0xCBF4_3926)
    }
}
