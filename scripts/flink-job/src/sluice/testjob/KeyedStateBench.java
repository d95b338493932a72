package sluice.testjob;

import java.util.Map;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * make bench's keyed-state job, the twin of the engine spec in Benchmarks/state_bench.py: events
 * over N string keys ("k0" … ) at a fixed rate, a keyed running count (one Long of ValueState per
 * key, uid "counter"), results discarded; checkpoints every --checkpointMs, retained on cancel so
 * a job can be restored from its latest checkpoint.
 * Run with -c sluice.testjob.KeyedStateBench -- --keys N --rate R --checkpointMs MS.
 */
public class KeyedStateBench {
    public static void main(String[] argv) throws Exception {
        Map<String, String> args = SluiceTestJob.parse(argv);
        int keys = Integer.parseInt(args.getOrDefault("keys", "1000000"));
        double rate = Double.parseDouble(args.getOrDefault("rate", "200000"));
        long checkpointMs = Long.parseLong(args.getOrDefault("checkpointMs", "10000"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(checkpointMs, CheckpointingMode.EXACTLY_ONCE);
        env.getCheckpointConfig().setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        final int k = keys;
        DataGeneratorSource<String> source = new DataGeneratorSource<>(index -> "k" + (index % k), Long.MAX_VALUE,
            RateLimiterStrategy.perSecond(rate), org.apache.flink.api.common.typeinfo.Types.STRING);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "events").uid("events")
            .keyBy(key -> key)
            .map(new Count()).name("counter").uid("counter")
            .sinkTo(new DiscardingSink<>()).name("discard").uid("discard");
        env.execute(args.getOrDefault("name", "keyed-state"));
    }

    /** The running count of each key, in keyed state. */
    public static class Count extends RichMapFunction<String, Long> {
        private transient ValueState<Long> state;

        @Override
        public void open(OpenContext context) {
            state = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
        }

        @Override
        public Long map(String key) throws Exception {
            Long c = state.value();
            long next = (c == null ? 0 : c) + 1;
            state.update(next);
            return next;
        }
    }
}
