@testable import Engine
import Testing

@Suite struct BufferLayoutTests {
    @Test func buffersLieEndToEndInTheOrderAppended() {
        var layout = BufferLayout()
        let first = layout.append(5), empty = layout.append(0), last = layout.append(3)
        #expect((first.offset, first.count) == (0, 5))
        #expect((empty.offset, empty.count) == (5, 0))
        #expect((last.offset, last.count) == (5, 3))
        #expect(layout.count == 8)
        var block = [Float](repeating: 0, count: layout.count)
        block.withUnsafeMutableBufferPointer { block in
            last.start(in: block.baseAddress!).pointee = 1
        }
        #expect(block[5] == 1)
    }
}
