/// Batch normalisation over N, H, W per channel, with learned scale and shift.
///
/// Training mode normalises with the batch's mean and biased variance and updates the running
/// statistics with `momentum` (PyTorch's convention: running = (1-m)·running + m·batch, the
/// running variance using the unbiased batch variance). Inference mode uses the running ones.
///
/// Saved for backward (2C + 1 floats): the mean and 1/sqrt(var + ε) that normalised the batch,
/// and the number of values per channel they were formed over (all ranks' under sync-BN).
public final class BatchNorm: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let epsilon: Float
    public let momentum: Float
    public let parameterSpecs: [ParameterSpec]

    /// Sums per-channel statistics across ranks in place, for synchronised BN (`--sync-bn`).
    ///
    /// Training forward hands it [Σx per channel, Σx² per channel, value count] (2C + 1 floats)
    /// before the mean and variance are formed; training backward hands it [Σdy, Σdy·x̂]
    /// (2C floats) before the input gradient is formed. Both must come back summed over all
    /// ranks. `nil` (one process, or per-rank statistics) normalises with the local batch.
    /// The weight and bias gradients always hold the local share, because the parameter
    /// gradients are summed across ranks afterwards anyway.
    public var statisticsReducer: ((UnsafeMutablePointer<Float>, Int) -> Void)?

    /// Rows (N·H·W positions) are summed in this many fixed blocks, one partial sum each, so
    /// the statistics do not depend on the thread count and float error grows with a block,
    /// not with the whole batch.
    private static let rowBlocks = 16

    public init(inputShape: TensorShape, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        let channels = inputShape.channels
        inputShapes = [inputShape]
        outputShape = inputShape
        self.epsilon = epsilon
        self.momentum = momentum
        parameterSpecs = [
            ParameterSpec("weight", shape: [channels], initializer: .ones),
            ParameterSpec("bias", shape: [channels], initializer: .zeros),
            ParameterSpec("running_mean", shape: [channels], initializer: .zeros, trainable: false),
            ParameterSpec("running_var", shape: [channels], initializer: .ones, trainable: false),
        ]
    }

    public var kind: OperationKind { .batchNorm }

    public func multiplyAccumulates(batch: Int) -> Int { batch * outputShape.elementCount }

    public func savedCount(batch: Int) -> Int { 2 * outputShape.channels + 1 }

    // Workspace: statistics handed to the reducer (2C + 1), per-channel coefficients (3C),
    // per-block partial sums (blocks x 2C).
    public func workspaceCount(batch: Int) -> Int {
        let channels = outputShape.channels
        return 2 * channels + 1 + 3 * channels + Self.rowBlocks * 2 * channels
    }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let channels = outputShape.channels
        let rows = context.batch * outputShape.height * outputShape.width
        guard rows > 0 else { return }
        let x = io.inputs[0]          // (rows, C)
        let weight = io.parameters, bias = io.parameters + channels
        let runningMean = io.state, runningVariance = io.state + channels
        let mean = io.saved, inverseDeviation = io.saved + channels
        let statistics = io.workspace                  // [Σx, Σx², count]
        let scale = io.workspace + 2 * channels + 1, shift = scale + channels
        let partials = shift + 2 * channels

        if context.training {
            // One pass over x for both sums, taken about a per-channel reference value r (the
            // first row): Σ(x - r) and Σ(x - r)² lose nothing to cancellation while r lies
            // near the data, as a value of the data does, and Σx² = M2 + n·mean² is formed
            // from the centred M2 = Σ(x - r)² - (Σ(x - r))²/n afterwards.
            let reference = x
            sumOverRows(rows, width: 2 * channels, partials: partials, into: statistics, threads: context.threads) { range, sums in
                for row in range {
                    let values = x + row * channels
                    func block<Lanes: ChannelLanes>(_: Lanes.Type, _ c: Int) {
                        let centred = Lanes(loadingFrom: values + c) - Lanes(loadingFrom: reference + c)
                        Lanes.add(centred, to: sums + c)
                        Lanes.add(centred * centred, to: sums + channels + c)
                    }
                    forEachChannelBlock(channels, vector: { block(SIMD8<Float>.self, $0) }, scalar: { block(Float.self, $0) })
                }
            }
            let localCount = Float(rows)
            for c in 0..<channels {
                let shiftedSum = statistics[c]
                let localMean = reference[c] + shiftedSum / localCount
                let centredSquares = max(0, statistics[channels + c] - shiftedSum * shiftedSum / localCount)
                statistics[c] = localMean * localCount
                statistics[channels + c] = centredSquares + localCount * localMean * localMean
            }
            statistics[2 * channels] = localCount
            statisticsReducer?(statistics, 2 * channels + 1)

            let count = statistics[2 * channels]
            // With one value per channel the unbiased variance is undefined (PyTorch refuses);
            // the running variance then takes the biased one.
            let unbiasing = count / max(count - 1, 1)
            for c in 0..<channels {
                let batchMean = statistics[c] / count
                let variance = max(0, statistics[channels + c] / count - batchMean * batchMean)
                mean[c] = batchMean
                inverseDeviation[c] = 1 / (variance + epsilon).squareRoot()
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * batchMean
                runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * variance * unbiasing
            }
            io.saved[2 * channels] = count
        } else {
            for c in 0..<channels {
                mean[c] = runningMean[c]
                inverseDeviation[c] = 1 / (runningVariance[c] + epsilon).squareRoot()
            }
        }

        // y = (x - mean)·invstd·γ + β = x·scale + shift
        for c in 0..<channels {
            scale[c] = weight[c] * inverseDeviation[c]
            shift[c] = bias[c] - mean[c] * scale[c]
        }
        let y = io.output
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { range in
            for row in range {
                let input = x + row * channels, output = y + row * channels
                func block<Lanes: ChannelLanes>(_: Lanes.Type, _ c: Int) {
                    (Lanes(loadingFrom: input + c) * Lanes(loadingFrom: scale + c) + Lanes(loadingFrom: shift + c))
                        .store(to: output + c)
                }
                forEachChannelBlock(channels, vector: { block(SIMD8<Float>.self, $0) }, scalar: { block(Float.self, $0) })
            }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        let channels = outputShape.channels
        let rows = context.batch * outputShape.height * outputShape.width
        guard rows > 0 else { return }
        let x = io.inputs[0], dy = io.outputGradient   // (rows, C) each
        let weight = io.parameters
        let mean = io.saved, inverseDeviation = io.saved + channels
        let sums = io.workspace                        // [Σdy, Σdy·x̂]
        let coefficients = io.workspace + 2 * channels + 1
        let partials = coefficients + 3 * channels

        sumOverRows(rows, width: 2 * channels, partials: partials, into: sums, threads: context.threads) { range, block in
            for row in range {
                let input = x + row * channels, gradient = dy + row * channels
                func lanes<Lanes: ChannelLanes>(_: Lanes.Type, _ c: Int) {
                    let outputGradient = Lanes(loadingFrom: gradient + c)
                    let normalized = (Lanes(loadingFrom: input + c) - Lanes(loadingFrom: mean + c))
                        * Lanes(loadingFrom: inverseDeviation + c)
                    Lanes.add(outputGradient, to: block + c)
                    Lanes.add(outputGradient * normalized, to: block + channels + c)
                }
                forEachChannelBlock(channels, vector: { lanes(SIMD8<Float>.self, $0) }, scalar: { lanes(Float.self, $0) })
            }
        }
        let weightGradient = io.parameterGradients, biasGradient = io.parameterGradients + channels
        for c in 0..<channels {
            biasGradient[c] += sums[c]
            weightGradient[c] += sums[channels + c]
        }
        guard let dx = io.inputGradients[0] else { return }

        // dx = p·dy + q·x + r per channel. In training the batch statistics depend on x:
        // dx = γ·invstd·(dy - mean(dy) - x̂·mean(dy·x̂)), the means over all ranks' values.
        let p = coefficients, q = coefficients + channels, r = coefficients + 2 * channels
        if context.training {
            statisticsReducer?(sums, 2 * channels)
            let count = io.saved[2 * channels]
            for c in 0..<channels {
                let gain = weight[c] * inverseDeviation[c]
                let meanGradient = sums[c] / count
                let meanProjection = sums[channels + c] / count
                p[c] = gain
                q[c] = -gain * inverseDeviation[c] * meanProjection
                r[c] = -gain * meanGradient - q[c] * mean[c]
            }
        } else {
            for c in 0..<channels {
                p[c] = weight[c] * inverseDeviation[c]
                q[c] = 0
                r[c] = 0
            }
        }
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { range in
            for row in range {
                let input = x + row * channels, gradient = dy + row * channels, result = dx + row * channels
                func block<Lanes: ChannelLanes>(_: Lanes.Type, _ c: Int) {
                    Lanes.add(Lanes(loadingFrom: p + c) * Lanes(loadingFrom: gradient + c)
                                + Lanes(loadingFrom: q + c) * Lanes(loadingFrom: input + c) + Lanes(loadingFrom: r + c),
                              to: result + c)
                }
                forEachChannelBlock(channels, vector: { block(SIMD8<Float>.self, $0) }, scalar: { block(Float.self, $0) })
            }
        }
    }

    /// Adds `body`'s per-block sums (`width` floats, zeroed before each block) over `rows`
    /// into `result`, block by block in a fixed order.
    private func sumOverRows(
        _ rows: Int, width: Int, partials: UnsafeMutablePointer<Float>, into result: UnsafeMutablePointer<Float>,
        threads: Int, _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let blocks = min(Self.rowBlocks, rows)
        parallelFor(blocks, threads: threads) { blockRange in
            for block in blockRange {
                let sums = partials + block * width
                sums.update(repeating: 0, count: width)
                body(rows * block / blocks..<rows * (block + 1) / blocks, sums)
            }
        }
        result.update(repeating: 0, count: width)
        for block in 0..<blocks {
            let sums = partials + block * width
            for k in 0..<width { result[k] += sums[k] }
        }
    }
}
