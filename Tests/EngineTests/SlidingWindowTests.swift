@testable import Engine
import Testing

@Suite struct SlidingWindowTests {
    @Test func outputShapeFollowsPyTorchsFloorRule() {
        let image = TensorShape(height: 224, width: 223, channels: 3)
        #expect(image.slidingWindowOutput(kernelSize: 3, stride: 2, padding: 1, channels: 16)
                == TensorShape(height: 112, width: 112, channels: 16))
        #expect(image.slidingWindowOutput(kernelSize: 1, stride: 1, padding: 0, channels: 8)
                == TensorShape(height: 224, width: 223, channels: 8))
        let small = TensorShape(height: 7, width: 6, channels: 4)
        #expect(small.slidingWindowOutput(kernelSize: 3, stride: 2, padding: 0, channels: 4)
                == TensorShape(height: 3, width: 2, channels: 4))
        #expect(small.slidingWindowOutput(kernelSize: 5, stride: 2, padding: 2, channels: 4)
                == TensorShape(height: 4, width: 3, channels: 4))
    }

    @Test func lastWindowReachesPastTheEndOnlyWhereTheStrideLandsThere() {
        #expect(SlidingWindow(inputSize: 7, kernel: 3, stride: 2, padding: 1).reachPastEnd == 1)
        #expect(SlidingWindow(inputSize: 6, kernel: 3, stride: 2, padding: 1).reachPastEnd == 0)
        #expect(SlidingWindow(inputSize: 5, kernel: 5, stride: 1, padding: 2).reachPastEnd == 2)
        #expect(SlidingWindow(inputSize: 5, kernel: 3, stride: 1, padding: 0).reachPastEnd == 0)
    }
}
