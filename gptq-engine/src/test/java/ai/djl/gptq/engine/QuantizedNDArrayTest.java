package ai.djl.gptq.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.gptq.quant.QuantizedLinear;
import ai.djl.gptq.quant.ReferenceDequantizer;
import ai.djl.gptq.quant.ReferenceMatmul;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class QuantizedNDArrayTest {

    private static final int K = 96;
    private static final int N = 37;

    private static QuantizedLinear layer(int bits, float[] bias, long seed) {
        Random random = new Random(seed);
        int group = 32;
        int groups = K / group;
        int words = K * bits / 32 * N;
        MemorySegment qweight = MemorySegment.ofArray(new int[words]);
        for (int i = 0; i < words; i++) {
            qweight.setAtIndex(ValueLayout.JAVA_INT, i, random.nextInt());
        }
        float[] scales = new float[groups * N];
        float[] zeros = new float[groups * N];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = 0.01f + random.nextFloat() * 0.05f;
            zeros[i] = random.nextInt(1 << bits);
        }
        return new QuantizedLinear("layer", bits, K, N, group, qweight, scales, zeros, null, bias);
    }

    private static float[] randomInput(int rows, long seed) {
        Random random = new Random(seed);
        float[] x = new float[rows * K];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    @Test
    void describesTheLogicalMatrixAndDequantizes() {
        QuantizedLinear w = layer(4, null, 1);
        try (GptqNDManager manager = (GptqNDManager) Engine.getEngine("GPTQ").newBaseManager()) {
            QuantizedNDArray q = manager.createQuantized(w);
            assertEquals(new Shape(K, N), q.getShape());
            assertEquals(DataType.FLOAT16, q.getDataType());
            assertArrayEquals(ReferenceDequantizer.dequantize(w), q.toFloatArray());
        }
    }

    @Test
    void matMulRunsTheKernelForEveryInputRank() {
        for (int bits : new int[] {2, 4, 8}) {
            QuantizedLinear w = layer(bits, null, bits);
            try (GptqNDManager manager = (GptqNDManager) Engine.getEngine("GPTQ").newBaseManager()) {
                QuantizedNDArray q = manager.createQuantized(w);
                float[] x = randomInput(6, 10 + bits);
                float[] expected = ReferenceMatmul.matmul(x, 6, w);
                NDArray matrix = manager.create(x, new Shape(6, K));
                assertClose(expected, matrix.matMul(q).toFloatArray(), bits);
                NDArray batched = manager.create(x, new Shape(2, 3, K));
                NDArray y = batched.matMul(q);
                assertEquals(new Shape(2, 3, N), y.getShape());
                assertClose(expected, y.toFloatArray(), bits);
                float[] row = new float[K];
                System.arraycopy(x, 0, row, 0, K);
                NDArray vector = manager.create(row).matMul(q);
                assertEquals(new Shape(N), vector.getShape());
                assertClose(ReferenceMatmul.matmul(row, 1, w), vector.toFloatArray(), bits);
                NDArray half = matrix.toType(DataType.FLOAT16, false).matMul(q);
                assertEquals(DataType.FLOAT16, half.getDataType());
            }
        }
    }

    @Test
    void matMulExcludesTheBias() {
        float[] bias = new float[N];
        java.util.Arrays.fill(bias, 100f);
        QuantizedLinear withBias = layer(4, bias, 3);
        QuantizedLinear without = layer(4, null, 3);
        try (GptqNDManager manager = (GptqNDManager) Engine.getEngine("GPTQ").newBaseManager()) {
            float[] x = randomInput(2, 4);
            float[] y = manager.create(x, new Shape(2, K)).matMul(manager.createQuantized(withBias)).toFloatArray();
            assertClose(ReferenceMatmul.matmul(x, 2, without), y, 4);
        }
    }

    @Test
    void everyOtherOpIsRefused() {
        try (GptqNDManager manager = (GptqNDManager) Engine.getEngine("GPTQ").newBaseManager()) {
            QuantizedNDArray q = manager.createQuantized(layer(4, null, 5));
            NDArray x = manager.ones(new Shape(K, N));
            assertSame(q, manager.from(q));
            for (Executable op : new Executable[] {
                () -> q.add(1f), () -> x.add(q), () -> q.transpose(), () -> q.toByteBuffer(), () -> q.get(0),
                () -> q.toType(DataType.FLOAT32, false), () -> q.duplicate(), () -> q.sum(), () -> q.reshape(-1),
                () -> q.matMul(x), () -> q.zerosLike(), () -> q.getNDArrayInternal(), () -> q.softmax(0)}) {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, op);
                assertTrue(e.getMessage().startsWith("packed quantized weight supports only matMul and toFloatArray"),
                        e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> manager.ones(new Shape(2, K + 1)).matMul(q));
        }
    }

    @Test
    void closedWithItsManager() {
        NDManager manager = Engine.getEngine("GPTQ").newBaseManager();
        QuantizedNDArray q = ((GptqNDManager) manager).createQuantized(layer(4, null, 6));
        manager.close();
        assertTrue(q.isReleased());
        assertThrows(IllegalStateException.class, q::toFloatArray);
    }

    private static void assertClose(float[] expected, float[] actual, int bits) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * (1 + Math.abs(expected[i])), "bits " + bits + " at " + i);
        }
    }
}
