/// Job specs the engine ships (listed by `/jars`, run like any uploaded spec): the patterns
/// docs/jobs-engine.md describes, each runnable on a fresh engine except the join, which needs
/// its table topic (the customers sample writes it). `make demo` runs them.
public enum SampleJobs {
    public static let all: [(id: String, text: String)] = [
        ("sample_revenue-per-customer.yaml", """
        # Revenue per customer per 10 s of event time. Orders arrive out of order (up to 2 s) and
        # some late: within 5 s of allowed lateness a window's result is written again, updated;
        # later orders go to revenue-late.
        name: revenue-per-customer
        parallelism: 2
        source: {generator: {rate: 500/s, keys: 50, late: 0.02, outOfOrder: 0.2, maxDelay: 2s}}
        steps:
          - map: {customer: key, amount: "value / 10.0", ts: ts}
          - keyBy: customer
          - window: {tumbling: 10s, allowedLateness: 5s, lateOutput: revenue-late}
          - aggregate: {revenue: sum(amount), orders: count()}
        sink: {topic: revenue-per-customer}
        checkpoints: 5s
        """),
        ("sample_customers.yaml", """
        # The customers table the enrichment join reads: 20 customers (k0…k19) whose tier and
        # credit change twice a second, written keyed by customer id to the topic 'customers'.
        name: customers
        parallelism: 1
        source: {generator: {rate: 2/s, keys: 20}}
        steps:
          - map: {customer: key, name: "concat('Customer ', upper(key))", credit: "value * 10", tier: "floor(value / 250)"}
        sink: {topic: customers, key: customer}
        """),
        ("sample_customers-from-postgres.yaml", """
        # The customers table from Postgres: the engine's capture 'demo' writes every change of the
        # table public.customers to demo.public.customers in Debezium's envelope (docs/capture.md);
        # this keeps each row as it is after the change, keyed by customer id, in the topic
        # 'customers' the enrichment join reads. make demo runs it when Postgres is installed.
        name: customers-from-postgres
        parallelism: 1
        source: {topic: demo.public.customers, format: json, timestamp: ts_ms}
        steps:
          - filter: "op != 'd'"
          - map: {customer: after.id, name: after.name, credit: after.credit, tier: after.tier}
        sink: {topic: customers, key: customer}
        """),
        ("sample_orders-enriched.yaml", """
        # Orders joined with the customers table as it was at each order's time. The table is the
        # compacted topic 'customers' (key: customer id such as k7, value: a JSON object; a null
        # value deletes the customer): create it and write a few customers first.
        name: orders-enriched
        parallelism: 2
        source: {generator: {rate: 200/s, keys: 20}}
        steps:
          - map: {order: seq, customer: key, amount: value, ts: ts}
          - join: {table: customers, key: customer, as: customer_info, type: left}
        sink: {topic: orders-enriched}
        """),
        ("sample_dedupe-events.yaml", """
        # Events repeat (20 ids at 200/s); the first of each id passes, repeats within 5 s of it
        # are dropped, and once 5 s have passed the id passes again.
        name: dedupe-events
        source: {generator: {rate: 200/s, keys: 20}}
        steps:
          - dedupe: {key: key, ttl: 5s}
        sink: {topic: events-deduped}
        """),
        ("sample_slow-sink.yaml", """
        # A sink that takes 100 records a second from a source making 2,000: the source spends
        # most of its time backpressured, the sink is busy; the console's Job detail names the
        # sink as the bottleneck.
        name: slow-sink
        parallelism: 2
        source: {generator: {rate: 2000/s, keys: 100}}
        steps:
          - keyBy: key
          - map: {key: key, value: value}
        sink: {topic: slow-sink-out, throttle: 100/s}
        """),
        ("sample_flaky-checkpoints.yaml", """
        # A keyed count checkpointed every 2 s whose 'slow-state' step holds every third snapshot
        # past the 1 s timeout (as a slow state backend would): that checkpoint expires with
        # Flink's cause, the next ones complete, and the job runs on throughout.
        name: flaky-checkpoints
        parallelism: 2
        source: {generator: {rate: 200/s, keys: 100}}
        steps:
          - keyBy: key
          - count: n
            name: counter
          - delay: {record: 0ms, expireCheckpoints: 3}
            name: slow-state
          - keyBy: key
          - window: {tumbling: 5s}
          - aggregate: {max: max(n)}
        sink: {discard: true}
        checkpoints: {interval: 2s, timeout: 1s, tolerableFailures: 1000}
        """),
    ]
}
