/// A first-in-first-out queue with O(1) amortised push and pop (an array with a moving head
/// that is compacted once the consumed prefix dominates), for the per-instance request queues.
struct FIFOQueue<Element> {
    private var storage: [Element] = []
    private var head = 0

    init() {}

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }
    var first: Element? { isEmpty ? nil : storage[head] }

    mutating func append(_ element: Element) {
        storage.append(element)
    }

    @discardableResult
    mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head >= 1024 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Removes and returns every element, oldest first.
    mutating func removeAll() -> [Element] {
        let all = Array(storage[head...])
        storage.removeAll(keepingCapacity: true)
        head = 0
        return all
    }
}
