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

/**
 * The memory-read bandwidth the GEMV results are compared with, on the pool's threads: a whole 1 GiB buffer
 * per call, and 32 MiB slices of it per call (cold, since the buffer is 32x the last-level cache), which take
 * about as long as a GEMV over a large layer and so are timed on the same scale.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BandwidthBenchmark {

    static final long BYTES = 1L << 30;
    static final long SLICE = 32L << 20;

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
    public double readAll() {
        return probe.read();
    }

    @Benchmark
    public double readSlice() {
        return probe.readSlice(SLICE);
    }
}
