import Engine
import Testing

@Suite struct GraphTests {
    @Test func parameterNamesFollowScopesAndOffsetsArePacked() {
        let builder = GraphBuilder(inputShape: TensorShape(height: 8, width: 8, channels: 3))
        var x = builder.input
        builder.scope("features") {
            builder.scope("0") {
                x = builder.convolution(x, outputChannels: 4, kernelSize: 3, stride: 2, name: "0")
                x = builder.batchNorm(x, name: "1")
            }
        }
        let pooled = builder.globalAveragePool(x)
        let logits = builder.scope("classifier") { builder.linear(pooled, outputFeatures: 2, name: "0") }
        let graph = builder.build(embedding: pooled, logits: logits)

        #expect(graph.parameters.map(\.name) == [
            "features.0.0.weight", "features.0.1.weight", "features.0.1.bias",
            "features.0.1.running_mean", "features.0.1.running_var",
            "classifier.0.weight", "classifier.0.bias",
        ])
        #expect(graph.trainableCount == 4 * 3 * 3 * 3 + 4 + 4 + 2 * 4 + 2)
        #expect(graph.stateCount == 8)
        #expect(graph.embeddingWidth == 4)
        #expect(graph.shape(of: x) == TensorShape(height: 4, width: 4, channels: 4))
    }

    @Test func sequentialScopesNumberLayersAsPyTorchSequentialNumbersModules() {
        // As PyTorch names nn.Sequential(Conv2d, BatchNorm2d, ReLU, nn.Sequential(Conv2d,
        // BatchNorm2d), SqueezeExcitation-like module, Hardswish, AdaptiveAvgPool2d,
        // Dropout(0), Linear): modules without parameters take indices too.
        let builder = GraphBuilder(inputShape: TensorShape(height: 4, width: 4, channels: 2))
        let (pooled, logits) = builder.sequential("body") {
            var x = builder.convolution(builder.input, outputChannels: 4, kernelSize: 3)
            x = builder.batchNorm(x, activation: .relu)
            x = builder.sequential {
                builder.batchNorm(builder.convolution(x, outputChannels: 4, kernelSize: 1))
            }
            x = builder.scope {
                builder.relu(builder.convolution(x, outputChannels: 4, kernelSize: 1, bias: true, name: "fc1"))
            }
            x = builder.hardSwish(x)
            let pooled = builder.globalAveragePool(x)
            return (pooled, builder.linear(builder.dropout(pooled, probability: 0), outputFeatures: 2))
        }
        let graph = builder.build(embedding: pooled, logits: logits)
        let batchNorm = ["weight", "bias", "running_mean", "running_var"]
        #expect(graph.parameters.map(\.name) == ["body.0.weight"]
            + batchNorm.map { "body.1.\($0)" }
            + ["body.3.0.weight"] + batchNorm.map { "body.3.1.\($0)" }
            + ["body.4.fc1.weight", "body.4.fc1.bias", "body.8.weight", "body.8.bias"])
    }

    @Test func convolutionsWithoutAnInitializerFollowTheBuildersInitialization() {
        func weightInitializers(_ initialization: ConvolutionInitialization) -> [Initializer] {
            let builder = GraphBuilder(
                inputShape: TensorShape(height: 4, width: 4, channels: 2), convolutionInitialization: initialization)
            var x = builder.convolution(builder.input, outputChannels: 6, kernelSize: 3, name: "full")
            x = builder.convolution(x, outputChannels: 6, kernelSize: 3, groups: 6, name: "depthwise")
            x = builder.convolution(x, outputChannels: 6, kernelSize: 1, weightInitializer: .ones, name: "given")
            let pooled = builder.globalAveragePool(x)
            let graph = builder.build(embedding: pooled, logits: builder.linear(pooled, outputFeatures: 2, name: "fc"))
            return graph.nodes.prefix(4).compactMap { $0.operation?.parameterSpecs.first?.initializer }
        }
        // PyTorch's fans: fan_out = out·k·k (not divided by groups), fan_in = in/groups·k·k.
        #expect(weightInitializers(.kaimingNormalFanOut) == [
            .kaimingNormalFanOut(fanOut: 54), .kaimingNormalFanOut(fanOut: 54), .ones,
        ])
        #expect(weightInitializers(.pytorchDefault) == [
            .uniform(bound: 1 / Float(18).squareRoot()), .uniform(bound: 1 / 3), .ones,
        ])
    }

    @Test func initializationIsDeterministicPerSeed() {
        func parameters(seed: UInt64) -> [Float] {
            let builder = GraphBuilder(inputShape: TensorShape(height: 4, width: 4, channels: 1))
            let x = builder.convolution(builder.input, outputChannels: 3, kernelSize: 3, name: "conv")
            let pooled = builder.globalAveragePool(x)
            let graph = builder.build(embedding: pooled, logits: builder.linear(pooled, outputFeatures: 2, name: "fc"))
            let executor = Executor(graph: graph, batchCapacity: 1)
            executor.initializeParameters(seed: seed)
            return Array(executor.parameters)
        }
        #expect(parameters(seed: 1) == parameters(seed: 1))
        #expect(parameters(seed: 1) != parameters(seed: 2))
    }
}
