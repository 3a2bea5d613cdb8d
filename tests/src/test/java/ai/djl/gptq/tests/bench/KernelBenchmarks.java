package ai.djl.gptq.tests.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link BandwidthBenchmark} and {@link GemvBenchmark} in one JMH run and prints, per shape, the effective
 * bandwidth (bytes of weights the kernel reads per call / time per call) as a fraction of the bandwidth measured
 * in the same run. Arguments: {@code [threads [warmup-iterations measurement-iterations [seconds-per-iteration]]]};
 * defaults 2, 3, 5, 1. JMH's own output is printed too.
 */
public final class KernelBenchmarks {

    private KernelBenchmarks() {}

    public static void main(String[] args) throws RunnerException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int warmup = args.length > 2 ? Integer.parseInt(args[1]) : 3;
        int measure = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(BandwidthBenchmark.class.getName())
                .include(GemvBenchmark.class.getName())
                .forks(1)
                .warmupIterations(warmup)
                .measurementIterations(measure)
                .warmupTime(TimeValue.seconds(seconds))
                .measurementTime(TimeValue.seconds(seconds))
                .jvmArgsAppend("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                        "-Xmx4g", "-XX:+UseParallelGC", "-Dgptq.threads=" + threads);
        Collection<RunResult> results = new Runner(options.build()).run();
        System.out.println(report(results, threads));
    }

    static String report(Collection<RunResult> results, int threads) {
        double bandwidth = 0;
        List<RunResult> gemv = new ArrayList<>();
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().startsWith(BandwidthBenchmark.class.getName())) {
                bandwidth = BandwidthBenchmark.BYTES / (r.getPrimaryResult().getScore() * 1e3);
            } else {
                gemv.add(r);
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nMemory-read bandwidth (1 GiB, %d threads): %.1f GB/s%n%n", threads, bandwidth));
        out.append("| K x N | weights | bytes read | time (us) | GB/s | fraction of bandwidth |\n");
        out.append("|---|---|---:|---:|---:|---:|\n");
        for (RunResult r : gemv) {
            String shape = r.getParams().getParam("shape");
            String weights = r.getParams().getParam("weights");
            long bytes = GemvBenchmark.bytesRead(shape, weights);
            double micros = r.getPrimaryResult().getScore();
            double gbs = bytes / (micros * 1e3);
            out.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.1f | %.1f | %.0f %% |%n",
                    shape, weights, bytes, micros, gbs, 100 * gbs / bandwidth));
        }
        return out.toString();
    }
}
