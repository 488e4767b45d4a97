import Data
import Testing
@testable import Inference

@Suite struct HeatmapOverlayTests {
    /// matplotlib's jet: dark blue at 0, green at 0.5, dark red at 1.
    @Test func jetRunsFromDarkBlueThroughGreenToDarkRed() {
        #expect(HeatmapOverlay.jet(0) == [0, 0, 0.5])
        #expect(HeatmapOverlay.jet(0.5) == [0.5, 1, 0.5])
        #expect(HeatmapOverlay.jet(1) == [0.5, 0, 0])
    }

    /// 45% colour over the grey image: a 100 grey pixel at 1 is (0.55·100 + 0.45·127.5, 55, 55).
    @Test func blendsTheColourWithTheImageInGrey() {
        let image = Image(width: 2, height: 1, channels: 1, pixels: [100, 200])
        let overlay = HeatmapOverlay.image(image, map: [1, 0])
        #expect(overlay.channels == 3 && overlay.width == 2 && overlay.height == 1)
        #expect(overlay.pixels == [112, 55, 55, 110, 110, 167])
    }
}
