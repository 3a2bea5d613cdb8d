package ai.djl.gptq.tests.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.gptq.engine.GptqNDManager;
import ai.djl.gptq.engine.QuantizedNDArray;
import ai.djl.gptq.quant.QuantizedLinear;
import ai.djl.gptq.quant.ReferenceDequantizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The GPTQ engine next to DJL's PyTorch engine: selection, delegation of unimplemented ops, packed weights. */
class EngineIntegrationTest {

    @Test
    void rankedBehindPyTorchWhichIsTheAlternative() {
        Engine gptq = Engine.getEngine("GPTQ");
        Engine pyTorch = Engine.getEngine("PyTorch");
        assertTrue(gptq.getRank() > pyTorch.getRank());
        assertEquals(pyTorch, gptq.getAlternativeEngine());
        assertEquals("PyTorch", Engine.getDefaultEngineName(), "the lowest rank is DJL's default");
    }

    @Test
    void selectedByTheDefaultEngineProperty() {
        // DJL fixes its rank-based default when Engine is initialized; the property is read on every call after.
        assertTrue(Engine.getAllEngines().contains("GPTQ"));
        String previous = System.getProperty("ai.djl.default_engine");
        System.setProperty("ai.djl.default_engine", "GPTQ");
        try {
            assertEquals("GPTQ", Engine.getInstance().getEngineName());
            try (NDManager manager = NDManager.newBaseManager()) {
                assertEquals("GPTQ", manager.getEngine().getEngineName());
            }
        } finally {
            if (previous == null) {
                System.clearProperty("ai.djl.default_engine");
            } else {
                System.setProperty("ai.djl.default_engine", previous);
            }
        }
    }

    @Test
    void unimplementedOpsRunOnPyTorch() {
        try (NDManager manager = Engine.getEngine("GPTQ").newBaseManager()) {
            NDArray x = manager.create(new float[] {0.5f, 1.5f, 3f});
            NDArray lgamma = x.gammaln();
            assertEquals("PyTorch", lgamma.getManager().getEngine().getEngineName());
            float[] values = lgamma.toFloatArray();
            assertEquals(0.5723649429247001, values[0], 1e-6);
            assertEquals(-0.12078223763524522, values[1], 1e-6);
            assertEquals(Math.log(2), values[2], 1e-6);
        }
    }

    @Test
    void packedWeightMatchesPyTorchOnTheDequantizedMatrix() {
        int k = 128;
        int n = 45;
        Random random = new Random(3);
        MemorySegment qweight = MemorySegment.ofArray(new int[k / 8 * n]);
        for (long i = 0; i < k / 8 * n; i++) {
            qweight.setAtIndex(ValueLayout.JAVA_INT, i, random.nextInt());
        }
        float[] scales = new float[k / 64 * n];
        float[] zeros = new float[scales.length];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = 0.02f + random.nextFloat() * 0.03f;
            zeros[i] = random.nextInt(16);
        }
        QuantizedLinear layer = new QuantizedLinear("w", 4, k, n, 64, qweight, scales, zeros, null, null);
        float[] x = new float[3 * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        try (GptqNDManager gptq = (GptqNDManager) Engine.getEngine("GPTQ").newBaseManager();
                NDManager torch = Engine.getEngine("PyTorch").newBaseManager()) {
            QuantizedNDArray w = gptq.createQuantized(layer);
            float[] actual = gptq.create(x, new Shape(3, k)).matMul(w).toFloatArray();
            NDArray dense = torch.create(ReferenceDequantizer.dequantize(layer), new Shape(k, n));
            float[] expected = torch.create(x, new Shape(3, k)).matMul(dense).toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-4 * (1 + Math.abs(expected[i])), "element " + i);
            }
            assertThrows(UnsupportedOperationException.class, () -> w.gammaln(), "never copied to PyTorch");
            assertArrayEquals(ReferenceDequantizer.dequantize(layer), w.toFloatArray());
        }
    }
}
