package ai.djl.gptq.tests.bench;

import ai.djl.gptq.kernel.MemoryBandwidth;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** The memory-read bandwidth the GEMV results are compared with: one read of a 1 GiB buffer on the pool's threads. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BandwidthBenchmark {

    static final long BYTES = 1L << 30;

    private MemoryBandwidth probe;

    @Setup
    public void setUp() {
        probe = MemoryBandwidth.allocate(BYTES);
    }

    @TearDown
    public void tearDown() {
        probe.close();
    }

    @Benchmark
    public double read() {
        return probe.read();
    }
}
