package sluice.testjob;

import java.time.Duration;
import java.util.Map;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * make bench's window job, the twin of `SluiceBench window-count`: N generated events over 1,000
 * string keys, 100 events per millisecond of event time, keyed 1 s tumbling count, results
 * discarded; checkpointed every --checkpointMs when given. Run with -c sluice.testjob.WindowCountBench -- --count N.
 */
public class WindowCountBench {
    /** One generated event, as the engine's generator makes them: key, event time, value. */
    public static class Event {
        public String key;
        public long ts;
        public long value;
        public Event() {}
        public Event(String key, long ts, long value) { this.key = key; this.ts = ts; this.value = value; }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = SluiceTestJob.parse(argv);
        long count = Long.parseLong(args.getOrDefault("count", "20000000"));
        int keys = Integer.parseInt(args.getOrDefault("keys", "1000"));
        long checkpointMs = Long.parseLong(args.getOrDefault("checkpointMs", "0"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (checkpointMs > 0) env.enableCheckpointing(checkpointMs, org.apache.flink.core.execution.CheckpointingMode.EXACTLY_ONCE);
        DataGeneratorSource<Event> source = new DataGeneratorSource<>(
            index -> new Event("k" + (index % keys), index / 100, index % 997),
            count, RateLimiterStrategy.noOp(), org.apache.flink.api.common.typeinfo.TypeInformation.of(Event.class));
        env.fromSource(source, WatermarkStrategy.<Event>forMonotonousTimestamps().withTimestampAssigner((e, t) -> e.ts), "events")
            .keyBy(e -> e.key)
            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
            .aggregate(new Count()).name("window")
            .sinkTo(new DiscardingSink<>()).name("discard");
        env.execute(args.getOrDefault("name", "window-count"));
    }

    /** count() per key and window. */
    public static class Count implements AggregateFunction<Event, Long, Long> {
        public Long createAccumulator() { return 0L; }
        public Long add(Event e, Long acc) { return acc + 1; }
        public Long getResult(Long acc) { return acc; }
        public Long merge(Long a, Long b) { return a + b; }
    }
}
