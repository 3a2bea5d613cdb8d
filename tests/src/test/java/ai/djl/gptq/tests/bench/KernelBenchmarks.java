package ai.djl.gptq.tests.bench;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs {@link BandwidthBenchmark} and {@link GemvBenchmark} in one JMH run and prints, per shape, the effective
 * bandwidth (bytes the kernel reads per call / time per call) as a fraction of the bandwidth measured in the
 * same run. Both are sampled per call; the table compares medians (and, as a second view on a shared host where
 * other processes steal time slices, the fastest calls) with the 32 MiB cold-slice probe, whose calls last about
 * as long as the GEMVs. Arguments: {@code [threads [warmup-iterations measurement-iterations
 * [seconds-per-iteration]]]}, defaults 2, 3, 5, 1. JMH's own output is printed too.
 */
public final class KernelBenchmarks {

    private KernelBenchmarks() {}

    public static void main(String[] args) throws RunnerException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int warmup = args.length > 2 ? Integer.parseInt(args[1]) : 3;
        int measure = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        OptionsBuilder options = new OptionsBuilder();
        options.include(BandwidthBenchmark.class.getName())
                .include(GemvBenchmark.class.getName())
                .forks(1)
                .warmupIterations(warmup)
                .measurementIterations(measure)
                .warmupTime(TimeValue.seconds(seconds))
                .measurementTime(TimeValue.seconds(seconds))
                .jvmArgsAppend("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                        "-Xmx4g", "-XX:+UseParallelGC", "-Dgptq.threads=" + threads);
        System.out.println(report(new Runner(options.build()).run(), threads));
    }

    static String report(Collection<RunResult> results, int threads) {
        Statistics all = null;
        Statistics slice = null;
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            if (name.endsWith(".readAll")) {
                all = r.getPrimaryResult().getStatistics();
            } else if (name.endsWith(".readSlice")) {
                slice = r.getPrimaryResult().getStatistics();
            }
        }
        if (all == null || slice == null) {
            throw new IllegalStateException("the bandwidth probe did not run");
        }
        double sliceMedian = gbPerSecond(BandwidthBenchmark.SLICE, slice.getPercentile(50));
        double sliceBest = gbPerSecond(BandwidthBenchmark.SLICE, slice.getMin());
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nMemory-read bandwidth, %d threads: 1 GiB reads median %.1f GB/s (best %.1f); "
                + "32 MiB cold slices median %.1f GB/s (best %.1f)%n%n", threads,
                gbPerSecond(BandwidthBenchmark.BYTES, all.getPercentile(50)), gbPerSecond(BandwidthBenchmark.BYTES, all.getMin()),
                sliceMedian, sliceBest));
        out.append("| K x N | weights | bytes read | median (us) | GB/s | of bandwidth | best (us) | GB/s | of best bandwidth |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult r : results) {
            if (!r.getParams().getBenchmark().startsWith(GemvBenchmark.class.getName())) {
                continue;
            }
            String shape = r.getParams().getParam("shape");
            String weights = r.getParams().getParam("weights");
            long bytes = GemvBenchmark.bytesRead(shape, weights);
            Statistics s = r.getPrimaryResult().getStatistics();
            double median = gbPerSecond(bytes, s.getPercentile(50));
            double best = gbPerSecond(bytes, s.getMin());
            out.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.1f | %.1f | %.0f %% | %.1f | %.1f | %.0f %% |%n",
                    shape, weights, bytes, s.getPercentile(50), median, 100 * median / sliceMedian,
                    s.getMin(), best, 100 * best / sliceBest));
        }
        return out.toString();
    }

    private static double gbPerSecond(long bytes, double micros) {
        return bytes / (micros * 1e3);
    }
}
