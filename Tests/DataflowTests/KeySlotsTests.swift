import Testing
@testable import Dataflow

/// Keyed state's slot index: the hash a record carries finds its key; equal hashes of different
/// keys stay apart.
@Suite struct KeySlotsTests {
    @Test func keysGetDenseSlotsInArrivalOrderAndKeepThemAsTheTableGrows() {
        var slots = KeySlots()
        let keys = (0..<5_000).map { Value.string("k\($0)") }
        for (i, k) in keys.enumerated() {
            let (slot, isNew) = slots.slot(for: k, hash: k.stableHash)
            #expect(slot == i && isNew)
        }
        for (i, k) in keys.enumerated().reversed() {
            let (slot, isNew) = slots.slot(for: k, hash: k.stableHash)
            #expect(slot == i && !isNew)
            #expect(slots.find(k, hash: k.stableHash) == i)
        }
        #expect(slots.count == 5_000 && slots.keys == keys)
        #expect(slots.find(.string("k5000"), hash: Value.string("k5000").stableHash) == nil)
    }

    @Test func differentKeysWithOneHashAreDifferentSlots() {
        var slots = KeySlots()
        // Every key under hash 7: each lookup walks the same probe run and must compare keys.
        let keys: [Value] = [.string("a"), .int(1), .double(1), .null, .string("b")]
        for (i, k) in keys.enumerated() { #expect(slots.slot(for: k, hash: 7).slot == i) }
        for (i, k) in keys.enumerated() { #expect(slots.find(k, hash: 7) == i) }
        #expect(slots.find(.string("c"), hash: 7) == nil)
        #expect(slots.find(.string("a"), hash: 8) == nil, "the hash is part of the identity")
    }

    @Test func stableHashIsTheSameEveryRunAndSeparatesKinds() {
        // FNV-1a + avalanche of the UTF-8 bytes: fixed values, so routing never changes between
        // processes (Swift's Hasher is seeded per process).
        #expect(Value.string("k1").stableHash == Value.string("k1").stableHash)
        #expect(Value.string("k1").stableHash != Value.string("k2").stableHash)
        #expect(Value.int(1).stableHash != Value.string("1").stableHash)
        #expect(StreamRecord(value: .null, time: 0, key: .string("k1")).keyHash == Value.string("k1").stableHash)
        #expect(StreamRecord(value: .null, time: 0).keyHash == 0)
        var r = StreamRecord(value: .null, time: 0)
        r.setKey(.int(3))
        #expect(r.keyHash == Value.int(3).stableHash && r.key == .int(3))
    }
}
