package ai.djl.gptq.tests.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs {@link BandwidthBenchmark} and {@link GemvBenchmark} in one JMH run and prints, per shape, the effective
 * bandwidth of the GEMV (bytes the kernel reads per call / time per call) and its fraction of the memory-read
 * bandwidth measured by the reads paired with it, per measurement iteration: the median over iterations and the
 * best one. Arguments: {@code [threads [warmup-iterations measurement-iterations [seconds-per-iteration]]]},
 * defaults 2, 3, 5, 1. JMH's own output is printed first.
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
        StringBuilder out = new StringBuilder();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            if (name.startsWith(BandwidthBenchmark.class.getName())) {
                long bytes = name.endsWith(".readAll") ? BandwidthBenchmark.BYTES : BandwidthBenchmark.SLICE;
                Statistics s = r.getPrimaryResult().getStatistics();
                out.append(String.format(Locale.ROOT, "Memory-read bandwidth, %d threads, %s: median %.1f GB/s, best %.1f GB/s%n",
                        threads, name.endsWith(".readAll") ? "1 GiB reads" : "32 MiB cold slices",
                        gbPerSecond(bytes, s.getPercentile(50) * 1e3), gbPerSecond(bytes, s.getMin() * 1e3)));
            }
        }
        out.append("\n| K x N | weights | bytes read | GEMV (us) | GEMV GB/s | paired read GB/s | fraction (median) | fraction (best iteration) |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult r : results) {
            if (!r.getParams().getBenchmark().startsWith(GemvBenchmark.class.getName())) {
                continue;
            }
            String shape = r.getParams().getParam("shape");
            String weights = r.getParams().getParam("weights");
            long bytes = GemvBenchmark.bytesRead(shape, weights);
            long probeBytes = GemvBenchmark.probeBytes(bytes);
            List<Double> micros = new ArrayList<>();
            List<Double> gemv = new ArrayList<>();
            List<Double> probe = new ArrayList<>();
            List<Double> fraction = new ArrayList<>();
            for (BenchmarkResult b : r.getBenchmarkResults()) {
                for (IterationResult i : b.getIterationResults()) {
                    Map<String, Result> aux = i.getSecondaryResults();
                    double pairs = aux.get("pairs").getScore();
                    double gemvNanos = aux.get("gemvNanos").getScore();
                    double probeNanos = aux.get("probeNanos").getScore();
                    double kernelRate = gbPerSecond(bytes * (long) pairs, gemvNanos);
                    double readRate = gbPerSecond(probeBytes * (long) pairs, probeNanos);
                    micros.add(gemvNanos / pairs / 1e3);
                    gemv.add(kernelRate);
                    probe.add(readRate);
                    fraction.add(kernelRate / readRate);
                }
            }
            out.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.1f | %.1f | %.1f | %.0f %% | %.0f %% |%n",
                    shape, weights, bytes, median(micros), median(gemv), median(probe), 100 * median(fraction),
                    100 * Collections.max(fraction)));
        }
        return out.toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double gbPerSecond(long bytes, double nanos) {
        return bytes / nanos;
    }
}
