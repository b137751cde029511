// The test bed's streaming job: a keyed count on Flink's configured state backend (RocksDB in the
// tests). Source: a number sequence, bounded (--records N) or not (--records 0), optionally paced
// per subtask (--rate R records/s); keyed by value % --keys; each record reads and updates a
// ValueState (one get and one put on RocksDB); sink: DiscardingSink. Event time is the wall clock
// at the source (monotonous timestamps, Flink's periodic watermarks), so the sink's input
// watermark trails the wall clock by the pipeline's delay only. With --burn I, a deliberately
// expensive operator "burn" (I rounds of arithmetic per record, its own task: chaining off) runs
// between the count and the sink. Builds against Flink 1.20 and 2.x alike (OpenContext, sink
// v2).
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

public class KeyedCount {
	static long arg(String[] a, String name, long dflt) {
		for (int i = 0; i + 1 < a.length; i++)
			if (a[i].equals(name))
				return Long.parseLong(a[i + 1]);
		return dflt;
	}

	/** Sleeps so that each subtask passes at most `rate` records per second. */
	static class Pace extends RichMapFunction<Long, Long> {
		final long rate;
		long n, t0;

		Pace(long rate) {
			this.rate = rate;
		}

		@Override
		public void open(OpenContext ctx) {
			t0 = System.nanoTime();
		}

		@Override
		public Long map(Long v) throws Exception {
			if (rate > 0 && ++n % 64 == 0) {
				long ahead = n * 1_000_000_000L / rate - (System.nanoTime() - t0);
				if (ahead > 0)
					Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
			}
			return v;
		}
	}

	/** I rounds of a 64-bit LCG per record: CPU the optimiser cannot drop. */
	static class Burn extends RichMapFunction<Long, Long> {
		final long rounds;

		Burn(long rounds) {
			this.rounds = rounds;
		}

		@Override
		public Long map(Long v) {
			long x = v;
			for (long i = 0; i < rounds; i++)
				x = x * 6364136223846793005L + 1442695040888963407L;
			return x == 42 ? v + 1 : v;
		}
	}

	static class Count extends KeyedProcessFunction<Long, Long, Long> {
		transient ValueState<Long> count;

		@Override
		public void open(OpenContext ctx) {
			count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
		}

		@Override
		public void processElement(Long v, Context ctx, Collector<Long> out) throws Exception {
			Long c = count.value();
			c = c == null ? 1 : c + 1;
			count.update(c);
			out.collect(c);
		}
	}

	public static void main(String[] args) throws Exception {
		long records = arg(args, "--records", 1_000_000), keys = arg(args, "--keys", 10_000);
		long rate = arg(args, "--rate", 0), burn = arg(args, "--burn", 0);
		StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
		long end = records > 0 ? records : Long.MAX_VALUE;
		WatermarkStrategy<Long> wall = WatermarkStrategy.<Long>forMonotonousTimestamps()
			.withTimestampAssigner((v, ts) -> System.currentTimeMillis());
		DataStream<Long> counted = env.fromSource(new NumberSequenceSource(1, end), wall, "numbers")
			.map(new Pace(rate)).name("pace")
			.keyBy(v -> v % keys, Types.LONG)
			.process(new Count()).name("count");
		if (burn > 0)
			counted = counted.map(new Burn(burn)).name("burn").disableChaining();
		counted.sinkTo(new DiscardingSink<>()).name("discard");
		env.execute(records > 0 ? "jvmtap-keyed-count-" + records : "jvmtap-keyed-count");
	}
}
