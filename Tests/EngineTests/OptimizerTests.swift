import Engine
import Foundation
import Testing

@Suite struct OptimizerTests {
    /// Runs `optimizer` over `gradients`, one array per step, from `initial`; the parameters after each step.
    static func trajectory(_ optimizer: any Optimizer, from initial: [Float], gradients: [[Float]]) -> [[Float]] {
        var parameters = initial
        var result: [[Float]] = []
        for var gradient in gradients {
            parameters.withUnsafeMutableBufferPointer { parameters in
                gradient.withUnsafeMutableBufferPointer { optimizer.step(parameters: parameters, gradients: $0) }
            }
            result.append(parameters)
        }
        return result
    }

    static let gradients: [[Float]] = [[0.5, -1, 0], [-0.25, -1, 2], [1, 0.5, 2]]

    @Test func adamFirstStepsMatchHandComputedValues() {
        let steps = Self.trajectory(Adam(parameterCount: 3, learningRate: 0.1), from: [1, -2, 0], gradients: Self.gradients)
        // Step 1: m̂ = g, v̂ = g², so every parameter moves by lr·sign(g) (0 stays 0).
        #expect(largestRelativeDifference(steps[0], [0.9, -1.9, 0]) <= 1e-6)
        // Step 2, first parameter: m = 0.9·0.05 + 0.1·(-0.25) = 0.02, v = 0.999·0.00025 + 0.001·0.0625
        // = 0.00031225; m̂ = 0.02/0.19, v̂ = 0.00031225/0.001999; θ = 0.9 - 0.1·m̂/sqrt(v̂) = 0.873366287.
        #expect(abs(steps[1][0] - 0.873_366_287) <= 1e-6)

        // Every step, every parameter, from Adam's formulas in double precision.
        var theta: [Double] = [1, -2, 0], m = [Double](repeating: 0, count: 3), v = m
        for (t, gradient) in Self.gradients.enumerated() {
            for i in 0..<3 {
                let g = Double(gradient[i])
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                let mHat = m[i] / (1 - pow(0.9, Double(t + 1))), vHat = v[i] / (1 - pow(0.999, Double(t + 1)))
                theta[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
            }
            #expect(largestRelativeDifference(steps[t], theta.map { Float($0) }) <= 1e-5)
        }
    }

    @Test func adamWeightDecayIsAddedToTheGradient() {
        let step = Self.trajectory(Adam(parameterCount: 1, learningRate: 0.1, weightDecay: 0.5), from: [2], gradients: [[-0.5]])
        // g = -0.5 + 0.5·2 = 0.5 > 0: the first step moves against it by lr.
        #expect(abs(step[0][0] - 1.9) <= 1e-6)
    }

    @Test func adamWDecaysTheWeightsApartFromTheGradient() {
        // torch.optim.AdamW: θ ← θ·(1 − lr·λ), then the Adam step on the plain gradient.
        // Step 1 from θ = 2 with g = −0.5, lr 0.1, λ 0.5: θ = 2·0.95 = 1.9, then m̂/sqrt(v̂) = sign(g)
        // = −1, so θ = 1.9 + 0.1 = 2.0 (where L2 decay, g + λθ = 0.5, gave 1.9).
        let adamW = { Adam(parameterCount: 1, learningRate: 0.1, weightDecay: 0.5, decoupledWeightDecay: true) }
        let steps = Self.trajectory(adamW(), from: [2], gradients: [[-0.5], [0.25]])
        #expect(abs(steps[0][0] - 2.0) <= 1e-6)
        // Step 2: θ = 2·0.95 = 1.9; m = 0.9·(−0.05) + 0.1·0.25 = −0.02, v = 0.999·0.00025 + 0.001·0.0625
        // = 0.00031225; m̂ = −0.02/0.19, v̂ = 0.00031225/0.001999; θ = 1.9 − 0.1·m̂/sqrt(v̂) = 1.926633703.
        #expect(abs(steps[1][0] - 1.926_633_703) <= 1e-6)
        // With no weight decay AdamW is Adam.
        let plain = Self.trajectory(Adam(parameterCount: 3, learningRate: 0.1), from: [1, -2, 0], gradients: Self.gradients)
        let decoupled = Self.trajectory(
            Adam(parameterCount: 3, learningRate: 0.1, decoupledWeightDecay: true), from: [1, -2, 0], gradients: Self.gradients)
        #expect(plain == decoupled)
    }

    @Test func sgdWithMomentumMatchesHandComputedValues() {
        let steps = Self.trajectory(
            SGD(parameterCount: 1, learningRate: 0.1, momentum: 0.9), from: [1], gradients: [[0.5], [0.5], [0.5]])
        // b = 0.5, 0.95, 1.355; θ = 1 - 0.05, then - 0.095, then - 0.1355.
        #expect(largestRelativeDifference(steps.map { $0[0] }, [0.95, 0.855, 0.7195]) <= 1e-6)
    }

    @Test func sgdWithNesterovMomentumMatchesHandComputedValues() {
        let steps = Self.trajectory(
            SGD(parameterCount: 1, learningRate: 0.1, momentum: 0.9, nesterov: true), from: [1], gradients: [[0.5], [0.5]])
        // b = 0.5, 0.95; update g + μ·b = 0.95, 1.355.
        #expect(largestRelativeDifference(steps.map { $0[0] }, [0.905, 0.7695]) <= 1e-6)
    }

    @Test func sgdWeightDecayIsAddedToTheGradient() {
        let plain = Self.trajectory(SGD(parameterCount: 1, learningRate: 0.1, weightDecay: 0.1), from: [2], gradients: [[0.5]])
        // θ = 2 - 0.1·(0.5 + 0.1·2) = 1.93
        #expect(abs(plain[0][0] - 1.93) <= 1e-6)
    }

    @Test func stepAllocatesNothing() {
        var parameters = [Float](repeating: 1, count: 64), gradients = [Float](repeating: 0.5, count: 64)
        let optimizers: [any Optimizer] = [
            Adam(parameterCount: 64, weightDecay: 0.01),
            SGD(parameterCount: 64, learningRate: 0.1, momentum: 0.9, nesterov: true),
            SGD(parameterCount: 64, learningRate: 0.1),
        ]
        parameters.withUnsafeMutableBufferPointer { parameters in
            gradients.withUnsafeMutableBufferPointer { gradients in
                for optimizer in optimizers {
                    #expect(heapAllocationsOnThisThread { optimizer.step(parameters: parameters, gradients: gradients) } == 0,
                            "\(type(of: optimizer)).step allocated")
                }
            }
        }
    }

    @Test func restoredStateContinuesIdentically() throws {
        for make in [
            { Adam(parameterCount: 3, learningRate: 0.05) as any Optimizer },
            { SGD(parameterCount: 3, learningRate: 0.05, momentum: 0.9, nesterov: true) as any Optimizer },
        ] {
            let original = make()
            let halfway = Self.trajectory(original, from: [1, -2, 0], gradients: Array(Self.gradients[..<2])).last!
            let resumed = make()
            try resumed.restore(original.state)
            #expect(resumed.stepCount == 2)
            let last = [Self.gradients[2]]
            #expect(Self.trajectory(resumed, from: halfway, gradients: last) == Self.trajectory(original, from: halfway, gradients: last))
        }
    }

    @Test func restoringAnotherOptimizersStateThrows() {
        let adam = Adam(parameterCount: 3)
        let sgd = SGD(parameterCount: 3, learningRate: 0.1, momentum: 0.9)
        #expect(throws: OptimizerStateError.self) { try adam.restore(sgd.state) }
        #expect(throws: OptimizerStateError.self) { try Adam(parameterCount: 4).restore(adam.state) }
    }
}
