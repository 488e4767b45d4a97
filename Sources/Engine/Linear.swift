/// Fully connected layer on the flattened sample: y = x Wᵀ + b, weight [out, in] as PyTorch.
public final class Linear: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let hasBias: Bool
    public let parameterSpecs: [ParameterSpec]

    public init(
        inputShape: TensorShape, outputFeatures: Int, bias: Bool = true,
        weightInitializer: Initializer? = nil, biasInitializer: Initializer? = nil
    ) {
        let inputFeatures = inputShape.elementCount
        inputShapes = [inputShape]
        outputShape = .vector(outputFeatures)
        hasBias = bias
        // PyTorch's default: U(±1/sqrt(fan_in)) for both weight and bias.
        let bound = 1 / Float(inputFeatures).squareRoot()
        var specs = [ParameterSpec(
            "weight", shape: [outputFeatures, inputFeatures],
            initializer: weightInitializer ?? .uniform(bound: bound))]
        if bias {
            specs.append(ParameterSpec("bias", shape: [outputFeatures], initializer: biasInitializer ?? .uniform(bound: bound)))
        }
        parameterSpecs = specs
    }

    public var kind: OperationKind { .linear }

    public func multiplyAccumulates(batch: Int) -> Int {
        batch * inputShapes[0].elementCount * outputShape.channels
    }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        fatalError("Linear.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("Linear.backward: not implemented yet")
    }
}
