import Testing
@testable import ConsoleModel

/// Replication slots' rules (docs/slots.md): retained WAL and flush lag from LSNs, GROWING only
/// when the consumer falls further behind at every reading of the window by a real amount,
/// HIGH over the threshold, UNRESERVED and LOST from wal_status, alerts with the remedy.
@Suite struct SlotStateTests {
    static let mib: UInt64 = 1 << 20

    func reading(_ t: Double, wal: UInt64, restart: UInt64, confirmed: UInt64, walStatus: String = "reserved", active: Bool = false) -> SlotSnapshot {
        SlotSnapshot(time: t, server: "db:5432/shop", currentLSN: wal, slots: [
            .init(name: "sluice_shop", plugin: "pgoutput", database: "shop", active: active, activePid: active ? 4242 : nil,
                  restartLSN: restart, confirmedFlushLSN: confirmed, walStatus: walStatus),
        ], captures: [.init(name: "shop", slot: "sluice_shop", database: "shop", state: "RUNNING", lagMs: 35, changes: 9)])
    }

    @Test func retainedAndFlushLagAreMeasuredFromTheCurrentPosition() {
        var s = SlotState()
        s.apply(reading(0, wal: 10 * Self.mib, restart: 4 * Self.mib, confirmed: 9 * Self.mib))
        let slot = try! #require(s.slots.first)
        #expect(slot.retainedBytes == Int64(6 * Self.mib))
        #expect(slot.flushLagBytes == Int64(1 * Self.mib))
        #expect(slot.status == .ok && slot.remedy == nil)
        #expect(slot.capture?.name == "shop" && slot.capture?.lagMs == 35, "the capture reading the slot is matched by slot and database")
        #expect(SlotSnapshot.lsnText(0x16_B374_D848) == "16/B374D848")
    }

    @Test func aStoppedConsumerIsGrowingAfterAWindowAndClearsWhenItResumes() {
        var s = SlotState()
        let restart = 1 * Self.mib
        for i in 0..<4 {
            s.apply(reading(Double(i) * 2, wal: restart + UInt64(i + 1) * 2 * Self.mib, restart: restart, confirmed: restart))
            #expect(s.slots[0].status == .ok, "reading \(i): the window is not full yet")
        }
        s.apply(reading(8, wal: restart + 10 * Self.mib, restart: restart, confirmed: restart))
        #expect(s.slots[0].status == .growing)
        #expect(s.slots[0].statusSince == 8)
        #expect((s.slots[0].retainedRate ?? 0) > 900_000, "about 1 MiB/s: \(s.slots[0].retainedRate ?? -1)")
        #expect(s.slots[0].trend.count == 5 && s.slots[0].trend == s.slots[0].trend.sorted())
        #expect(s.slots[0].remedy?.contains("pg_drop_replication_slot('sluice_shop')") == true)
        #expect(s.slots[0].remedy?.contains("max_slot_wal_keep_size") == true)
        // The consumer catches up: the slot moves and the alert clears at once.
        s.apply(reading(10, wal: restart + 11 * Self.mib, restart: restart + 10 * Self.mib, confirmed: restart + 11 * Self.mib))
        #expect(s.slots[0].status == .ok)
        #expect((s.slots[0].retainedRate ?? 0) < 0, "falling")
    }

    @Test func smallOrIrregularGrowthIsNotATrend() {
        var s = SlotState()
        // Rising every time but by a few kilobytes in all: an idle database's background WAL.
        for i in 0..<8 { s.apply(reading(Double(i), wal: Self.mib + UInt64(i) * 1000, restart: Self.mib, confirmed: Self.mib)) }
        #expect(s.slots[0].status == .ok)
        // A consumer that keeps up in bursts: the lag falls back between rises.
        var t = SlotState()
        let lags: [UInt64] = [1, 3, 5, 2, 6, 8, 9]
        for (i, lag) in lags.enumerated() {
            let wal = 100 * Self.mib + UInt64(i) * 10 * Self.mib
            t.apply(reading(Double(i), wal: wal, restart: wal - lag * Self.mib, confirmed: wal - lag * Self.mib))
        }
        #expect(t.slots[0].status == .ok, "lag fell once within the last five readings")
    }

    @Test func thresholdAndWalStatusDecideAtOnce() {
        var config = SlotState.Configuration()
        config.retainedThreshold = 8 << 20
        var s = SlotState(configuration: config)
        s.apply(reading(0, wal: 20 * Self.mib, restart: 2 * Self.mib, confirmed: 19 * Self.mib, active: true))
        #expect(s.slots[0].status == .high)
        #expect(SlotState.alertMessage(s.slots[0]).contains("18.0 MiB"), "\(SlotState.alertMessage(s.slots[0]))")
        #expect(SlotState.alertMessage(s.slots[0]).contains("consumer pid 4242"))
        s.apply(reading(1, wal: 20 * Self.mib, restart: 2 * Self.mib, confirmed: 19 * Self.mib, walStatus: "unreserved"))
        #expect(s.slots[0].status == .unreserved)
        s.apply(reading(2, wal: 20 * Self.mib, restart: 2 * Self.mib, confirmed: 19 * Self.mib, walStatus: "lost"))
        #expect(s.slots[0].status == .lost && s.slots[0].statusSince == 2)
        #expect(s.slots[0].remedy?.contains("cannot resume") == true)
    }

    @Test func theModelRaisesAndClearsSlotAlertsAndPostgresOutages() {
        var m = ConsoleModel()
        let restart = Self.mib
        for i in 0..<5 { m.apply(.postgres(reading(Double(i), wal: restart + UInt64(i + 1) * 2 * Self.mib, restart: restart, confirmed: restart))) }
        let alert = try! #require(m.alerts.first { $0.key == "slot:sluice_shop" })
        #expect(alert.severity == .warning && alert.message.contains("growing") && alert.message.contains("no consumer"))
        m.apply(.postgresError(time: 6, message: "connection refused"))
        #expect(m.alerts.contains { $0.key == "postgres" && $0.message.contains("connection refused") })
        m.apply(.postgres(reading(7, wal: 12 * Self.mib, restart: 12 * Self.mib, confirmed: 12 * Self.mib)))
        #expect(!m.alerts.contains { $0.key == "postgres" || $0.key.hasPrefix("slot:") })
    }

    @Test func aDroppedSlotIsForgotten() {
        var s = SlotState()
        s.apply(reading(0, wal: 2 * Self.mib, restart: Self.mib, confirmed: Self.mib))
        s.apply(SlotSnapshot(time: 1, server: "db:5432/shop", currentLSN: 3 * Self.mib, slots: []))
        #expect(s.slots.isEmpty && s.histories.isEmpty)
    }
}
