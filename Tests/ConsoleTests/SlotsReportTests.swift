import ConsoleModel
import Foundation
import Services
import Testing

/// `sluice slots`' text and JSON (docs/slots.md): every key present, LSNs as Postgres writes
/// them, the remedy under a troubled slot, remote names sanitised.
@Suite struct SlotsReportTests {
    func state(threshold: Int64 = 1 << 30) -> SlotState {
        var config = SlotState.Configuration()
        config.retainedThreshold = threshold
        var s = SlotState(configuration: config)
        s.apply(SlotSnapshot(time: 1_764_700_000, server: "db:5432/shop", currentLSN: 0x2_0000_0000, slots: [
            .init(name: "sluice_shop", plugin: "pgoutput", database: "shop", active: true, activePid: 4242,
                  restartLSN: 0x1_F000_0000, confirmedFlushLSN: 0x1_FFFF_0000, walStatus: "reserved"),
            .init(name: "evil\u{1B}[31m", slotType: "physical", restartLSN: 0x2_0000_0000, walStatus: "reserved"),
        ], captures: [.init(name: "shop", slot: "sluice_shop", database: "shop", state: "RUNNING", lagMs: 42, changes: 7)]))
        return s
    }

    @Test func jsonHasEveryKeyAndTheCapture() throws {
        let doc = try #require(SlotsReport.document(state()))
        let text = try SlotsReport.json(doc)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["currentLsn"] as? String == "2/0")
        #expect(object["maxSlotWalKeepSizeBytes"] is NSNull)
        let slots = try #require(object["slots"] as? [[String: Any]])
        #expect(slots.count == 2)
        #expect(slots[0]["retainedBytes"] as? Int == 256 << 20 && slots[0]["restartLsn"] as? String == "1/F0000000")
        #expect(slots[0]["status"] as? String == "OK" && slots[0]["remedy"] is NSNull)
        #expect((slots[0]["capture"] as? [String: Any])?["lagMs"] as? Int == 42)
        #expect(slots[1]["capture"] is NSNull && slots[1]["plugin"] is NSNull && slots[1]["confirmedFlushLsn"] is NSNull)
        #expect(Set(slots[1].keys) == Set(slots[0].keys), "every key in every slot")
    }

    @Test func textShowsTheTableAndTheRemedyOfATroubledSlot() {
        let ok = SlotsReport.text(state())
        #expect(ok.contains("SERVER db:5432/shop: WAL at 2/0, 2 slots, max_slot_wal_keep_size unlimited"))
        #expect(ok.contains("256.0 MiB") && ok.contains("shop RUNNING") && ok.contains("42ms"))
        #expect(!ok.contains("\u{1B}"), "no escape sequence from a slot name reaches the terminal")
        #expect(!ok.contains("what to do"))
        let high = SlotsReport.text(state(threshold: 100 << 20))
        #expect(high.contains("HIGH sluice_shop: slot sluice_shop retains 256.0 MiB of WAL"))
        #expect(high.contains("what to do:") && high.contains("pg_drop_replication_slot('sluice_shop')"))
    }

    @Test func sizesParseInBinaryUnits() {
        #expect(SlotsReport.parseBytes("1GiB") == 1 << 30)
        #expect(SlotsReport.parseBytes("500MB") == 500 << 20)
        #expect(SlotsReport.parseBytes("64 k") == 64 << 10)
        #expect(SlotsReport.parseBytes("4096") == 4096)
        #expect(SlotsReport.parseBytes("lots") == nil && SlotsReport.parseBytes("1XB") == nil && SlotsReport.parseBytes("-1G") == nil)
        #expect(SlotsReport.rate(1.5 * 1024 * 1024) == "+1.5 MiB" && SlotsReport.rate(-300) == "-300 B" && SlotsReport.rate(0.2) == "0")
    }
}
