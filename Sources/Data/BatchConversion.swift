extension ImageCache {
    /// Writes image `index`, transformed by `transform`, as float NHWC (`imageSize`,
    /// `imageSize`, `channels`) at `destination`, scaled by pixel / 127.5 - 1 into [-1, 1]
    /// (zero-centred, as the networks' first convolutions expect).
    public func writeSample(
        _ index: Int, transform: AugmentationTransform = .identity, into destination: UnsafeMutablePointer<Float>
    ) {
        let size = imageSize
        let channels = self.channels
        pixels.withUnsafeBufferPointer { pixels in
            let image = pixels.baseAddress! + index * pixelsPerImage
            if transform.isIdentity {
                for offset in 0..<pixelsPerImage { destination[offset] = Float(image[offset]) / 127.5 - 1 }
                return
            }
            for y in 0..<size {
                for x in 0..<size {
                    let output = destination + (y * size + x) * channels
                    guard let source = transform.source(x: x, y: y, size: size) else {
                        for channel in 0..<channels { output[channel] = -1 }
                        continue
                    }
                    let input = image + (source.y * size + source.x) * channels
                    for channel in 0..<channels { output[channel] = Float(input[channel]) / 127.5 - 1 }
                }
            }
        }
    }
}
