package ai.djl.gptq.tests.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.gptq.format.checkpoint.CheckpointFolder;
import ai.djl.gptq.format.checkpoint.LayerQuantization;
import ai.djl.gptq.format.checkpoint.ModelConfig;
import ai.djl.gptq.format.checkpoint.QuantMethod;
import ai.djl.gptq.format.safetensors.SafetensorsFile;
import ai.djl.gptq.format.safetensors.Tensor;
import ai.djl.gptq.format.safetensors.TensorSource;
import ai.djl.gptq.quant.QuantizedLinear;
import ai.djl.gptq.quant.QuantizedLinearReader;
import ai.djl.gptq.quant.ReferenceDequantizer;
import ai.djl.gptq.quant.ReferenceMatmul;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Layer 0's {@code q_proj} and {@code down_proj} of every fixture against transformers' fp32 outputs
 * ({@code y = x @ W_dequant^T + b} with transformers' {@code W [N, K]}, i.e. our {@code x W + b}).
 */
class FixtureLayerTest {

    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    private static final List<String> VARIANTS = List.of(
            "llama-gptq-int4", "llama-gptq-int4-actorder", "qwen2-gptq-int4", "qwen2-gptq-int8",
            "llama-awq-int4", "qwen2-awq-int4");
    private static final int ROWS = 3;
    /** fixtures/README.md: an fp32 engine agrees to about 1e-5. */
    private static final double TOLERANCE = 1e-5;

    static Stream<Arguments> layers() {
        return VARIANTS.stream().flatMap(v -> Stream.of(Arguments.of(v, "q_proj"), Arguments.of(v, "down_proj")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layers")
    void matchesTransformers(String variant, String layer) {
        CheckpointFolder folder = CheckpointFolder.open(FIXTURES.resolve("models").resolve(variant));
        ModelConfig config = folder.config();
        boolean attention = layer.equals("q_proj");
        String module = attention ? "model.layers.0.self_attn.q_proj" : "model.layers.0.mlp.down_proj";
        int inFeatures = attention ? config.hiddenSize() : config.intermediateSize();
        int outFeatures = attention ? config.numHeads() * config.headDim() : config.hiddenSize();
        LayerQuantization q = folder.quantization().forModule(module);
        try (TensorSource weights = folder.openWeights();
                SafetensorsFile reference = SafetensorsFile.open(FIXTURES.resolve("reference").resolve(variant + ".safetensors"))) {
            QuantizedLinear w = QuantizedLinearReader.read(weights, module, q, inFeatures, outFeatures);
            Tensor x = reference.tensor("layer0." + layer + ".x");
            Tensor y = reference.tensor("layer0." + layer + ".y");
            assertArrayEquals(new long[] {ROWS, inFeatures}, x.shape());
            assertArrayEquals(new long[] {ROWS, outFeatures}, y.shape());
            float[] input = x.toFloatArray();
            float[] expected = y.toFloatArray();

            double matmulError = relativeL2(ReferenceMatmul.matmul(input, ROWS, w), expected);
            double dequantError = relativeL2(multiply(input, ReferenceDequantizer.dequantize(w), w), expected);
            System.out.printf("%s %s: relative L2 error %.3g (matmul), %.3g (dequantized)%n",
                    variant, layer, matmulError, dequantError);
            assertTrue(matmulError < TOLERANCE, variant + " " + layer + ": relative L2 error " + matmulError);
            assertTrue(dequantError < TOLERANCE, variant + " " + layer + ": relative L2 error " + dequantError);
            if (q.method() == QuantMethod.GPTQ) {
                assertEquals(weights.tensor(module + ".qweight").data().address(), w.qweight().address(),
                        "GPTQ qweight must stay a view of the mapped file");
            }
        }
    }

    /** {@code x [rows, K]} times a dense {@code W [K, N]}, plus bias, in double. */
    private static float[] multiply(float[] x, float[] weights, QuantizedLinear w) {
        int k0 = w.inFeatures();
        int n0 = w.outFeatures();
        float[] y = new float[ROWS * n0];
        for (int r = 0; r < ROWS; r++) {
            for (int n = 0; n < n0; n++) {
                double sum = w.bias() == null ? 0 : w.bias()[n];
                for (int k = 0; k < k0; k++) {
                    sum += (double) x[r * k0 + k] * weights[k * n0 + n];
                }
                y[r * n0 + n] = (float) sum;
            }
        }
        return y;
    }

    static double relativeL2(float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length);
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = (double) actual[i] - expected[i];
            diff += d * d;
            norm += (double) expected[i] * expected[i];
        }
        return Math.sqrt(diff / norm);
    }
}
