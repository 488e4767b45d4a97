import Data

/// A Grad-CAM map drawn over its image: the map in the "jet" colour scale (blue 0, through
/// cyan, yellow, to red 1), blended with the image in grey so the anatomy stays visible.
public enum HeatmapOverlay {
    /// An RGB image the size of `image` (grey or RGB), each pixel `opacity` parts the colour of
    /// `map` there and the rest the image's luma. `map` is (height, width) in [0, 1].
    public static func image(_ image: Image, map: [Float], opacity: Float = 0.45) -> Image {
        precondition(map.count == image.width * image.height, "one map value per pixel")
        let grey = image.grey
        var pixels = [UInt8](repeating: 0, count: map.count * 3)
        for (index, value) in map.enumerated() {
            let luma = Float(grey.pixels[index])
            let colour = jet(value)
            for channel in 0..<3 {
                let blended = (1 - opacity) * luma + opacity * 255 * colour[channel]
                pixels[index * 3 + channel] = UInt8(min(max(blended.rounded(), 0), 255))
            }
        }
        return Image(width: image.width, height: image.height, channels: 3, pixels: pixels)
    }

    /// The jet colour of `value` in [0, 1] as (r, g, b) in [0, 1]: piecewise linear, as
    /// matplotlib's `jet` and OpenCV's `COLORMAP_JET`.
    static func jet(_ value: Float) -> [Float] {
        let v = min(max(value, 0), 1)
        func ramp(_ centre: Float) -> Float { min(max(1.5 - abs(4 * v - centre), 0), 1) }
        return [ramp(3), ramp(2), ramp(1)]
    }
}
