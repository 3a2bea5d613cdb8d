package ai.djl.gptq.tests.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.checkpoint.ModelConfig;
import ai.djl.gptq.format.checkpoint.RopeScaling;
import ai.djl.gptq.format.safetensors.DType;
import ai.djl.gptq.model.ActivationPrecision;
import ai.djl.gptq.model.RotaryEmbedding;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Rope scaling: linear divides every frequency, llama3 only the long wavelengths and blends the band between. */
class RotaryEmbeddingTest {

    private static final int HEAD_DIM = 128;
    private static final double THETA = 500000;

    private static ModelConfig config(RopeScaling scaling) {
        return new ModelConfig(Path.of("config.json"), "LlamaForCausalLM", "llama", 4096, 14336, 32, 32, 8, HEAD_DIM,
                128256, 131072, 1e-5, THETA, scaling, false, false, 0, DType.BF16, "silu", 128000, new int[] {128001});
    }

    private static float[][] angles(RotaryEmbedding rope, int position) {
        float[] cos = new float[HEAD_DIM / 2];
        float[] sin = new float[HEAD_DIM / 2];
        rope.angles(position, ActivationPrecision.FP32, cos, sin, 0);
        return new float[][] {cos, sin};
    }

    @Test
    void defaultAnglesArePositionTimesInverseFrequency() {
        RotaryEmbedding rope = new RotaryEmbedding(config(null));
        float[][] at = angles(rope, 7);
        for (int i = 0; i < HEAD_DIM / 2; i++) {
            double angle = 7 / Math.pow(THETA, 2.0 * i / HEAD_DIM);
            assertEquals(Math.cos(angle), at[0][i], 1e-5);
            assertEquals(Math.sin(angle), at[1][i], 1e-5);
        }
        assertArrayEquals(new float[HEAD_DIM / 2], angles(rope, 0)[1]);
    }

    @Test
    void linearScalingStretchesPositionsByTheFactor() {
        RotaryEmbedding plain = new RotaryEmbedding(config(null));
        RotaryEmbedding linear = new RotaryEmbedding(config(new RopeScaling("linear", 4, 1, 4, 8192)));
        assertArrayEquals(angles(plain, 5)[0], angles(linear, 20)[0]);
        assertArrayEquals(angles(plain, 5)[1], angles(linear, 20)[1]);
    }

    @Test
    void llama3KeepsShortWavelengthsAndSlowsLongOnes() {
        double factor = 8;
        int original = 8192;
        RotaryEmbedding plain = new RotaryEmbedding(config(null));
        RotaryEmbedding llama3 = new RotaryEmbedding(config(new RopeScaling("llama3", factor, 1, 4, original)));
        float[][] plainAt1 = angles(plain, 1);
        float[][] scaledAt1 = angles(llama3, 1);
        float[][] scaledAt8 = angles(llama3, 8);
        int kept = 0;
        int slowed = 0;
        int blended = 0;
        for (int i = 0; i < HEAD_DIM / 2; i++) {
            double wavelength = 2 * Math.PI * Math.pow(THETA, 2.0 * i / HEAD_DIM);
            if (wavelength < original / 4.0) {
                assertEquals(plainAt1[0][i], scaledAt1[0][i], 1e-6, "index " + i);
                kept++;
            } else if (wavelength > original) {
                assertEquals(plainAt1[1][i], scaledAt8[1][i], 1e-6, "index " + i);
                slowed++;
            } else {
                double plainAngle = Math.asin(plainAt1[1][i]);
                double scaledAngle = Math.asin(scaledAt1[1][i]);
                assertTrue(scaledAngle < plainAngle && scaledAngle > plainAngle / factor, "index " + i);
                blended++;
            }
        }
        assertTrue(kept > 0 && slowed > 0 && blended > 0, kept + " kept, " + slowed + " slowed, " + blended + " blended");
    }
}
