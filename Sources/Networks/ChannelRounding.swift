/// torchvision's `_make_divisible` (from the TensorFlow MobileNet code): `value` rounded to the
/// nearest multiple of `divisor`, at least `divisor`, and never more than 10% below `value`.
func makeDivisible(_ value: Double, divisor: Int = 8) -> Int {
    var rounded = max(divisor, Int(value + Double(divisor) / 2) / divisor * divisor)
    if Double(rounded) < 0.9 * value { rounded += divisor }
    return rounded
}
