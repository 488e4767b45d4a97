/// Series colours: matplotlib's "tab10" (Tableau 10), ten hues chosen to stay apart from each
/// other, also in print; beyond ten series they repeat.
enum PlotPalette {
    static let colours = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    static func colour(_ index: Int) -> String { colours[index % colours.count] }

    /// The sequential "Blues" map of matplotlib for a value in [0, 1] (clamped), white to navy,
    /// for heat maps; interpolated linearly between its quartile colours.
    static func blues(_ value: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107),
        ]
        let position = min(max(value, 0), 1) * Double(stops.count - 1)
        let lower = min(Int(position), stops.count - 2)
        let fraction = position - Double(lower)
        let (a, b) = (stops[lower], stops[lower + 1])
        func channel(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * fraction).rounded()) }
        return hex(channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }

    private static func hex(_ red: Int, _ green: Int, _ blue: Int) -> String {
        let digits = Array("0123456789abcdef")
        return "#" + [red, green, blue].map { "\(digits[$0 / 16])\(digits[$0 % 16])" }.joined()
    }
}
