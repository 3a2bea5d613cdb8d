package ai.djl.gptq.tests.bench;

import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.Tensor;
import ai.djl.gptq.kernel.DenseMatrix;
import ai.djl.gptq.kernel.Kernels;
import ai.djl.gptq.kernel.MatmulKernel;
import ai.djl.gptq.kernel.MemoryBandwidth;
import ai.djl.gptq.kernel.PackedMatrix;
import ai.djl.gptq.quant.QuantizedLinear;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Batch-1 GEMV {@code y = x W} at the shapes of real decoder layers, int4 group 128 and dense fp32 and fp16
 * (Hugging Face {@code [N, K]} layout, like {@code lm_head}). Each invocation uses the next of several copies of
 * the weight, together at least {@link #WORKING_SET} bytes (8x the last-level cache), so the weights stream from
 * memory as they do when a decoder step walks all its layers.
 *
 * <p>The host is shared, and the bandwidth left to this process changes from one second to the next. So each
 * invocation pairs the GEMV with a read of as many bytes of a cold 1 GiB buffer ({@link MemoryBandwidth}), and
 * the two are timed separately into {@link PairedTiming}: their ratio compares the kernel with the bandwidth
 * available at the same moment. JMH's primary score is the time of the pair.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemvBenchmark {

    static final long WORKING_SET = 256L << 20;
    static final long PROBE_BUFFER = 1L << 30;

    /** Nanoseconds spent in the GEMVs and in the paired bandwidth reads, per iteration. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class PairedTiming {
        public long gemvNanos;
        public long probeNanos;
        public long pairs;

        @Setup(Level.Iteration)
        public void reset() {
            gemvNanos = 0;
            probeNanos = 0;
            pairs = 0;
        }
    }

    /** {@code K x N}. */
    @Param({"896x4864", "4864x896", "4096x4096", "4096x14336"})
    public String shape;

    @Param({"int4-g128", "fp32", "fp16"})
    public String weights;

    private final MatmulKernel kernel = Kernels.best();
    private MemoryBandwidth probe;
    private long probeBytes;
    private PackedMatrix[] packed;
    private DenseMatrix[] dense;
    private float[] x;
    private float[] y;
    private int next;

    @Setup
    public void setUp() {
        String[] kn = shape.split("x");
        int k = Integer.parseInt(kn[0]);
        int n = Integer.parseInt(kn[1]);
        Random random = new Random(42);
        x = new float[k];
        for (int i = 0; i < k; i++) {
            x[i] = (float) random.nextGaussian();
        }
        y = new float[n];
        if (!weights.startsWith("int4")) {
            DType dtype = weights.equals("fp32") ? DType.F32 : DType.F16;
            float[] w = new float[k * n];
            for (int i = 0; i < w.length; i++) {
                w[i] = random.nextFloat() - 0.5f;
            }
            dense = new DenseMatrix[copies((long) dtype.byteSize() * k * n)];
            for (int c = 0; c < dense.length; c++) {
                dense[c] = DenseMatrix.of(new Tensor("w", Path.of("bench"), dtype, new long[] {n, k}, segment(w, dtype)));
            }
        } else {
            QuantizedLinear layer = int4Layer(random, k, n, 128);
            PackedMatrix first = PackedMatrix.pack(layer);
            packed = new PackedMatrix[copies(first.bytesPerMatmul())];
            packed[0] = first;
            for (int c = 1; c < packed.length; c++) {
                packed[c] = PackedMatrix.pack(layer);
            }
        }
        probe = MemoryBandwidth.allocate(PROBE_BUFFER);
        probeBytes = probeBytes(bytesRead(shape, weights));
    }

    @TearDown
    public void tearDown() {
        probe.close();
    }

    /** The probe reads whole MiB: the nearest number of them to a GEMV's bytes, at least one. */
    static long probeBytes(long gemvBytes) {
        return Math.max(1, Math.round(gemvBytes / (double) (1 << 20))) << 20;
    }

    /** Bytes one invocation at these parameters reads: the weight as the kernel stores it. */
    static long bytesRead(String shape, String weights) {
        String[] kn = shape.split("x");
        int k = Integer.parseInt(kn[0]);
        int n = Integer.parseInt(kn[1]);
        if (!weights.startsWith("int4")) {
            return (weights.equals("fp32") ? 4L : 2L) * k * n;
        }
        return PackedMatrix.pack(int4Layer(new Random(42), k, n, 128)).bytesPerMatmul();
    }

    @Benchmark
    public double gemvThenProbe(PairedTiming timing) {
        int c = next;
        long start = System.nanoTime();
        if (dense != null) {
            next = c + 1 == dense.length ? 0 : c + 1;
            kernel.matmul(x, 1, dense[c], y);
        } else {
            next = c + 1 == packed.length ? 0 : c + 1;
            kernel.matmul(x, 1, packed[c], y);
        }
        long middle = System.nanoTime();
        double checksum = probe.readSlice(probeBytes);
        timing.probeNanos += System.nanoTime() - middle;
        timing.gemvNanos += middle - start;
        timing.pairs++;
        return checksum + y[0];
    }

    private static MemorySegment segment(float[] values, DType dtype) {
        MemorySegment data = Arena.global().allocate((long) values.length * dtype.byteSize(), 64);
        for (int i = 0; i < values.length; i++) {
            if (dtype == DType.F32) {
                data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, values[i]);
            } else {
                data.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, Float.floatToFloat16(values[i]));
            }
        }
        return data;
    }

    private static int copies(long bytes) {
        return (int) Math.max(2, (WORKING_SET + bytes - 1) / bytes);
    }

    static QuantizedLinear int4Layer(Random random, int k, int n, int groupSize) {
        int[] words = new int[k / 8 * n];
        for (int i = 0; i < words.length; i++) {
            words[i] = random.nextInt();
        }
        int groups = k / groupSize;
        float[] scales = new float[groups * n];
        float[] zeros = new float[groups * n];
        for (int i = 0; i < scales.length; i++) {
            // fp16 values, as checkpoints store them.
            scales[i] = Float.float16ToFloat(Float.floatToFloat16(0.001f + random.nextFloat() * 0.01f));
            zeros[i] = 1 + random.nextInt(15);
        }
        return new QuantizedLinear("bench", 4, k, n, groupSize, MemorySegment.ofArray(words), scales, zeros, null, null);
    }
}
