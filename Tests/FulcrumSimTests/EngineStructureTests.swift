import Testing
@testable import FulcrumSim

@Suite struct EngineStructureTests {
    @Test func heapPopsInOrder() {
        var generator = SeededGenerator(seed: 42)
        var heap = BinaryHeap<Int>()
        var values: [Int] = []
        for _ in 0..<1000 {
            let value = Int.random(in: -500...500, using: &generator)
            values.append(value)
            heap.insert(value)
        }
        var popped: [Int] = []
        while let value = heap.popMin() { popped.append(value) }
        #expect(popped == values.sorted())
    }

    @Test func simultaneousEventsKeepSchedulingOrder() {
        var heap = BinaryHeap<SimulationEvent>()
        for sequence in (0..<50).reversed() {
            heap.insert(SimulationEvent(time: 1, sequence: UInt64(sequence), kind: .policyTick))
        }
        heap.insert(SimulationEvent(time: 0.5, sequence: 99, kind: .arrival))
        #expect(heap.popMin()?.sequence == 99)
        var sequences: [UInt64] = []
        while let event = heap.popMin() { sequences.append(event.sequence) }
        #expect(sequences == (0..<50).map(UInt64.init))
    }

    @Test func fifoQueueKeepsOrderAcrossCompaction() {
        var queue = FIFOQueue<Int>()
        var expected = 0
        for value in 0..<5000 {
            queue.append(value)
            if value % 3 != 0 {
                #expect(queue.popFirst() == expected)
                expected += 1
            }
        }
        #expect(queue.count == 5000 - expected)
        #expect(queue.removeAll() == Array(expected..<5000))
        #expect(queue.isEmpty)
    }

    @Test func percentilesInterpolateBetweenOrderStatistics() {
        #expect(Percentile.of(sorted: [], 0.5) == nil)
        #expect(Percentile.of(sorted: [3], 0.99) == 3)
        #expect(Percentile.of(sorted: [1, 2, 3, 4], 0.5) == 2.5)
        #expect(Percentile.of(sorted: Array(stride(from: 0.0, through: 100, by: 1)), 0.99) == 99)
    }
}
