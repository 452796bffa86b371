/// A min-heap: the event queue of the simulator and the finish-order of a decode batch.
///
/// Array-backed and generic over `Comparable`, so the compiler specialises it and the hot loop
/// does no dynamic dispatch.
struct BinaryHeap<Element: Comparable> {
    private(set) var elements: [Element] = []

    init() {}

    var isEmpty: Bool { elements.isEmpty }
    var count: Int { elements.count }
    var min: Element? { elements.first }

    mutating func insert(_ element: Element) {
        elements.append(element)
        siftUp(from: elements.count - 1)
    }

    @discardableResult
    mutating func popMin() -> Element? {
        guard !elements.isEmpty else { return nil }
        if elements.count == 1 { return elements.removeLast() }
        let top = elements[0]
        elements[0] = elements.removeLast()
        siftDown(from: 0)
        return top
    }

    private mutating func siftUp(from start: Int) {
        var child = start
        let element = elements[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard element < elements[parent] else { break }
            elements[child] = elements[parent]
            child = parent
        }
        elements[child] = element
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        let count = elements.count
        let element = elements[parent]
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let smaller = right < count && elements[right] < elements[left] ? right : left
            guard elements[smaller] < element else { break }
            elements[parent] = elements[smaller]
            parent = smaller
        }
        elements[parent] = element
    }
}
