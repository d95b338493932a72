import Testing
@testable import Dataflow

@Suite struct JobGraphTests {
    func e(_ s: String) -> CompiledExpression { try! CompiledExpression.compile(s) }

    @Test func stepsChainUntilAKeyByAndTheSinkChainsAtTheEnd() throws {
        let job = JobDefinition(name: "revenue", parallelism: 2, source: .topic(.init(topic: "orders")), steps: [
            .init(.filter(e("status == 'paid'"))),
            .init(.keyBy(e("customer"))),
            .init(.window(.init(assigner: .tumbling(size: 60_000), aggregation: try Aggregation([(name: "revenue", text: "sum(amount)")])))),
        ], sink: .init(topic: "out"))
        let g = try JobGraph(job)
        #expect(g.vertices.map(\.name) == ["Source: orders -> Filter",
                                           "Window(TumblingEventTimeWindows(60000), revenue=sum) -> Sink: out"])
        #expect(g.vertices[1].inputs.map(\.partitioning) == [.hash])
        #expect(g.vertices.allSatisfy { $0.parallelism == 2 && $0.id.count == 32 })
        #expect(try JobGraph(job).vertices.map(\.id) == g.vertices.map(\.id), "ids are stable")
    }

    @Test func aJoinReadsItsTableAsASecondInput() throws {
        let job = JobDefinition(name: "enrich", source: .topic(.init(topic: "orders")), steps: [
            .init(.join(.init(table: "customers", key: e("customer_id"), field: "customer"))),
        ], sink: .init(topic: "out"))
        let g = try JobGraph(job)
        #expect(g.vertices.count == 3)
        let join = try #require(g.vertices.last)
        #expect(join.inputs.map(\.isTable) == [false, true])
        #expect(g.vertices[join.inputs[1].vertex].tableSource?.table == "customers")
    }

    @Test func aParallelismChangeSplitsTheChain() throws {
        let job = JobDefinition(name: "slow", parallelism: 2, source: .generator(.init()), steps: [
            .init(.map([("k", e("key"))])),
        ], sink: .init(topic: "out", throttle: 10, parallelism: 1))
        let g = try JobGraph(job)
        #expect(g.vertices.map(\.parallelism) == [2, 1])
        #expect(g.vertices[1].inputs.map(\.partitioning) == [.rebalance])
        #expect(g.vertices[1].name == "Sink: out")
    }

    @Test func aWindowWithoutAKeyByIsRefusedNamingTheStep() throws {
        let job = JobDefinition(name: "x", source: .generator(.init()), steps: [
            .init(.filter(e("true"))),
            .init(.window(.init(assigner: .tumbling(size: 1000), aggregation: try Aggregation([(name: "n", text: "count()")])))),
        ], sink: .init(topic: "out"))
        #expect(throws: JobGraph.PlanError(step: 1, reason: "a window needs a keyBy before it (records are windowed per key)")) { try JobGraph(job) }
    }
}
