import Data
import Testing

@Suite struct ImageTests {
    @Test func subscriptReadsRowMajorInterleavedPixels() {
        let image = Image(width: 2, height: 2, channels: 3, pixels: Array(0..<12))
        #expect(image[1, 0, 0] == 3)
        #expect(image[0, 1, 2] == 8)
        #expect(image[1, 1, 1] == 10)
    }
}
