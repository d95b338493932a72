package sluice.testjob;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * The job Sluice's Flink tests drive: events → keyed counter (ValueState) → slow → 5 s event-time
 * window → discard. The counter's largest count is published as the metric {@code counter.maxCount},
 * so a test can tell a job restored from a savepoint (counts carry on) from a fresh one (from 1).
 *
 * Arguments (all optional): --name S, --rate R (records/s), --keys K, --slowMs D (per record in
 * "slow"), --checkpointMs MS (0 = off), --failCheckpoints true (checkpoints time out while the job
 * keeps running), --checkpointTimeoutMs MS, --count N (bounded: the job finishes), --stages N (N extra
 * pass-through operators, each its own vertex: a wider graph for benchmarks).
 */
public class SluiceTestJob {
    /** One generated record. A public POJO so Flink serialises it without Kryo. */
    public static class Event {
        public int key;
        public long time;
        public long count;
        public Event() {}
        public Event(int key, long time) { this.key = key; this.time = time; }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parse(argv);
        String name = args.getOrDefault("name", "sluice-test-job");
        double rate = Double.parseDouble(args.getOrDefault("rate", "200"));
        int keys = Integer.parseInt(args.getOrDefault("keys", "16"));
        double slowMs = Double.parseDouble(args.getOrDefault("slowMs", "0"));
        long checkpointMs = Long.parseLong(args.getOrDefault("checkpointMs", "2000"));
        boolean failCheckpoints = Boolean.parseBoolean(args.getOrDefault("failCheckpoints", "false"));
        long checkpointTimeoutMs = Long.parseLong(args.getOrDefault("checkpointTimeoutMs", failCheckpoints ? "3000" : "60000"));
        long count = Long.parseLong(args.getOrDefault("count", String.valueOf(Long.MAX_VALUE)));
        int stages = Integer.parseInt(args.getOrDefault("stages", "0"));

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (checkpointMs > 0) {
            env.enableCheckpointing(checkpointMs, CheckpointingMode.EXACTLY_ONCE);
            env.getCheckpointConfig().setCheckpointTimeout(checkpointTimeoutMs);
            env.getCheckpointConfig().setTolerableCheckpointFailureNumber(Integer.MAX_VALUE);
            env.getCheckpointConfig().setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }

        final int k = keys;
        DataGeneratorSource<Event> source = new DataGeneratorSource<>(
            index -> new Event((int) (index % k), System.currentTimeMillis()),
            count, RateLimiterStrategy.perSecond(rate), org.apache.flink.api.common.typeinfo.TypeInformation.of(Event.class));

        org.apache.flink.streaming.api.datastream.DataStream<Event> stream = env
            .fromSource(source, WatermarkStrategy.<Event>forBoundedOutOfOrderness(Duration.ofMillis(500))
                    .withTimestampAssigner((e, ts) -> e.time), "events").uid("events")
            .keyBy(e -> e.key)
            .map(new Counter()).name("counter").uid("counter")
            .map(new Slow(slowMs, failCheckpoints, checkpointTimeoutMs)).name("slow").uid("slow").disableChaining();
        for (int i = 0; i < stages; i++) {
            stream = stream.map(e -> e).returns(Event.class).name("stage-" + i).uid("stage-" + i).disableChaining();
        }
        stream
            .keyBy(e -> e.key)
            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(5)))
            .reduce((ReduceFunction<Event>) (a, b) -> a.count >= b.count ? a : b).name("window").uid("window")
            .sinkTo(new DiscardingSink<>()).name("discard").uid("discard");
        env.execute(name);
    }

    /** Counts records per key in keyed state; the largest count is a metric. */
    public static class Counter extends RichMapFunction<Event, Event> {
        private transient ValueState<Long> state;
        private transient volatile long max;

        @Override
        public void open(OpenContext context) {
            state = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
            getRuntimeContext().getMetricGroup().gauge("maxCount", (Gauge<Long>) () -> max);
        }

        @Override
        public Event map(Event e) throws Exception {
            Long c = state.value();
            long next = (c == null ? 0 : c) + 1;
            state.update(next);
            if (next > max) max = next;
            e.count = next;
            return e;
        }
    }

    /** Spends slowMs per record (backpressure upstream); optionally makes every checkpoint time out. */
    public static class Slow extends RichMapFunction<Event, Event> implements CheckpointedFunction {
        private final double slowMs;
        private final boolean failCheckpoints;
        private final long checkpointTimeoutMs;

        Slow(double slowMs, boolean failCheckpoints, long checkpointTimeoutMs) {
            this.slowMs = slowMs; this.failCheckpoints = failCheckpoints; this.checkpointTimeoutMs = checkpointTimeoutMs;
        }

        @Override
        public Event map(Event e) throws Exception {
            if (slowMs > 0) {
                long nanos = (long) (slowMs * 1_000_000);
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            }
            return e;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            // Subtask 0 outlasts the checkpoint timeout: the checkpoint expires, the job keeps running.
            if (failCheckpoints && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
                Thread.sleep(checkpointTimeoutMs + 500);
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}
    }

    static Map<String, String> parse(String[] argv) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) throw new IllegalArgumentException("expected --name value pairs, got " + argv[i]);
            out.put(argv[i].substring(2), argv[i + 1]);
        }
        return out;
    }
}
