/// The fixed views that test-time augmentation averages (`--tta`): the image itself, turned by
/// ±5° and scaled by 0.95 and 1.05 about its centre. Mild and without flips, so they are views
/// a radiograph of the same patient could have given (docs/method.md, "Test-time augmentation").
public enum TestTimeAugmentation {
    public static let views: [RadiographTransform] = [
        RadiographTransform(),
        RadiographTransform(rotationDegrees: 5),
        RadiographTransform(rotationDegrees: -5),
        RadiographTransform(scale: 1.05),
        RadiographTransform(scale: 0.95),
    ]
}
