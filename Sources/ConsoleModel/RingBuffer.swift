/// A fixed-capacity history that overwrites its oldest element; iteration is oldest first.
public struct RingBuffer<Element: Sendable>: Sendable, RandomAccessCollection {
    public let capacity: Int
    private var storage: [Element] = []
    private var head = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        storage.reserveCapacity(Swift.min(capacity, 64))
    }

    public mutating func append(_ e: Element) {
        if storage.count < capacity {
            storage.append(e)
        } else {
            storage[head] = e
            head = (head + 1) % capacity
        }
    }

    /// Replaces the newest element in place (no-op when empty).
    public mutating func replaceLast(_ e: Element) {
        guard !storage.isEmpty else { return }
        let newest = storage.count < capacity ? storage.count - 1 : (head + capacity - 1) % capacity
        storage[newest] = e
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }
    public subscript(i: Int) -> Element {
        // A compare instead of a division: this runs for every sample of every window evaluated.
        let j = head + i
        return storage[j >= storage.count ? j - storage.count : j]
    }

    /// The last `n` elements, oldest first.
    public func suffix(_ n: Int) -> [Element] {
        let k = Swift.min(n, count)
        return (count - k..<count).map { self[$0] }
    }
}
