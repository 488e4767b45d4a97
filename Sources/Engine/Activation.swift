import Support

/// The pointwise nonlinearities the four networks use.
public enum ActivationFunction: String, Sendable, CaseIterable {
    case relu
    case relu6
    /// x·relu6(x+3)/6 (MobileNet-V3).
    case hardSwish
    /// relu6(x+3)/6 (MobileNet-V3's squeeze-and-excitation gate).
    case hardSigmoid
    /// x·sigmoid(x), also called swish (EfficientNet).
    case silu
    case sigmoid
}

extension ActivationFunction {
    /// Runs `kernel` with the lanes implementation of this function.
    @inline(__always)
    func run(_ kernel: some PointwiseKernel) { Optional(self).run(kernel) }
}

/// A pointwise activation; backward reads the forward input, so nothing extra is saved.
/// After a batch normalisation the builder fuses the two instead (`BatchNorm(activation:)`).
public final class Activation: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let function: ActivationFunction

    public init(inputShape: TensorShape, function: ActivationFunction) {
        inputShapes = [inputShape]
        outputShape = inputShape
        self.function = function
    }

    public var kind: OperationKind { .activation }

    public func canOverwriteInputGradient(_ input: Int) -> Bool { true }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        function.run(Forward(x: io.inputs[0], y: io.output, count: context.batch * outputShape.elementCount,
                             threads: context.threads))
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        guard let dx = io.inputGradients[0] else { return }
        func run<Write: GradientWrite>(_: Write.Type) {
            function.run(Backward<Write>(x: io.inputs[0], dy: io.outputGradient, dx: dx,
                                         count: context.batch * outputShape.elementCount, threads: context.threads))
        }
        io.overwritesInputGradients[0] ? run(OverwriteGradient.self) : run(AccumulateGradient.self)
    }

    /// y = f(x) over the flat tensor, eight values at a time.
    private struct Forward: PointwiseKernel {
        let x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
        let count: Int, threads: Int

        func callAsFunction<Function: PointwiseActivation>(_ function: Function.Type) {
            parallelFor(count, threads: threads, minimumChunk: streamingGrain) { range in
                let x = x + range.lowerBound, y = y + range.lowerBound
                @inline(__always)
                func lanes<Lanes: ActivationLanes>(_: Lanes.Type, _ i: Int) {
                    Lanes(loadingFrom: x + i).activated(by: function).store(to: y + i)
                }
                // Explicit loops: closures over a generic function were left as calls per vector.
                var i = 0
                while i + 8 <= range.count { lanes(SIMD8<Float>.self, i); i += 8 }
                while i < range.count { lanes(Float.self, i); i += 1 }
            }
        }
    }

    /// dx = dy·f'(x), written as `Write` says.
    private struct Backward<Write: GradientWrite>: PointwiseKernel {
        let x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
        let count: Int, threads: Int

        func callAsFunction<Function: PointwiseActivation>(_ function: Function.Type) {
            parallelFor(count, threads: threads, minimumChunk: streamingGrain) { range in
                let x = x + range.lowerBound, dy = dy + range.lowerBound, dx = dx + range.lowerBound
                @inline(__always)
                func gradient<Lanes: ActivationLanes>(_: Lanes.Type, _ i: Int) -> Lanes {
                    Lanes(loadingFrom: dy + i).activationGradient(by: function, at: Lanes(loadingFrom: x + i))
                }
                var i = 0
                while i + 8 <= range.count { Write.write(gradient(SIMD8<Float>.self, i), to: dx + i); i += 8 }
                while i < range.count { Write.write(gradient(Float.self, i), to: dx + i); i += 1 }
            }
        }
    }
}
