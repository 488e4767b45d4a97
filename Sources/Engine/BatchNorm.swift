import Support

/// Batch normalisation over N, H, W per channel, with learned scale and shift.
///
/// Training mode normalises with the batch's mean and biased variance and updates the running
/// statistics with `momentum` (PyTorch's convention: running = (1-m)·running + m·batch, the
/// running variance using the unbiased batch variance). Inference mode uses the running ones.
///
/// Saved for backward (2C + 1 floats): the mean and 1/sqrt(var + ε) that normalised the batch,
/// and the number of values per channel they were formed over (all ranks' under sync-BN).
///
/// With an `activation`, the operation is BN followed by that function, fused: these layers
/// are memory-bound, and apart they read and write the tensor five times forward and seven
/// times backward; fused, three and six. The normalised values are not kept: backward
/// recomputes them in registers, and keeps the gradient behind the activation in the
/// workspace between its two passes (recomputing it there too costs more than the memory
/// where the derivative needs an exponential, as SiLU's does).
public final class BatchNorm: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let epsilon: Float
    public let momentum: Float
    public let activation: ActivationFunction?
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

    public init(
        inputShape: TensorShape, epsilon: Float = 1e-5, momentum: Float = 0.1,
        activation: ActivationFunction? = nil
    ) {
        let channels = inputShape.channels
        inputShapes = [inputShape]
        outputShape = inputShape
        self.epsilon = epsilon
        self.momentum = momentum
        self.activation = activation
        parameterSpecs = [
            ParameterSpec("weight", shape: [channels], initializer: .ones),
            ParameterSpec("bias", shape: [channels], initializer: .zeros),
            ParameterSpec("running_mean", shape: [channels], initializer: .zeros, trainable: false),
            ParameterSpec("running_var", shape: [channels], initializer: .ones, trainable: false),
        ]
    }

    public var kind: OperationKind { .batchNorm }

    public func canOverwriteInputGradient(_ input: Int) -> Bool { true }

    public func multiplyAccumulates(batch: Int) -> Int { batch * outputShape.elementCount }

    public func savedCount(batch: Int) -> Int { SavedLayout(channels: outputShape.channels).count }

    public func workspaceCount(batch: Int) -> Int { WorkspaceLayout(self, batch: batch).count }

    /// What forward keeps for backward.
    private struct SavedLayout {
        let mean: BufferLayout.Region                // (C): the mean that normalised the batch
        let inverseDeviation: BufferLayout.Region    // (C): 1/sqrt(var + ε)
        let valueCount: BufferLayout.Region          // (1): values per channel they were formed over
        let count: Int

        init(channels: Int) {
            var layout = BufferLayout()
            mean = layout.append(channels)
            inverseDeviation = layout.append(channels)
            valueCount = layout.append(1)
            count = layout.count
        }
    }

    /// Scratch of one call. Backward forms scale and shift again, to recover the activation's
    /// input; with an activation it keeps the gradient behind it between its two passes.
    private struct WorkspaceLayout {
        let statistics: BufferLayout.Region          // (2C + 1): what the reducer sums, [Σx, Σx², count] or [Σg, Σg·x̂]
        let scale: BufferLayout.Region               // (C): y = f(x·scale + shift)
        let shift: BufferLayout.Region               // (C)
        let p: BufferLayout.Region                   // (C): dx = p·g + q·x + r
        let q: BufferLayout.Region                   // (C)
        let r: BufferLayout.Region                   // (C)
        let partials: BufferLayout.Region            // (rowBlocks, 2C): per-block sums, see `sumOverRows`
        let activationGradient: BufferLayout.Region  // (batch, H, W, C) with an activation, else empty
        let count: Int

        init(_ operation: BatchNorm, batch: Int) {
            let channels = operation.outputShape.channels
            var layout = BufferLayout()
            statistics = layout.append(2 * channels + 1)
            scale = layout.append(channels)
            shift = layout.append(channels)
            p = layout.append(channels)
            q = layout.append(channels)
            r = layout.append(channels)
            partials = layout.append(BatchNorm.rowBlocks * 2 * channels)
            activationGradient = layout.append(operation.activation == nil ? 0 : batch * operation.outputShape.elementCount)
            count = layout.count
        }
    }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let channels = outputShape.channels
        let rows = context.batch * outputShape.height * outputShape.width
        guard rows > 0 else { return }
        let x = io.inputs[0]          // (rows, C)
        let weight = io.parameters, bias = io.parameters + channels
        let runningMean = io.state, runningVariance = io.state + channels
        let saved = SavedLayout(channels: channels), workspace = WorkspaceLayout(self, batch: context.batch)
        let mean = saved.mean.start(in: io.saved), inverseDeviation = saved.inverseDeviation.start(in: io.saved)
        let statistics = workspace.statistics.start(in: io.workspace)      // [Σx, Σx², count]
        let scale = workspace.scale.start(in: io.workspace), shift = workspace.shift.start(in: io.workspace)
        let partials = workspace.partials.start(in: io.workspace)

        if context.training {
            // One pass over x for both sums, taken about a per-channel reference value r (the
            // first row): Σ(x - r) and Σ(x - r)² lose nothing to cancellation while r lies
            // near the data, as a value of the data does, and Σx² = M2 + n·mean² is formed
            // from the centred M2 = Σ(x - r)² - (Σ(x - r))²/n afterwards.
            let reference = x
            sumOverRows(rows, width: 2 * channels, partials: partials, into: statistics, threads: context.threads) { range, sums in
                for row in range {
                    let values = x + row * channels
                    @inline(__always)
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
            let momentum = context.averagesEarlyStatistics ? max(momentum, 1 / Float(context.step + 1)) : momentum
            for c in 0..<channels {
                let batchMean = statistics[c] / count
                let variance = max(0, statistics[channels + c] / count - batchMean * batchMean)
                mean[c] = batchMean
                inverseDeviation[c] = 1 / (variance + epsilon).squareRoot()
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * batchMean
                runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * variance * unbiasing
            }
            saved.valueCount.start(in: io.saved).pointee = count
        } else {
            for c in 0..<channels {
                mean[c] = runningMean[c]
                inverseDeviation[c] = 1 / (runningVariance[c] + epsilon).squareRoot()
            }
        }

        formAffine(weight: weight, bias: bias, mean: mean, inverseDeviation: inverseDeviation, scale: scale, shift: shift)
        activation.run(Normalize(
            x: x, y: io.output, scale: scale, shift: shift, rows: rows, channels: channels, threads: context.threads))
    }

    /// y = (x - mean)·invstd·γ + β = x·scale + shift, per channel.
    private func formAffine(
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, mean: UnsafePointer<Float>,
        inverseDeviation: UnsafePointer<Float>, scale: UnsafeMutablePointer<Float>, shift: UnsafeMutablePointer<Float>
    ) {
        for c in 0..<outputShape.channels {
            scale[c] = weight[c] * inverseDeviation[c]
            shift[c] = bias[c] - mean[c] * scale[c]
        }
    }

    /// y = f(x·scale + shift).
    private struct Normalize: PointwiseKernel {
        let x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
        let scale: UnsafePointer<Float>, shift: UnsafePointer<Float>
        let rows: Int, channels: Int, threads: Int

        func callAsFunction<Function: PointwiseActivation>(_ function: Function.Type) {
            let (x, y, scale, shift, channels) = (x, y, scale, shift, channels)
            parallelFor(rows, threads: threads, minimumChunk: max(1, streamingGrain / channels)) { range in
                for row in range {
                    let input = x + row * channels, output = y + row * channels
                    @inline(__always)
                    func block<Lanes: ActivationLanes>(_: Lanes.Type, _ c: Int) {
                        (Lanes(loadingFrom: input + c) * Lanes(loadingFrom: scale + c) + Lanes(loadingFrom: shift + c))
                            .activated(by: function).store(to: output + c)
                    }
                    var c = 0
                    while c + 8 <= channels { block(SIMD8<Float>.self, c); c += 8 }
                    while c < channels { block(Float.self, c); c += 1 }
                }
            }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        let channels = outputShape.channels
        let rows = context.batch * outputShape.height * outputShape.width
        guard rows > 0 else { return }
        let weight = io.parameters, bias = io.parameters + channels
        let saved = SavedLayout(channels: channels), workspace = WorkspaceLayout(self, batch: context.batch)
        let mean = saved.mean.start(in: io.saved), inverseDeviation = saved.inverseDeviation.start(in: io.saved)
        let sums = workspace.statistics.start(in: io.workspace)            // [Σg, Σg·x̂], g = dL/d(normalised value)
        let scale = workspace.scale.start(in: io.workspace), shift = workspace.shift.start(in: io.workspace)
        formAffine(weight: weight, bias: bias, mean: mean, inverseDeviation: inverseDeviation, scale: scale, shift: shift)

        // g: the output gradient itself, or with an activation its product with the derivative.
        let g = activation == nil ? io.outputGradient : workspace.activationGradient.start(in: io.workspace)
        activation.run(SumGradients(
            operation: self, io: io, rows: rows, mean: mean, inverseDeviation: inverseDeviation, scale: scale, shift: shift,
            sums: sums, partials: workspace.partials.start(in: io.workspace), gradient: g, threads: context.threads))
        let weightGradient = io.parameterGradients, biasGradient = io.parameterGradients + channels
        for c in 0..<channels {
            biasGradient[c] += sums[c]
            weightGradient[c] += sums[channels + c]
        }
        guard let dx = io.inputGradients[0] else { return }

        // dx = p·g + q·x + r per channel. In training the batch statistics depend on x:
        // dx = γ·invstd·(g - mean(g) - x̂·mean(g·x̂)), the means over all ranks' values.
        let p = workspace.p.start(in: io.workspace), q = workspace.q.start(in: io.workspace)
        let r = workspace.r.start(in: io.workspace)
        if context.training {
            statisticsReducer?(sums, 2 * channels)
            let count = saved.valueCount.start(in: io.saved).pointee
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
        func write<Write: GradientWrite>(_ mode: Write.Type) {
            writeInputGradient(mode, g: g, x: io.inputs[0], into: dx, p: p, q: q, r: r, rows: rows, threads: context.threads)
        }
        io.overwritesInputGradients[0] ? write(OverwriteGradient.self) : write(AccumulateGradient.self)
    }

    /// Σg and Σg·x̂ per channel, g = dL/d(x·scale + shift): the output gradient times the
    /// activation's derivative there, which is stored to `gradient` (unless it is the output
    /// gradient itself, with no activation).
    private struct SumGradients: PointwiseKernel {
        let operation: BatchNorm
        let io: OperationIO
        let rows: Int
        let mean: UnsafePointer<Float>, inverseDeviation: UnsafePointer<Float>
        let scale: UnsafePointer<Float>, shift: UnsafePointer<Float>
        let sums: UnsafeMutablePointer<Float>, partials: UnsafeMutablePointer<Float>
        let gradient: UnsafeMutablePointer<Float>
        let threads: Int

        func callAsFunction<Function: PointwiseActivation>(_ function: Function.Type) {
            let channels = operation.outputShape.channels
            let x = io.inputs[0], dy = io.outputGradient, g = gradient
            let (mean, inverseDeviation, scale, shift) = (mean, inverseDeviation, scale, shift)
            let storesGradient = !Function.isIdentity
            operation.sumOverRows(rows, width: 2 * channels, partials: partials, into: sums, threads: threads) { range, block in
                for row in range {
                    let input = x + row * channels, outputGradient = dy + row * channels, stored = g + row * channels
                    @inline(__always)
                    func lanes<Lanes: ActivationLanes>(_: Lanes.Type, _ c: Int) {
                        let value = Lanes(loadingFrom: input + c)
                        let gradient = Lanes(loadingFrom: outputGradient + c).activationGradient(
                            by: function, at: value * Lanes(loadingFrom: scale + c) + Lanes(loadingFrom: shift + c))
                        if storesGradient { gradient.store(to: stored + c) }
                        let normalized = (value - Lanes(loadingFrom: mean + c)) * Lanes(loadingFrom: inverseDeviation + c)
                        Lanes.add(gradient, to: block + c)
                        Lanes.add(gradient * normalized, to: block + channels + c)
                    }
                    var c = 0
                    while c + 8 <= channels { lanes(SIMD8<Float>.self, c); c += 8 }
                    while c < channels { lanes(Float.self, c); c += 1 }
                }
            }
        }
    }

    /// dx = p·g + q·x + r per channel, written as `Write` says.
    private func writeInputGradient<Write: GradientWrite>(
        _: Write.Type, g: UnsafePointer<Float>, x: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>,
        p: UnsafePointer<Float>, q: UnsafePointer<Float>, r: UnsafePointer<Float>, rows: Int, threads: Int
    ) {
        let channels = outputShape.channels
        parallelFor(rows, threads: threads, minimumChunk: max(1, streamingGrain / channels)) { range in
            for row in range {
                let input = x + row * channels, gradient = g + row * channels, result = dx + row * channels
                @inline(__always)
                func value<Lanes: ChannelLanes>(_: Lanes.Type, _ c: Int) -> Lanes {
                    Lanes(loadingFrom: p + c) * Lanes(loadingFrom: gradient + c)
                        + Lanes(loadingFrom: q + c) * Lanes(loadingFrom: input + c) + Lanes(loadingFrom: r + c)
                }
                forEachChannelBlock(
                    channels,
                    vector: { Write.write(value(SIMD8<Float>.self, $0), to: result + $0) },
                    scalar: { Write.write(value(Float.self, $0), to: result + $0) })
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
