/// A keyed state's keys numbered 0, 1, 2, … in arrival order, found by the stable hash each
/// record carries from its keyBy (``StreamRecord/keyHash``): the key is never hashed again, and
/// the state itself sits in plain arrays indexed by slot.
public struct KeySlots: Sendable {
    /// Open addressing, linear probing: a slot number, or -1 for empty.
    private var table: [Int32]
    private var shift: UInt64
    public private(set) var keys: [Value] = []
    private var hashes: [UInt64] = []

    public init() {
        table = Array(repeating: -1, count: 16)
        shift = 64 - 4
    }

    public var count: Int { keys.count }

    /// The key's slot, made if the key is new (`isNew`).
    public mutating func slot(for key: Value, hash: UInt64) -> (slot: Int, isNew: Bool) {
        let mask = table.count - 1
        var i = bucket(hash)
        while true {
            let s = Int(table[i])
            if s < 0 { break }
            if hashes[s] == hash && keys[s] == key { return (s, false) }
            i = (i + 1) & mask
        }
        let s = keys.count
        keys.append(key)
        hashes.append(hash)
        table[i] = Int32(s)
        if keys.count * 2 > table.count { grow() }
        return (s, true)
    }

    /// The key's slot if it has one.
    public func find(_ key: Value, hash: UInt64) -> Int? {
        let mask = table.count - 1
        var i = bucket(hash)
        while true {
            let s = Int(table[i])
            if s < 0 { return nil }
            if hashes[s] == hash && keys[s] == key { return s }
            i = (i + 1) & mask
        }
    }

    /// Fibonacci hashing takes the high bits: the low bits of one subtask's keys are skewed,
    /// since routing chose the subtask from them.
    private func bucket(_ hash: UInt64) -> Int { Int((hash &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    private mutating func grow() {
        table = Array(repeating: -1, count: table.count * 2)
        shift -= 1
        let mask = table.count - 1
        for (s, h) in hashes.enumerated() {
            var i = bucket(h)
            while table[i] >= 0 { i = (i + 1) & mask }
            table[i] = Int32(s)
        }
    }
}
