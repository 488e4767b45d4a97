/// Split of `total` items into `parts` contiguous slices differing by at most one, the larger
/// ones first: how a global batch, a data set or a K-means pass is shared among ranks. Every
/// place that splits work over ranks uses this one function, so the slices agree.
public func evenSlice(total: Int, parts: Int, part: Int) -> Range<Int> {
    let base = total / parts
    let extra = total % parts
    let start = part * base + min(part, extra)
    return start..<(start + base + (part < extra ? 1 : 0))
}
