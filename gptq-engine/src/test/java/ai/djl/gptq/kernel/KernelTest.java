package ai.djl.gptq.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.format.safetensors.Tensor;
import ai.djl.gptq.quant.QuantizedLinear;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every kernel against a double-precision dequantize-then-multiply on odd shapes: K and N that are not
 * multiples of the vector width or the tile, groups that do and do not align with packed words, act-order.
 */
class KernelTest {

    private static final int[] ROWS = {1, 2, 3, 5, 17};

    static QuantizedLinear randomLayer(Random random, int bits, int k, int n, int groupSize, boolean shuffledGroups, boolean bias) {
        return randomLayer(random, bits, k, n, groupSize, shuffledGroups, bias, false);
    }

    /** With {@code halfScales}, every scale is an fp16 value, as in real checkpoints (the packed form's compact case). */
    static QuantizedLinear randomLayer(Random random, int bits, int k, int n, int groupSize, boolean shuffledGroups, boolean bias,
            boolean halfScales) {
        int packedRows = k * bits / 32;
        int[] words = new int[packedRows * n];
        for (int i = 0; i < words.length; i++) {
            words[i] = random.nextInt();
        }
        int groups = (k + groupSize - 1) / groupSize;
        float[] scales = new float[groups * n];
        float[] zeros = new float[groups * n];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = 0.001f + random.nextFloat() * 0.02f;
            if (halfScales) {
                scales[i] = Float.float16ToFloat(Float.floatToFloat16(scales[i]));
            }
            zeros[i] = random.nextInt(1 << bits) + (random.nextBoolean() ? 1 : 0);
        }
        int[] groupIndex = null;
        if (shuffledGroups) {
            groupIndex = new int[k];
            for (int i = 0; i < k; i++) {
                groupIndex[i] = i / groupSize;
            }
            for (int i = k - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = groupIndex[i];
                groupIndex[i] = groupIndex[j];
                groupIndex[j] = t;
            }
        }
        float[] b = null;
        if (bias) {
            b = new float[n];
            for (int i = 0; i < n; i++) {
                b[i] = random.nextFloat() - 0.5f;
            }
        }
        return new QuantizedLinear("test", bits, k, n, groupSize, MemorySegment.ofArray(words), scales, zeros, groupIndex, b);
    }

    static double[] expected(float[] x, int rows, QuantizedLinear w) {
        int k = w.inFeatures();
        int n = w.outFeatures();
        double[] y = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < n; c++) {
                double sum = w.bias() == null ? 0 : w.bias()[c];
                for (int i = 0; i < k; i++) {
                    sum += (double) x[r * k + i] * w.weight(i, c);
                }
                y[r * n + c] = sum;
            }
        }
        return y;
    }

    static float[] input(Random random, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    static void assertClose(double[] expected, float[] actual, int count, String what) {
        double err = 0;
        double norm = 0;
        for (int i = 0; i < count; i++) {
            err += (expected[i] - actual[i]) * (expected[i] - actual[i]);
            norm += expected[i] * expected[i];
        }
        double rel = Math.sqrt(err / Math.max(norm, 1e-30));
        assertTrue(rel < 2e-6, what + ": relative L2 error " + rel);
    }

    @ParameterizedTest(name = "int{0} K={1} N={2} group={3} shuffled={4} bias={5} fp16 scales={6}")
    @CsvSource({
        "4, 256, 131, 128, false, false, true",
        "4, 256, 131, 128, false, false, false",
        "4, 136, 37, 8, true, true, true",
        "4, 96, 70, 12, false, true, false",
        "4, 64, 200, 64, true, false, true",
        "2, 160, 45, 32, false, true, false",
        "2, 96, 81, 16, true, false, true",
        "3, 96, 29, 32, false, true, true",
        "3, 128, 77, 64, true, false, false",
        "3, 64, 64, 20, false, false, true",
        "8, 52, 99, 4, false, true, true",
        "8, 100, 33, 25, true, false, false",
        "4, 256, 1100, 64, false, true, true",
        "4, 256, 1100, 64, true, true, false",
        "2, 128, 1030, 32, true, false, true",
        "8, 64, 1090, 16, false, true, false",
    })
    void quantizedKernelsMatchDoublePrecision(int bits, int k, int n, int groupSize, boolean shuffled, boolean bias, boolean halfScales) {
        Random random = new Random(bits * 1000L + k * 31L + n);
        QuantizedLinear layer = randomLayer(random, bits, k, n, groupSize, shuffled, bias, halfScales);
        PackedMatrix packed = PackedMatrix.pack(layer);
        for (int i = 0; i < k; i += 7) {
            int original = packed.inputOrder == null ? i : packed.inputOrder[i];
            for (int c = 0; c < n; c += 5) {
                assertEquals(layer.quantValue(original, c), packed.value(i, c), "repacked value at row " + i + " col " + c);
            }
        }
        boolean byteZeros = true;
        for (float z : layer.zeros()) {
            byteZeros &= z <= 255;
        }
        // An 8-bit GPTQ v1 zero point of 255 is stored as 256 once the "minus one" is undone: no longer a byte.
        assertEquals(halfScales && byteZeros, packed.halfScales != null, "compact scales exactly when they are fp16 values and zeros bytes");
        for (int rows : ROWS) {
            float[] x = input(random, rows * k);
            double[] want = expected(x, rows, layer);
            for (MatmulKernel kernel : new MatmulKernel[] {Kernels.scalar(), Kernels.best()}) {
                float[] y = new float[rows * n];
                kernel.matmul(x, rows, packed, y);
                assertClose(want, y, rows * n, kernel.getClass().getSimpleName() + " rows=" + rows);
            }
        }
    }

    @ParameterizedTest(name = "{0} N={1} K={2}")
    @CsvSource({"F32, 37, 70", "F16, 131, 96", "BF16, 65, 33", "F16, 3, 1", "F32, 64, 64"})
    void denseKernelsMatchDoublePrecision(DType dtype, int n, int k) {
        Random random = new Random(n * 7L + k);
        float[] values = input(random, n * k);
        MemorySegment data = MemorySegment.ofArray(new byte[n * k * dtype.byteSize()]);
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, values[i]);
                case F16 -> data.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, Float.floatToFloat16(values[i] * (i % 9 == 0 ? 1e-6f : 1f)));
                default -> data.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, (short) (Float.floatToRawIntBits(values[i]) >>> 16));
            }
        }
        DenseMatrix w = DenseMatrix.of(new Tensor("w", Path.of("test"), dtype, new long[] {n, k}, data));
        for (int rows : ROWS) {
            float[] x = input(random, rows * k);
            double[] want = new double[rows * n];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < n; c++) {
                    double sum = 0;
                    for (int i = 0; i < k; i++) {
                        sum += (double) x[r * k + i] * w.get(c, i);
                    }
                    want[r * n + c] = sum;
                }
            }
            for (MatmulKernel kernel : new MatmulKernel[] {Kernels.scalar(), Kernels.best()}) {
                float[] y = new float[rows * n];
                kernel.matmul(x, rows, w, y);
                assertClose(want, y, rows * n, kernel.getClass().getSimpleName() + " " + dtype + " rows=" + rows);
            }
        }
    }

    @Test
    void poolRunsLargeJobsConcurrentlyFromManyThreads() throws Exception {
        Random random = new Random(5);
        QuantizedLinear layer = randomLayer(random, 4, 512, 1000, 128, false, true);
        PackedMatrix packed = PackedMatrix.pack(layer);
        float[] x = input(random, 512);
        float[] reference = new float[1000];
        Kernels.best().matmul(x, 1, packed, reference);
        Thread[] threads = new Thread[6];
        float[][] results = new float[threads.length][1000];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 50; i++) {
                    Kernels.best().matmul(x, 1, packed, results[id]);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        for (float[] r : results) {
            assertTrue(java.util.Arrays.equals(reference, r), "concurrent results differ from the single-threaded one");
        }
    }
}
