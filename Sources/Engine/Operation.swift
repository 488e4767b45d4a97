/// Which family an operation belongs to, for FLOP accounting and the benchmark's breakdown.
public enum OperationKind: String, Sendable, CaseIterable {
    case convolution1x1 = "convolution 1x1"
    case convolutionKxK = "convolution kxk"
    case depthwiseConvolution = "depthwise"
    /// Includes the activation fused into it (`BatchNorm(activation:)`).
    case batchNorm = "batch norm"
    case activation = "activation"
    case pooling = "pooling"
    case linear = "linear"
    case elementwise = "elementwise"
    case dataMovement = "concat/split/shuffle"
    case dropout = "dropout"
}

/// What changes from one call to the next: everything else about an operation is fixed when
/// the graph is built.
public struct RunContext: Sendable {
    /// Samples in this call; at most the executor's batch capacity.
    public var batch: Int
    /// Training mode: batch statistics in BN, dropout active.
    public var training: Bool
    /// Threads the direct loops may use.
    public var threads: Int
    /// Random draws that belong to a sample (dropout masks) are keyed by
    /// (seed, step, firstGlobalSample + local index), never by rank, so splitting a batch
    /// across ranks cannot change them.
    public var seed: UInt64
    public var step: UInt64
    public var firstGlobalSample: Int
    /// Batch normalisation's running statistics are the plain mean of the batches' while fewer
    /// than 1/momentum steps have run (momentum max(m, 1/(step + 1))), instead of starting as an
    /// exponential average from 0 and 1: with momentum 0.01 (MobileNet-V3) and a few hundred
    /// steps, a small training set, the latter still carries much of its start.
    public var averagesEarlyStatistics = false

    public init(
        batch: Int, training: Bool, threads: Int = 1,
        seed: UInt64 = 0, step: UInt64 = 0, firstGlobalSample: Int = 0
    ) {
        self.batch = batch
        self.training = training
        self.threads = threads
        self.seed = seed
        self.step = step
        self.firstGlobalSample = firstGlobalSample
    }
}

/// The memory an operation reads and writes in one call. The executor plans every buffer once,
/// for the batch capacity, so a training step allocates nothing.
public struct OperationIO {
    /// Input activations, (batch, H, W, C) each, in the order the operation was wired.
    public var inputs: [UnsafeMutablePointer<Float>]
    /// Gradients of the inputs; `nil` where none is needed (the image). Backward adds into
    /// each one, unless `overwritesInputGradients` says otherwise.
    public var inputGradients: [UnsafeMutablePointer<Float>?]
    /// Per input: `true` when backward must write the input's gradient over whatever the
    /// buffer holds (which may be another tensor's stale values), `false` when it must add
    /// into it. Only an input the operation `canOverwriteInputGradient` is ever overwritten:
    /// the executor asks it of a gradient's first writer (see `GradientWrite`).
    public var overwritesInputGradients: [Bool]
    public var output: UnsafeMutablePointer<Float>
    /// Gradient of the loss with respect to `output`, complete when backward is called.
    public var outputGradient: UnsafeMutablePointer<Float>
    /// This operation's trainable parameters, contiguous in `parameterSpecs` order.
    public var parameters: UnsafeMutablePointer<Float>
    /// Gradients of `parameters`, same layout; backward adds into them.
    public var parameterGradients: UnsafeMutablePointer<Float>
    /// Non-trainable state (running statistics), contiguous in `parameterSpecs` order.
    public var state: UnsafeMutablePointer<Float>
    /// Memory kept from forward to backward (`savedCount` floats).
    public var saved: UnsafeMutablePointer<Float>
    /// Scratch shared by all operations (`workspaceCount` floats); not kept between calls.
    public var workspace: UnsafeMutablePointer<Float>

    /// Public so that code outside the executor (tests, `bstrain bench --ops`) can run one
    /// operation on buffers of its own.
    public init(
        inputs: [UnsafeMutablePointer<Float>], inputGradients: [UnsafeMutablePointer<Float>?],
        overwritesInputGradients: [Bool]? = nil,
        output: UnsafeMutablePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
        parameters: UnsafeMutablePointer<Float>, parameterGradients: UnsafeMutablePointer<Float>,
        state: UnsafeMutablePointer<Float>, saved: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>
    ) {
        self.inputs = inputs
        self.inputGradients = inputGradients
        self.overwritesInputGradients = overwritesInputGradients ?? inputs.map { _ in false }
        self.output = output
        self.outputGradient = outputGradient
        self.parameters = parameters
        self.parameterGradients = parameterGradients
        self.state = state
        self.saved = saved
        self.workspace = workspace
    }
}

/// One node of a static graph: shapes are fixed at construction, buffers are supplied by
/// the executor.
public protocol Operation: AnyObject {
    var kind: OperationKind { get }
    var inputShapes: [TensorShape] { get }
    var outputShape: TensorShape { get }
    /// Trainable parameters first-to-last in memory order, then state, each contiguous.
    var parameterSpecs: [ParameterSpec] { get }
    /// Multiply-accumulates of one forward pass over `batch` samples.
    func multiplyAccumulates(batch: Int) -> Int
    /// Floats this operation keeps from forward to backward, for `batch` samples.
    func savedCount(batch: Int) -> Int
    /// Scratch floats needed during forward or backward, for `batch` samples.
    func workspaceCount(batch: Int) -> Int
    func forward(_ io: OperationIO, _ context: RunContext)
    /// Adds the inputs' gradients (or overwrites those `io.overwritesInputGradients` names)
    /// and adds the parameters' gradients, given `io.outputGradient`.
    func backward(_ io: OperationIO, _ context: RunContext)
    /// Whether backward can write input `input`'s gradient over whatever its buffer holds,
    /// when `io.overwritesInputGradients` asks it to: worth declaring where backward writes
    /// every element of that gradient in one pass (see `GradientWrite`). The default, `false`,
    /// means backward only adds into it, and the executor zeroes the gradient before this
    /// operation writes it first.
    func canOverwriteInputGradient(_ input: Int) -> Bool
}

extension Operation {
    public var parameterSpecs: [ParameterSpec] { [] }
    public func multiplyAccumulates(batch: Int) -> Int { 0 }
    public func savedCount(batch: Int) -> Int { 0 }
    public func workspaceCount(batch: Int) -> Int { 0 }
    public func canOverwriteInputGradient(_ input: Int) -> Bool { false }
}
