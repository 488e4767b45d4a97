import Data

extension OnnxGraphBuilder {
    /// The image under every view, stacked view after view along the batch axis:
    /// (views·N, C, H, W). Each view is a GridSample over a constant grid of where its pixels
    /// come from (`RadiographSourceMapping`, as `writeSample` uses it), bilinear with the border
    /// pixels repeated, as `writeSample` samples. Interpolating `pixel / 127.5 - 1` rather than
    /// the pixels changes nothing but rounding: the scaling is linear.
    func addViews(_ views: [RadiographTransform], of image: String, size: Int) -> String {
        // GridSample wants one grid per sample: each (1, H, W, 2) grid is expanded to the batch.
        let batch = node("Shape", inputs: [image], name: "views", attributes: [.integer("end", 1)])
        let gridShape = node("Concat", inputs: [batch, integerList([size, size, 2])], name: "views", attributes: [.integer("axis", 0)])
        let sampled = views.enumerated().map { index, view in
            let grid = floatInitializer("view\(index).grid", dims: [1, size, size, 2], values: Self.samplingGrid(view, size: size))
            return node(
                "GridSample", inputs: [image, node("Expand", inputs: [grid, gridShape], name: "view\(index)")], name: "view\(index)",
                attributes: [.text("mode", "bilinear"), .text("padding_mode", "border"), .integer("align_corners", 0)])
        }
        return node("Concat", inputs: sampled, name: "views", attributes: [.integer("axis", 0)])
    }

    /// Each output pixel's source in GridSample's coordinates (x, then y; with align_corners 0,
    /// -1 and 1 are the outer edges of the first and last pixels), row by row.
    static func samplingGrid(_ view: RadiographTransform, size: Int) -> [Float] {
        let mapping = RadiographSourceMapping(view, size: size)
        // Pixel position p (0 the first centre) is (2p + 1) / size - 1, formed in Double so that
        // the grid adds no rounding of its own beyond the final Float.
        func normalized(_ position: Float) -> Float { Float((2 * Double(position) + 1) / Double(size) - 1) }
        var grid: [Float] = []
        grid.reserveCapacity(size * size * 2)
        for y in 0..<size {
            for x in 0..<size {
                let source = mapping.source(x: x, y: y)
                grid += [normalized(source.x), normalized(source.y)]
            }
        }
        return grid
    }

    /// The mean over the views of `tensor`, (views·N, width) stacked as `addViews` stacks the
    /// images: (N, width).
    func addMeanOverViews(_ tensor: String, views: Int, width: Int, name: String, output: String? = nil) -> String {
        let byView = node("Reshape", inputs: [tensor, integerList([views, -1, width])], name: name)
        return node("ReduceMean", inputs: [byView], name: name, output: output, attributes: [.integers("axes", [0]), .integer("keepdims", 0)])
    }
}
