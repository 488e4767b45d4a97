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

    public func canOverwriteInputGradient(_ input: Int) -> Bool { true }

    public func multiplyAccumulates(batch: Int) -> Int {
        batch * inputShapes[0].elementCount * outputShape.channels
    }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let inputFeatures = inputShapes[0].elementCount
        let outputFeatures = outputShape.channels
        if hasBias {
            fillRows(io.output, rows: context.batch, columns: outputFeatures,
                     with: io.parameters + outputFeatures * inputFeatures)
        }
        // (batch x out) = (batch x in) · (out x in)ᵀ
        BLAS.sgemm(
            transposeB: true, m: context.batch, n: outputFeatures, k: inputFeatures,
            a: io.inputs[0], lda: inputFeatures, b: io.parameters, ldb: inputFeatures,
            beta: hasBias ? 1 : 0, c: io.output, ldc: outputFeatures, threads: context.threads)
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        let inputFeatures = inputShapes[0].elementCount
        let outputFeatures = outputShape.channels
        // weight gradient (out x in) += (batch x out)ᵀ · (batch x in)
        BLAS.sgemm(
            transposeA: true, m: outputFeatures, n: inputFeatures, k: context.batch,
            a: io.outputGradient, lda: outputFeatures, b: io.inputs[0], ldb: inputFeatures,
            beta: 1, c: io.parameterGradients, ldc: inputFeatures, threads: context.threads)
        if hasBias {
            addColumnSums(of: io.outputGradient, rows: context.batch, columns: outputFeatures,
                          to: io.parameterGradients + outputFeatures * inputFeatures)
        }
        if let inputGradient = io.inputGradients[0] {
            // input gradient (batch x in) = or += (batch x out) · (out x in): beta 0 or 1
            BLAS.sgemm(
                m: context.batch, n: inputFeatures, k: outputFeatures,
                a: io.outputGradient, lda: outputFeatures, b: io.parameters, ldb: inputFeatures,
                beta: io.overwritesInputGradients[0] ? 0 : 1, c: inputGradient, ldc: inputFeatures, threads: context.threads)
        }
    }
}
